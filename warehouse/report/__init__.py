"""Trend reports built from a release: self-contained HTML (inline SVG charts) and PDF, FR/NL/EN.

``build_report(release_dir, ("fr", "nl"))`` writes ``<release>/report/report-fr.html`` and
``report-fr.pdf`` (and the same per language). Modules: :mod:`.data` reads the release,
:mod:`.evidence` turns capture IDs into citable references, :mod:`.charts` draws with
Vega-Altair and vl-convert, :mod:`.render` fills the Jinja2 template, :mod:`.chromium` prints.
"""

from __future__ import annotations

from warehouse.report.chromium import ChromiumError
from warehouse.report.data import ReportError
from warehouse.report.render import LANGUAGES, build_report

__all__ = ["LANGUAGES", "ChromiumError", "ReportError", "build_report"]
