"""schema.org opening hours in ``<script type="application/ld+json">`` (and in microdata).

Objects may come alone, in a list or in an ``@graph``, and nest (``department``,
``subOrganization``, ``location``...). Any object with ``openingHoursSpecification`` or
``openingHours`` is an office; a ``ContactPoint`` with ``hoursAvailable`` is a phone line.
``dayOfWeek`` may be a URL ("https://schema.org/Monday"), a bare name or an OSM code, alone or in
a list; ``openingHours`` strings follow the schema.org/OSM form "Mo-Fr 09:00-12:00". A
``description`` that says "Uniquement sur rendez-vous" or "définitivement fermé" sets the
office's flags.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from lxml import etree

from scrapers.hours import timetext as tt
from scrapers.hours.calendar import DatedDay, weekday_of, weekly_pattern
from scrapers.hours.grammar import join_evidence, make_slot
from scrapers.hours.microdata import microdata_items, rdfa_items
from scrapers.hours.model import (
    ACCESS_APPOINTMENT,
    ACCESS_WALK_IN,
    CHANNEL_COUNTER,
    CHANNEL_PHONE,
    DAYS,
    CounterSchedule,
    Regime,
)
from scrapers.hours.osm import normalize_osm, read_osm
from scrapers.hours.reader import Draft, Reader

_DAY_CODE = r"(?:Mo|Tu|We|Th|Fr|Sa|Su)"
_DAYS_ONLY = re.compile(rf"{_DAY_CODE}(?:-{_DAY_CODE})?(?:,{_DAY_CODE}(?:-{_DAY_CODE})?)*")
_HOURS_KEYS = ("openingHoursSpecification", "openingHours", "hoursAvailable")
_SKIP_KEYS = frozenset({*_HOURS_KEYS, "specialOpeningHoursSpecification", "address", "geo", "image", "logo"})
_SCHEMA_DAYS = {name: i for i, name in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday",
                                                  "saturday", "sunday"))}  # fmt: skip
_SCHEMA_DAYS.update({code: i for i, code in enumerate(DAYS)})
_TIME = re.compile(r"^\s*T?(\d{1,2})[:h.](\d\d)")
_LENIENT_FIXES = (
    (re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>)\s*$"), ""),
    (re.compile(r",\s*([}\]])"), r"\1"),  # trailing commas
)


def read_jsonld(root: etree._Element, language: str) -> tuple[list[CounterSchedule], list[str]]:
    """Schedules from the page's JSON-LD, and a message per block that could not be read."""
    schedules: list[CounterSchedule] = []
    errors: list[str] = []
    for n, data in jsonld_documents(root, errors):
        found, bad = schedules_from_data(data, language)
        schedules += found
        errors += [f"JSON-LD #{n}: opening hours of {name!r} could not be read" for name in bad]
    # Microdata and RDFa mark offices up inline; they are read only when there is no JSON-LD, which wins.
    for layout, items in (("microdata", microdata_items), ("rdfa", rdfa_items)):
        if schedules or errors:
            break
        found, bad = schedules_from_data(items(root), language)
        for schedule in found:
            schedule.layout = layout
        schedules += found
        errors += [f"{layout}: opening hours of {name!r} could not be read" for name in bad]
    return schedules, errors


def jsonld_documents(root: etree._Element, errors: list[str]) -> list[tuple[int, Any]]:
    """The parsed ``<script type="application/ld+json">`` blocks of a page, numbered from 1;
    a block that is not JSON (even leniently) adds a message to ``errors`` instead."""
    out = []
    scripts = [s for s in root.iter("script") if "ld+json" in (s.get("type") or "").lower()]
    for n, script in enumerate(scripts, 1):
        raw = script.text or ""
        if not raw.strip():
            continue
        try:
            out.append((n, _loads(raw)))
        except ValueError as exc:
            errors.append(f'invalid JSON-LD in <script type="application/ld+json"> #{n}: {exc}')
    return out


def schedules_from_data(data: Any, language: str) -> tuple[list[CounterSchedule], list[str | None]]:
    """Schedules from schema.org objects (parsed JSON-LD or microdata items), and the names of
    the offices whose hours could not be read."""
    nodes = find_json_objects(data, lambda d: any(k in d for k in _HOURS_KEYS), skip_keys=_SKIP_KEYS)
    schedules, bad = [], []
    for node, parent in nodes:
        schedule = _schedule(node, parent, language)
        if schedule is None:
            bad.append(_name(node, language))
        else:
            schedules.append(schedule)
    return schedules, bad


def _loads(raw: str) -> Any:
    try:
        return json.loads(raw, strict=False)
    except ValueError as first:
        # CMS output wrapped in comments or CDATA, or with trailing commas, is common and harmless.
        fixed = raw
        for pattern, repl in _LENIENT_FIXES:
            fixed = pattern.sub(repl, fixed)
        try:
            return json.loads(fixed, strict=False)
        except ValueError:
            raise first from None


