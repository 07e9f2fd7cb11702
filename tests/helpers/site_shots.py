"""Screenshots of the website and the find sheet, for a person to check by eye.

Builds the site of a release into a temporary folder (the code of this checkout), writes the
``guichets find --postcode 1030`` sheet in French and Dutch, and saves PNGs with plain headless
Chromium runs (``--screenshot``, :func:`tests.helpers.browser.screenshot`):

    PYTHONPATH=. python -m tests.helpers.site_shots --release DATA/releases/latest --out /work/shots

Prints each file with the console messages of its page (there should be none).
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date
from pathlib import Path

from tests.helpers.browser import screenshot
from warehouse.lookup import geo
from warehouse.lookup.find import find, query_for
from warehouse.lookup.sheet import write_sheet
from warehouse.site import build_site
from warehouse.site.pages import slug

GENT = "44021"  # a commune of the sample with several counters and a trend chart
ONLINE_ONLY = "household-composition-certificate"  # went online-only on a sample catalogue


def pages(site: Path, sheets: Path) -> dict[str, str]:
    """Screenshot name -> URL of the page to capture."""
    fr, nl = site / "fr", site / "nl"
    return {
        "site-home-fr": (fr / "index.html").as_uri(),
        "site-home-nl": (nl / "index.html").as_uri(),
        "site-search-1030-fr": (fr / "index.html").as_uri() + "?q=1030",
        "site-search-luik-nl": (nl / "index.html").as_uri() + "?q=Luik",
        "site-search-liege-fr": (fr / "index.html").as_uri() + "?q=Li%C3%A8ge",
        "site-search-luettich-fr": (fr / "index.html").as_uri() + "?q=L%C3%BCttich",
        f"site-commune-{GENT}-fr": (fr / "commune" / f"{GENT}.html").as_uri(),
        f"site-procedure-{ONLINE_ONLY}-fr": (fr / "procedure" / f"{slug(ONLINE_ONLY)}.html").as_uri(),
        f"site-procedure-{ONLINE_ONLY}-nl": (nl / "procedure" / f"{slug(ONLINE_ONLY)}.html").as_uri(),
        "find-sheet-1030-fr": (sheets / "sheet-fr.html").as_uri(),
        "find-sheet-1030-nl": (sheets / "sheet-nl.html").as_uri(),
    }


def write_sheets(release: Path, out: Path, today: date) -> None:
    """The ``find --postcode 1030 --procedure ...`` sheet (HTML and PDF) in French and Dutch."""
    for lang in ("fr", "nl"):
        q = query_for(geo.by_postcode("1030"), postcode="1030", procedure=ONLINE_ONLY, lang=lang)
        write_sheet(find(release, q, today), out, lang)


def main() -> None:
    """Build, capture, and print the files written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", type=Path, required=True, help="a release directory")
    parser.add_argument("--out", type=Path, default=Path("/work/shots"), help="where the PNGs go")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="guichets-shots-") as tmp:
        site = build_site(args.release.resolve(), Path(tmp) / "site").path
        sheets = Path(tmp) / "sheets"
        write_sheets(args.release.resolve(), sheets, date.today())
        for name, url in pages(site, sheets).items():
            path = args.out / f"{name}.png"
            # the commune's chart comes after a week of hours for each counter: a taller capture
            messages = screenshot(url, path, width=1280, height=4200 if "-commune-" in name else 1600)
            print(f"{path} {path.stat().st_size} bytes; console: {messages or 'none'}")


if __name__ == "__main__":
    main()
