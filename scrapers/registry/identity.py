"""Attach schedules found on a page to the counters declared in the registry.

Identity is declared, not inferred: a schedule gets a registry counter ID only through the
rules below, and the rule used is kept (``match_rule``) so every attribution can be audited.

1. A phone line is never a counter (``phone_line``).
2. A source that declares one counter and a page that shows one counter schedule: ``single``.
3. Otherwise the counter whose ``match`` strings occur in the schedule's name + address
   (case- and accent-insensitive): ``match:<string>``.
4. Otherwise the counter whose registered ``address`` is the schedule's address once both are
   normalized (postal code, house number and street words; "Bd" = "Boulevard", "str." =
   "straat"): ``address:<postcode> <number> <street>``. An office renamed on its page keeps its
   ID this way, and so does one whose page moved (the registry lists every URL of a source) or
   whose offices were reordered (position on the page is never used).
5. No counter: ``unmatched``; several, or a counter already taken on the same page:
   ``ambiguous``. Both are kept and listed for review (marts.fct_counter_match_review), never
   guessed.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from scrapers.hours.model import CHANNEL_PHONE, CounterSchedule
from scrapers.registry import Source
from scrapers.text import fold

# Street-type abbreviations on Belgian pages, folded (French, Dutch, German).
_STREET_WORDS = {
    "bd": "boulevard", "boul": "boulevard", "av": "avenue", "ave": "avenue", "pl": "place", "ch": "chaussee",
    "chee": "chaussee", "sq": "square", "str": "straat", "stwg": "steenweg", "stw": "steenweg", "ln": "laan",
    "pln": "plein", "r": "rue",
}  # fmt: skip
_POSTCODE = re.compile(r"(?<!\d)([1-9]\d{3})(?!\d)")
_NUMBER = re.compile(r"(?<![\d-])(\d{1,4}[a-z]?)(?:\s*(?:bus|bte|boite|box)\s*\w+)?(?![\d])")
_WORD = re.compile(r"[a-z]{3,}")


class AddressKey(NamedTuple):
    """What identifies a postal address: postal code, house number and the street's words."""

    postcode: str
    number: str
    street: frozenset[str]


def address_key(text: str | None) -> AddressKey | None:
    """The normalized form of a Belgian address, or None when it has no postal code or number.

    "Bd de l'Empereur 7, 1000 Bruxelles" and "Boulevard de l'Empereur 7 - 1000 BRUXELLES" give the
    same key.
    """
    if not text:
        return None
    folded = re.sub(r"[^a-z0-9]+", " ", fold(text)).strip()
    postcodes = _POSTCODE.findall(folded)
    if not postcodes:
        return None
    postcode = postcodes[-1]  # the postal code comes after the street in Belgian addresses
    before = folded[: folded.rfind(postcode)]
    numbers = [n for n in _NUMBER.findall(before) if n != postcode]
    if not numbers:
        return None
    words = {_STREET_WORDS.get(w, w) for w in folded.split()}
    street = frozenset(w for w in words if _WORD.fullmatch(w)) - {"bus", "boite", "box"}
    return AddressKey(postcode, numbers[-1], street)


def same_address(registered: AddressKey, found: AddressKey) -> bool:
    """Same postal code and number, and the registered street's words all on the page."""
    return (
        registered.postcode == found.postcode
        and registered.number == found.number
        and bool(registered.street)
        and registered.street <= found.street
    )


def match_counters(source: Source, schedules: list[CounterSchedule]) -> list[tuple[str | None, str]]:
    """Return ``(counter_id, match_rule)`` for each schedule, in order."""
    counter_schedules = [s for s in schedules if s.channel != CHANNEL_PHONE]
    single = len(source.counters) == 1 and len(counter_schedules) == 1
    taken: set[str] = set()
    out: list[tuple[str | None, str]] = []
    for sched in schedules:
        if sched.channel == CHANNEL_PHONE:
            out.append((None, "phone_line"))
            continue
        if single:
            out.append((source.counters[0].id, "single"))
            continue
        haystack = fold(f"{sched.name or ''} {sched.address or ''}")
        hits = []
        for counter in source.counters:
            needle = next((m for m in counter.match if fold(m) in haystack), None)
            if needle is not None:
                hits.append((counter.id, needle))
        rule = "match"
        if not hits:
            found = address_key(sched.address)
            if found is not None:
                for counter in source.counters:
                    registered = address_key(counter.address)
                    if registered is not None and same_address(registered, found):
                        hits.append((counter.id, f"{registered.postcode} {registered.number}"))
                rule = "address"
        if len(hits) == 1 and hits[0][0] not in taken:
            taken.add(hits[0][0])
            out.append((hits[0][0], f"{rule}:{hits[0][1]}"))
        elif len(hits) > 1 or (hits and hits[0][0] in taken):
            out.append((None, "ambiguous"))
        else:
            out.append((None, "unmatched"))
    return out
