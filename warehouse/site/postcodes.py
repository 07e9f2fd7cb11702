"""Postal codes of each commune, for the website's search (``warehouse/reference/data/postcode_to_nis.csv``).

A postal code names candidate communes, not an address's commune (one code can cover several
communes). Codes mapped to a NIS code that ended in 2018 are carried to the current commune of the
same name; the rest are left out and counted, never guessed.
"""

from __future__ import annotations

import csv
from pathlib import Path

POSTCODE_FILE = Path(__file__).resolve().parents[1] / "reference" / "data" / "postcode_to_nis.csv"


def postcodes_by_commune(
    municipalities: list[dict], extra: list[tuple[str, str]] = ()
) -> tuple[dict[str, list[str]], int]:
    """(current NIS code -> sorted postal codes, count of reference rows left out).

    ``municipalities`` are ``dim_municipality`` rows (``nis_code``, ``name_fr``, ``name_nl``,
    ``is_current``); ``extra`` are (postcode, NIS code) pairs the release itself publishes (a
    counter's postcode and commune), added to the reference's.
    """
    current = {m["nis_code"]: m for m in municipalities if m.get("is_current")}
    by_name: dict[str, str] = {}
    for code, m in current.items():
        for name in (m.get("name_fr"), m.get("name_nl")):
            if name:
                by_name.setdefault(name.casefold(), code)
    ended = {m["nis_code"]: m for m in municipalities if not m.get("is_current")}
    out: dict[str, set[str]] = {}
    left_out = 0
    with POSTCODE_FILE.open(encoding="utf-8", newline="") as f:
        pairs = [(r["postcode"].strip(), r["nis"].strip().zfill(5)) for r in csv.DictReader(f, delimiter=";")]
    for postcode, nis in [*pairs, *extra]:
        if not postcode or not nis:
            continue
        code = nis if nis in current else _successor(ended.get(nis), by_name)
        if code is None:
            left_out += 1
            continue
        out.setdefault(code, set()).add(postcode)
    return {k: sorted(v) for k, v in sorted(out.items())}, left_out


def _successor(old: dict | None, by_name: dict[str, str]) -> str | None:
    """The current commune bearing an ended code's name (a renumbered commune), or None."""
    if old is None:
        return None
    for name in (old.get("name_fr"), old.get("name_nl")):
        if name and name.casefold() in by_name:
            return by_name[name.casefold()]
    return None
