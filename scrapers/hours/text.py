"""Free-text hours: "Du lundi au vendredi de 9h à 12h et de 13h30 à 16h. Uniquement sur rendez-vous."

The grammar lives in :mod:`scrapers.hours.reader` (shared with tables and definition lists,
whose rows are read as lines); page paragraphs are fed to it by :mod:`scrapers.hours.blocks`.
This module reads one description on its own: :func:`parse_text` gives the counter schedule,
:func:`read_hours_text` the whole reading of one text (counter and telephone hours side by side),
which is what ``guichets hours parse`` prints.
"""

from __future__ import annotations

from scrapers.hours.grammar import join_evidence
from scrapers.hours.model import CHANNEL_COUNTER, CHANNEL_PHONE, CounterSchedule, NoScheduleFound, slot_dicts
from scrapers.hours.reader import Reader
from scrapers.hours.timetext import clean

# An empty schedule read from text that did mention days or times is worth little.
_NOTHING_USABLE_CONFIDENCE = 0.3


def _read(text: str, language: str) -> tuple[Reader, list[CounterSchedule]]:
    reader = Reader(language)
    reader.feed(text, "text")
    return reader, reader.schedules(None, None, ("text",))


def _empty(reader: Reader, text: str) -> CounterSchedule:
    """A schedule without normal-week hours, for a text that spoke of hours (it may still hold
    regimes, exceptions or a phone-only statement)."""
    schedule = CounterSchedule(
        name=None,
        address=None,
        layout="text",
        evidence=join_evidence([clean(text)]),
        confidence=min(reader.confidence("text"), _NOTHING_USABLE_CONFIDENCE),
    )
    reader.complete(schedule)
    return schedule


def _nothing(text: str) -> NoScheduleFound:
    return NoScheduleFound(f"no days, times, appointment or closure statement in text {clean(text)[:80]!r}")


def parse_text(text: str, language: str) -> CounterSchedule:
    """Read one free-text hours description into a schedule.

    Counter hours are returned; phone-line hours in the same text are never merged into them
    (when the text *only* gives phone hours, the schedule returned has ``channel="phone"``).
    Text that mentions days or times but yields no regular weekly hours (a one-day notice, a
    monthly rule) gives a schedule without slots and a low confidence. Raises
    :class:`NoScheduleFound` when the text says nothing about hours, appointments or closures.
    """
    reader, found = _read(text, language)
    for schedule in found:
        if schedule.channel == CHANNEL_COUNTER:
            return schedule
    if found:
        return found[0]
    if reader.seen:
        return _empty(reader, text)
    raise _nothing(text)


def read_hours_text(text: str, language: str) -> dict:
    """The normalized reading of one hours text, as a JSON-ready dict (``guichets hours parse``).

    ``slots`` are always the *counter's* (physical reception) slots; telephone hours found in the
    same text are given apart in ``phone_slots`` and never counted as counter hours. A text that
    only publishes telephone hours has no counter slots. An OSM ``opening_hours`` string
    ("Mo-Fr 09:00-12:00; PH off") is read with OSM's meaning. Raises :class:`NoScheduleFound` when the
    text says nothing about hours, appointments or closures.
    """
    from scrapers.hours.osm import looks_like_osm, read_osm, schedule_document

    counter: CounterSchedule | None
    phone: CounterSchedule | None
    if looks_like_osm(text):  # "Mo-Fr 09:00-12:00; PH off": OSM's own syntax, read as OSM means it
        counter, phone = read_osm(text), None
    else:
        reader, found = _read(text, language)
        if not found and not reader.seen:
            raise _nothing(text)
        counter = next((s for s in found if s.channel == CHANNEL_COUNTER), None)
        phone = next((s for s in found if s.channel == CHANNEL_PHONE), None)
    if counter is None:
        counter = _empty(reader, text)
        # (unless counter days were named without their hours, "rendez-vous le lundi matin et le jeudi
        # matin": the counter's hours are then unknown, not absent)
        if phone is not None and not any(days is not None for days, _, _ in reader.access_rules):
            counter.confidence = phone.confidence
    out = {"text": text, "language": language, **schedule_document(counter)}
    for key in ("name", "address", "channel"):
        out.pop(key)
    out["phone_slots"] = slot_dicts(phone.slots) if phone is not None else []
    out["weekly_phone_minutes"] = sum(s.minutes() for s in phone.slots) if phone is not None else 0
    return out
