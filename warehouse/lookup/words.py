"""A counter's day in words, in French, Dutch, German or English.

"lundi 8 h 30 – 12 h, sans rendez-vous" / "maandag 8.30 – 12 uur, zonder afspraak" /
"Montag 8.30 – 12 Uhr, ohne Termin" / "Monday 8:30 – 12:00, walk-in".
"""

from __future__ import annotations

from datetime import date

WEEKDAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
PHRASES = {
    "fr": {"walk_in": "sans rendez-vous", "appointment": "sur rendez-vous", "closed": "fermé",
           "unknown": "horaire inconnu", "and": "et", "no_hours_that_day": "pas d'horaire publié ce jour",
           "counter_closed": "guichet fermé", "exception": "fermeture annoncée", "regime": "horaire saisonnier : fermé",
           "community_holiday": "jour férié communautaire : certains services ferment"},
    "nl": {"walk_in": "zonder afspraak", "appointment": "op afspraak", "closed": "gesloten",
           "unknown": "openingsuren onbekend", "and": "en", "no_hours_that_day": "geen openingsuren gepubliceerd",
           "counter_closed": "loket gesloten", "exception": "aangekondigde sluiting",
           "regime": "seizoensuren: gesloten",
           "community_holiday": "feestdag van een gemeenschap: sommige diensten sluiten"},
    "de": {"walk_in": "ohne Termin", "appointment": "mit Termin", "closed": "geschlossen",
           "unknown": "Öffnungszeiten unbekannt", "and": "und",
           "no_hours_that_day": "keine Öffnungszeiten veröffentlicht",
           "counter_closed": "Schalter geschlossen", "exception": "angekündigte Schließung",
           "regime": "Saisonzeiten: geschlossen",
           "community_holiday": "Feiertag einer Gemeinschaft: manche Dienste schließen"},
    "en": {"walk_in": "walk-in", "appointment": "by appointment", "closed": "closed", "unknown": "hours unknown",
           "and": "and", "no_hours_that_day": "no hours published that day", "counter_closed": "counter closed",
           "exception": "announced closure", "regime": "seasonal hours: closed",
           "community_holiday": "community holiday: some offices close"},
}  # fmt: skip


def clock(hhmm: str, lang: str) -> str:
    """ "08:30" → "8 h 30" (fr), "8.30" (nl, de), "8:30" (en); whole hours drop the minutes except in English."""
    h, m = (int(x) for x in hhmm.split(":"))
    if lang == "fr":
        return f"{h} h {m:02d}" if m else f"{h} h"
    if lang in ("nl", "de"):
        return f"{h}.{m:02d}" if m else f"{h}"
    return f"{h}:{m:02d}"


def intervals(text: str | None, lang: str) -> str | None:
    """ "08:30-12:00, 13:00-16:00" → "8 h 30 – 12 h et 13 h – 16 h" (``None`` for none)."""
    if not text:
        return None
    parts = []
    for iv in text.split(", "):
        opens, closes = iv.split("-")
        parts.append(f"{clock(opens, lang)} – {clock(closes, lang)}")
    unit = {"nl": " uur", "de": " Uhr"}.get(lang, "")
    joined = f" {PHRASES[lang]['and']} ".join(parts)
    return joined + unit


def day_in_words(day: dict, lang: str) -> str:
    """One calendar row (fct_counter_calendar's columns) as a sentence."""
    d = day["calendar_date"]
    d = d if isinstance(d, date) else date.fromisoformat(str(d))
    name = WEEKDAYS[lang][d.weekday()]
    words = PHRASES[lang]
    status = day["day_status"]
    if status == "unknown":
        return f"{name} : {words['unknown']}" if lang == "fr" else f"{name}: {words['unknown']}"
    sep = " : " if lang == "fr" else ": "
    if status == "closed":
        kind = day.get("closure_kind")
        if kind == "public_holiday":
            why = day.get(f"holiday_name_{lang}") or day.get("holiday_name_fr")
        elif kind == "counter_closed":
            why = words["counter_closed"] + (f" ({day['closure_reason']})" if day.get("closure_reason") else "")
        else:
            why = words.get(kind or "", None)
        return f"{name}{sep}{words['closed']}" + (f" ({why})" if why else "")
    pieces = []
    walk = intervals(day.get("walk_in_hours"), lang)
    if walk:
        pieces.append(f"{walk}, {words['walk_in']}")
    appt = intervals(day.get("appointment_hours"), lang)
    if appt:
        pieces.append(f"{appt}, {words['appointment']}")
    text = f"{name} " + " ; ".join(pieces) if lang == "fr" else f"{name} " + "; ".join(pieces)
    if day.get("holiday_name_fr") and not day.get("is_legal_holiday"):
        text += f" ({words['community_holiday']})"
    return text
