"""The printable one-page sheet of a ``guichets find`` answer: HTML and PDF (headless Chromium).

For the person a social worker is helping: the nearest counters with this week's hours in words,
phones, booking links, the help points of a procedure, and what the data cannot promise.
At most :data:`COUNTERS_ON_SHEET` counters, so that it fits one A4 page.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from warehouse.report.chromium import ChromiumError, print_pdf

COUNTERS_ON_SHEET = 4
HELP_POINTS_ON_SHEET = 2
TEXTS = {
    "fr": {"other_days": "Autres jours : pas d'horaire publié.",
           "title": "Où aller ?", "week": "Période :", "phone": "Tél.", "book": "Rendez-vous :",
           "seen": "Horaire lu sur le site le", "help": "Où trouver de l'aide", "channels": "Canaux publiés :",
           "none": "Aucun guichet enregistré dans la commune ni dans les communes voisines.",
           "caveat": "Horaires publiés par l'administration et relus à la date indiquée : ce n'est pas une "
                     "garantie. Téléphonez avant de vous déplacer.",
           "sample": "DONNÉES D'EXEMPLE ILLUSTRATIVES : ni les adresses, ni les horaires, ni les numéros "
                     "ne sont réels.",
           "more": "autres guichets dans la liste complète (guichets find)"},
    "nl": {"other_days": "Andere dagen: geen openingsuren gepubliceerd.",
           "title": "Waar kan ik terecht?", "week": "Periode:", "phone": "Tel.", "book": "Afspraak:",
           "seen": "Openingsuren gelezen op de website op", "help": "Waar vind ik hulp",
           "channels": "Gepubliceerde kanalen:",
           "none": "Geen geregistreerd loket in de gemeente of in de buurgemeenten.",
           "caveat": "Openingsuren zoals gepubliceerd door de overheid en gelezen op de vermelde datum: geen "
                     "garantie. Bel voor u gaat.",
           "sample": "ILLUSTRATIEVE VOORBEELDGEGEVENS: adressen, openingsuren en nummers zijn niet echt.",
           "more": "andere loketten in de volledige lijst (guichets find)"},
    "de": {"other_days": "Andere Tage: keine Öffnungszeiten veröffentlicht.",
           "title": "Wohin?", "week": "Zeitraum:", "phone": "Tel.", "book": "Termin:",
           "seen": "Öffnungszeiten auf der Website gelesen am", "help": "Wo gibt es Hilfe",
           "channels": "Veröffentlichte Wege:",
           "none": "Kein registrierter Schalter in der Gemeinde oder den Nachbargemeinden.",
           "caveat": "Von der Verwaltung veröffentlichte Zeiten, am angegebenen Tag gelesen: keine Garantie. "
                     "Rufen Sie vorher an.",
           "sample": "ILLUSTRATIVE BEISPIELDATEN: Adressen, Zeiten und Nummern sind nicht echt.",
           "more": "weitere Schalter in der vollständigen Liste (guichets find)"},
    "en": {"other_days": "Other days: no hours published.",
           "title": "Where to go?", "week": "Period:", "phone": "Phone", "book": "Appointment:",
           "seen": "Hours read on the website on", "help": "Where to get help", "channels": "Published channels:",
           "none": "No registered counter in the commune or its neighbours.",
           "caveat": "Hours as published by the administration and read on the date shown: not a guarantee. "
                     "Call before going.",
           "sample": "ILLUSTRATIVE SAMPLE DATA: addresses, hours and numbers are not real.",
           "more": "more counters in the full list (guichets find)"},
}  # fmt: skip
CSS = """
@page { size: A4; margin: 12mm; }
body { font: 10.5pt/1.3 sans-serif; color: #000; margin: 0; }
h1 { font-size: 17pt; margin: 0 0 2mm; } h2 { font-size: 12pt; margin: 3mm 0 1mm; }
.sample { border: 2px solid #000; padding: 1.5mm; font-weight: bold; margin-bottom: 2mm; }
.counter { border-top: 1px solid #555; padding: 1.5mm 0; break-inside: avoid; }
.counter h3 { font-size: 11pt; margin: 0; } .meta { margin: 0.5mm 0; }
ul { margin: 0.5mm 0 0.5mm 5mm; padding: 0; } li { margin: 0; }
.closed { font-weight: bold; } .small { font-size: 8.5pt; color: #222; }
"""


class SheetError(RuntimeError):
    """The sheet could not be printed; the message says why."""


def _counter_html(c: dict, t: dict) -> str:
    # Days without published hours are left out (one line says so): the sheet must fit one page.
    shown = [d for d in c["days"] if d["closure_kind"] != "no_hours_that_day"]
    days = "".join(f'<li class="{"closed" if d["status"] == "closed" else ""}">{escape(d["text"])}</li>' for d in shown)
    if len(shown) < len(c["days"]):
        days += f"<li>{t['other_days']}</li>"
    meta = [escape(c["address"] or "")]
    if c["phone"]:
        meta.append(f"{t['phone']} {escape(c['phone'])}")
    if c["booking_url"]:
        meta.append(f"{t['book']} {escape(c['booking_url'])}")
    dist = f" — {c['distance_km']} km" if c["distance_km"] is not None else ""
    seen = (c["last_observed_at"] or "?")[:10]
    return (
        f'<div class="counter"><h3>{escape(c["name"])}{dist}</h3><p class="meta">{" · ".join(meta)}</p>'
        f'<ul>{days}</ul><p class="small">{t["seen"]} {seen}</p></div>'
    )


def channel_name(key: str, lang: str) -> str:
    """A channel in words, as the website names it (its strings have FR, NL, EN; German gets English)."""
    from warehouse.site.build import load_strings

    strings = load_strings()
    return strings.get(lang, strings["en"]).get(f"channel_{key}", key)


def sheet_html(answer: dict, lang: str) -> str:
    """The sheet as a self-contained HTML page."""
    t = TEXTS[lang]
    p = answer["place"]
    parts = [f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{t["title"]} – '
             f'{escape(p["name"])}</title><style>{CSS}</style></head><body>']  # fmt: skip
    if answer["illustrative"]:
        parts.append(f'<p class="sample" role="note">{t["sample"]}</p>')
    where = escape(p["name"]) + (f" ({escape(p['postcode'])})" if p["postcode"] else "")
    parts.append(f"<h1>{t['title']} {where}</h1>")
    parts.append(f"<p>{t['week']} {answer['period']['from']} – {answer['period']['to']}</p>")
    counters = answer["counters"]
    parts.extend(_counter_html(c, t) for c in counters[:COUNTERS_ON_SHEET])
    if not counters:
        parts.append(f"<p>{t['none']}</p>")
    elif len(counters) > COUNTERS_ON_SHEET:
        parts.append(f'<p class="small">+ {len(counters) - COUNTERS_ON_SHEET} {t["more"]}</p>')
    proc = answer.get("procedure")
    if proc:
        parts.append(f"<h2>{escape(proc['label'])} — {t['help']}</h2>")
        chans = sorted({ch for cat in proc["catalogues"] for ch in cat["channels_available"]})
        if chans:
            names = ", ".join(channel_name(ch, lang) for ch in chans)
            parts.append(f'<p class="small">{t["channels"]} {escape(names)}</p>')
        parts.extend(_counter_html(h, t) for h in proc["help_points"][:HELP_POINTS_ON_SHEET])
    parts.append(f'<p class="small">{t["caveat"]} (release {escape(str(answer["release"]))})</p></body></html>')
    return "".join(parts)


def write_sheet(answer: dict, out_dir: Path, lang: str) -> list[Path]:
    """Write ``sheet-<lang>.html`` and ``sheet-<lang>.pdf`` into ``out_dir``; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html = out_dir / f"sheet-{lang}.html"
    html.write_text(sheet_html(answer, lang), encoding="utf-8")
    try:
        pdf = print_pdf(html, out_dir / f"sheet-{lang}.pdf")
    except ChromiumError as exc:
        raise SheetError(f"{exc}\n(the HTML sheet was written: {html})") from exc
    return [html, pdf]
