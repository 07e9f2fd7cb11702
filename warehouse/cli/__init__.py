"""The ``guichets`` command-line tool.

Start-up stays light: heavy packages (Airflow, dbt, GX, DuckDB, rich, Altair) are imported
inside the commands that need them.

Exit codes, for scripts: 0 the command did its work; 1 the work failed (the message on stderr
says what and where: a failed DAG run, a missing or locked database, an SQL error, a PDF that
could not be printed); 2 bad usage (unknown command or option, invalid value, a malformed
registry). Results go to stdout; progress, notes and errors to stderr.
"""

from __future__ import annotations

import sys

import typer

# Each module registers its commands on import; the order of these imports is the order of --help.
# isort: off
from warehouse.cli import pipeline, sql, report, site, find, parse  # noqa: F401

# isort: on
from warehouse.cli.common import app
from warehouse.cli.parse import hours_app, procedures_app
from warehouse.cli.release import release_app

app.add_typer(hours_app, name="hours")
app.add_typer(procedures_app, name="procedures")
app.add_typer(release_app, name="release")


def main() -> None:
    """Entry point of the ``guichets`` script.

    A full disk or an unwritable data directory met while a command writes is said as such, in
    one line, exit 1 (the work failed), rather than as a traceback.
    """
    from warehouse.settings import storage_problem

    try:
        app(prog_name="guichets")
    except OSError as exc:
        problem = storage_problem(exc)
        if problem is None:
            raise
        typer.echo(f"error: {problem}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    sys.exit(main())
