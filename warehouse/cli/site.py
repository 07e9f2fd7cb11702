"""The website command: ``guichets site`` builds the static website of a release."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from warehouse.cli.common import DataDir, app


@app.command()
def site(
    release: Annotated[
        str, typer.Option("--release", help="A version, 'latest', or the path of a release directory.")
    ] = "latest",
    out: Annotated[Path | None, typer.Option("--out", help="Output folder (default: <release>/site/).")] = None,
    data_dir: DataDir = None,
) -> None:
    """Build the static website of a release: search by commune or postal code, pages per commune,
    administration and procedure, map; FR/NL/EN; works offline from the files."""
    from warehouse.cli.release import _releases_dir, release_or_exit
    from warehouse.release.layout import SITE_DIR
    from warehouse.site import build_site

    found = release_or_exit(_releases_dir(data_dir), release)
    built = build_site(found.path, out or found.path / SITE_DIR)
    if found.metadata.get("illustrative"):
        typer.echo("*** ILLUSTRATIVE SAMPLE DATA: the website says so on every page. ***", err=True)
    typer.echo(
        f"site of release {built.version}: {built.pages} pages, {built.csv_files} CSV files, "
        f"{built.communes} communes, map {'drawn' if built.has_map else 'not published (no commune geometry)'}",
        err=True,
    )
    typer.echo(str(built.path / "index.html"))
