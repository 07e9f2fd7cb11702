"""HTML of the sample pages: page shells and office blocks in the four layouts, and procedure
pages (``layout: procedures``), FR and NL.

Templates live in ``templates/`` (one Jinja file per layout, wording in ``strings.yaml``);
this module turns a page state (see :mod:`scrapers.sample_web.story`) into their context.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import unicodedata
from pathlib import Path

import jinja2
import yaml

from scrapers.hours.model import ACCESS_APPOINTMENT, DAYS, Slot
from scrapers.registry import Counter, Registry, Source
from scrapers.sample_web.story import (
    PAGE_LANGUAGES,
    Capture,
    StorylineError,
    counter_of,
    intro_at,
    is_procedures,
    office_state,
    parse_week,
    procedure_state,
)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
SCHEMA_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@functools.cache
def _strings() -> dict:
    strings = yaml.safe_load((TEMPLATES_DIR / "strings.yaml").read_text(encoding="utf-8"))
    if set(strings) != set(PAGE_LANGUAGES):
        raise StorylineError(f"templates/strings.yaml words {sorted(strings)}; expected {PAGE_LANGUAGES}")
    return strings


@functools.cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["slug"] = _slug
    return env


def _slug(text: str) -> str:
    # "Mentions légales" → "mentions-legales", as CMSs build their paths.
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(ascii_text.lower().split())


def format_time(hhmm: str, lang: str, style: str) -> str:
    """``13:30`` → ``13h30`` (fr) / ``13u30`` (nl); ``09:00`` → ``9h00`` (long) or ``9h`` (short)."""
    hours, minutes = int(hhmm[:2]), hhmm[3:]
    unit = "h" if lang == "fr" else "u"
    return f"{hours}{unit}" if style == "short" and minutes == "00" else f"{hours}{unit}{minutes}"


def _text_time(hhmm: str, lang: str) -> str:
    # Running text: "9h", "13h30" in French; "9", "13.30" (before "uur") in Dutch.
    if lang == "fr":
        return format_time(hhmm, lang, "short")
    hours, minutes = int(hhmm[:2]), hhmm[3:]
    return str(hours) if minutes == "00" else f"{hours}.{minutes}"


def format_date(iso: str, lang: str) -> str:
    """``2023-09-01`` → ``1er septembre 2023`` (fr) / ``1 september 2023`` (nl)."""
    s = _strings()[lang]
    d = dt.date.fromisoformat(iso)
    day = s["first_of_month"] if d.day == 1 else str(d.day)
    return f"{day} {s['months'][d.month - 1]} {d.year}"


def cell_text(slots: list[Slot], lang: str, style: str) -> str:
    """One day's hours as a table or dl cell: ``9h00 - 12h00 et 13h30 - 16h00``."""
    s = _strings()[lang]
    if not slots:
        return s["cell_closed"]
    text = s["cell_join"].join(
        f"{format_time(x.opens, lang, style)} - {format_time(x.closes, lang, style)}" for x in slots
    )
    if slots[0].access == ACCESS_APPOINTMENT:
        return s["cell_appointment"].format(slots=text)
    return text


def week_phrases(slots: tuple[Slot, ...], lang: str) -> list[str]:
    """The week as running-text phrases, one per group of days with the same hours.

    ``["du lundi au vendredi de 9h à 12h et de 13h30 à 16h", "le samedi de 9h à 12h"]``.
    """
    s = _strings()[lang]
    by_day = {d: tuple((x.opens, x.closes) for x in slots if x.day == d) for d in DAYS}
    groups: dict[tuple, list[int]] = {}
    for i, d in enumerate(DAYS):
        if by_day[d]:
            groups.setdefault(by_day[d], []).append(i)
    phrases = []
    for intervals, days in groups.items():
        when = s["text_slot_join"].join(
            s["text_slot"].format(opens=_text_time(o, lang), closes=_text_time(c, lang)) for o, c in intervals
        )
        phrases.append(f"{_day_phrase(days, s)} {when}")
    return phrases


def _day_phrase(days: list[int], s: dict) -> str:
    runs: list[list[int]] = []
    for i in days:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            first, last = s["days_lower"][run[0]], s["days_lower"][run[-1]]
            parts.append(s["text_range"].format(first=first, last=last))
        else:
            for i in run:
                key = "text_single_next" if parts else "text_single"
                parts.append(s[key].format(day=s["days_lower"][i]))
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + s["text_list_join"] + parts[-1]


def _sentence(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:] + "."


def _split_address(address: str) -> dict:
    street, _, rest = address.rpartition(",")
    postcode, _, city = rest.strip().partition(" ")
    return {"streetAddress": street.strip(), "postalCode": postcode, "addressLocality": city}


def _office_context(state: dict, counter: Counter, story: dict, lang: str) -> dict:
    s = _strings()[lang]
    ctx = {
        "name": state["name"],
        "address": counter.address or "",
        "status": state["status"],
        "appointment_only": state["appointment_only"],
        "notice": "",
        "rows": [],
        "sentences": [],
        "slots": state["slots"],
    }
    if state["status"] == "temporarily_closed":
        ctx["notice"] = s["temporarily_closed"]
        if state.get("reopening"):
            ctx["notice"] += " " + s["reopening"].format(date=format_date(state["reopening"], lang))
        return ctx
    if state["status"] == "closed":
        since = format_date(state.get("since") or state["changed"], lang)
        ctx["notice"] = s["permanently_closed"].format(date=since) + " " + s["moved_elsewhere"]
        return ctx
    if state["status"] == "hours_elsewhere":
        ctx["notice"], ctx["slots"] = s["hours_elsewhere"], ()
        return ctx
    style = story.get("time_style", "long")
    shown_days = [d for d in DAYS[:5]] + [d for d in DAYS[5:] if any(x.day == d for x in state["slots"])]
    ctx["rows"] = [
        (s["days"][DAYS.index(d)], cell_text([x for x in state["slots"] if x.day == d], lang, style))
        for d in shown_days
    ]
    ctx["sentences"] = [_sentence(p) for p in week_phrases(state["slots"], lang)]
    return ctx


