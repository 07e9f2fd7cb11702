"""Every closed list of the project, in one place: the values a field may take, and what they mean.

Python code imports these lists from here; nothing else in Python spells them out. dbt cannot
import Python, so the vocabularies its SQL reasons about — the counter states, the states read
on one observation, the event types — are also written as dbt seeds (``dbt/seeds/<name>.csv``)
generated from this module, and the SQL reads their flags (``is_active``, ``is_closed``…)
instead of writing lists of states. ``tests/unit/test_vocabulary.py`` checks that the seeds and the
dbt YAML's ``accepted_values`` say what this module says. Regenerate the seeds after changing
a vocabulary here::

    python -m scrapers.vocabulary

The seed rows are the order of the tuples below (the order the docs present them in).
"""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass, fields
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[1] / "dbt" / "seeds"

# --- The opening-hours model (scrapers/hours/model.py) -------------------------------------------
DAYS: tuple[str, ...] = ("mo", "tu", "we", "th", "fr", "sa", "su")  # ISO order: Monday first
ACCESS_WALK_IN = "walk_in"
ACCESS_APPOINTMENT = "appointment"
ACCESS_MODES: tuple[str, ...] = (ACCESS_WALK_IN, ACCESS_APPOINTMENT)
CHANNEL_COUNTER = "counter"
CHANNEL_PHONE = "phone"  # phone hours are never counter hours
SCHEDULE_CHANNELS: tuple[str, ...] = (CHANNEL_COUNTER, CHANNEL_PHONE)
CLOSURE_KINDS: tuple[str, ...] = ("temporary", "permanent")  # CounterSchedule.closed, when set
# Regimes other than the normal week, and rules that are not weekly.
REGIME_KINDS: tuple[str, ...] = (
    "summer", "school_holidays", "public_holidays", "christmas", "winter", "exceptional", "period",
)  # fmt: skip
EXCEPTION_KINDS: tuple[str, ...] = ("monthly", "date")

# --- Pages and the registry (scrapers/registry/__init__.py) --------------------------------------------
LANGUAGES: tuple[str, ...] = ("fr", "nl", "de", "en")  # languages pages are read in; also the tie-breaking order
REPORT_LANGUAGES: tuple[str, ...] = ("fr", "nl", "en")  # languages the report and the release metadata are written in
NATIONAL_LANGUAGES: tuple[str, ...] = ("fr", "nl", "de")  # Belgium's official languages
HOURS_LAYOUTS: tuple[str, ...] = ("jsonld", "table", "dl", "text")  # how a page lays out its hours
PARSERS: tuple[str, ...] = ("auto", *HOURS_LAYOUTS)  # "auto" dispatches on the page's layout
SOURCE_KINDS: tuple[str, ...] = ("opening_hours", "procedures")
ADMINISTRATION_LEVELS: tuple[str, ...] = ("federal", "regional", "union", "mutuality", "commune", "cpas")
REGIONS: tuple[str, ...] = ("federal", "brussels", "wallonia", "flanders", "german_community")
MUNICIPALITY_REGIONS: tuple[str, ...] = ("flanders", "wallonia", "brussels")  # the regions communes belong to
CADENCES: tuple[str, ...] = ("daily", "weekly", "monthly")

# --- Captures (docs/architecture.md, the collection -> load contract) -------------------------
ORIGINS: tuple[str, ...] = ("web_archive", "live")
PARSE_OK = "ok"
PARSE_NO_DATA = "no_data"  # nothing found where the page should have data: unknown, never closed
PARSE_UNAVAILABLE = "unavailable"  # a maintenance or error page served with 200
PARSE_ERROR = "parse_error"
NOT_PARSED = "not_parsed"  # no page to read: a fetch error, an HTTP error, another content type
PARSE_STATUSES: tuple[str, ...] = (PARSE_OK, PARSE_NO_DATA, PARSE_UNAVAILABLE, PARSE_ERROR, NOT_PARSED)
# What became of a capture (int_captures_classified.capture_outcome): only `successful` is read.
# A capture that was received but not read keeps its parse status as its outcome.
OUTCOME_SUCCESSFUL = "successful"
OUTCOME_FETCH_ERROR = "fetch_error"
OUTCOME_HTTP_ERROR = "http_error"
CAPTURE_OUTCOMES: tuple[str, ...] = (
    OUTCOME_SUCCESSFUL, OUTCOME_FETCH_ERROR, OUTCOME_HTTP_ERROR,
    PARSE_UNAVAILABLE, PARSE_NO_DATA, PARSE_ERROR, NOT_PARSED,
)  # fmt: skip

# --- Procedures and their channels (docs/procedures.md) ---------------------------------------
PROCEDURE_ONLINE = "online"
PROCEDURE_DIGITAL_ID = "online_digital_identity"
PROCEDURE_WALK_IN = "counter_walk_in"
PROCEDURE_APPOINTMENT = "counter_appointment"
PROCEDURE_PHONE = "phone"
PROCEDURE_POST = "post"
PROCEDURE_INTERMEDIARY = "intermediary"
PROCEDURE_CHANNELS: tuple[str, ...] = (
    PROCEDURE_ONLINE,
    PROCEDURE_DIGITAL_ID,
    PROCEDURE_WALK_IN,
    PROCEDURE_APPOINTMENT,
    PROCEDURE_PHONE,
    PROCEDURE_POST,
    PROCEDURE_INTERMEDIARY,
)
AVAILABLE = "available"
NOT_AVAILABLE = "not_available"
NOT_STATED = "not_stated"
CHANNEL_STATUSES: tuple[str, ...] = (AVAILABLE, NOT_AVAILABLE, NOT_STATED)


