"""Opening hours in the JSON of municipal CMS directories.

Many Walloon communes publish their services with iMio's Plone directory (``imio.directory``,
rendered by the "smartweb" sites): a contact's hours are JSON, either the REST answer itself or
embedded in the page (``<script type="application/json">``)::

    "schedule": {"monday": {"morningstart": "08:00", "morningend": "12:00",
                            "afternoonstart": "13:00", "afternoonend": "15:00", "comment": "..."}, ...},
    "multi_schedule": [{"dates": [{"start_date": "2021-07-01", "end_date": "2021-08-31"}], "schedule": {...}}],
    "exceptional_closure": [{"date": "2021-06-16", "title": "Fermeture exceptionnelle"}]

A day with a morning start and an afternoon end only is one continuous slot ("Toute la
journée"); an empty day is closed. ``multi_schedule`` entries are dated regimes (holiday
hours), ``exceptional_closure`` dated exceptions: neither is the normal week. A day's comment
that says appointment ("Sur rendez-vous", "Op afspraak") makes its slots appointment slots.

Contact directories in JSON (GOV.UK's content items) give phone lines as ``phone_numbers``
entries whose ``open_hours`` is an HTML fragment ("<p>8am to 8pm, Monday to Friday</p>"), or
whose title holds the hours: :func:`read_contact_json` reads them as phone lines.
"""

from __future__ import annotations

import json
from typing import Any

import lxml.html
from lxml import etree

from scrapers.hours import timetext as tt
from scrapers.hours.dom import text_of
from scrapers.hours.grammar import join_evidence, make_slot
from scrapers.hours.jsonld import find_json_objects
from scrapers.hours.model import ACCESS_APPOINTMENT, ACCESS_WALK_IN, CHANNEL_PHONE, DAYS, CounterSchedule, Regime
from scrapers.hours.reader import Reader

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_PARTS = ("morningstart", "morningend", "afternoonstart", "afternoonend")
_OPEN_HOURS_KEYS = ("open_hours", "opening_hours", "hours")


def cms_documents(html: str, root: etree._Element | None) -> list[Any]:
    """JSON documents to look into: the page itself when it is JSON, and the JSON scripts it embeds."""
    stripped = html.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            return [json.loads(stripped)]
        except ValueError:
            return []
    docs = []
    for script in root.iter("script") if root is not None else ():
        kind = (script.get("type") or "").lower()
        if kind == "application/json" and script.text and '"schedule"' in script.text:
            try:
                docs.append(json.loads(script.text))
            except ValueError:
                continue
    return docs


def read_cms_json(docs: list[Any], language: str) -> list[CounterSchedule]:
    """Schedules of every directory contact with a ``schedule`` in ``docs``."""
    found = [
        node
        for doc in docs
        for node, _ in find_json_objects(doc, lambda d: is_weekly(d.get("schedule")), inside_found=False)
    ]
    return [s for node in found if (s := _schedule(node, language)) is not None]


def read_contact_json(docs: list[Any], language: str) -> list[CounterSchedule]:
    """Phone lines of a contact directory's JSON (GOV.UK content items and the like): objects with
    a ``phone_numbers`` list whose entries give their hours as HTML (``open_hours``) or in their
    title ("Open Monday to Friday, 9am to 5pm"). Hours written there are the line's hours."""
    found = []
    for doc in docs:
        for node, _ in find_json_objects(doc, _has_phone_numbers):
            for entry in node["phone_numbers"]:
                if isinstance(entry, dict) and (schedule := _phone_line(node, entry, language)) is not None:
                    found.append(schedule)
    return found


def _has_phone_numbers(node: dict) -> bool:
    return isinstance(node.get("phone_numbers"), list)


