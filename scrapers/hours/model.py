"""The normalized model of a published schedule, shared by every parser.

A parser turns a page into a list of :class:`CounterSchedule`; collection serialises them
with :meth:`CounterSchedule.to_dict`. Times are local wall-clock "HH:MM" strings; days are
ISO-ordered two-letter codes. The JSON form is documented in docs/hours.md (JSON Schema:
docs/schedule.schema.json).

The *normal week* (``slots``) is kept apart from everything that is not a weekly rule:
:class:`Regime` objects for holiday, summer and other dated regimes, and monthly or one-day
rules in ``exceptions``. Indicators are computed on the normal week only.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cache, lru_cache
from operator import attrgetter

# The model's closed lists live in scrapers.vocabulary; re-exported here, where parsers look for them.
from scrapers.vocabulary import (
    ACCESS_APPOINTMENT,
    ACCESS_WALK_IN,
    CHANNEL_COUNTER,
    CHANNEL_PHONE,
    DAYS,
    EXCEPTION_KINDS,
    REGIME_KINDS,
)

__all__ = [
    "ACCESS_APPOINTMENT",
    "ACCESS_WALK_IN",
    "CHANNEL_COUNTER",
    "CHANNEL_PHONE",
    "DAYS",
    "EXCEPTION_KINDS",
    "REGIME_KINDS",
    "CounterSchedule",
    "NoScheduleFound",
    "ParseError",
    "Regime",
    "Slot",
    "UnavailablePage",
    "hhmm",
    "slot_dicts",
    "sort_slots",
]


@dataclass(frozen=True, order=True)
class Slot:
    """One published opening interval on one weekday."""

    day: str
    opens: str
    closes: str
    access: str = ACCESS_WALK_IN

    def minutes(self) -> int:
        """Length of the interval in minutes."""
        return _to_minutes(self.closes) - _to_minutes(self.opens)

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {"day": self.day, "opens": self.opens, "closes": self.closes, "access": self.access}


@dataclass
class Regime:
    """Hours that apply instead of the normal week at some times: a season, holidays, a dated
    period (kinds in REGIME_KINDS), or a rule that is not weekly (kinds in EXCEPTION_KINDS:
    "le premier samedi du mois", "le lundi 15 mars")."""

    kind: str
    evidence: str
    slots: list[Slot] = field(default_factory=list)
    closed: bool = False  # the counter is closed during this regime ("fermé les jours fériés")
    months: list[int] = field(default_factory=list)  # 1..12, when the text names months
    nth: list[int] = field(default_factory=list)  # monthly rules: 1..4, -1 for "last"
    date_from: str | None = None  # ISO date, or "--MM-DD" when the text gives no year
    date_to: str | None = None

    def to_dict(self) -> dict:
        """JSON-ready form with sorted slots."""
        d = _shallow(self)
        d["slots"] = slot_dicts(self.slots)
        d["months"], d["nth"] = list(self.months), list(self.nth)
        return d


@dataclass
class CounterSchedule:
    """What one page says about one reception point (or one phone line)."""

    name: str | None
    address: str | None
    slots: list[Slot] = field(default_factory=list)
    appointment_only: bool = False
    closed: str | None = None  # None | "temporary" | "permanent"
    closed_reason: str | None = None
    channel: str = CHANNEL_COUNTER  # counter | phone: phone hours are never counter hours
    layout: str = "unknown"  # jsonld | table | dl | text
    evidence: str = ""
    confidence: float = 1.0
    phone_only: bool = False  # the text says the service is reached by telephone only
    regimes: list[Regime] = field(default_factory=list)
    exceptions: list[Regime] = field(default_factory=list)
    valid_from: str | None = None  # "depuis le 1er mars 2023": ISO date (or "--MM-DD")
    valid_until: str | None = None
    unparsed: list[str] = field(default_factory=list)  # sentences about hours that were not fully understood

    def weekly_minutes(self, access: str) -> int:
        """Sum of published minutes per week for one access mode."""
        return self._minutes_by_access().get(access, 0)

    def _minutes_by_access(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        if not self.closed:
            for s in self.slots:
                totals[s.access] = totals.get(s.access, 0) + s.minutes()
        return totals

    def to_dict(self) -> dict:
        """JSON-ready form, with slots sorted and weekly totals computed."""
        # By hand, not dataclasses.asdict: its deep copy was half the parsing time.
        d = _shallow(self)
        d["slots"] = slot_dicts(self.slots)
        d["unparsed"] = list(self.unparsed)
        d["regimes"] = [r.to_dict() for r in self.regimes]
        d["exceptions"] = [r.to_dict() for r in self.exceptions]
        totals = self._minutes_by_access()
        d["weekly_walk_in_minutes"] = totals.get(ACCESS_WALK_IN, 0)
        d["weekly_appointment_minutes"] = totals.get(ACCESS_APPOINTMENT, 0)
        return d


def slot_dicts(slots: list[Slot]) -> list[dict]:
    """The JSON-ready form of slots, in the model's order."""
    return [s.to_dict() for s in sort_slots(slots)]


def sort_slots(slots: list[Slot]) -> list[Slot]:
    """Slots in the model's order: by weekday (Monday first), then opening time."""
    return sorted(slots, key=lambda s: (_DAY_ORDER[s.day], s.opens, s.closes, s.access))


_DAY_ORDER = {day: i for i, day in enumerate(DAYS)}


def _shallow(obj: object) -> dict:
    names, values = _fields_of(type(obj))  # type: ignore[arg-type]
    return dict(zip(names, values(obj), strict=True))


@cache
def _fields_of(cls: type) -> tuple[tuple[str, ...], attrgetter]:
    """A dataclass's field names, and a getter of their values (in C: this is the hot path)."""
    names = tuple(f.name for f in fields(cls))
    return names, attrgetter(*names)


@lru_cache(maxsize=4096)  # "HH:MM" strings: a few hundred distinct ones in practice
def _to_minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


class ParseError(Exception):
    """A page could not be read: the message names what was expected and not found."""


class NoScheduleFound(ParseError):
    """A page fetched fine but yielded no schedule at all (possible layout drift)."""


class UnavailablePage(ParseError):
    """The page is a stand-in for the site (maintenance notice, error or block page served with
    200): a failed capture, never a reading of the counters."""


def hhmm(minutes: int) -> str:
    """``570`` → ``"09:30"``: the inverse of the model's "HH:MM" strings (``1440`` → ``"24:00"``)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
