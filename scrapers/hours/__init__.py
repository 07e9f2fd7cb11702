"""Opening hours: pages and texts of Belgian administrations → :class:`~scrapers.hours.model.CounterSchedule`.

``parse_page(html, language=..., parser="auto")`` returns one schedule per reception point or
phone line found on the page, or raises :class:`~scrapers.hours.model.NoScheduleFound` /
:class:`~scrapers.hours.model.ParseError`; it never returns an empty list. ``parse_text`` reads one
free-text hours description.

Layouts (``parser``): ``jsonld`` (schema.org data), ``table`` (a row per day), ``dl`` (``<dt>``
day, ``<dd>`` hours), ``text`` (sentences). ``auto`` tries JSON-LD first, then day tables and
lists, then free text, office block by office block.
"""

from __future__ import annotations

from scrapers.hours.blocks import OfficeBlock, linked_offices, read_offices
from scrapers.hours.cmsjson import cms_documents, read_cms_json, read_contact_json
from scrapers.hours.dom import parse_html
from scrapers.hours.jsonld import read_jsonld
from scrapers.hours.model import (
    ACCESS_APPOINTMENT,
    CHANNEL_PHONE,
    CounterSchedule,
    NoScheduleFound,
    ParseError,
    Slot,
    UnavailablePage,
)
from scrapers.hours.text import parse_text, read_hours_text
from scrapers.hours.timetext import LANGUAGES
from scrapers.hours.unavailable import unavailable_reason
from scrapers.text import fold
from scrapers.vocabulary import PARSERS

__all__ = [
    "MARKUP_TEXT_DISAGREE",
    "PARSERS",
    "NoScheduleFound",
    "ParseError",
    "UnavailablePage",
    "parse_page",
    "parse_text",
    "read_hours_text",
]

# Structured data and the visible text of the same office give different hours.
MARKUP_TEXT_DISAGREE = "markup and visible text disagree"
DISAGREEMENT_CONFIDENCE = 0.5
# Where counter hours may come from, in order of preference, for each parser.
_LAYOUTS = {"auto": ("table", "dl", "text"), "table": ("table",), "dl": ("dl",), "text": ("text",)}
_LOOKED_FOR = {
    "jsonld": 'JSON-LD (<script type="application/ld+json">) with openingHoursSpecification or openingHours',
    "table": "a <table> with one row per weekday",
    "dl": "a <dl> with weekday <dt> terms",
    "text": "sentences with days and opening times, appointment or closure statements",
}


def parse_page(html: str, *, language: str, parser: str = "auto") -> list[CounterSchedule]:
    """Read every office schedule (and phone line) published on a page.

    ``language`` (fr|nl|de|en) decides ambiguous day abbreviations ("ma" is *mardi* in French,
    *maandag* in Dutch). Raises NoScheduleFound naming what was looked for when the page holds
    no hours, ParseError when the only data is malformed (e.g. invalid JSON-LD), and
    UnavailablePage when the page is a maintenance, error or block page standing in for the site.
    """
    if parser not in PARSERS:
        raise ValueError(f"parser must be one of {', '.join(PARSERS)}, not {parser!r}")
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    docs = cms_documents(html, None)
    if docs:  # the page is a CMS directory's JSON answer (iMio "schedule")
        found = read_cms_json(docs, language) or read_contact_json(docs, language)
        if found:
            return found
        raise NoScheduleFound(
            "no opening hours found in the JSON document (looked for a directory 'schedule' and phone_numbers' hours)"
        )
    root = parse_html(html)
    if reason := unavailable_reason(root):
        raise UnavailablePage(f"the page stands in for the site (maintenance or error page): {reason}")
    structured, ld_errors = read_jsonld(root, language) if parser in ("auto", "jsonld") else ([], [])
    if not structured and parser == "auto":
        structured = read_cms_json(cms_documents(html, root), language)
    offices = read_offices(root, language)
    if structured:
        return _with_page_notes(structured, offices, language)
    if parser == "jsonld":
        raise _failure(ld_errors, [_LOOKED_FOR["jsonld"]])
    layouts = _LAYOUTS[parser]
    found, readings, unpublished = [], 0, []
    for office in offices:
        schedules = office.schedules(layouts)
        if schedules:
            found += schedules
            readings += 1
        elif parser == "auto" and (named := office.named_without_hours()) is not None:
            found.append(named)
            unpublished.append(named)
            # "Heures d'ouverture : voir le document PDF" is itself a reading; a bare name and
            # address alone is not (a contact page, or hours drawn by JavaScript: layout drift).
            readings += office.points_elsewhere()
    if readings:
        read = [s.name for s in found if s.channel != CHANNEL_PHONE and (s.slots or s.closed)]
        # An office named twice ("Bibliothèque municipale", then "Horaire de la bibliothèque
        # municipale" above its hours) is the one read with hours.
        twice = [s for s in unpublished if any(fold(s.name or "") in fold(n) for n in read if n)]
        found = [s for s in found if not any(s is t for t in twice)]
        if parser == "auto":
            found += linked_offices(root, read)
        # Counter schedules in page order, then phone lines (the page-level block often holds
        # both a phone line at the bottom and an intro at the top).
        return sorted(found, key=lambda s: s.channel == CHANNEL_PHONE)
    looked_for = [_LOOKED_FOR[p] for p in (("jsonld", *layouts) if parser == "auto" else layouts)]
    structures = sum(o.day_structures.get(kind, 0) for o in offices for kind in layouts)
    if structures:
        ld_errors.append(f"{structures} day table(s)/list(s) found but no hours could be read from them")
    raise _failure(ld_errors, looked_for)


