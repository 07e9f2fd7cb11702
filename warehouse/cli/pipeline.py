"""Commands that run the pipeline: run, collect, backfill, reparse."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from scrapers.vocabulary import PARSE_OK
from warehouse.cli.common import (
    DataDir,
    app,
    date_or_exit,
    http_url_or_exit,
    registry_or_exit,
    sources_or_exit,
    storage_named,
    usage_error,
    writable_dir_or_exit,
)


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
        base_url = http_url_or_exit(release_base_url, "--release-base-url")
        settings = dataclasses.replace(settings, release_base_url=base_url)
    registry_or_exit(settings.registry, load_registry, "--registry")
    writable_dir_or_exit(settings.data_dir, "--data-dir")
    try:
        run_dag(settings, {"mode": mode})
    except DagRunFailed as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    _print_outputs(settings)


RegistryFile = Annotated[Path, typer.Option("--registry", help="Sources registry YAML file.")]


SourceIds = Annotated[
    list[str] | None, typer.Option("--source", help="Only this source ID (repeatable; default: every source).")
]


@app.command()
def collect(
    registry_file: RegistryFile,
    data_dir: DataDir = None,
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
    from scrapers.collect import collect_many, host_batches, processes_for
    from scrapers.fetch.client import Fetcher
    from scrapers.registry import load_registry
    from warehouse.settings import get_settings

    registry = registry_or_exit(registry_file, load_registry)
    selected = sources_or_exit(registry, source)
    if not timeout > 0:
        usage_error(f"--timeout {timeout:g} is not a positive number of seconds")
    if retries < 0:
        usage_error(f"--retries {retries} is negative")
    allowed = [_host_port_or_exit(entry, "--allow-private") for entry in allow_private or ()]
    settings = get_settings(data_dir, registry_file)
    writable_dir_or_exit(settings.data_dir, "--data-dir")
    # The read timeout never exceeds the attempt's deadline (the default 30 s is for slow public servers).
    fetcher = Fetcher(
        timeout=(min(10.0, timeout), min(30.0, timeout)),
        total_timeout_s=timeout,
        max_retries=retries,
        allow_private=allowed or False,
    )
    with storage_named(settings.data_dir):
        with _progress(len(selected), "collect") as advance:
            summaries = collect_many(
                selected,
                settings.data_dir,
                fetcher=fetcher,
                max_workers=settings.collect_threads,
                processes=processes_for(len(host_batches(selected)), settings.collect_processes),
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
        usage_error(f"{option} {value!r} is not a HOST:PORT (e.g. 127.0.0.1:8080)")
    return value


@app.command()
def backfill(
    registry_file: RegistryFile,
    cdx: Annotated[str, typer.Option("--cdx", help="CDX API URL (web.archive.org's, or a local pywb's).")],
    date_from: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    date_to: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    replay: Annotated[str | None, typer.Option(help="Base of raw replay URLs (derived from --cdx if absent).")] = None,
    data_dir: DataDir = None,
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
    from scrapers.archive.cdx import CdxError
    from scrapers.collect import WAYBACK, WebArchive, archive_name_for, collect_from_archive, replay_base_for
    from scrapers.fetch.client import Fetcher
    from scrapers.registry import load_registry
    from warehouse.settings import get_settings

    start, end = date_or_exit(date_from, "--from"), date_or_exit(date_to, "--to")
    if start > end:
        usage_error(f"--from {start} is after --to {end}")
    http_url_or_exit(cdx, "--cdx")
    if replay is not None:
        http_url_or_exit(replay, "--replay")
    registry = registry_or_exit(registry_file, load_registry)
    selected = sources_or_exit(registry, source)
    settings = get_settings(data_dir, registry_file)
    writable_dir_or_exit(settings.data_dir, "--data-dir")
    page_size = WAYBACK["page_size"] if cdx == WAYBACK["cdx_url"] else None
    # A local archive (sample/test) is ours: politeness limits are for other people's servers.
    rate = 50.0 if allow_local else 1.0
    name = archive_name or archive_name_for(cdx)
    archive = WebArchive(cdx, replay or replay_base_for(cdx), rate_per_s=rate, page_size=page_size, name=name)
    from scrapers.fetch.netguard import host_key

    fetcher = Fetcher(allow_private={host_key(cdx)} if allow_local else False, respect_robots=False)
    summaries, failed_listings = [], []
    with storage_named(settings.data_dir), _progress(len(selected), "backfill") as advance:
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


@app.command("reparse")
def reparse(
    warc: Annotated[list[Path], typer.Option("--warc", help="WARC file(s) or folder(s) to re-parse.")],
    registry_file: Annotated[
        Path | None, typer.Option("--registry", help="Registry (default: the sample one).")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Re-parse captures from WARC files without the network (after a parser improvement)."""
    from scrapers.registry import load_registry
    from scrapers.reparse import ReparseError, reparse_warcs
    from warehouse.settings import get_settings

    for path in warc:
        if not path.exists():
            usage_error(f"--warc {path}: no such file or directory")
    settings = get_settings(data_dir, registry_file)
    registry = registry_or_exit(settings.registry, load_registry)
    writable_dir_or_exit(settings.data_dir, "--data-dir")
    paths = sorted({f for p in warc for f in (p.rglob("*.warc.gz") if p.is_dir() else [p])})
    try:
        with storage_named(settings.data_dir):
            result = reparse_warcs(paths, registry, settings.data_dir)
    except ReparseError as exc:
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
    site = latest / "site" / "index.html"
    if site.is_file():
        typer.echo(f"Website:         {site.resolve()} (open it in a browser; works offline)")
