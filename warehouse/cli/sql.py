"""Commands that read the warehouse with SQL: status, query, shell."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from scrapers.vocabulary import OUTCOME_FETCH_ERROR, OUTCOME_HTTP_ERROR, OUTCOME_SUCCESSFUL
from warehouse.cli.common import DataDir, app, usage_error

DbPath = Annotated[
    Path | None,
    typer.Option("--db", help="DuckDB database file (default: <data-dir>/warehouse/guichets.duckdb)."),
]


def _open_database(data_dir: Path | None, db: Path | None):
    """A read-only, sandboxed connection to the database, or exit 1 saying why not.

    Read-only: nothing can be written to the database. Sandboxed: no file or network access from
    SQL (no COPY TO, ATTACH, read_csv of other files, extension downloads), and the settings are
    locked so that SQL cannot lift it. Temporary tables in memory stay allowed.
    """
    import duckdb

    from warehouse.db import reader
    from warehouse.settings import get_settings

    if db is not None and not db.is_file():
        usage_error(f"--db {db}: no such database file")
    path = db or get_settings(data_dir).duckdb_path
    if not path.is_file():
        typer.echo(f"error: no database at {path} (run `guichets run` first, or give --db)", err=True)
        raise typer.Exit(1)
    try:
        return reader(path, sandboxed=True)
    except duckdb.Error as exc:
        # Typically the pipeline holds the write lock: DuckDB allows one writer and no reader then.
        typer.echo(f"error: cannot open {path} read-only: {exc}", err=True)
        raise typer.Exit(1) from exc


@app.command()
def status(
    data_dir: DataDir = None,
    db: DbPath = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document instead of tables.")] = False,
) -> None:
    """Where the data stands: latest release, last load, and per source captures, failures, drift, freshness."""
    from warehouse.settings import get_settings

    settings = get_settings(data_dir)
    con = _open_database(data_dir, db)
    with con:
        report = _status_report(con, settings)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2, default=str))
        return
    _print_status(report)


def _status_report(con, settings) -> dict:
    """The status as plain data: release, load and per-source rows (see :func:`status`)."""
    tables = {
        r[0] for r in con.execute("SELECT table_schema || '.' || table_name FROM information_schema.tables").fetchall()
    }
    if "raw.captures" not in tables:
        typer.echo("error: the database has no raw.captures table (nothing loaded yet)", err=True)
        raise typer.Exit(1)
    info = (
        dict(con.execute("SELECT key, value FROM raw.dataset_info").fetchall()) if "raw.dataset_info" in tables else {}
    )
    load = con.execute(
        "SELECT max(load_batch), count(*), max(observed_at), max(fetched_at) FROM raw.captures"
    ).fetchone()
    sources: list[dict] = []
    successful = last_successful = None
    # What a successful capture is, per-source counts, drift and the data's horizon are dbt's
    # (marts.fct_source_coverage): read, never recomputed here. Before dbt has built the marts,
    # only the raw facts of the load are known.
    if "marts.fct_source_coverage" in tables:
        successful, last_successful = con.execute(
            "SELECT sum(captures_successful), max(last_successful_observed_at) FROM marts.fct_source_coverage"
        ).fetchone()
        rows = con.execute(
            """
            SELECT coverage.source_id, coverage.captures_total, coverage.captures_failed,
                   coverage.last_successful_observed_at, coverage.last_observed_at,
                   coverage.last_capture_outcome, last.http_status, last.error_class,
                   coverage.layout_drift_flag, coverage.drift_since,
                   date_diff('day', coverage.last_successful_observed_at, coverage.data_last_observed_at)
            FROM marts.fct_source_coverage AS coverage
            LEFT JOIN intermediate.int_captures_classified AS last
                ON last.source_id = coverage.source_id AND last.observed_at = coverage.last_observed_at
            WHERE coverage.captures_total > 0  -- registered sources never captured yet are not listed
            ORDER BY coverage.source_id
            """
        ).fetchall()
        for (
            source_id,
            captures,
            failures,
            last_success,
            last_capture,
            outcome,
            http,
            error,
            drift,
            since,
            behind,
        ) in rows:
            sources.append(
                {
                    "source_id": source_id,
                    "captures": captures,
                    "failures": failures,
                    "last_success": last_success,
                    "last_capture": last_capture,
                    "last_outcome": _outcome_label(outcome, http, error),
                    "drift": drift,
                    "drift_since": since,
                    "days_behind": behind,
                }
            )
    latest = settings.latest_release
    release = None
    if (latest / "metadata.json").is_file():
        meta = json.loads((latest / "metadata.json").read_text("utf-8"))
        release = {
            "version": meta.get("version"),
            "path": str(latest.resolve()),
            "data_as_of": meta.get("data_as_of"),
            "illustrative": meta.get("illustrative"),
            "tables": len(meta.get("tables", [])),
            "rows": sum(t.get("rows", 0) for t in meta.get("tables", [])),
            "reports": sorted(p.name for p in (latest / "report").glob("report-*"))
            if (latest / "report").is_dir()
            else [],
        }
    return {
        "data_dir": str(settings.data_dir),
        "database": str(settings.duckdb_path),
        "illustrative": info.get("illustrative") == "true",
        "registry": info.get("registry"),
        "release": release,
        "last_load": {
            "load_batch": load[0],
            "captures": load[1],
            "successful": successful,
            "data_horizon": load[2],
            "last_successful_observation": last_successful,
            "last_fetched_at": load[3],
        },
        "sources": sources,
    }


def _outcome_label(outcome: str | None, http_status: int | None, error_class: str | None) -> str | None:
    """A capture outcome (int_captures_classified.capture_outcome) as status prints it: ``ok``, the
    fetch error's class (``timeout``), ``http <status>``, or the parse status."""
    if outcome == OUTCOME_SUCCESSFUL:
        return "ok"
    if outcome == OUTCOME_FETCH_ERROR:
        return error_class or outcome
    if outcome == OUTCOME_HTTP_ERROR:
        return f"http {http_status}"
    return outcome