def find_json_objects(
    data: Any,
    wanted: Callable[[dict], bool],
    *,
    skip_keys: frozenset[str] = frozenset(),
    inside_found: bool = True,
    max_depth: int = 12,
) -> list[tuple[dict, dict | None]]:
    """The objects of a parsed JSON document that ``wanted`` accepts, with the object that holds
    each (None at the top), in document order. ``inside_found``: look for more inside a found
    object too; ``skip_keys``: properties never looked into."""
    out: list[tuple[dict, dict | None]] = []

    def walk(value: Any, parent: dict | None, depth: int) -> None:
        if depth > max_depth:
            return
        if isinstance(value, list):
            for item in value:
                walk(item, parent, depth + 1)
        elif isinstance(value, dict):
            if wanted(value):
                out.append((value, parent))
                if not inside_found:
                    return
            for key, inner in value.items():
                if key not in skip_keys and isinstance(inner, dict | list):
                    walk(inner, value, depth + 1)

    walk(data, None, 0)
    return out


def _schedule(node: dict, parent: dict | None, language: str) -> CounterSchedule | None:
    types = node.get("@type")
    types = " ".join(types) if isinstance(types, list) else str(types or "")
    phone = "ContactPoint" in types
    specs = node.get("openingHoursSpecification") or node.get("hoursAvailable") or []
    drafts, unread, exceptions, confidence = _from_specs(specs if isinstance(specs, list) else [specs], language)
    strings = node.get("openingHours") or []
    for text in strings if isinstance(strings, list) else [strings]:
        found, bad = _from_osm(str(text))
        drafts += found
        unread += bad
    flags = Reader(language)
    flags.feed(jsonld_text(node.get("description"), language))
    if node.get("@label"):  # the label a widget shows above the office's calendar ("Op afspraak")
        flags.feed(str(node["@label"]))
    if not drafts and not exceptions and not flags.appointment_only and not flags.closed:
        return None
    name = _name(node, language) or (_name(parent, language) if phone and parent else None)
    # A channel named as a phone line ("Telefonisch", "Tele-service") is one, whatever its type.
    phone = phone or tt.says(name or "", language, tt.PHONE)
    appointment = (flags.appointment_only and not phone) or (
        bool(drafts) and all(d.access == ACCESS_APPOINTMENT for d in drafts)
    )
    default = ACCESS_APPOINTMENT if appointment else ACCESS_WALK_IN
    slots = sorted({make_slot(d.day, d.opens, d.closes, d.access or default) for d in drafts})
    if flags.closed == "permanent":
        slots = []
    evidence = {k: node[k] for k in ("name", *_HOURS_KEYS, "description") if k in node}
    return CounterSchedule(
        name=name,
        address=_address(node.get("address") or ((parent or {}).get("address") if phone else None)),
        slots=slots,
        appointment_only=appointment,
        closed=None if phone else flags.closed,
        closed_reason=None if phone else flags.closed_reason,
        channel=CHANNEL_PHONE if phone else CHANNEL_COUNTER,
        layout="jsonld",
        evidence=join_evidence([json.dumps(evidence, ensure_ascii=False, separators=(",", ":"), default=str)]),
        confidence=round(max(confidence * 0.7**unread, 0.1), 2),
        exceptions=exceptions,
    )


def _from_specs(specs: list, language: str) -> tuple[list[Draft], int, list[Regime], float]:
    """Drafts from OpeningHoursSpecification objects, how many could not be read, the exceptions
    a dated calendar shows, and the confidence of the reading."""
    objects = [s for s in specs if isinstance(s, dict)]
    unread = len(specs) - len(objects)
    regular = [s for s in objects if not (s.get("validFrom") or s.get("validThrough") or s.get("@date"))]
    dated = [s for s in objects if s not in regular and _one_date(s)]
    if not regular and dated:
        drafts, exceptions, confidence = _from_calendar(dated, language)
        return drafts, unread + len(objects) - len(dated), exceptions, confidence
    # Specifications limited in time are seasonal exceptions when undated ones exist.
    drafts: list[Draft] = []
    for spec in regular or objects:
        days = _days(spec.get("dayOfWeek"))
        intervals = _intervals(spec)
        if days is None or intervals is None:
            unread += 1
            continue
        access = _access(spec, language)
        drafts += [Draft(d, o, c, access, CHANNEL_COUNTER, "jsonld") for d in days for o, c in intervals]
    return drafts, unread, [], 1.0


