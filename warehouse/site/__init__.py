"""The static website of a release: search by commune or postal code, a page per commune,
administration and procedure, a commune map, in French, Dutch and English.

``build_site(release_dir, out_dir)`` (:mod:`.build`) reads the release's tables
(:mod:`.release_data`, :mod:`.site_data`), builds each page's tables (:mod:`.pages`,
:mod:`.tables`), the search index (:mod:`.search_index`, :mod:`.postcodes`) and the SVG charts
and map (:mod:`.svg`), and writes plain files that work offline from ``file://``.
"""

from __future__ import annotations

__all__ = ["LANGUAGES", "SiteBuilt", "build_site"]


def __getattr__(name: str):
    # Lazily: the CLI imports this package at start-up, and the build needs DuckDB and Jinja2.
    if name in __all__:
        from warehouse.site import build

        return getattr(build, name)
    raise AttributeError(name)
