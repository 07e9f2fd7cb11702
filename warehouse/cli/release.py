"""``guichets release``: list, show, compare and verify published releases.

Registered in the ``guichets`` CLI as ``app.add_typer(release_app, name="release")``; also runs
on its own as ``python -m warehouse.cli.release``. A release is named by its version (in the
data directory's releases folder), ``latest``, or the path of any release directory: its version
is the one its ``metadata.json`` states, whatever the folder is called. Exit codes: 0 ok, 1
verification failed (the message names the file), 2 bad usage (unknown version, missing directory).
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


ReleaseRef = "A version, 'latest', or the path of a release directory."


def _release_or_exit(releases_dir: Path, ref: str):
    """The release ``ref`` names (see the module docstring); exit 2 naming what exists when none."""
    from warehouse.release.layout import METADATA, PublishedRelease, latest_release, list_releases, load_metadata

    if ref == "latest":
        found = latest_release(releases_dir)
        if found:
            return PublishedRelease(found.metadata["version"], found.path, found.metadata)
    # A path to a release directory first, else a version (never a staged or refused ".dir").
    candidates = [Path(ref)] + ([] if ref.startswith(".") else [releases_dir / ref])
    for path in candidates:
        if (path / METADATA).is_file():
            try:
                meta = load_metadata(path)
            except ValueError as exc:
                typer.echo(f"error: {path / METADATA}: not valid JSON: {exc}", err=True)
                raise typer.Exit(1) from exc
            return PublishedRelease(str(meta.get("version")), path.resolve(), meta)
    known = ", ".join(r.version for r in list_releases(releases_dir)) or "none"
    typer.echo(f"error: no release {ref!r}: not a release directory, nor a version in {releases_dir} "
               f"(releases: {known})", err=True)  # fmt: skip
    raise typer.Exit(2)


@release_app.command("list")
def list_cmd(data_dir: DataDir = None) -> None:
    """Every published release, oldest first: version, as-of date, rows, illustrative flag; latest marked."""
    from warehouse.release.layout import latest_release, list_releases

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
def show_cmd(version: Annotated[str, typer.Argument(help=ReleaseRef)], data_dir: DataDir = None) -> None:
    """A release's metadata, tables and the status of every checksum."""
    from warehouse.release.layout import check_checksums, check_warcs

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
    warcs, warc_problems = check_warcs(release.path)
    if sum(warcs.values()):
        where = "no WARC store beside this copy" if warcs["absent"] else "in the WARC store beside it"
        typer.echo(
            f"WARC files:   {warcs['ok']} ok, {warcs['mismatch']} mismatch, {warcs['missing']} missing ({where})"
        )
        for p in warc_problems:
            typer.echo(f"  {p}")


@release_app.command("diff")
def diff_cmd(
    a: Annotated[str, typer.Argument(help="The older release: " + ReleaseRef)],
    b: Annotated[str, typer.Argument(help="The newer release: " + ReleaseRef)],
    data_dir: DataDir = None,
) -> None:
    """Rows per table and the CHANGELOG-style differences between two releases."""
    from warehouse.release.changes import changelog_markdown, compute_changes
    from warehouse.release.metadata import SAMPLE_BANNER

    releases_dir = _releases_dir(data_dir)
    old, new = _release_or_exit(releases_dir, a), _release_or_exit(releases_dir, b)
    changes = compute_changes(new.path, old.path, new.version, old.version)
    illustrative = old.metadata.get("illustrative") or new.metadata.get("illustrative")
    typer.echo(changelog_markdown(changes, SAMPLE_BANNER if illustrative else None).rstrip())


@release_app.command("verify")
def verify_cmd(release: Annotated[str, typer.Argument(help=ReleaseRef)], data_dir: DataDir = None) -> None:
    """Recompute SHA256SUMS, validate datapackage.json with Frictionless, check metadata.json and the WARC files.

    The version checked is the one metadata.json states (the folder may be a renamed copy); a
    release named by its version must be that version.
    """
    from warehouse.release.layout import verify_release

    found = _release_or_exit(_releases_dir(data_dir), release)
    expected = None if release == "latest" or Path(release).is_dir() else release
    problems = verify_release(found.path, expected)
    if problems:
        for p in problems:
            typer.echo(f"FAILED: {p}", err=True)
        typer.echo(f"{found.path}: verification failed ({len(problems)} problem(s))", err=True)
        raise typer.Exit(1)
    typer.echo(f"{found.path}: OK, release {found.version} (checksums, Data Package, metadata, WARC files)")


if __name__ == "__main__":
    release_app(prog_name="guichets release")
