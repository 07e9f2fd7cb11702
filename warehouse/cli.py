"""The ``guichets`` command-line tool.

Start-up stays light: heavy packages (Airflow, dbt, GX, DuckDB) are imported inside the
commands that need them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="guichets: an observatory of physical access to public services.", no_args_is_help=True)


@app.callback()
def _root() -> None:
    """guichets: collect, archive, parse, load, validate and publish data on public counters."""


DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Data directory (default: $GUICHETS_DATA_DIR or ./data).")
]


@app.command()
def run(
    mode: Annotated[str, typer.Option(help="sample: the bundled archive; live: the real web.")] = "sample",
    data_dir: DataDir = None,
    registry: Annotated[Path | None, typer.Option(help="Sources registry (default: the sample one).")] = None,
) -> None:
    """Run the whole Airflow pipeline once, in-process, and print where the results are."""
    from warehouse.airflow_local import DagRunFailed, run_dag
    from warehouse.settings import get_settings

    settings = get_settings(data_dir, registry)
    try:
        run_dag(settings, mode=mode)
    except DagRunFailed as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    _print_outputs(settings)


def _print_outputs(settings) -> None:
    import duckdb

    latest = settings.releases_dir / "latest"
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        counts = con.execute(
            "SELECT source_id, count(*) AS captures, count(*) FILTER (parse_status = 'ok') AS parsed "
            "FROM raw.captures GROUP BY 1 ORDER BY 1"
        ).fetchall()
        illustrative = con.execute("SELECT value FROM raw.dataset_info WHERE key = 'illustrative'").fetchone()
    if illustrative and illustrative[0] == "true":
        typer.echo("*** ILLUSTRATIVE SAMPLE DATA: invented pages of real administrations; not facts. ***")
    typer.echo(f"{len(counts)} sources, {sum(c[1] for c in counts)} captures ({sum(c[2] for c in counts)} parsed)")
    typer.echo(f"DuckDB database: {settings.duckdb_path}")
    typer.echo(f"Release:         {latest.resolve()} (latest -> {latest.readlink() if latest.is_symlink() else '?'})")
    meta = json.loads((latest / "metadata.json").read_text("utf-8"))
    for t in meta["tables"]:
        typer.echo(f"  {t['path']:<40} {t['rows']:>6} rows")


def main() -> None:
    """Entry point of the ``guichets`` script."""
    app(prog_name="guichets")


if __name__ == "__main__":
    sys.exit(main())
