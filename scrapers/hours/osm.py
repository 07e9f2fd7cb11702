"""Schedules as OpenStreetMap ``opening_hours`` strings (written and read), validated with opening-hours-py.

OSM's syntax is what mappers, routing apps and many open-data portals already read, so every
normalized schedule carries one ("Mo-Fr 09:00-12:00,13:30-16:00; Sa 09:00-12:00; PH off").
Rules come in OSM's override order: the normal week first, then regimes and monthly or dated
rules, which override it on the days they name. Appointment-only intervals carry the comment
``"by appointment"``. A string the validator refuses is never published: the field is then null.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from scrapers.hours.model import ACCESS_APPOINTMENT, DAYS, Slot, hhmm, sort_slots

if TYPE_CHECKING:
    from scrapers.hours.model import CounterSchedule, Regime

_OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_DAY_INDEX = {day: i for i, day in enumerate(DAYS)}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
APPOINTMENT_COMMENT = '"by appointment"'
# Regimes OSM names by a keyword of its own.
_KEYWORDS = {"public_holidays": "PH", "school_holidays": "SH"}


def schedule_document(schedule: CounterSchedule) -> dict:
    """A schedule as the JSON document of ``docs/schedule.schema.json``: its ``to_dict()`` plus the
    OSM ``opening_hours`` string. Here, not in the model, so that the model never imports its
    OSM writer (which validates with a compiled library): the dependency runs one way."""
    document = schedule.to_dict()  # (a new dict: completed in place, not copied)
    document["osm_opening_hours"] = to_osm(schedule)
    return document


def to_osm(schedule: CounterSchedule) -> str | None:
    """The OSM ``opening_hours`` string of a schedule, or None when there is nothing to say
    or the result does not validate."""
    if schedule.closed:
        return _valid(f'off "{schedule.closed} closure"')
    rules = week_rules(schedule.slots)
    if not rules and schedule.appointment_only:
        rules = [APPOINTMENT_COMMENT]
    # Later rules override earlier ones: openings of regimes and rules first, closures last
    # ("PH off" must win over "Sa[1] 09:00-12:00" on a holiday Saturday).
    special = [*schedule.regimes, *schedule.exceptions]
    for regime in sorted(special, key=lambda r: r.closed):
        rules += _regime_rules(regime)
    return _valid("; ".join(rules)) if rules else None


def week_rules(slots: list[Slot], selector: str = "") -> list[str]:
    """OSM rules for weekly slots: days with the same intervals share one rule ("Mo-Fr 09:00-12:00")."""
    walk_in: dict[int, list[str]] = {}
    appointment: dict[int, list[str]] = {}
    for s in slots:
        target = appointment if s.access == ACCESS_APPOINTMENT else walk_in
        target.setdefault(_DAY_INDEX[s.day], []).append(f"{s.opens}-{s.closes}")
    if appointment:
        by_day = {
            i: (tuple(sorted(walk_in.get(i, ()))), tuple(sorted(appointment.get(i, ()))))
            for i in sorted({*walk_in, *appointment})
        }
    else:  # the usual case, the same result sooner
        by_day = {i: (tuple(sorted(walk_in[i])), ()) for i in sorted(walk_in)}
    patterns: dict[tuple[tuple[str, ...], tuple[str, ...]], list[int]] = {}
    for i, pattern in by_day.items():
        patterns.setdefault(pattern, []).append(i)
    prefix = f"{selector} " if selector else ""
    rules = []
    for (walk_in_times, appointment_times), days in patterns.items():
        spec = prefix + day_ranges(days)
        parts = []
        if walk_in_times:
            parts.append(f"{spec} {','.join(walk_in_times)}")
        if appointment_times:
            parts.append(f"{spec} {','.join(appointment_times)} {APPOINTMENT_COMMENT}")
        # Walk-in and appointment intervals of the same days: an additional rule (",") keeps both.
        rules.append(", ".join(parts))
    return rules


def day_ranges(days: list[int]) -> str:
    """[0, 1, 2, 4] → "Mo-We,Fr"."""
    out: list[str] = []
    run: list[int] = []
    for d in sorted(days):
        if run and d == run[-1] + 1:
            run.append(d)
            continue
        if run:
            out.append(_run(run))
        run = [d]
    if run:
        out.append(_run(run))
    return ",".join(out)


def _run(run: list[int]) -> str:
    if len(run) == 1:
        return _OSM_DAYS[run[0]]
    if len(run) == 2:
        return f"{_OSM_DAYS[run[0]]},{_OSM_DAYS[run[1]]}"
    return f"{_OSM_DAYS[run[0]]}-{_OSM_DAYS[run[-1]]}"


def _regime_rules(regime: Regime) -> list[str]:
    selector = _selector(regime)
    if selector is None:
        return []  # e.g. "vacances de Noël" without dates: OSM cannot say when
    if regime.closed:
        return [f"{selector} off"]
    if regime.kind == "monthly":
        if not regime.nth:
            return []
        nth = "[" + ",".join(str(n) for n in regime.nth) + "]"
        # "Sa[2,4] 09:00-12:00": one rule per day, the day carrying its weeks of the month.
        return [
            rule.replace(_OSM_DAYS[i], _OSM_DAYS[i] + nth, 1)
            for i, day in enumerate(DAYS)
            for rule in week_rules([s for s in regime.slots if s.day == day])
        ]
    if regime.kind == "date":
        # A dated rule names its day already: "2025 Mar 15 19:00-22:00", not "... Mo 19:00-22:00".
        times = sorted({f"{s.opens}-{s.closes}" for s in regime.slots})
        return [f"{selector} {','.join(times)}"] if times else []
    rules = week_rules(regime.slots, selector)
    if not rules and selector in _KEYWORDS.values():
        return []
    return rules


def _selector(regime: Regime) -> str | None:
    """The OSM selector of a regime's time of year: "PH", "Jul-Aug", "2024 Jul 01-2024 Aug 31"."""
    if regime.kind in _KEYWORDS:
        return _KEYWORDS[regime.kind]
    if regime.kind == "monthly":
        return ""
    if regime.date_from:
        start = _date(regime.date_from)
        end = _date(regime.date_to) if regime.date_to else None
        if start is None:
            return None
        return f"{start}-{end}" if end else start
    if regime.months:
        months = sorted(regime.months)
        if months == list(range(months[0], months[-1] + 1)) and len(months) > 1:
            return f"{_MONTHS[months[0] - 1]}-{_MONTHS[months[-1] - 1]}"
        return ",".join(_MONTHS[m - 1] for m in months)
    return None


