"""The sample web's storyline: loading, validation, page state at a date, and the capture plan.

``storyline.yaml`` says what each sample page published over time; the sample registry says
where each page lived and which counters it lists. This module folds the two into what a
crawler would have met on each capture date, without rendering anything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml

from scrapers.hours.model import Slot
from scrapers.procedures.taxonomy import default_taxonomy
from scrapers.registry import Counter, Registry, Source, load_registry
from scrapers.vocabulary import (
    ACCESS_APPOINTMENT,
    ACCESS_WALK_IN,
    CHANNEL_STATUSES,
    DAYS,
    HOURS_LAYOUTS,
    NOT_STATED,
    PROCEDURE_CHANNELS,
)

HERE = Path(__file__).resolve().parent
STORYLINE_PATH = HERE / "storyline.yaml"
REGISTRIES_DIR = HERE.parent / "registries"
LAYOUTS = HOURS_LAYOUTS  # opening-hours pages
PROCEDURES_LAYOUT = "procedures"  # procedure pages (registry kind: procedures)
# hours_elsewhere: the office is still named on its page, but its hours moved to a PDF.
STATUSES = ("open", "temporarily_closed", "closed", "absent", "hours_elsewhere")
# Pages that answer 200 but stand in for the site: a maintenance notice, an error page.
STANDINS = ("maintenance", "error_page")
CAPTURE_HOUR = 9
REDIRECT_DELAY = dt.timedelta(seconds=4)  # the new URL is captured right after the 301
PAGE_LANGUAGES = ("fr", "nl")  # the languages templates/strings.yaml words pages in


class StorylineError(ValueError):
    """The storyline is inconsistent (with itself or the registry); the message names where."""


@dataclass(frozen=True)
class Capture:
    """One planned capture: what the crawler requested and what the server answered."""

    source_id: str
    url: str
    observed_at: dt.datetime  # aware, UTC
    status: int
    location: str | None = None  # for 301 answers
    page_date: str = ""  # ISO date whose storyline state the page shows
    standin: str | None = None  # a 200 page standing in for the site (STANDINS), not the page itself

    @property
    def timestamp(self) -> str:
        """14-digit Wayback timestamp."""
        return self.observed_at.strftime("%Y%m%d%H%M%S")


# ---------------------------------------------------------------------------------------------
# Storyline: loading, validation, state at a date


def load_storyline(path: Path = STORYLINE_PATH) -> dict:
    """Read the storyline YAML; every date becomes an ISO ``YYYY-MM-DD`` string."""
    return _iso_dates(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


def load_sample_registry(storyline: dict) -> Registry:
    """Load the registry the storyline refers to (``registry: sample`` → ``registries/sample.yaml``)."""
    return load_registry(REGISTRIES_DIR / f"{storyline['registry']}.yaml")


def _iso_dates(value):
    # PyYAML turns unquoted 2021-03-01 into a date (also as a mapping key): normalise once here.
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {_iso_dates(k): _iso_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso_dates(v) for v in value]
    return value


def parse_week(spec: dict | None) -> tuple[Slot, ...]:
    """Turn ``{"mo-fr": "09:00-12:00, 13:30-16:00", "we": "appointment: 13:00-16:00"}`` into slots.

    Later keys override earlier ones for the days they name; ``"closed"`` empties a day.
    """
    by_day: dict[str, list[Slot]] = {}
    for days_spec, hours in (spec or {}).items():
        for day in _expand_days(str(days_spec)):
            by_day[day] = _parse_hours(day, str(hours))
    return tuple(s for day in DAYS for s in by_day.get(day, []))


def _expand_days(spec: str) -> list[str]:
    days: list[str] = []
    for part in spec.split(","):
        part = part.strip()
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise StorylineError(f"week: unknown day spec {spec!r} (use mo, mo-fr or mo,we,fr)")
        days.extend(DAYS[DAYS.index(first) : DAYS.index(last or first) + 1])
    return days


def _parse_hours(day: str, hours: str) -> list[Slot]:
    hours = hours.strip()
    if hours == "closed":
        return []
    access = ACCESS_WALK_IN
    if hours.startswith("appointment:"):
        access, hours = ACCESS_APPOINTMENT, hours.removeprefix("appointment:")
    slots = []
    for interval in hours.split(","):
        opens, _, closes = interval.strip().partition("-")
        for t in (opens, closes):
            if len(t) != 5 or t[2] != ":" or not (t[:2] + t[3:]).isdigit():
                raise StorylineError(f"week: bad interval {interval!r} (use HH:MM-HH:MM)")
        if closes <= opens:
            raise StorylineError(f"week: interval {interval!r} closes before it opens")
        slots.append(Slot(day, opens, closes, access))
    return slots


def office_state(office: dict, day: str) -> dict | None:
    """The office as the page shows it on ``day`` (timeline entries folded up to that date).

    Returns None before the first entry. The result has ``name``, ``status``,
    ``appointment_only``, ``slots`` (with appointment access when appointment-only), ``since``,
    ``reopening`` and ``changed`` (the date of the last entry applied).
    """
    state: dict | None = None
    for entry in office["timeline"]:
        if entry["from"] > day:
            break
        base = state or {"name": office["name"], "status": "open", "appointment_only": False, "week": {}}
        state = {**base, **{k: v for k, v in entry.items() if k != "from"}, "changed": entry["from"]}
    if state is None:
        return None
    slots = parse_week(state["week"])
    if state["appointment_only"]:
        slots = tuple(Slot(s.day, s.opens, s.closes, ACCESS_APPOINTMENT) for s in slots)
    state["slots"] = slots
    return state


def intro_at(story: dict, day: str) -> tuple[str, str]:
    """The page's intro text on ``day`` and the date it was last changed."""
    intro = story["intro"]
    if isinstance(intro, str):
        return " ".join(intro.split()), ""
    text, changed = "", ""
    for entry in intro:
        if entry["from"] <= day:
            text, changed = " ".join(entry["text"].split()), entry["from"]
    return text, changed


