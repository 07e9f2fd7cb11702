"""The ``guichets`` command-line tool.

Start-up stays light: heavy packages (Airflow, dbt, GX, DuckDB, rich, Altair) are imported
inside the commands that need them.

Exit codes, for scripts: 0 the command did its work; 1 the work failed (the message on stderr
says what and where: a failed DAG run, a missing or locked database, an SQL error, a PDF that
could not be printed); 2 bad usage (unknown command or option, invalid value, a malformed
registry). Results go to stdout; progress, notes and errors to stderr.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from scrapers.vocabulary import LANGUAGES, OUTCOME_FETCH_ERROR, OUTCOME_HTTP_ERROR, OUTCOME_SUCCESSFUL, PARSE_OK
from warehouse.release_cli import release_app

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
    registry: Annotated[
        Path | None, typer.Option(help="Sources registry (default: sample.yaml in sample mode, else production.yaml).")
    ] = None,
    release_base_url: Annotated[
        str | None,
        typer.Option(
            help="URL the releases are published under (<url><version>/; default: $GUICHETS_RELEASE_BASE_URL "
            "or https://guichets.example/releases/, a placeholder)."
        ),
    ] = None,
) -> None:
    """Run the whole Airflow pipeline once, in-process, and print where the results are."""
    from warehouse.airflow_local import DagRunFailed, run_dag
    from warehouse.settings import get_settings

    if mode not in ("sample", "live"):
        typer.echo(f"error: --mode must be sample or live, not {mode!r}", err=True)
        raise typer.Exit(2)
    from scrapers.registry import load_registry

    settings = get_settings(data_dir, registry, mode=mode)
    if release_base_url is not None:
        base_url = _http_url_or_exit(release_base_url, "--release-base-url")
        settings = dataclasses.replace(settings, release_base_url=base_url)
    _registry_or_exit(settings.registry, load_registry, "--registry")
    _writable_dir_or_exit(settings.data_dir, "--data-dir")
    try:
        run_dag(settings, {"mode": mode})
    except DagRunFailed as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    _print_outputs(settings)


SourcesFile = Annotated[Path, typer.Option("--sources", help="Sources registry YAML file.")]
OutDir = Annotated[Path | None, typer.Option("--out", help="Data directory to write into (default: ./data).")]


SourceIds = Annotated[
    list[str] | None, typer.Option("--source", help="Only this source ID (repeatable; default: every source).")
]


@app.command()
def collect(
    sources: SourcesFile,
    out: OutDir = None,
    source: SourceIds = None,
    allow_private: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-private",
            help="A non-public HOST:PORT the collector may reach, e.g. a local test server on 127.0.0.1 "
            "(repeatable; every other non-public address stays refused).",
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Deadline of one attempt at a page, in seconds (headers and body).")
    ] = 120.0,
    retries: Annotated[int, typer.Option("--retries", help="Retries of a page after a retryable failure.")] = 3,
) -> None:
    """Fetch every source of a registry from the live web, politely; keep WARC evidence."""
    from scrapers.collect import collect_many
    from scrapers.fetch import Fetcher
    from scrapers.registry import load_registry
    from warehouse.settings import get_settings

    registry = _registry_or_exit(sources, load_registry)
    selected = _sources_or_exit(registry, source)
    if not timeout > 0:
        _usage_error(f"--timeout {timeout:g} is not a positive number of seconds")
    if retries < 0:
        _usage_error(f"--retries {retries} is negative")
    allowed = [_host_port_or_exit(entry, "--allow-private") for entry in allow_private or ()]
    settings = get_settings(out, sources)
    _writable_dir_or_exit(settings.data_dir, "--out")
    # The read timeout never exceeds the attempt's deadline (the default 30 s is for slow public servers).
    fetcher = Fetcher(
        timeout=(min(10.0, timeout), min(30.0, timeout)),
        total_timeout_s=timeout,
        max_retries=retries,
        allow_private=allowed or False,
    )
    with _storage_named(settings.data_dir):
        with _progress(len(selected), "collect") as advance:
            summaries = collect_many(
                selected,
                settings.data_dir,
                fetcher=fetcher,
                max_workers=settings.collect_threads,
                on_done=lambda s: advance(s["source_id"]),
            )
    _echo_summaries(summaries)


def _host_port_or_exit(value: str, option: str) -> str:
    """A ``host:port`` given to ``option`` (a numeric port required), or exit 2 naming it."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(f"//{value}")
        ok = bool(parts.hostname) and parts.port is not None and f"//{value}" == f"//{parts.netloc}"
    except ValueError:
        ok = False
    if not ok:
        _usage_error(f"{option} {value!r} is not a HOST:PORT (e.g. 127.0.0.1:8080)")
    return value