def _phone_line(contact: dict, entry: dict, language: str) -> CounterSchedule | None:
    """The hours of one phone entry, named by its title, or by its contact's title when the title
    is where the hours are written."""
    title = str(entry.get("title") or "").strip()
    hours = next((str(entry[k]) for k in _OPEN_HOURS_KEYS if str(entry.get(k) or "").strip()), "")
    if hours:
        text = text_of(lxml.html.fragment_fromstring(hours, create_parent="div"), br="\n")
        name = title or str(contact.get("title") or "").strip()
    else:  # "Open Monday to Friday, 9am to 5pm" as the number's title
        text, name = title, str(contact.get("title") or "").strip()
    if not text.strip():
        return None
    reader = Reader(language)
    reader.feed(text, "text", channel=CHANNEL_PHONE)
    lines = [s for s in reader.schedules(name or None, None, ("text",)) if s.slots]
    return lines[0] if lines else None


def is_weekly(value: Any) -> bool:
    """A weekday → {morningstart, ...} mapping (iMio's ``schedule`` field)."""
    return isinstance(value, dict) and any(
        isinstance(value.get(day), dict) and any(k in value[day] for k in _PARTS) for day in _WEEKDAYS
    )


def _minutes(value: Any) -> int | None:
    if not isinstance(value, str) or len(value) < 4 or value[-3] != ":":
        return None
    try:
        hours, minutes = int(value[:-3]), int(value[-2:])
    except ValueError:
        return None
    return hours * 60 + minutes if 0 <= hours <= 24 and 0 <= minutes < 60 else None


def _day_intervals(day: dict) -> list[tuple[int, int]]:
    ms, me, as_, ae = (_minutes(day.get(k)) for k in _PARTS)
    out = []
    if ms is not None and me is not None and ms < me:
        out.append((ms, me))
    if as_ is not None and ae is not None and as_ < ae:
        out.append((as_, ae))
    if not out and ms is not None and ae is not None and ms < ae and me is None and as_ is None:
        out.append((ms, ae))  # "Toute la journée": no lunch break
    return out


def _week(schedule: dict, language: str) -> list:
    slots = []
    for i, name in enumerate(_WEEKDAYS):
        day = schedule.get(name)
        if not isinstance(day, dict):
            continue
        access = ACCESS_APPOINTMENT if tt.says(str(day.get("comment") or ""), language, tt.APPT) else ACCESS_WALK_IN
        slots += [make_slot(i, o, c, access) for o, c in _day_intervals(day)]
    return slots


def _schedule(node: dict, language: str) -> CounterSchedule | None:
    slots = _week(node["schedule"], language)
    regimes = []
    for entry in node.get("multi_schedule") or []:
        if not isinstance(entry, dict) or not is_weekly(entry.get("schedule")):
            continue
        period_slots = _week(entry["schedule"], language)
        for dates in entry.get("dates") or []:
            if isinstance(dates, dict):
                regimes.append(Regime("period", "multi_schedule", list(period_slots), closed=not period_slots,
                                      date_from=dates.get("start_date"), date_to=dates.get("end_date")))  # fmt: skip
    exceptions = [
        Regime("date", str(c.get("title") or "exceptional_closure"), [], closed=True, date_from=c.get("date"),
               date_to=c.get("date"))
        for c in node.get("exceptional_closure") or [] if isinstance(c, dict) and c.get("date")
    ]  # fmt: skip
    if not slots and not regimes:
        return None
    street = " ".join(str(node.get(k) or "").strip() for k in ("street", "number")).strip()
    town = " ".join(str(node.get(k) or "").strip() for k in ("zipcode", "city")).strip()
    schedule = CounterSchedule(
        name=str(node.get("title") or "").strip() or None,
        address=", ".join(p for p in (street, town) if p) or None,
        slots=slots,
        appointment_only=bool(slots) and all(s.access == ACCESS_APPOINTMENT for s in slots),
        layout="cms-json",
        evidence=join_evidence([json.dumps(node["schedule"], ensure_ascii=False, sort_keys=True)]),
        confidence=1.0,
        regimes=regimes,
        exceptions=exceptions,
    )
    schedule.slots = sorted(schedule.slots, key=lambda s: (DAYS.index(s.day), s.opens))
    return schedule
