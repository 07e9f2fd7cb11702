"""Dated calendars → the weekly pattern they repeat.

Calendar widgets and agenda pages publish opening hours date by date ("dinsdag 3 januari 2017
van 09.00 u. tot 12.00 u.", one schema.org ``OpeningHoursSpecification`` per date). The normal
week is what each weekday shows on **most** of its dates; a pattern seen on half of its dates or
fewer is no weekly rule: an exception, ``monthly`` when it recurs on given weeks of the month
(every other Saturday), ``date`` otherwise (a closed public holiday among open Mondays). A
calendar of one week or less says little about the normal week: its reading is less sure.

Both the structured-data reader (:mod:`scrapers.hours.jsonld`) and the text reader
(:mod:`scrapers.hours.reader`) use this one rule.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from scrapers.hours.model import ACCESS_WALK_IN, DAYS, Regime, Slot, hhmm

# A text is read as a calendar from this many dated days on; fewer are one-day notices.
MIN_CALENDAR_DAYS = 5

Interval = tuple[int, int, str | None]  # opens, closes (minutes), access (None: not said)


@dataclass(frozen=True)
class DatedDay:
    """What a calendar shows for one date: its weekday and intervals (none: closed that day)."""

    date: str  # ISO date, or "--MM-DD" when the calendar gives no year
    weekday: int  # 0 = Monday
    intervals: tuple[Interval, ...]


@dataclass
class WeeklyPattern:
    """The normal week a calendar repeats, the days that depart from it, and how sure it is."""

    weekly: list[tuple[int, int, int, str | None]]  # weekday, opens, closes, access
    exceptions: list[Regime]
    confidence: float


def weekday_of(iso: str) -> int | None:
    """0 (Monday) to 6 for an ISO date; None for "--MM-DD" (no year, no weekday) or no date."""
    try:
        return dt.date.fromisoformat(iso).weekday()
    except ValueError:
        return None


def weekly_pattern(days: list[DatedDay]) -> WeeklyPattern:
    """The weekly pattern of a calendar (see the module docstring)."""
    by_day: dict[int, dict[str, tuple[Interval, ...]]] = {}
    for day in days:
        by_day.setdefault(day.weekday, {})[day.date] = day.intervals  # a date shown twice counts once
    weekly: list[tuple[int, int, int, str | None]] = []
    exceptions: list[Regime] = []
    for weekday, shown in sorted(by_day.items()):
        pattern, seen = Counter(shown.values()).most_common(1)[0]
        normal = pattern if seen * 2 > len(shown) else ()
        weekly += [(weekday, o, c, access) for o, c, access in normal]
        others: dict[tuple[Interval, ...], list[str]] = {}
        for date, intervals in sorted(shown.items()):
            if intervals != normal:
                others.setdefault(intervals, []).append(date)
        for intervals, dates in others.items():
            slots = [Slot(DAYS[weekday], hhmm(o), hhmm(c), access or ACCESS_WALK_IN) for o, c, access in intervals]
            if intervals and len(dates) > 1:
                nth = sorted({(int(d[-2:]) - 1) // 7 + 1 for d in dates})
                exceptions.append(Regime("monthly", f"{DAYS[weekday]}: {', '.join(dates)}", slots, nth=nth))
            else:
                exceptions += [
                    Regime("date", date, slots, closed=not intervals, date_from=date, date_to=date) for date in dates
                ]
    weeks = max((len(v) for v in by_day.values()), default=0)
    confidence = 1.0 if weeks >= 3 else 0.9 if weeks == 2 or len(by_day) >= 5 else 0.5
    return WeeklyPattern(weekly, exceptions, confidence)
