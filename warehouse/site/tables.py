"""A table of the website: shown as HTML, downloadable as CSV with the same rows.

Each cell keeps its raw value (what the CSV holds, language-independent) beside the text shown
(translated, formatted) and an optional link.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from warehouse.release.files import FORMULA_START

_FORMULA = re.compile(FORMULA_START)


@dataclass(frozen=True)
class Cell:
    """One cell: the raw value (CSV), the text shown and, when it links somewhere, where."""

    raw: object
    text: str
    href: str | None = None
    title: str | None = None


@dataclass
class Table:
    """A captioned table; ``csv_name`` is its CSV file under the site's ``csv/`` folder."""

    csv_name: str
    caption: str
    columns: list[tuple[str, str]]  # (CSV column name, header shown)
    rows: list[dict[str, Cell]] = field(default_factory=list)
    csv_rows: list[dict[str, Cell]] | None = None  # when the CSV holds more rows than the page shows
    note: str = ""  # says what the page leaves out (then in the CSV)

    def csv_text(self) -> str:
        """The rows as CSV (UTF-8 with a byte order mark, like the release's): raw values, text cells
        a spreadsheet would run as formulas neutralised with a leading quote."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([name for name, _label in self.columns])
        for row in self.rows if self.csv_rows is None else self.csv_rows:
            writer.writerow([_csv_value(row[name].raw) for name, _label in self.columns])
        return "\ufeff" + out.getvalue()


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value if _FORMULA.match(value) else value
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return str(value)