def _date(value: str | None) -> str | None:
    """ "2024-03-15" → "2024 Mar 15"; "--03-15" → "Mar 15"."""
    if not value:
        return None
    parts = value.lstrip("-").split("-")
    if value.startswith("--") and len(parts) == 2:
        return f"{_MONTHS[int(parts[0]) - 1]} {parts[1]}"
    if len(parts) == 3:
        return f"{parts[0]} {_MONTHS[int(parts[1]) - 1]} {parts[2]}"
    return None


def _valid(text: str) -> str | None:
    """``text`` when it is a valid OSM ``opening_hours`` string, else None."""
    return text if _WEEKLY.fullmatch(text) or _validates(text) else None


@lru_cache(maxsize=4096)
def _validates(text: str) -> bool:
    import opening_hours

    return opening_hours.validate(text)


# What week_rules writes for plain weekly hours, a part of OSM's syntax every string of which
# validates (tests/unit/test_schedule_model.py checks that against the validator): recognising it
# costs a microsecond, the validator about fifty. Anything else goes to the validator.
_W_DAYS = r"(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?"
_W_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d-(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)"
_W_PART = rf"{_W_DAYS}(?:,{_W_DAYS})* {_W_TIME}(?:,{_W_TIME})*(?: {APPOINTMENT_COMMENT})?"
_W_RULE = rf"{_W_PART}(?:, {_W_PART})*|(?:PH|SH) off"
_WEEKLY = re.compile(rf"(?:{_W_RULE})(?:; (?:{_W_RULE}))*|{APPOINTMENT_COMMENT}")


# An OSM string starts with a weekday, a holiday keyword, a month or "24/7", and has HH:MM times.
_LOOKS_LIKE_OSM = re.compile(
    r"^\s*(?:(?:Mo|Tu|We|Th|Fr|Sa|Su|PH|SH)\b|24/7|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b|off\b|\")"
)
_RULE_DAYS = re.compile(r"\b(Mo|Tu|We|Th|Fr|Sa|Su)(?:\[([-\d,]+)\])?(?:-(Mo|Tu|We|Th|Fr|Sa|Su))?")
# "..., We 13:00-16:00" after a time or a comment: an additional rule (it adds to its days, not replaces).
_ADDITIONAL = re.compile(r"(?<=[\d\"]),\s*(?=(?:Mo|Tu|We|Th|Fr|Sa|Su|PH|SH)\b)")
_RULE_TIME = re.compile(r"(\d\d):(\d\d)-(\d\d):(\d\d)")
_RULE_MONTHS = re.compile(
    r"^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)(?:-(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec))?\b"
)


_LOOSE_DAY = re.compile(r"(?<![A-Za-z])(mo|tu|we|th|fr|sa|su|ph|sh)(?![A-Za-z])", re.IGNORECASE)
_LOOSE_TIME = re.compile(r"(?<!\d)(\d{1,2}):(\d\d)\s*-\s*(\d{1,2}):(\d\d)")
_LOOSE_DAY_RANGE = re.compile(r"\b(Mo|Tu|We|Th|Fr|Sa|Su)\s*-\s*(Mo|Tu|We|Th|Fr|Sa|Su)\b")