def _intervals(spec: dict) -> list[tuple[int, int]] | None:
    """(opens, closes) in minutes; several when a specification lists several pairs in order
    (a calendar day "09:00-12:00 en 13:00-17:00"); [] for a closed day; None when unreadable."""
    opens = spec.get("opens") if isinstance(spec.get("opens"), list) else [spec.get("opens")]
    closes = spec.get("closes") if isinstance(spec.get("closes"), list) else [spec.get("closes")]
    if opens == [None] and closes == [None]:
        return [] if spec.get("@text") is not None else None  # a calendar day with no hours: closed
    out = []
    for o, c in zip(opens, closes, strict=False):
        o_min, c_min = _minutes(o), _minutes(c)
        if o_min is None or c_min is None or len(opens) != len(closes):
            return None
        if o_min == c_min == 0:
            continue  # schema.org's way of saying "closed that day"
        out.append((o_min, 24 * 60 if c_min == 0 or c_min < o_min else c_min))
    return out


def _access(spec: dict, language: str) -> str | None:
    """What a calendar day's own words say ("op afspraak", "by appointment"); None: not said."""
    text = spec.get("@text")
    return ACCESS_APPOINTMENT if text and tt.says(str(text), language, tt.APPT) else None


def _one_date(spec: dict) -> str | None:
    """The date a specification is for, when it is for one day only (a calendar day)."""

    def first(value: Any) -> str:
        return str((value[0] if value else "") if isinstance(value, list) else value or "")[:10]

    start, end = first(spec.get("validFrom")) or spec.get("@date", ""), first(spec.get("validThrough"))
    return start if start and (not end or end == start) else None


def _from_calendar(specs: list[dict], language: str) -> tuple[list[Draft], list[Regime], float]:
    """A calendar of dated specifications → its weekly pattern (:mod:`scrapers.hours.calendar`)."""
    days = []
    for spec in specs:
        iso, intervals = _one_date(spec), _intervals(spec)
        weekdays = _days(spec.get("dayOfWeek")) or []
        weekday = weekday_of(iso or "")
        if weekday is None and len(weekdays) == 1:
            weekday = weekdays[0]
        if intervals is None or weekday is None:
            continue
        access = _access(spec, language)
        days.append(DatedDay(iso or "", weekday, tuple((o, c, access) for o, c in intervals)))
    pattern = weekly_pattern(days)
    drafts = [Draft(d, o, c, acc, CHANNEL_COUNTER, "jsonld") for d, o, c, acc in pattern.weekly]
    return drafts, pattern.exceptions, pattern.confidence


def _from_osm(text: str) -> tuple[list[Draft], int]:
    """Drafts from an ``openingHours`` string ("Mo-Fr 09:00-12:00,13:00-16:00; Sa 09:00-12:00"),
    read with OSM's semantics by scrapers/hours/osm.py, and 1 when it said nothing readable."""
    # schema.org: days without times ("Mo-Su") are open all day on those days.
    text = ";".join(f"{rule} 00:00-24:00" if _DAYS_ONLY.fullmatch(rule.strip()) else rule
                    for rule in normalize_osm(text).split(";"))  # fmt: skip
    schedule = read_osm(text)
    drafts = [
        Draft(DAYS.index(s.day), _minutes(s.opens), _minutes(s.closes), None, CHANNEL_COUNTER, "jsonld")
        for s in schedule.slots
    ]
    said = drafts or schedule.regimes or schedule.exceptions or re.search(r"\b(?:off|closed)\b", text, re.I)
    return drafts, 0 if said or not text.strip() else 1


def _days(value: Any) -> list[int] | None:
    values = value if isinstance(value, list) else [value]
    out = []
    for v in values:
        if isinstance(v, dict):
            v = v.get("@id") or v.get("name")
        if not isinstance(v, str):
            return None
        key = re.split(r"[/:#]", v.strip())[-1].lower()
        if key == "publicholidays":
            continue
        if key not in _SCHEMA_DAYS:
            return None
        out.append(_SCHEMA_DAYS[key])
    return out or None


def _minutes(value: Any) -> int | None:
    m = _TIME.match(value) if isinstance(value, str) else None
    if m is None or int(m.group(1)) > 24 or int(m.group(2)) > 59:
        return None
    return int(m.group(1)) * 60 + int(m.group(2))


def jsonld_text(value: Any, language: str) -> str:
    """A plain string from a JSON-LD text value: a string, a language map or a list of them."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return str(value.get("@value") or "")
    if isinstance(value, list):
        texts = [v for v in value if isinstance(v, dict | str)]
        preferred = [v for v in texts if isinstance(v, dict) and v.get("@language", "").startswith(language)]
        return jsonld_text((preferred or texts or [""])[0], language)
    return ""


def _name(node: dict, language: str) -> str | None:
    return jsonld_text(node.get("name"), language).strip() or None


def _address(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str):
        return value.strip() or None
    if not isinstance(value, dict):
        return None
    street = str(value.get("streetAddress") or "").strip()
    town = " ".join(str(value.get(k) or "").strip() for k in ("postalCode", "addressLocality")).strip()
    return ", ".join(p for p in (street, town) if p) or None
