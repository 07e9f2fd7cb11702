"""The trend-report command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from warehouse.cli.common import DataDir, app, usage_error, writable_dir_or_exit


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
        usage_error(f"--db {db}: no such database file")
    if out is not None:
        writable_dir_or_exit(out, "--out")
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