def procedure_state(procedure: dict, day: str) -> dict | None:
    """A procedure as its page shows it on ``day`` (timeline entries folded up to that date).

    Returns None before the first entry. The result has ``title``, ``key`` (the taxonomy key the
    title must match, None for a procedure that is not in the taxonomy), ``channels`` (every
    channel of :data:`PROCEDURE_CHANNELS`, ``not_stated`` unless given), ``text`` (paragraphs)
    and ``changed`` (the date of the last entry applied). ``channels`` carry over from entry to
    entry; ``text`` is replaced when given.
    """
    state: dict | None = None
    for entry in procedure["timeline"]:
        if entry["from"] > day:
            break
        channels = dict(state["channels"]) if state else dict.fromkeys(PROCEDURE_CHANNELS, NOT_STATED)
        channels.update(entry.get("channels") or {})
        text = entry.get("text", state["text"] if state else [])
        state = {
            "title": procedure["title"],
            "key": procedure.get("key"),
            "channels": channels,
            "text": [" ".join(t.split()) for t in ([text] if isinstance(text, str) else text)],
            "changed": entry["from"],
        }
    return state


def is_procedures(story: dict) -> bool:
    """Whether a storyline source is a procedure page (``layout: procedures``)."""
    return story.get("layout") == PROCEDURES_LAYOUT


def validate_storyline(storyline: dict, registry: Registry) -> None:
    """Check the storyline against itself and the registry; raise StorylineError naming the problem."""
    stories = storyline.get("sources") or []
    ids = [s.get("source") for s in stories]
    reg_ids = [s.id for s in registry.sources]
    if sorted(ids) != sorted(reg_ids) or len(set(ids)) != len(ids):
        raise StorylineError(f"storyline sources {sorted(ids)} differ from registry sources {sorted(reg_ids)}")
    for story in stories:
        source = registry.source(story["source"])
        where = f"storyline source {source.id}"
        if (source.kind == "procedures") != is_procedures(story):
            raise StorylineError(
                f"{where}: registry kind {source.kind!r} needs layout "
                f"{PROCEDURES_LAYOUT if source.kind == 'procedures' else 'one of ' + str(LAYOUTS)}"
            )
        if story.get("layout") not in (*LAYOUTS, PROCEDURES_LAYOUT):
            raise StorylineError(f"{where}: layout {story.get('layout')!r}; expected one of {LAYOUTS} or procedures")
        if story["layout"] == "jsonld" and not story.get("jsonld"):
            raise StorylineError(f"{where}: the jsonld layout needs a 'jsonld' mapping")
        if source.language not in PAGE_LANGUAGES:
            raise StorylineError(f"{where}: no page wording for language {source.language!r}")
        captures = story.get("captures") or []
        if captures != sorted(set(captures)):
            raise StorylineError(f"{where}: captures must be sorted and unique")
        for day in story.get("errors") or {}:
            if day not in captures:
                raise StorylineError(f"{where}: error on {day}, which is not a capture date")
        for day, kind in (story.get("standins") or {}).items():
            if day not in captures or day in (story.get("errors") or {}):
                raise StorylineError(f"{where}: stand-in page on {day}, which is not a capture date without error")
            if kind not in STANDINS:
                raise StorylineError(f"{where}: stand-in page {kind!r} on {day}; expected one of {STANDINS}")
        if len(source.urls) > 1 and not story.get("moved_on"):
            raise StorylineError(f"{where}: the registry lists {len(source.urls)} URLs but no 'moved_on'")
        if story.get("moved_on") and len(source.urls) < 2:
            raise StorylineError(f"{where}: 'moved_on' needs an old and a new URL in the registry")
        redesigned = story.get("redesigned_on")
        if redesigned and not any(d >= redesigned for d in captures if d not in (story.get("errors") or {})):
            raise StorylineError(f"{where}: 'redesigned_on' {redesigned} is after every capture")
        if is_procedures(story):
            _validate_procedures(where, story, source)
            continue
        counters = [o["counter"] for o in story.get("offices") or []]
        declared = [c.id for c in source.counters]
        if sorted(counters) != sorted(declared):
            raise StorylineError(f"{where}: offices {counters} differ from registry counters {declared}")
        for office in story["offices"]:
            _validate_office(where, story, office, source)


