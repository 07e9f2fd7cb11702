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
    registry: Annotated[
        Path | None, typer.Option(help="Sources registry (default: sample.yaml in sample mode, else production.yaml).")
    ] = None,
) -> None:
    """Run the whole Airflow pipeline once, in-process, and print where the results are."""
    from warehouse.airflow_local import DagRunFailed, run_dag
    from warehouse.settings import get_settings

    if mode not in ("sample", "live"):
        typer.echo(f"error: --mode must be sample or live, not {mode!r}", err=True)
        raise typer.Exit(2)
    settings = get_settings(data_dir, registry, mode=mode)
    try:
        run_dag(settings, {"mode": mode})
    except DagRunFailed as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    _print_outputs(settings)


SourcesFile = Annotated[Path, typer.Option("--sources", help="Sources registry YAML file.")]
OutDir = Annotated[Path | None, typer.Option("--out", help="Data directory to write into (default: ./data).")]


@app.command()
def collect(sources: SourcesFile, out: OutDir = None) -> None:
    """Fetch every source of a registry from the live web, politely; keep WARC evidence."""
    from scrapers.collect import collect_many
    from scrapers.registry import load_registry
    from warehouse.settings import get_settings

    registry = _registry_or_exit(sources, load_registry)
    settings = get_settings(out, sources)
    summaries = collect_many(registry.sources, settings.data_dir)
    _echo_summaries(summaries)


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
) -> None:
    """List and fetch a web archive's captures of every source URL, parse them as of capture time."""
    from datetime import date

    from scrapers.collect import WAYBACK, WebArchive, collect_from_archive, replay_base_for
    from scrapers.fetch import Fetcher
    from scrapers.registry import load_registry
    from warehouse.settings import get_settings

    registry = _registry_or_exit(sources, load_registry)
    try:
        start, end = date.fromisoformat(date_from), date.fromisoformat(date_to)
    except ValueError as exc:
        typer.echo(f"error: --from/--to must be YYYY-MM-DD: {exc}", err=True)
        raise typer.Exit(2) from exc
    settings = get_settings(out, sources)
    page_size = WAYBACK["page_size"] if cdx == WAYBACK["cdx_url"] else None
    # A local archive (sample/test) is ours: politeness limits are for other people's servers.
    rate = 50.0 if allow_local else 1.0
    archive = WebArchive(cdx, replay or replay_base_for(cdx), rate_per_s=rate, page_size=page_size)
    from urllib.parse import urlsplit

    fetcher = Fetcher(allow_private={urlsplit(cdx).netloc} if allow_local else False, respect_robots=False)
    summaries = [
        collect_from_archive(s, archive, settings.data_dir, fetcher=fetcher, date_from=start, date_to=end)
        for s in registry.sources
    ]
    _echo_summaries(summaries)


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

    settings = get_settings(out, sources)
    registry = _registry_or_exit(settings.registry, load_registry)
    paths = sorted({f for p in warc for f in (p.rglob("*.warc.gz") if p.is_dir() else [p])})
    try:
        result = replay_warcs(paths, registry, settings.data_dir)
    except ReplayError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    _echo_summaries(result["sources"])
    for line in result["skipped"]:
        typer.echo(f"skipped: {line}", err=True)


def _registry_or_exit(path: Path, loader):
    from scrapers.registry import RegistryError

    try:
        return loader(path)
    except RegistryError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


def _echo_summaries(summaries: list[dict]) -> None:
    for s in summaries:
        typer.echo(
            f"{s['source_id']:<40} captures={s['captures']:<4} parsed={s['parsed']:<4} "
            f"not_parsed={s['not_parsed']:<4} failed={s['failed']}"
        )


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
