"""Day tables: ``<table>`` with one row per day (day in a ``th``/first ``td``, hours after it).

A table is read as lines ("Lundi : 9h00 - 12h00 et 13h30 - 16h00") by the shared grammar, so a
cell may say anything a sentence can: "Fermé", "Sur rendez-vous : 13h - 16h", "9u-12u30".
Tables with the days as column headers (one row of hours below) are read column by column.
"""

from __future__ import annotations

import re

from lxml import etree

from scrapers.hours.dom import tag, text_of
from scrapers.hours.timetext import starts_with_day


def table_lines(table: etree._Element, language: str) -> list[str] | None:
    """The rows of a day table as "day : hours" lines, or None when no row or column names a day."""
    rows = [cells for cells in _grid(table) if any(cells)]
    if not rows:
        return None
    header = rows[0]
    if len(rows) > 1 and sum(starts_with_day(c, language) for c in header) >= 2:
        if any(sum(_DAY_OF_MONTH.fullmatch(c.strip()) is not None for c in row) >= 3 for row in rows[1:]):
            return None  # a month calendar: its cells are dates ("5", "6", "7"), not hours
        return [
            f"{header[i]} : {row[i]}"
            for row in rows[1:]
            for i in range(min(len(header), len(row)))
            if starts_with_day(header[i], language)
        ]
    if not any(starts_with_day(row[0], language) for row in rows):
        return None
    # Several hour columns ("matin", "après-midi") become one list: "Lundi : 9h-12h, 13h-16h".
    return [row[0] + " : " + ", ".join(c for c in row[1:] if c) if len(row) > 1 else row[0] for row in rows]


_DAY_OF_MONTH = re.compile(r"(?:[1-9]|[12]\d|3[01])")


def _grid(table: etree._Element) -> list[list[str]]:
    """The table's cell texts row by row, a cell spanning several rows (``rowspan``) repeated in
    each, so that every cell stays under its column header ("Mardi" spanning both hour rows)."""
    grid: list[list[str]] = []
    pending: dict[int, tuple[str, int]] = {}  # column → (text, rows still to fill)
    for tr in table.iter("tr"):
        cells = [cell for cell in tr if tag(cell) in ("th", "td")]
        row: list[str] = []
        col = 0
        for cell in cells:
            while col in pending:
                col = _fill(row, pending, col)
            text = text_of(cell, br=", ")
            span = _span(cell.get("rowspan"))
            if span > 1:
                pending[col] = (text, span - 1)
            row.append(text)
            col += 1
        while col in pending:
            col = _fill(row, pending, col)
        grid.append(row)
    return grid


def _fill(row: list[str], pending: dict[int, tuple[str, int]], col: int) -> int:
    """Put the spanning cell of column ``col`` in ``row``; the next column."""
    text, left = pending[col]
    row.append(text)
    if left > 1:
        pending[col] = (text, left - 1)
    else:
        del pending[col]
    return col + 1


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 50))
    except ValueError:
        return 1


def caption_of(table: etree._Element) -> str:
    """The table's ``<caption>`` text ("Permanence téléphonique", "Horaire d'été"), or ""."""
    caption = table.find("caption")
    return text_of(caption) if caption is not None else ""
