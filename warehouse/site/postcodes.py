"""Postal codes of each commune, for the website's search.

The reference is the registry's (:func:`scrapers.registry.postcode_communes`, from
``warehouse/reference/data/postcode_to_nis.csv``, with the codes renumbered in 2019 carried to
their successors), plus the postcodes the release publishes for its counters. A postal code names
candidate communes, not an address's commune (one code can cover several communes). A code whose
commune is not a current one of the release (merged into a commune of another name) is left out
and counted, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable

from scrapers.registry import postcode_communes


def postcodes_by_commune(
    current: Iterable[str], extra: Iterable[tuple[str, str]] = ()
) -> tuple[dict[str, list[str]], int]:
    """(current NIS code -> sorted postal codes, count of reference pairs left out).

    ``current`` are the release's current NIS codes (5 digits); ``extra`` (postcode, NIS code)
    pairs the release itself publishes (a counter's postcode and commune).
    """
    current = set(current)
    pairs = [(postcode, f"{nis:05d}") for postcode, codes in postcode_communes().items() for nis in codes]
    out: dict[str, set[str]] = {}
    left_out = 0
    for postcode, nis in [*pairs, *extra]:
        if not postcode or nis not in current:
            left_out += 1
            continue
        out.setdefault(nis, set()).add(postcode)
    return {k: sorted(v) for k, v in sorted(out.items())}, left_out