def _validate_procedures(where: str, story: dict, source: Source) -> None:
    if source.counters or story.get("offices"):
        raise StorylineError(f"{where}: a procedure page lists procedures, not offices or counters")
    procedures = story.get("procedures") or []
    if not procedures:
        raise StorylineError(f"{where}: the procedures layout needs a non-empty 'procedures' list")
    titles = [p.get("title") for p in procedures]
    if len(set(titles)) != len(titles) or not all(titles):
        raise StorylineError(f"{where}: procedure titles must be given and unique, got {titles}")
    keys = set(default_taxonomy().keys)
    for procedure in procedures:
        here = f"{where}, procedure {procedure['title']!r}"
        if procedure.get("key") is not None and procedure["key"] not in keys:
            raise StorylineError(f"{here}: key {procedure['key']!r} is not in the procedure taxonomy")
        froms = [e["from"] for e in procedure.get("timeline") or []]
        if not froms or froms != sorted(froms) or froms[0] > story["captures"][0]:
            raise StorylineError(f"{here}: timeline must be sorted and start before the first capture")
        if not procedure["timeline"][0].get("text"):
            raise StorylineError(f"{here}: the first timeline entry needs a 'text'")
        for entry in procedure["timeline"]:
            for channel, status in (entry.get("channels") or {}).items():
                if channel not in PROCEDURE_CHANNELS or status not in CHANNEL_STATUSES:
                    raise StorylineError(f"{here}: channel {channel}: {status} on {entry['from']}; expected channels "
                                         f"{PROCEDURE_CHANNELS} with statuses {CHANNEL_STATUSES}")  # fmt: skip


def _validate_office(where: str, story: dict, office: dict, source: Source) -> None:
    counter = counter_of(source, office["counter"])
    where = f"{where}, office {counter.id}"
    froms = [e["from"] for e in office["timeline"]]
    if froms != sorted(froms) or froms[0] > story["captures"][0]:
        raise StorylineError(f"{where}: timeline must be sorted and start before the first capture")
    for day in story["captures"]:
        state = office_state(office, day)
        if state["status"] not in STATUSES:
            raise StorylineError(f"{where}: status {state['status']!r} on {day}; expected one of {STATUSES}")
        if state["status"] == "absent":
            continue
        shown = f"{state['name']} {counter.address or ''}".lower()
        if not any(m in shown for m in counter.match):
            raise StorylineError(f"{where}: none of {counter.match} appears in {shown!r} on {day}")
        # Collection matches offices to counters by these strings: exactly one must match.
        others = [c.id for c in source.counters if c is not counter and any(m in shown for m in c.match)]
        if others:
            raise StorylineError(f"{where}: {shown!r} also matches counters {others} on {day}")
        if story["layout"] == "jsonld" and state["status"] != "open":
            raise StorylineError(f"{where}: the jsonld layout cannot show status {state['status']!r}")
        for d in DAYS:
            if len({s.access for s in state["slots"] if s.day == d}) > 1:
                raise StorylineError(f"{where}: {d} mixes walk-in and appointment hours on {day}")
        if story["layout"] in ("text", "jsonld") and not state["appointment_only"]:
            if any(s.access == ACCESS_APPOINTMENT for s in state["slots"]):
                raise StorylineError(f"{where}: the {story['layout']} layout has no per-day appointment")


def counter_of(source: Source, counter_id: str) -> Counter:
    """The registry counter ``counter_id`` of ``source``, or StorylineError."""
    for c in source.counters:
        if c.id == counter_id:
            return c
    raise StorylineError(f"source {source.id}: counter {counter_id!r} is not in the registry")


# ---------------------------------------------------------------------------------------------
# Capture plan


def capture_time(source_id: str, day: str) -> dt.datetime:
    """09:00 UTC plus a fixed 0-15 minute offset per (source, date): varied, never wall-clock."""
    offset = int(hashlib.sha256(f"{source_id}|{day}".encode()).hexdigest()[:8], 16) % 900
    return dt.datetime.fromisoformat(day).replace(hour=CAPTURE_HOUR, tzinfo=dt.UTC) + dt.timedelta(seconds=offset)


def plan_captures(storyline: dict, registry: Registry) -> list[Capture]:
    """Every capture of every source, sorted by source then time."""
    plan = []
    for story in storyline["sources"]:
        source = registry.source(story["source"])
        errors = story.get("errors") or {}
        standins = story.get("standins") or {}
        moved_on = story.get("moved_on")
        for day in story["captures"]:
            at = capture_time(source.id, day)
            status = int(errors.get(day, 200))
            if moved_on and day >= moved_on:
                old, new = source.urls[0], source.urls[-1]
                plan.append(Capture(source.id, old, at, 301, location=new, page_date=day))
                plan.append(
                    Capture(source.id, new, at + REDIRECT_DELAY, status, page_date=day, standin=standins.get(day))
                )
            else:
                plan.append(Capture(source.id, source.urls[0], at, status, page_date=day, standin=standins.get(day)))
    return sorted(plan, key=lambda c: (c.source_id, c.observed_at, c.url))
