"""The normalized model of a published schedule, shared by every parser.

A parser turns a page into a list of :class:`CounterSchedule`; collection serialises them
with :meth:`CounterSchedule.to_dict`. Times are local wall-clock "HH:MM" strings; days are
ISO-ordered two-letter codes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

DAYS: tuple[str, ...] = ("mo", "tu", "we", "th", "fr", "sa", "su")
ACCESS_WALK_IN = "walk_in"
ACCESS_APPOINTMENT = "appointment"
CHANNEL_COUNTER = "counter"
CHANNEL_PHONE = "phone"


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

    def weekly_minutes(self, access: str) -> int:
        """Sum of published minutes per week for one access mode."""
        if self.closed:
            return 0
        return sum(s.minutes() for s in self.slots if s.access == access)

    def to_dict(self) -> dict:
        """JSON-ready form, with slots sorted and weekly totals computed."""
        d = asdict(self)
        d["slots"] = [asdict(s) for s in sorted(self.slots, key=lambda s: (DAYS.index(s.day), s.opens))]
        d["weekly_walkin_minutes"] = self.weekly_minutes(ACCESS_WALK_IN)
        d["weekly_appointment_minutes"] = self.weekly_minutes(ACCESS_APPOINTMENT)
        return d


def _to_minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


class ParseError(Exception):
    """A page could not be read: the message names what was expected and not found."""


class NoScheduleFound(ParseError):
    """A page fetched fine but yielded no schedule at all (possible layout drift)."""


def hhmm(minutes: int) -> str:
    """``570`` → ``"09:30"``: the inverse of the model's "HH:MM" strings (``1440`` → ``"24:00"``)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
