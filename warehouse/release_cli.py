"""``guichets release``: list, show, compare and verify published releases.

Registered in the ``guichets`` CLI as ``app.add_typer(release_app, name="release")``; also runs
on its own as ``python -m warehouse.release_cli``. Exit codes: 0 ok, 1 verification failed
(the message names the file), 2 bad usage (unknown version, missing directory).
Heavy packages (DuckDB, frictionless) are imported inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

release_app = typer.Typer(help="List, show, compare and verify published releases.", no_args_is_help=True)

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Data directory (default: $GUICHETS_DATA_DIR or ./data).")
]


@release_app.callback()
def _release() -> None:
    """List, show, compare and verify published releases."""


def _releases_dir(data_dir: Path | None) -> Path:
    from warehouse.settings import get_settings

    return get_settings(data_dir).releases_dir


def _release_or_exit(releases_dir: Path, version: str):
    from warehouse.releases import PublishedRelease, latest_release, list_releases, load_metadata

    if version == "latest":
        found = latest_release(releases_dir)
        if found:
            return found
    path = releases_dir / version
    if version.startswith(".") or not (path / "metadata.json").is_file():
        known = ", ".join(r.version for r in list_releases(releases_dir)) or "none"
        typer.echo(f"error: no release {version!r} in {releases_dir} (releases: {known})", err=True)
        raise typer.Exit(2)
    return PublishedRelease(path.name, path, load_metadata(path))


@release_app.command("list")
def list_cmd(data_dir: DataDir = None) -> None:
    """Every published release, oldest first: version, as-of date, rows, illustrative flag; latest marked."""
    from warehouse.releases import latest_release, list_releases

    releases_dir = _releases_dir(data_dir)
    releases = list_releases(releases_dir)
    if not releases:
        typer.echo(f"no release in {releases_dir}")
        return
    latest = latest_release(releases_dir)
    typer.echo(f"{'version':<24} {'data as of':<11} {'rows':>9}  illustrative")
    for r in releases:
        rows = sum(t["rows"] for t in r.metadata["tables"])
        flag = "yes" if r.metadata.get("illustrative") else "no"
        mark = "  <- latest" if latest and latest.version == r.version else ""
        typer.echo(f"{r.version:<24} {r.metadata.get('data_as_of', '?'):<11} {rows:>9}  {flag:<12}{mark}".rstrip())


@release_app.command("show")
def show_cmd(version: Annotated[str, typer.Argument(help="A version, or 'latest'.")], data_dir: DataDir = None) -> None:
    """A release's metadata, tables and the status of every checksum."""
    from warehouse.releases import check_checksums

    release = _release_or_exit(_releases_dir(data_dir), version)
    meta = release.metadata
    if meta.get("illustrative"):
        typer.echo(f"*** {meta.get('notice') or 'ILLUSTRATIVE SAMPLE DATA'} ***")
    typer.echo(f"release:      {release.version}  ({release.path})")
    typer.echo(f"title:        {meta.get('title')}")
    typer.echo(f"data as of:   {meta.get('data_as_of')}  (last observation {meta.get('data_last_observed_at', '?')})")
    typer.echo(f"previous:     {meta.get('previous_release') or 'none'}")
    license_ = meta.get("license") or {}
    typer.echo(f"license:      {license_.get('id', '?')} {license_.get('url', '')}".rstrip())
    val = meta.get("validation") or {}
    if val:
        typer.echo(f"validation:   {val.get('evaluated')} expectations passed; report {val.get('data_docs')}")
        for w in val.get("waived") or []:
            o = w["override"]
            typer.echo(f"  waived:     {w['check']} ({w['detail']}) by {o['who']}: {o['reason']}")
    if "duckdb" in meta:
        typer.echo(f"duckdb:       {meta['duckdb']['path']}, readable by {meta['duckdb']['readable_by']}")
    status, problems = check_checksums(release.path)
    typer.echo("")
    typer.echo(f"{'table':<36} {'rows':>8}  file")
    for t in meta["tables"]:
        typer.echo(f"{t.get('table', t['name']):<36} {t['rows']:>8}  {t['path']} [{status.get(t['path'], 'unlisted')}]")
    counts = {s: sum(1 for v in status.values() if v == s) for s in ("ok", "mismatch", "missing")}
    typer.echo("")
    typer.echo(f"checksums:    {counts['ok']} ok, {counts['mismatch']} mismatch, {counts['missing']} missing")
    for p in problems:
        typer.echo(f"  {p}")


@release_app.command("diff")
def diff_cmd(
    a: Annotated[str, typer.Argument(help="The older release (a version, or 'latest').")],
    b: Annotated[str, typer.Argument(help="The newer release.")],
    data_dir: DataDir = None,
) -> None:
    """Rows per table and the CHANGELOG-style differences between two releases."""
    from warehouse.release_changes import changelog_markdown, compute_changes
    from warehouse.release_metadata import SAMPLE_BANNER

    releases_dir = _releases_dir(data_dir)
    old, new = _release_or_exit(releases_dir, a), _release_or_exit(releases_dir, b)
    changes = compute_changes(new.path, old.path, new.version, old.version)
    illustrative = old.metadata.get("illustrative") or new.metadata.get("illustrative")
    typer.echo(changelog_markdown(changes, SAMPLE_BANNER if illustrative else None).rstrip())


@release_app.command("verify")
def verify_cmd(directory: Annotated[Path, typer.Argument(help="A release directory.")]) -> None:
    """Recompute SHA256SUMS, validate datapackage.json with Frictionless, check metadata.json."""
    from warehouse.releases import verify_release

    if not directory.is_dir():
        typer.echo(f"error: {directory} is not a directory", err=True)
        raise typer.Exit(2)
    problems = verify_release(directory.resolve())
    if problems:
        for p in problems:
            typer.echo(f"FAILED: {p}", err=True)
        typer.echo(f"{directory}: verification failed ({len(problems)} problem(s))", err=True)
        raise typer.Exit(1)
    typer.echo(f"{directory}: OK (checksums, Data Package, metadata)")


if __name__ == "__main__":
    release_app(prog_name="guichets release")