def _failure(errors: list[str], looked_for: list[str]) -> ParseError:
    """ParseError when something was found but malformed, else NoScheduleFound."""
    if errors:
        return ParseError("; ".join(errors))
    return NoScheduleFound("no opening hours found; looked for " + "; ".join(looked_for))


def _with_page_notes(
    structured: list[CounterSchedule], offices: list[OfficeBlock], language: str
) -> list[CounterSchedule]:
    """JSON-LD schedules, completed by what the visible page says about the same offices.

    Structured data is often left untouched by a CMS when an office closes or goes
    appointment-only; the visible notice then wins. Phone lines shown on the page are added when
    the JSON-LD has none.
    """
    by_name = {fold(o.name): o for o in offices if o.name}
    counters = [s for s in structured if s.channel != CHANNEL_PHONE]
    for schedule in counters:
        office = by_name.get(fold(schedule.name or ""))
        if office is None and len(counters) == 1:
            flagged = [o for o in offices if o.reader.closed or o.reader.appointment_only]
            with_hours = [o for o in offices if any(d.channel != CHANNEL_PHONE for d in o.reader.drafts)]
            office = flagged[0] if len(flagged) == 1 else with_hours[0] if len(with_hours) == 1 else None
        if office is None:
            continue
        reader = office.reader
        visible = [s for s in office.schedules(("table", "dl", "text")) if s.channel != CHANNEL_PHONE and s.slots]
        if visible and schedule.slots and set(visible[0].slots) != set(schedule.slots):
            # Never pick one silently: say so, and the reading is unsure (unknown for events).
            shown = ", ".join(f"{s.day} {s.opens}-{s.closes}" for s in visible[0].slots[:8])
            schedule.unparsed.append(f"{MARKUP_TEXT_DISAGREE}: the visible page shows {shown}")
            schedule.confidence = min(schedule.confidence, DISAGREEMENT_CONFIDENCE)
        if reader.closed and not schedule.closed:
            schedule.closed, schedule.closed_reason = reader.closed, reader.closed_reason
            if reader.closed == "permanent":
                schedule.slots = []
        if reader.appointment_only and not schedule.appointment_only:
            schedule.appointment_only = True
            schedule.slots = [Slot(s.day, s.opens, s.closes, ACCESS_APPOINTMENT) for s in schedule.slots]
    if not any(s.channel == CHANNEL_PHONE for s in structured):
        structured += [s for o in offices for s in o.schedules(()) if s.channel == CHANNEL_PHONE]
    # Offices the visible page names that the structured data leaves out: their own hours (or
    # closure) from the visible text, or "hours not published here".
    known = {fold(s.name or "") for s in structured}
    for office in offices:
        if office.name and fold(office.name) not in known and office.heading is not None and not office.heading.boiler:
            visible = [s for s in office.schedules(("table", "dl", "text")) if s.channel != CHANNEL_PHONE]
            structured += visible or [s for s in [office.named_without_hours()] if s is not None]
    return structured