@app.command()
def backfill(
    sources: SourcesFile,
    cdx: Annotated[str, typer.Option("--cdx", help="CDX API URL (web.archive.org's, or a local pywb's).")],
    date_from: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    date_to: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    replay: Annotated[str | None, typer.Option(help="Base of raw replay URLs (derived from --cdx if absent).")] = None,
    out: OutDir = None,
    allow_local: Annotated[
        bool, typer.Option(help="Allow the archive's own host even if private, e.g. 127.0.0.1 (sample/test mode).")
    ] = False,
    archive_name: Annotated[
        str | None,
        typer.Option(
            "--archive", help="Name recorded in each capture (default: wayback, or the pywb collection of --cdx)."
        ),
    ] = None,
    source: SourceIds = None,
) -> None:
    """List and fetch a web archive's captures of every source URL, parse them as of capture time.

    Captures already collected (same timestamp and CDX digest) are not fetched again, so an
    interrupted backfill resumes where it stopped. A source whose listing cannot be read (the CDX
    API failed or answered something else) is named on stderr and the others are still
    backfilled; the command then exits 1.
    """
    from scrapers.cdx import CdxError
    from scrapers.collect import WAYBACK, WebArchive, archive_name_for, collect_from_archive, replay_base_for
    from scrapers.fetch import Fetcher
    from scrapers.registry import load_registry
    from warehouse.settings import get_settings

    start, end = _date_or_exit(date_from, "--from"), _date_or_exit(date_to, "--to")
    if start > end:
        _usage_error(f"--from {start} is after --to {end}")
    _http_url_or_exit(cdx, "--cdx")
    if replay is not None:
        _http_url_or_exit(replay, "--replay")
    registry = _registry_or_exit(sources, load_registry)
    selected = _sources_or_exit(registry, source)
    settings = get_settings(out, sources)
    _writable_dir_or_exit(settings.data_dir, "--out")
    page_size = WAYBACK["page_size"] if cdx == WAYBACK["cdx_url"] else None
    # A local archive (sample/test) is ours: politeness limits are for other people's servers.
    rate = 50.0 if allow_local else 1.0
    name = archive_name or archive_name_for(cdx)
    archive = WebArchive(cdx, replay or replay_base_for(cdx), rate_per_s=rate, page_size=page_size, name=name)
    from scrapers.netguard import host_key

    fetcher = Fetcher(allow_private={host_key(cdx)} if allow_local else False, respect_robots=False)
    summaries, failed_listings = [], []
    with _storage_named(settings.data_dir), _progress(len(selected), "backfill") as advance:
        for s in selected:
            try:
                summaries.append(
                    collect_from_archive(s, archive, settings.data_dir, fetcher=fetcher, date_from=start, date_to=end)
                )
            except CdxError as exc:  # this source's listing failed; the others still run
                failed_listings.append(s.id)
                typer.echo(f"error: source {s.id}: listing failed: {exc}", err=True)
            advance(s.id)
    _echo_summaries(summaries)
    for sid in failed_listings:
        typer.echo(f"{sid:<40} listing failed (see stderr)")
    if failed_listings:
        typer.echo(
            f"error: {len(failed_listings)} of {len(selected)} source listings failed: {', '.join(failed_listings)}",
            err=True,
        )
        raise typer.Exit(1)


@app.command("replay")
def replay_cmd(
    warc: Annotated[list[Path], typer.Option("--warc", help="WARC file(s) or folder(s) to replay.")],
    sources: Annotated[Path | None, typer.Option("--sources", help="Registry (default: the sample one).")] = None,
    out: OutDir = None,
) -> None:
    """Re-parse captures from WARC files without the network (after a parser improvement)."""
    from scrapers.registry import load_registry
    from scrapers.replay import ReplayError, replay_warcs
    from warehouse.settings import get_settings

    for path in warc:
        if not path.exists():
            _usage_error(f"--warc {path}: no such file or directory")
    settings = get_settings(out, sources)
    registry = _registry_or_exit(settings.registry, load_registry)
    _writable_dir_or_exit(settings.data_dir, "--out")
    paths = sorted({f for p in warc for f in (p.rglob("*.warc.gz") if p.is_dir() else [p])})
    try:
        with _storage_named(settings.data_dir):
            result = replay_warcs(paths, registry, settings.data_dir)
    except ReplayError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    _echo_summaries(result["sources"])
    for line in result["skipped"]:
        typer.echo(f"skipped: {line}", err=True)