# --- Counters: what one observation reads, the states of the history, the events -------------
@dataclass(frozen=True)
class CounterState:
    """A state of a counter's history (``fct_counter_history.state``), with the classes the SQL uses."""

    state: str
    is_active: bool  # people can go there, with or without an appointment
    is_listed: bool  # its page lists it (so a later absence is a closure, not `not_listed`)
    is_closed: bool  # closed, for good or for a while
    is_off_page: bool  # not on its page: a further absence continues the state
    is_hours_unknown: bool  # counts as unknown hours in the indicators
    description: str


COUNTER_STATES: tuple[CounterState, ...] = (
    CounterState("open", True, True, False, False, False, "Listed with at least one walk-in slot."),
    CounterState("appointment_only", True, True, False, False, False,
                 "Listed, every slot by appointment (or the page says appointment only)."),
    CounterState("no_hours", False, True, False, False, True, "Listed without hours."),
    CounterState("closed_temporary", False, True, True, False, False, "The page announces a temporary closure."),
    CounterState("closed", False, False, True, True, False,
                 "Closed for good: announced by the page, or absent from it on enough successful captures."),
    CounterState("not_listed", False, False, False, True, True,
                 "Missing from its page before it was ever listed there: never a closure."),
)  # fmt: skip
STATE_NAMES: tuple[str, ...] = tuple(s.state for s in COUNTER_STATES)
ACTIVE_STATES: tuple[str, ...] = tuple(s.state for s in COUNTER_STATES if s.is_active)
UNOBSERVED = "unobserved"  # dim_counter.current_state of a counter never observed: not a history state


@dataclass(frozen=True)
class ObservedState:
    """What one successful capture says about one registered counter (``observed_state``)."""

    observed_state: str
    is_active: bool
    is_listed: bool  # the page lists the counter (every observed state but `absent`)
    is_closed: bool
    description: str


OBSERVED_STATES: tuple[ObservedState, ...] = (
    ObservedState("closed_permanent", False, True, True, "The page says the counter is closed for good."),
    ObservedState("closed_temporary", False, True, True, "The page says the counter is closed for a while."),
    ObservedState("open", True, True, False, "At least one walk-in slot."),
    ObservedState("appointment_only", True, True, False, "Every slot by appointment, or the schedule says so."),
    ObservedState("no_hours", False, True, False, "Listed without hours."),
    ObservedState("absent", False, False, False, "The page lists other reception points, not this one."),
)
OBSERVED_STATE_NAMES: tuple[str, ...] = tuple(s.observed_state for s in OBSERVED_STATES)


@dataclass(frozen=True)
class EventType:
    """A change in a counter's history (``fct_counter_events.event_type``)."""

    event_type: str
    is_closure: bool  # the counter closes (its closure reason is kept)
    description: str


EVENT_TYPES: tuple[EventType, ...] = (
    EventType("opened", False, "First listed (with or without hours)."),
    EventType("closed", True, "Closed for good after being listed."),
    EventType("reopened", False, "Open or appointment-only again after a closure."),
    EventType("temporarily_closed", True, "The page announces a temporary closure."),
    EventType("became_appointment_only", False, "From walk-in to appointment only."),
    EventType("walk_in_restored", False, "From appointment only back to walk-in."),
    EventType("hours_reduced", False, "Fewer published minutes per week."),
    EventType("hours_increased", False, "More published minutes per week."),
    EventType("days_open_cut", False, "Fewer days with published hours."),
    EventType("replaced_by_partner_or_online", False,
              "Closed with a notice sending people to a partner point or an online service."),
)  # fmt: skip
EVENT_TYPE_NAMES: tuple[str, ...] = tuple(e.event_type for e in EVENT_TYPES)
CLOSURE_EVENTS: tuple[str, ...] = tuple(e.event_type for e in EVENT_TYPES if e.is_closure)

# The dbt seeds written from this module: seed name -> rows.
SEEDS: dict[str, tuple] = {
    "counter_states": COUNTER_STATES,
    "counter_observed_states": OBSERVED_STATES,
    "event_types": EVENT_TYPES,
}


def seed_csv(name: str) -> str:
    """The CSV text of one seed (header, then one row per value; booleans as ``true``/``false``)."""
    rows = SEEDS[name]
    columns = [f.name for f in fields(rows[0])]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        values = (getattr(row, c) for c in columns)
        writer.writerow(str(v).lower() if isinstance(v, bool) else v for v in values)
    return out.getvalue()


def write_seeds(seeds_dir: Path = SEEDS_DIR) -> list[Path]:
    """Write every seed of :data:`SEEDS` into ``seeds_dir``; return the paths written."""
    paths = []
    for name in SEEDS:
        path = seeds_dir / f"{name}.csv"
        path.write_text(seed_csv(name), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in write_seeds(Path(sys.argv[1]) if len(sys.argv) > 1 else SEEDS_DIR):
        print(written)
