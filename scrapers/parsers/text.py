"""Free-text hours: "Du lundi au vendredi de 9h à 12h et de 13h30 à 16h. Uniquement sur rendez-vous."

The grammar lives in :mod:`scrapers.parsers.reading` (shared with tables and definition lists,
whose rows are read as lines); page paragraphs are fed to it by :mod:`scrapers.parsers.blocks`.
This module reads one description on its own.
"""

from __future__ import annotations

from scrapers.parsers.reading import Reader, join_evidence
from scrapers.parsers.timetext import clean
from scrapers.schedule import CHANNEL_COUNTER, CounterSchedule, NoScheduleFound

# An empty schedule read from text that did mention days or times is worth little.
_NOTHING_USABLE_CONFIDENCE = 0.3


def parse_text(text: str, language: str) -> CounterSchedule:
    """Read one free-text hours description into a schedule.

    Counter hours are returned; phone-line hours in the same text are never merged into them
    (when the text *only* gives phone hours, the schedule returned has ``channel="phone"``).
    Text that mentions days or times but yields no regular weekly hours (a one-day notice, a
    monthly rule) gives a schedule without slots and a low confidence. Raises
    :class:`NoScheduleFound` when the text says nothing about hours, appointments or closures.
    """
    reader = Reader(language)
    reader.feed(text, "text")
    found = reader.schedules(None, None, ("text",))
    for schedule in found:
        if schedule.channel == CHANNEL_COUNTER:
            return schedule
    if found:
        return found[0]
    if reader.seen:
        return CounterSchedule(
            name=None,
            address=None,
            layout="text",
            evidence=join_evidence([clean(text)]),
            confidence=min(reader.confidence("text"), _NOTHING_USABLE_CONFIDENCE),
        )
    raise NoScheduleFound(f"no days, times, appointment or closure statement in text {clean(text)[:80]!r}")