def _print_status(report: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = _console(Console)
    if report["illustrative"]:
        console.print("[bold red]*** ILLUSTRATIVE SAMPLE DATA: invented pages of real administrations; not facts. ***")
    console.print(f"data directory: {report['data_dir']}")
    release = report["release"]
    if release:
        reports = ", ".join(release["reports"]) or "none (guichets report)"
        console.print(
            f"latest release: {release['version']} (data as of {release['data_as_of']}; {release['tables']} tables, "
            f"{release['rows']} rows) {release['path']}\n  reports: {reports}"
        )
    else:
        console.print("latest release: none (guichets run publishes one)")
    load = report["last_load"]
    console.print(
        f"database: {report['database']}\n  last load batch {load['load_batch']}: {load['captures']} captures "
        f"({_fmt(load['successful'])} successful), last fetched {_fmt(load['last_fetched_at'])}\n"
        f"  data horizon (last capture): {_fmt(load['data_horizon'])}; "
        f"last successful observation: {_fmt(load['last_successful_observation'])}"
    )
    if load["successful"] is None:
        console.print("sources: unknown until dbt has built marts.fct_source_coverage (guichets run)")
        return
    table = Table(title="sources", title_justify="left")
    for name in ("source", "captures", "failures", "last success", "days behind horizon", "last outcome", "drift"):
        table.add_column(name, justify="right" if name in ("captures", "failures", "days behind horizon") else "left")
    for s in report["sources"]:
        drift = f"since {_fmt(s['drift_since'])}" if s["drift"] else ("no" if s["drift"] is not None else "?")
        style = "yellow" if s["drift"] or s["last_outcome"] != "ok" else None
        table.add_row(
            s["source_id"],
            str(s["captures"]),
            str(s["failures"]),
            _fmt(s["last_success"]),
            "never" if s["days_behind"] is None else str(s["days_behind"]),
            str(s["last_outcome"]),
            drift,
            style=style,
        )
    console.print(table)


def _fmt(value) -> str:
    if value is None:
        return "—"
    return value.isoformat(sep=" ") if hasattr(value, "isoformat") else str(value)


def _console(console_class):
    """A console for results on stdout: a terminal's width, or wide enough not to wrap in a pipe."""
    console = console_class()
    return console if console.is_terminal else console_class(width=10_000, no_color=True, highlight=False)


QUERY_FORMATS = ("table", "csv", "json")


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help='SQL to run, e.g. "select * from marts.dim_counter limit 5".')],
    data_dir: DataDir = None,
    db: DbPath = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV with a header line, every row.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON array of objects, every row.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Rows shown as a table (CSV/JSON: all rows).")] = 1000,
) -> None:
    """Run one SQL query on the DuckDB database, read-only, and print the result."""
    if as_csv and as_json:
        typer.echo("error: give at most one of --csv and --json", err=True)
        raise typer.Exit(2)
    import duckdb

    con = _open_database(data_dir, db)
    with con:
        try:
            cursor = con.execute(sql)
        except duckdb.Error as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from exc
        _print_result(cursor, "csv" if as_csv else "json" if as_json else "table", limit)