def _jsonld(story: dict, offices: list[dict], url: str, site_name: str, lang: str) -> str:
    conf = story["jsonld"]
    objects = []
    for o in offices:
        obj = {
            "@type": conf["type"],
            "name": o["name"],
            "url": url,
            "address": {"@type": "PostalAddress", **_split_address(o["address"]), "addressCountry": "BE"},
        }
        if o["appointment_only"]:
            obj["description"] = _strings()[lang]["appointment_only_short"]
        obj["openingHoursSpecification"] = _opening_specs(o["slots"], conf["days"])
        obj["parentOrganization"] = {"@type": "Organization", "name": site_name}
        objects.append(obj)
    if conf["container"] == "graph":
        doc: dict | list = {"@context": "https://schema.org", "@graph": objects}
    else:
        doc = [{"@context": "https://schema.org", **obj} for obj in objects]
    # "</" would end the <script> element early.
    return json.dumps(doc, ensure_ascii=False, indent=2).replace("</", "<\\/")


def _opening_specs(slots: tuple[Slot, ...], day_format: str) -> list[dict]:
    def spec(days, opens, closes):
        return {"@type": "OpeningHoursSpecification", "dayOfWeek": days, "opens": opens, "closes": closes}

    if day_format == "name-single":
        return [spec(SCHEMA_DAYS[DAYS.index(x.day)], x.opens, x.closes) for x in slots]
    prefix = "https://schema.org/" if day_format == "uri" else ""
    intervals: dict[tuple[str, str], list[str]] = {}
    for x in sorted(slots, key=lambda x: (x.opens, x.closes, DAYS.index(x.day))):
        intervals.setdefault((x.opens, x.closes), []).append(prefix + SCHEMA_DAYS[DAYS.index(x.day)])
    return [spec(days, o, c) for (o, c), days in intervals.items()]


def render_page(story: dict, source: Source, administration: str, day: str, url: str) -> str:
    """The HTML of a source's page as it stood on ``day``, served at ``url``."""
    lang = source.language
    s = _strings()[lang]
    offices, procedures, changed = [], [], []
    for office in story.get("offices") or []:
        state = office_state(office, day)
        changed.append(state["changed"])
        if state["status"] != "absent":
            counter = counter_of(source, office["counter"])
            offices.append(_office_context(state, counter, story, lang))
    for procedure in story.get("procedures") or []:
        state = procedure_state(procedure, day)
        changed.append(state["changed"])
        procedures.append({"title": state["title"], "paragraphs": state["text"]})
    intro, intro_changed = intro_at(story, day)
    last_changed = max([*changed, intro_changed])
    phone = ""
    if story.get("phone"):
        phrases = week_phrases(parse_week(story["phone"]), lang)
        phone = s["phone_sentence"].format(hours=", ".join(phrases))
    context = {
        "lang": lang,
        "s": s,
        "url": url,
        "title": story["title"],
        "site_name": story["site_name"],
        "administration": administration,
        "theme": story.get("theme", "default"),
        "intro": intro,
        "nav": story.get("nav", s["nav"]),
        "offices": offices,
        "procedures": procedures,
        "phone": phone,
        "year": day[:4],
        "last_updated": s["last_updated"].format(date=format_date(last_changed, lang)),
    }
    if story.get("redesigned_on") and day >= story["redesigned_on"]:
        return _env().get_template("layout_redesign.html.j2").render(context)
    if story["layout"] == "jsonld":
        context["jsonld"] = _jsonld(story, offices, url, story["site_name"], lang)
    if is_procedures(story):
        # A procedure catalogue sits under "Démarches" / "Diensten", not under "Contact".
        context["section"] = s["procedures_section"]
    return _env().get_template(f"layout_{story['layout']}.html.j2").render(context)


def _error_page(status: int, story: dict, source: Source, location: str | None) -> str:
    context = {
        "lang": source.language,
        "s": _strings()[source.language],
        "site_name": story["site_name"],
        "server": story.get("server", "nginx"),
        "location": location,
    }
    template = {301: "redirect_301", 500: "error_500", 503: "error_503"}.get(status)
    if template is None:
        raise StorylineError(f"source {source.id}: no page template for HTTP status {status}")
    return _env().get_template(f"{template}.html.j2").render(context)


def capture_body(capture: Capture, story: dict, source: Source, registry: Registry) -> bytes:
    """The HTTP body the server sent for ``capture`` (a page, an error page or a redirect body)."""
    if capture.status != 200:
        return _error_page(capture.status, story, source, capture.location).encode("utf-8")
    if capture.standin:
        context = {"lang": source.language, "s": _strings()[source.language], "site_name": story["site_name"]}
        return _env().get_template(f"standin_{capture.standin}.html.j2").render(context).encode("utf-8")
    admin = next(a for a in registry.administrations if a.id == source.administration)
    admin_name = (admin.name_fr if source.language == "fr" else admin.name_nl) or admin.name_fr or admin.name_nl
    return render_page(story, source, admin_name, capture.page_date, capture.url).encode("utf-8")