def normalize_osm(text: str) -> str:
    """The OSM spelling of a hand-written schema.org ``openingHours`` value.

    schema.org's examples follow OSM, but pages write "mo-fr 9:00 - 17:00": day codes in any
    case, one-digit hours, spaces around dashes. Comments (in quotes) are left as they are.
    """
    parts = text.split('"')
    for i in range(0, len(parts), 2):  # outside quotes only
        part = _LOOSE_DAY.sub(lambda m: m[1].upper() if m[1].lower() in ("ph", "sh") else m[1].capitalize(), parts[i])
        part = _LOOSE_TIME.sub(lambda m: f"{int(m[1]):02d}:{m[2]}-{int(m[3]):02d}:{m[4]}", part)
        parts[i] = _LOOSE_DAY_RANGE.sub(r"\1-\2", part)
    return '"'.join(parts).strip()


def looks_like_osm(text: str) -> bool:
    """True for a valid OSM ``opening_hours`` string ("Mo-Fr 09:00-12:00; PH off")."""
    return bool(_LOOKS_LIKE_OSM.match(text)) and _valid(text.strip()) is not None


def read_osm(text: str) -> CounterSchedule:
    """The normalized schedule an OSM ``opening_hours`` string describes.

    Rules are read in order and later rules override earlier ones on the days they name, as OSM
    says; ``PH``/``SH`` rules, month selectors and weeks of the month (``Sa[2,4]``) become regimes
    and exceptions, never the normal week. ``"by appointment"`` comments make appointment slots.
    """
    from scrapers.hours.model import CounterSchedule, Regime

    week: dict[int, list[Slot]] = {}
    schedule = CounterSchedule(name=None, address=None, layout="osm", evidence=text.strip())
    rules = [
        (part.strip(), n > 0) for r in text.split(";") for n, part in enumerate(_ADDITIONAL.split(r)) if part.strip()
    ]
    for rule, additional in rules:
        access = ACCESS_APPOINTMENT if "appointment" in rule.lower() or "rendez" in rule.lower() else "walk_in"
        off = bool(re.search(r"\b(?:off|closed)\b", rule))
        times = [(int(a) * 60 + int(b), int(c) * 60 + int(d)) for a, b, c, d in _RULE_TIME.findall(rule)]
        keyword = rule.split(" ", 1)[0]
        if keyword in ("PH", "SH"):
            kind = "public_holidays" if keyword == "PH" else "school_holidays"
            schedule.regimes.append(Regime(kind, rule, _slots(_rule_days(rule) or list(range(7)), times, access), off))
            continue
        months = _RULE_MONTHS.match(rule)
        days = _rule_days(rule)
        nth = [int(n) for m in _RULE_DAYS.finditer(rule) if m.group(2) for n in m.group(2).split(",") if n]
        if months:
            first = _MONTHS.index(months.group(1)) + 1
            last = _MONTHS.index(months.group(2)) + 1 if months.group(2) else first
            span = list(range(first, last + 1)) if first <= last else [*range(first, 13), *range(1, last + 1)]
            kind = "summer" if set(span) <= {6, 7, 8, 9} and set(span) & {7, 8} else "period"
            schedule.regimes.append(
                Regime(kind, rule, _slots(days or [0, 1, 2, 3, 4], times, access), off, months=span)
            )
        elif nth:
            schedule.exceptions.append(Regime("monthly", rule, _slots(days, times, access), off, nth=nth))
        elif rule.startswith('"') and not days:
            schedule.appointment_only = schedule.appointment_only or access == ACCESS_APPOINTMENT
        elif days:
            for d in days:
                # A rule replaces what earlier rules said of its days; "," adds to them (OSM's semantics).
                week[d] = [] if off else (week.get(d, []) if additional else []) + _slots([d], times, access)
        elif off and not times:
            schedule.closed = "temporary" if "temporar" in rule else ("permanent" if "permanent" in rule else None)
    schedule.slots = sort_slots([s for slots in week.values() for s in slots])
    schedule.appointment_only = schedule.appointment_only or (
        bool(schedule.slots) and all(s.access == ACCESS_APPOINTMENT for s in schedule.slots)
    )
    return schedule


def _rule_days(rule: str) -> list[int]:
    days: list[int] = []
    for m in _RULE_DAYS.finditer(rule):
        first = _OSM_DAYS.index(m.group(1))
        last = _OSM_DAYS.index(m.group(3)) if m.group(3) else first
        days += list(range(first, last + 1)) if first <= last else [*range(first, 7), *range(0, last + 1)]
    return sorted(set(days))


def _slots(days: list[int], times: list[tuple[int, int]], access: str) -> list[Slot]:
    return [Slot(DAYS[d], hhmm(o), hhmm(c), access) for d in days for o, c in times if o < c]