@contextmanager
def _progress(total: int, description: str) -> Iterator[Callable[[str], None]]:
    """Yield ``advance(label)``: a rich progress bar on a terminal, else one plain line per step.

    Progress goes to stderr, so stdout keeps only the summaries scripts read. ``advance`` may be
    called from several threads.
    """
    from rich.console import Console

    console = Console(stderr=True)
    if console.is_terminal:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        columns = (
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[current]}"),
        )
        with Progress(*columns, console=console) as bar:
            task = bar.add_task(description, total=total, current="")
            yield lambda label: bar.update(task, advance=1, current=label)
        return
    lock = threading.Lock()
    done = 0

    def advance(label: str) -> None:
        nonlocal done
        with lock:
            done += 1
            typer.echo(f"{description}: {done}/{total} {label}", err=True)

    yield advance


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
        _usage_error(f"--db {db}: no such database file")
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


@app.command()
def report(
    release: Annotated[
        Path | None, typer.Option("--release", help="Release directory (default: <data-dir>/releases/latest).")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Comma-separated languages among fr, nl, en.")] = "fr,nl",
    out: Annotated[
        Path | None, typer.Option("--out", help="Write into OUT/report/ instead of <release>/report/.")
    ] = None,
    no_pdf: Annotated[bool, typer.Option("--no-pdf", help="HTML only (the PDF needs headless Chromium).")] = False,
    data_dir: DataDir = None,
    db: Annotated[
        Path | None,
        typer.Option("--db", help="DuckDB database to resolve evidence links from (default: the release's data dir)."),
    ] = None,
) -> None:
    """Build the trend report of a release: report-<lang>.html (self-contained) and report-<lang>.pdf."""
    from warehouse.report.render import LANGUAGES as REPORT_LANGUAGES

    languages = tuple(dict.fromkeys(code.strip() for code in lang.split(",") if code.strip()))
    if not languages or any(code not in REPORT_LANGUAGES for code in languages):
        typer.echo(f"error: --lang must list languages among {', '.join(REPORT_LANGUAGES)}, not {lang!r}", err=True)
        raise typer.Exit(2)
    if release is not None and not (release / "metadata.json").is_file():
        typer.echo(f"error: --release {release} is not a release directory (no metadata.json)", err=True)
        raise typer.Exit(2)
    if db is not None and not db.is_file():
        _usage_error(f"--db {db}: no such database file")
    if out is not None:
        _writable_dir_or_exit(out, "--out")
    from warehouse.report import ChromiumError, ReportError, build_report
    from warehouse.settings import get_settings

    settings = get_settings(data_dir)
    release_dir = release or settings.latest_release
    if not (release_dir / "metadata.json").is_file():
        typer.echo(f"error: no release at {release_dir} (run `guichets run` first, or give --release)", err=True)
        raise typer.Exit(1)
    if db is None and release is None:
        db = settings.duckdb_path if settings.duckdb_path.is_file() else None
    try:
        files = build_report(release_dir, languages, out, pdf=not no_pdf, db_path=db)
    except ReportError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    except ChromiumError as exc:
        typer.echo(f"error: {exc}\n(the HTML reports were written; --no-pdf skips the PDF)", err=True)
        raise typer.Exit(1) from exc
    meta = json.loads((release_dir / "metadata.json").read_text("utf-8"))
    if meta.get("illustrative"):
        typer.echo("*** ILLUSTRATIVE SAMPLE DATA: the report says so on every page. ***")
    for path in files:
        typer.echo(str(path))


hours_app = typer.Typer(help="Read opening-hours texts and pages the way the collector does.", no_args_is_help=True)
app.add_typer(hours_app, name="hours")

HOURS_LANGUAGES = ("auto", *LANGUAGES)  # "auto" detects the language
_DAY_LABELS = {"mo": "Mo", "tu": "Tu", "we": "We", "th": "Th", "fr": "Fr", "sa": "Sa", "su": "Su"}


@hours_app.callback()
def _hours() -> None:
    """Read opening-hours texts and pages the way the collector does."""


@hours_app.command("parse")
def hours_parse(
    text: Annotated[str | None, typer.Argument(help='One opening-hours text, e.g. "lundi 9h-12h".')] = None,
    file: Annotated[Path | None, typer.Option("--file", help="An HTML page: one result per counter found.")] = None,
    batch: Annotated[
        str | None,
        typer.Option("--batch", help='One text per line, or JSONL with "text" (and optional "lang"); - for stdin.'),
    ] = None,
    lang: Annotated[
        str, typer.Option("--lang", help="auto|fr|nl|de|en; auto detects it (from <html lang> for --file).")
    ] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line (always so with --batch).")] = False,
) -> None:
    """Normalize opening hours: a TEXT, a page (--file) or many texts (--batch)."""
    given = [name for name, value in (("TEXT", text), ("--file", file), ("--batch", batch)) if value is not None]
    if len(given) != 1:
        what = "none" if not given else " and ".join(given)
        typer.echo(f"error: give exactly one of TEXT, --file PAGE or --batch FILE (got {what})", err=True)
        raise typer.Exit(2)
    if lang not in HOURS_LANGUAGES:
        typer.echo(f"error: --lang must be one of {'|'.join(HOURS_LANGUAGES)}, not {lang!r}", err=True)
        raise typer.Exit(2)
    # Imported here, not at the top: the parsers pull in lxml, and `guichets --help` must stay fast.
    from scrapers.parsers import NoScheduleFound, ParseError

    try:
        if batch is not None:
            _hours_batch(batch, lang)
        elif file is not None:
            _hours_file(file, lang, as_json)
        else:
            _hours_text(text, lang, as_json)
    except (NoScheduleFound, ParseError) as exc:
        where = f"in {file}" if file is not None else "in the text"
        typer.echo(f"error: {type(exc).__name__} {where}: {exc}", err=True)
        raise typer.Exit(1) from exc


def _hours_text(text: str, lang: str, as_json: bool) -> None:
    from scrapers.parsers import read_hours_text
    from scrapers.parsers.language import detect_language

    result = read_hours_text(text, detect_language(text) if lang == "auto" else lang)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, sort_keys=False))
    else:
        typer.echo("\n".join(_hours_summary(result)))


