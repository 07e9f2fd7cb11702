"""Attach schedules found on a page to the counters declared in the registry.

Identity is declared, not inferred: a schedule gets a registry counter ID only through the
rules below, and the rule used is kept (``match_rule``) so every attribution can be audited.

1. A phone line is never a counter (``phone_line``).
2. A source that declares one counter and a page that shows one counter schedule: ``single``.
3. Otherwise the counter whose ``match`` strings occur in the schedule's name + address
   (case- and accent-insensitive): ``match:<string>``; none: ``unmatched``; several:
   ``ambiguous`` (listed for review, never guessed).
"""

from __future__ import annotations

import unicodedata

from scrapers.registry import Source
from scrapers.schedule import CHANNEL_PHONE, CounterSchedule


def fold(text: str) -> str:
    """Lowercase and strip accents, so 'Liège' matches 'liege'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


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
        if len(hits) == 1 and hits[0][0] not in taken:
            taken.add(hits[0][0])
            out.append((hits[0][0], f"match:{hits[0][1]}"))
        elif len(hits) > 1 or (hits and hits[0][0] in taken):
            out.append((None, "ambiguous"))
        else:
            out.append((None, "unmatched"))
    return out