def _print_result(cursor, fmt: str, limit: int) -> None:
    """Print a DuckDB result as a table (at most ``limit`` rows), CSV or JSON (all rows, streamed)."""
    if cursor.description is None:
        typer.echo("ok")
        return
    columns = [d[0] for d in cursor.description]
    if fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        while batch := cursor.fetchmany(1000):
            writer.writerows(batch)
        return
    if fmt == "json":
        sys.stdout.write("[")
        first = True
        while batch := cursor.fetchmany(1000):
            for row in batch:
                sys.stdout.write(
                    ("\n" if first else ",\n")
                    + json.dumps(dict(zip(columns, row, strict=True)), default=_json_default, ensure_ascii=False)
                )
                first = False
        sys.stdout.write("\n]\n" if not first else "]\n")
        return
    from rich.console import Console
    from rich.table import Table

    rows = cursor.fetchmany(limit)
    more = len(cursor.fetchmany(1)) if len(rows) == limit else 0
    table = Table(*columns, show_lines=False)
    for row in rows:
        table.add_row(*("NULL" if v is None else str(v) for v in row))
    console = _console(Console)
    console.print(table)
    if more:
        typer.echo(f"(more than {limit} rows; showing {limit}: use --limit, --csv or --json)", err=True)
    else:
        typer.echo(f"({len(rows)} row{'s' if len(rows) != 1 else ''})", err=True)


def _json_default(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    try:
        return float(value)  # Decimal, numpy numbers
    except (TypeError, ValueError):
        return str(value)


SHELL_HELP = """\
Statements end with ";" (a line may hold several; a statement may span lines).
  .tables            list the tables (schema.table)
  .schema TABLE      columns of a table
  .mode table|csv|json   how results are printed (default table)
  .help              this help
  .quit / .exit      leave (so does end of input)
Read-only: nothing can be written to the database; no file or network access from SQL."""


@app.command()
def shell(
    data_dir: DataDir = None,
    db: DbPath = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Rows shown per result in table mode.")] = 1000,
) -> None:
    """An interactive read-only SQL prompt on the DuckDB database (reads stdin until .quit)."""
    import duckdb

    con = _open_database(data_dir, db)
    interactive = sys.stdin.isatty()
    mode, failures, buffer = "table", 0, ""
    if interactive:
        typer.echo(f"guichets shell (read-only). .help for help, .quit to leave.\n{SHELL_HELP.splitlines()[0]}")
    with con:
        while True:
            if interactive:
                typer.echo("guichets> " if not buffer else "     ...> ", nl=False)
            line = sys.stdin.readline()
            if not line:  # end of input: run what is pending, then leave
                if buffer.strip():
                    failures += _shell_run(con, buffer, mode, limit, duckdb)
                break
            stripped = line.strip()
            if not buffer and stripped.startswith("."):
                command, _, arg = stripped.partition(" ")
                if command in (".quit", ".exit"):
                    break
                mode, ok = _shell_dot(con, command, arg.strip(), mode, limit, duckdb)
                failures += 0 if ok else 1
                continue
            buffer += line
            if stripped.endswith(";"):
                failures += _shell_run(con, buffer, mode, limit, duckdb)
                buffer = ""
    if failures:
        # Scripts piping statements in learn that something failed; each error was printed.
        raise typer.Exit(1)


def _shell_run(con, sql: str, mode: str, limit: int, duckdb) -> int:
    """Run the statements in ``sql``, printing each result; 1 when one failed, else 0."""
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        typer.echo(f"error: {exc}", err=True)
        return 1
    for statement in statements:
        try:
            _print_result(con.execute(statement), mode, limit)
        except duckdb.Error as exc:
            typer.echo(f"error: {exc}", err=True)
            return 1
    return 0


def _shell_dot(con, command: str, arg: str, mode: str, limit: int, duckdb) -> tuple[str, bool]:
    """One dot-command; returns (mode, ok)."""
    if command == ".help":
        typer.echo(SHELL_HELP)
    elif command == ".tables":
        _print_result(
            con.execute(
                "SELECT table_schema || '.' || table_name AS table_name FROM information_schema.tables "
                "WHERE table_schema NOT IN ('information_schema', 'pg_catalog') ORDER BY 1"
            ),
            mode,
            10_000,
        )
    elif command == ".schema" and arg:
        try:
            _print_result(con.execute(f"DESCRIBE {arg}"), mode, 10_000)
        except duckdb.Error as exc:
            typer.echo(f"error: {exc}", err=True)
            return mode, False
    elif command == ".mode" and arg in QUERY_FORMATS:
        return arg, True
    else:
        typer.echo(f"error: unknown command {command} {arg}".rstrip() + " (.help lists them)", err=True)
        return mode, False
    return mode, True