def _hours_file(path: Path, lang: str, as_json: bool) -> None:
    from scrapers.osm import schedule_document
    from scrapers.parsers import parse_page

    html, language = _read_page(path, lang)
    found = [schedule_document(s) for s in parse_page(html, language=language)]
    _echo_results(language, found, as_json, _hours_summary)


def _read_page(path: Path, lang: str) -> tuple[str, str]:
    """The text of an HTML page given with ``--file`` and its language (``auto``: from the page)."""
    from scrapers.parsers.language import language_of_html

    try:
        data = path.read_bytes()
    except OSError as exc:
        typer.echo(f"error: cannot read --file {path}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from exc
    html = _decode(data)
    return html, language_of_html(html) if lang == "auto" else lang


def _echo_results(language: str, found: list[dict], as_json: bool, summary: Callable[[dict], list[str]]) -> None:
    """One JSON line per result (its JSON document), or each result's summary lines with a blank
    line between."""
    for i, item in enumerate(found):
        result = {"language": language, **item}
        if as_json:
            typer.echo(json.dumps(result, ensure_ascii=False, sort_keys=False))
        else:
            if i:
                typer.echo("")
            typer.echo("\n".join(summary(result)))


def _hours_batch(source: str, lang: str) -> None:
    """One JSON object per input line, in order; a line without hours is reported and skipped over.

    Blank lines are ignored. Malformed JSONL lines are reported the same way and make the command
    exit 1 once every line is done.
    """
    from contextlib import nullcontext

    from scrapers.parsers import NoScheduleFound, ParseError, read_hours_text
    from scrapers.parsers.language import detect_language

    try:
        # Read as bytes line by line: a big batch streams, and each line gets the same decoding as --file.
        stream = nullcontext(sys.stdin.buffer) if source == "-" else Path(source).open("rb")
    except OSError as exc:
        typer.echo(f"error: cannot read --batch {source}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from exc
    malformed = 0
    with stream as lines:
        for number, raw in enumerate(lines, start=1):
            line = _decode(raw).strip()
            if not line:
                continue
            text, line_lang, problem = _batch_item(line, lang)
            if problem:
                malformed += 1
                out = {"text": line, "language": None, "error": "BadInput", "message": f"line {number}: {problem}"}
            else:
                language = detect_language(text) if line_lang == "auto" else line_lang
                try:
                    out = read_hours_text(text, language)
                except (NoScheduleFound, ParseError) as exc:
                    out = {"text": text, "language": language, "error": type(exc).__name__, "message": str(exc)}
            typer.echo(json.dumps(out, ensure_ascii=False, sort_keys=False))
    if malformed:
        typer.echo(f"error: {malformed} malformed line(s) in --batch {source}", err=True)
        raise typer.Exit(1)


def _batch_item(line: str, default_lang: str) -> tuple[str, str, str | None]:
    """(text, language or "auto", problem) of one batch line: plain text, or a JSON object."""
    if not line.startswith("{"):
        return line, default_lang, None
    try:
        item = json.loads(line)
    except ValueError as exc:
        return "", "", f"not valid JSON ({exc})"
    text, line_lang = item.get("text"), item.get("lang") or default_lang
    if not isinstance(text, str):
        return "", "", 'a JSON line needs a "text" string'
    if line_lang not in HOURS_LANGUAGES:
        return "", "", f'"lang" must be one of {"|".join(HOURS_LANGUAGES)}, not {line_lang!r}'
    return text, line_lang, None


def _decode(data: bytes) -> str:
    """A page or batch line as text, decoded as collection decodes pages (meta charset, UTF-8,
    else windows-1252)."""
    from scrapers.decoding import decode_html

    return decode_html(data, None)[0].removeprefix("\ufeff")


def _hours_summary(result: dict) -> list[str]:
    """Human-readable lines for one reading (``read_hours_text``'s dict or a schedule's)."""
    title = " — ".join(p for p in (result.get("name"), result.get("address")) if p)
    lines = [title] if title else []
    if result.get("channel") == "phone":
        lines.append("phone line")
    lines.append(f"language:         {result['language']}")
    slots = result.get("slots") or []
    lines.append(f"counter slots:    {len(slots)}" if slots else "counter slots:    none")
    lines += [f"  {_slot_label(s)}" for s in slots]
    lines.append(f"appointment only: {'yes' if result.get('appointment_only') else 'no'}")
    closed = result.get("closed")
    reason = f" ({result['closed_reason']})" if closed and result.get("closed_reason") else ""
    lines.append(f"closed:           {closed + reason if closed else 'no'}")
    if "phone_slots" in result:
        phone = result["phone_slots"]
        lines.append(f"phone hours:      {len(phone)}" if phone else "phone hours:      none")
        lines += [f"  {_slot_label(s)}" for s in phone]
    lines.append(f"confidence:       {result.get('confidence', 0):.2f}")
    if result.get("osm_opening_hours"):
        lines.append(f"OSM:              {result['osm_opening_hours']}")
    return lines


def _slot_label(slot: dict) -> str:
    """``{"day": "mo", "opens": "09:00", ...}`` → "Mo 09:00–12:00 (appointment)"."""
    access = "" if slot.get("access", "walk_in") == "walk_in" else f" ({slot['access']})"
    return f"{_DAY_LABELS.get(slot['day'], slot['day'])} {slot['opens']}–{slot['closes']}{access}"


procedures_app = typer.Typer(
    help="Read procedure pages (catalogues, service pages, FAQs) the way the collector does.", no_args_is_help=True
)
app.add_typer(procedures_app, name="procedures")
app.add_typer(release_app, name="release")


@procedures_app.callback()
def _procedures() -> None:
    """Read procedure pages (catalogues, service pages, FAQs) the way the collector does."""


@procedures_app.command("parse")
def procedures_parse(
    file: Annotated[Path, typer.Option("--file", help="An HTML page: one result per procedure found.")],
    lang: Annotated[
        str, typer.Option("--lang", help="auto|fr|nl|de|en; auto reads <html lang> or detects it.")
    ] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per procedure per line.")] = False,
) -> None:
    """List the procedures of a page with the status of each channel (online, counter, phone, post...)."""
    if lang not in HOURS_LANGUAGES:
        typer.echo(f"error: --lang must be one of {'|'.join(HOURS_LANGUAGES)}, not {lang!r}", err=True)
        raise typer.Exit(2)
    # Imported here, not at the top: the parsers pull in lxml, and `guichets --help` must stay fast.
    from scrapers.procedures import NoProcedureFound, parse_procedures
    from scrapers.schedule import ParseError

    html, language = _read_page(file, lang)
    try:
        procedures = parse_procedures(html, language=language)
    except (NoProcedureFound, ParseError) as exc:
        typer.echo(f"error: {type(exc).__name__} in {file}: {exc}", err=True)
        raise typer.Exit(1) from exc
    _echo_results(language, [p.to_dict() for p in procedures], as_json, _procedure_summary)


def _procedure_summary(result: dict) -> list[str]:
    """Human-readable lines for one procedure: title, key, each channel's status and the fee."""
    lines = [result["title"]]
    lines.append(f"  key:        {result['procedure_key'] or '(unmatched)'}  [{result['match_rule']}]")
    for channel, status in result["channels"].items():
        evidence = f"  «{status['evidence']}»" if status["evidence"] else ""
        lines.append(f"  {channel:<24} {status['status']:<14}{evidence}".rstrip())
    if result["fee_text"] is not None:
        euros = "" if result["fee_eur"] is None else f" ({result['fee_eur']:.2f} EUR)"
        lines.append(f"  fee:        {result['fee_text']}{euros}")
    lines.append(f"  confidence: {result['confidence']:.2f}")
    return lines


def _registry_or_exit(path: Path, loader, option: str = "--sources"):
    """The registry loaded from ``path`` (given with ``option``), or exit 2 saying where it is wrong."""
    from scrapers.registry import RegistryError

    if not path.is_file():
        _usage_error(f"{option} {path}: {'a directory, not' if path.is_dir() else 'no such'} registry file")
    try:
        return loader(path)
    except RegistryError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


def _usage_error(message: str) -> NoReturn:
    """Bad usage: one line on stderr naming the argument, exit 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _date_or_exit(value: str, option: str) -> date:
    """A YYYY-MM-DD date given to ``option``, or exit 2 naming it."""
    import re

    # Only YYYY-MM-DD: fromisoformat alone also takes 20210301 and 2021-W09-1.
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    _usage_error(f"{option} {value!r} is not a date (expected YYYY-MM-DD, e.g. 2021-03-01)")


def _http_url_or_exit(value: str, option: str) -> str:
    """An http(s) URL with a host given to ``option``, or exit 2 naming it."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 (raises ValueError on a port that is not a number in 0..65535)
    except ValueError:
        ok = False
    if not ok:
        _usage_error(f"{option} {value!r} is not an http(s) URL")
    return value


def _writable_dir_or_exit(path: Path, option: str) -> Path:
    """The directory ``path``, created if missing, once a file could be written in it; else exit 2.

    The check writes a real (temporary) file rather than asking ``os.access``: as root, access
    says yes to everything, and neither it nor the mode bits know a read-only mount.
    """
    import tempfile

    from warehouse.settings import storage_problem

    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        _usage_error(f"{option} {storage_problem(exc) or f'{path}: {exc.strerror or exc}'}")
    return path


@contextmanager
def _storage_named(data_dir: Path) -> Iterator[None]:
    """Around a command's writes: a full disk or an unwritable directory ends it with one line
    naming the file (or else ``data_dir``) and the fault, exit 1 (the work failed)."""
    from warehouse.settings import storage_problem

    try:
        yield
    except OSError as exc:
        problem = storage_problem(exc, data_dir)
        if problem is None:
            raise
        typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(1) from exc


def _sources_or_exit(registry, ids: list[str] | None) -> list:
    """The registry's sources named by ``--source`` (all when none is), or exit 2 naming an unknown ID."""
    if not ids:
        return list(registry.sources)
    known = {s.id: s for s in registry.sources}
    for sid in ids:
        if sid not in known:
            import difflib

            close = difflib.get_close_matches(sid, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            _usage_error(f"--source {sid!r} is not a source of {registry.path}{hint}")
    return [known[sid] for sid in dict.fromkeys(ids)]


def _echo_summaries(summaries: list[dict]) -> None:
    for s in summaries:
        typer.echo(
            f"{s['source_id']:<40} captures={s['captures']:<4} parsed={s['parsed']:<4} "
            f"not_parsed={s['not_parsed']:<4} failed={s['failed']:<4} fetched={s.get('fetched', 0):<4} "
            f"held={s.get('held', 0)}"
        )


def _print_outputs(settings) -> None:
    from warehouse import db

    latest = settings.latest_release
    with db.reader(settings.duckdb_path) as con:
        counts = con.execute(
            "SELECT source_id, count(*) AS captures, count(*) FILTER (parse_status = ?) AS parsed "
            "FROM raw.captures GROUP BY 1 ORDER BY 1",
            [PARSE_OK],
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
