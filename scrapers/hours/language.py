"""Which of French, Dutch, German or English an opening-hours text (or a page) is written in.

The page language decides how day abbreviations are read ("ma" is *mardi* in French but
*maandag* in Dutch), so ``guichets hours parse --lang auto`` needs a guess that works on texts
as short as "ma-vr 9u-12u". A general-purpose detector is both heavy and poor on such strings;
this module scores the words that give these four languages away in hours texts instead:

- day names (also inside compounds: "dinsdagnamiddag", "montags") and month names;
- day abbreviations, only *in a day context* ("ma-vr", "Mo.-Fr.", "lu 9h"), since "ma", "je",
  "we" or "do" are ordinary words elsewhere;
- how times are written: "9h" (fr), "9u" / "9 uur" (nl), "9 Uhr" (de), "9am" (en);
- function words and hours vocabulary ("de", "à", "fermé", "van", "tot", "gesloten", "bis",
  "und", "the", "closed"...) and the appointment phrases;
- spelling: "à é è ç" (fr), "ä ö ü ß" (de), "ij" (nl), French elisions ("d'ouverture"), Dutch
  "'s morgens", and the endings of compounds ("Wetstraat", "Hauptstraße").

Only the standard library is used and one pass of a few regular expressions is made over at
most :data:`MAX_CHARS` characters, so a call costs microseconds on an hours text.

When nothing gives a language away the answer is :data:`DEFAULT_LANGUAGE` ("fr": most Belgian
administration pages are French or bilingual with French first). When languages tie, the first
tied one in :data:`LANGUAGES` order (fr, nl, de, en) wins, so a tie involving French is French.
"""

from __future__ import annotations

import html as html_lib
import re

from scrapers.vocabulary import LANGUAGES  # also the tie-breaking order

DEFAULT_LANGUAGE = "fr"
# A page's visible text rarely needs more than this to show its language; bounds the cost.
MAX_CHARS = 20_000

_DAY_NAMES = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "de": ("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonnabend", "sonntag"),
    "en": ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
}
_DAY_NAME_WEIGHT = 3.0

_MONTHS = {
    "fr": "janvier février fevrier mars avril mai juin juillet août aout septembre octobre novembre décembre decembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "de": "januar februar märz maerz april mai juni juli august september oktober november dezember",
    "en": "january february march april may june july august september october november december",
}
_MONTH_WEIGHT = 2.0  # shared between the languages that spell the month the same way

# Day abbreviations and their weight, counted only in a day context. A weight is lower where
# the form is a less usual way of writing days in that language (two-letter English forms).
_ABBREVIATIONS = {
    "fr": {"lun": 1.5, "mar": 1.5, "mer": 1.5, "jeu": 1.5, "ven": 1.5, "sam": 1.5, "dim": 1.5,
           "lu": 1.0, "ma": 1.0, "me": 1.0, "je": 1.0, "ve": 1.0, "sa": 1.0, "di": 1.0},
    "nl": {"maa": 1.5, "din": 1.5, "woe": 1.5, "don": 1.5, "vrij": 1.5, "zat": 1.5, "zon": 1.5,
           "ma": 1.0, "di": 1.0, "wo": 1.0, "do": 1.0, "vr": 1.0, "za": 1.0, "zo": 1.0},
    "de": {"mo": 1.0, "di": 1.0, "mi": 1.0, "do": 1.0, "fr": 1.0, "sa": 1.0, "so": 1.0},
    "en": {"mon": 1.5, "tue": 1.5, "tues": 1.5, "wed": 1.5, "thu": 1.5, "thur": 1.5, "thurs": 1.5,
           "fri": 1.5, "sat": 1.5, "sun": 1.5,
           "mo": 0.5, "tu": 1.0, "we": 1.0, "th": 1.0, "fr": 0.5, "sa": 0.5, "su": 1.0},
}  # fmt: skip

# Function words and hours vocabulary. "de" is as common in Dutch as in French: it cancels out.
_WORDS = {
    "fr": {"de": 1, "du": 1.5, "des": 1.5, "le": 1, "la": 1, "les": 1.5, "et": 1.5, "à": 1.5, "au": 1.5,
           "aux": 1.5, "sur": 1, "fermé": 2, "fermée": 2, "fermés": 2, "fermées": 2, "fermeture": 2,
           "ouvert": 2, "ouverte": 2, "ouverts": 2, "ouverture": 2, "heures": 2, "heure": 1.5, "horaire": 2,
           "horaires": 2, "jusqu": 2, "midi": 2, "matin": 2, "après": 2, "uniquement": 2, "sauf": 2,
           "jours": 1.5, "fériés": 2, "vous": 1, "rendez": 2, "rdv": 2, "accueil": 2, "guichet": 2,
           "guichets": 2, "est": 1, "sont": 1, "semaine": 2, "pour": 1, "par": 1, "avec": 1.5, "ou": 1,
           "une": 1, "un": 0.5, "en": 0.3, "permanence": 2, "téléphonique": 2, "entre": 1.5, "commune": 2,
           "communale": 2, "cpas": 3, "ville": 2, "rue": 2, "avenue": 1.5, "chaussée": 2, "bruxelles": 2},
    "nl": {"van": 2, "tot": 2, "en": 1, "op": 1.5, "afspraak": 3, "uur": 2, "gesloten": 3, "het": 2, "de": 1,
           "een": 1.5, "is": 0.5, "zijn": 1, "enkel": 2, "alleen": 2, "na": 1, "elke": 2, "dienst": 2,
           "loket": 3, "loketten": 3, "openingsuren": 3, "openingstijden": 3, "voormiddag": 3,
           "namiddag": 3, "middag": 1.5, "morgens": 2, "telefonisch": 1, "feestdagen": 3, "behalve": 2,
           "met": 1.5, "voor": 1, "geen": 2, "niet": 2, "wordt": 2, "bereikbaar": 2, "uitsluitend": 2,
           "vanaf": 2, "tussen": 2, "ook": 1.5, "nodig": 1.5, "onthaal": 3, "gemeente": 3, "gemeentehuis": 3,
           "ocmw": 3, "stad": 2, "adres": 2, "brussel": 2, "open": 0.5},
    "de": {"bis": 2, "uhr": 3, "und": 2, "der": 1.5, "die": 1.5, "das": 1.5, "von": 1.5, "vom": 2,
           "geschlossen": 3, "geöffnet": 3, "nur": 2, "am": 1, "ist": 1.5, "sind": 1.5, "mit": 1.5,
           "termin": 3, "terminvereinbarung": 4, "vereinbarung": 3, "nach": 2, "öffnungszeiten": 4,
           "sprechzeiten": 4, "vormittag": 3, "vormittags": 3, "nachmittag": 3, "nachmittags": 3,
           "mittags": 2, "feiertag": 3, "feiertage": 3, "feiertagen": 3, "außer": 2, "ausser": 2,
           "täglich": 3, "werktags": 3, "ab": 1, "zwischen": 2, "erreichbar": 2, "telefonisch": 1,
           "jeden": 2, "oder": 2, "im": 1.5, "zum": 2, "zur": 2, "auch": 1.5, "gemeinde": 3, "stadt": 2,
           "adresse": 1},
    "en": {"to": 1.5, "and": 2, "the": 2, "closed": 3, "from": 1.5, "only": 2, "by": 1, "appointment": 3,
           "appointments": 3, "is": 0.5, "are": 1.5, "on": 1, "until": 2, "till": 1, "office": 1.5,
           "hours": 2, "opening": 1.5, "except": 2, "holidays": 2, "weekdays": 3, "daily": 2, "noon": 2,
           "or": 1.5, "at": 1, "for": 1.5, "with": 1.5, "phone": 1.5, "between": 2, "our": 1.5,
           "please": 2, "call": 1.5, "through": 2, "open": 0.5, "within": 1.5, "week": 1, "weeks": 1.5,
           "days": 1, "day": 1, "street": 2, "city": 1.5, "town": 1.5},
}  # fmt: skip

# Endings of compounds that give a language away ("Wetstraat", "Hauptstraße", "loketuren").
_SUFFIXES = {
    "nl": (("straat", 2.0), ("laan", 1.5), ("plein", 1.5), ("steenweg", 2.0), ("nummer", 1.5), ("uren", 1.5)),
    "de": (("straße", 2.0), ("strasse", 2.0), ("platz", 1.5), ("zeiten", 1.5), ("stunden", 1.5)),
}
_SUFFIX_LOOKUP = tuple((suffix, lang, weight) for lang, pairs in _SUFFIXES.items() for suffix, weight in pairs)
_SUFFIX_ENDINGS = tuple(suffix for suffix, _, _ in _SUFFIX_LOOKUP)

# Multi-word phrases, searched in the lower-cased text (with single spaces).
_PHRASES = {
    "fr": {"sur rendez-vous": 3, "rendez-vous": 1, "sur rdv": 3, "jours fériés": 2},
    "nl": {"op afspraak": 3, "na afspraak": 3, "t.e.m.": 2, "t/m": 1.5},
    "de": {"nach terminvereinbarung": 3, "nach vereinbarung": 3, "mit termin": 2},
    "en": {"by appointment": 3, "o'clock": 3, "a.m.": 2, "p.m.": 2},
}

_SPELLING = {"fr": ("àâçéèêîôûùœ", 0.5), "de": ("äöüß", 1.0)}
_IJ_WEIGHT = 0.5  # per "ij" inside a word: Dutch
_ELISION_WEIGHT = 1.5  # per "d'", "l'", "qu'"...: French
_TIME_NOTATIONS = {
    "fr": (re.compile(r"(?<![\w.:])\d{1,2} ?h(?: ?[0-5]\d)?(?!\w)"), 1.5),  # 9h, 9h30, 9 h 30
    "nl": (re.compile(r"(?<![\w.:])\d{1,2}(?:[.:][0-5]\d)? ?u(?!\w)"), 2.0),  # 9u, 9.30u ("uur" is a word)
    "en": (re.compile(r"(?<![\w.:])\d{1,2}(?:[.:][0-5]\d)? ?(?:am|pm)(?!\w)"), 2.0),  # 9am, 5.30 pm
}

_WORD = re.compile(r"[^\W\d_]+")
_ELISION = re.compile(r"(?<![^\W\d_])(?:[dlnsjc]|qu|jusqu)'(?=[^\W\d_])")
_DUTCH_S = re.compile(r"(?<![^\W\d_])'s (?=[^\W\d_])")  # "'s morgens", "'s Voormiddags"
_DAY_CONTEXT_AFTER = re.compile(r"\.? ?(?:[-/,&+:]|\d)")  # "ma-", "Mo.-", "lu 9h", "di:"
_DAY_CONTEXT_BEFORE = re.compile(r"[-/,&+] ?$")  # "-vr", "- Fr."
_SPACES = re.compile(r"\s+")
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-") | {"\u2019": "'"})


def _build_lexicon() -> tuple[dict[str, tuple[tuple[str, float], ...]], re.Pattern[str]]:
    """word → ((language, weight), ...) from the tables above, and the day-name pattern."""
    lexicon: dict[str, dict[str, float]] = {}
    for lang, words in _WORDS.items():
        for word, weight in words.items():
            lexicon.setdefault(word, {})[lang] = float(weight)
    months: dict[str, set[str]] = {}
    for lang, names in _MONTHS.items():
        for name in names.split():
            months.setdefault(name, set()).add(lang)
    for name, langs in months.items():
        for lang in langs:
            entry = lexicon.setdefault(name, {})
            entry[lang] = entry.get(lang, 0.0) + _MONTH_WEIGHT / len(langs)
    frozen = {word: tuple(entry.items()) for word, entry in lexicon.items()}
    # Day names also count as the start of a word: plurals and compounds ("dinsdagnamiddag").
    days = "|".join(f"(?P<{lang}>{'|'.join(names)})" for lang, names in _DAY_NAMES.items())
    return frozen, re.compile(rf"(?<![^\W\d_])(?:{days})")


_LEXICON, _DAY_PATTERN = _build_lexicon()
_ABBREVIATION_LEXICON: dict[str, tuple[tuple[str, float], ...]] = {}
for _lang, _forms in _ABBREVIATIONS.items():
    for _form, _weight in _forms.items():
        _ABBREVIATION_LEXICON[_form] = (*_ABBREVIATION_LEXICON.get(_form, ()), (_lang, _weight))


def language_scores(text: str) -> dict[str, float]:
    """The evidence for each language in ``text`` (higher is stronger; 0 is none)."""
    low = _SPACES.sub(" ", text[:MAX_CHARS].lower().translate(_DASHES))
    scores = dict.fromkeys(LANGUAGES, 0.0)
    for m in _DAY_PATTERN.finditer(low):
        scores[m.lastgroup] += _DAY_NAME_WEIGHT
    for m in _WORD.finditer(low):
        word = m.group()
        if word == "am" and low[max(0, m.start() - 2) : m.start()].rstrip()[-1:].isdigit():
            continue  # "9 am": an English time (counted below), not German "am Montag"
        if word in _ABBREVIATION_LEXICON and _in_day_context(low, m.start(), m.end()):
            for lang, weight in _ABBREVIATION_LEXICON[word]:
                scores[lang] += weight
            continue
        entry = _LEXICON.get(word)
        if entry is None and len(word) > 3 and word[-1] == "s":
            entry = _LEXICON.get(word[:-1])  # plurals and adverbs: "voormiddags", "horaires"
        if entry is not None:
            for lang, weight in entry:
                scores[lang] += weight
        elif len(word) > 6 and word.endswith(_SUFFIX_ENDINGS):
            for suffix, lang, weight in _SUFFIX_LOOKUP:
                if word.endswith(suffix):
                    scores[lang] += weight
        if "ij" in word:
            scores["nl"] += _IJ_WEIGHT * word.count("ij")
    for lang, phrases in _PHRASES.items():
        for phrase, weight in phrases.items():
            if phrase in low:
                scores[lang] += weight * low.count(phrase)
    for lang, (pattern, weight) in _TIME_NOTATIONS.items():
        scores[lang] += weight * len(pattern.findall(low))
    for lang, (letters, weight) in _SPELLING.items():
        scores[lang] += weight * sum(low.count(c) for c in letters)
    scores["fr"] += _ELISION_WEIGHT * len(_ELISION.findall(low))
    scores["nl"] += _ELISION_WEIGHT * len(_DUTCH_S.findall(low))
    return scores


def _in_day_context(low: str, start: int, end: int) -> bool:
    """True when the word at ``low[start:end]`` sits where a day abbreviation would: in a range
    or list of days ("ma-vr", "Mo., Di."), or right before a time ("lu 9h", "Sa 9-12")."""
    return bool(_DAY_CONTEXT_AFTER.match(low, end) or _DAY_CONTEXT_BEFORE.search(low, max(0, start - 3), start))


def detect_language(text: str) -> str:
    """The language ("fr", "nl", "de" or "en") of an opening-hours text or a page's visible text.

    Ties go to the first tied language in fr, nl, de, en order; a text with no evidence at all
    gives :data:`DEFAULT_LANGUAGE` ("fr").
    """
    scores = language_scores(text)
    best = max(scores.values())
    if best <= 0:
        return DEFAULT_LANGUAGE
    return next(lang for lang in LANGUAGES if scores[lang] == best)


_HTML_TAG = re.compile(r"<html\b[^>]*>", re.IGNORECASE)
_LANG_ATTRIBUTE = re.compile(r"""\b(?:xml:)?lang\s*=\s*["']?\s*([A-Za-z]{2,3})(?![A-Za-z])""", re.IGNORECASE)
# Invisible content: scripts (JSON-LD is written with English keys), styles, comments, templates.
_INVISIBLE = re.compile(
    r"<(script|style|template|svg)\b.*?</\1\s*>|<!--.*?-->|<head\b.*?</head\s*>", re.IGNORECASE | re.DOTALL
)
_TAG = re.compile(r"<[^>]*>")


def declared_language(html: str) -> str | None:
    """The primary subtag of ``<html lang="...">`` ("nl-BE" → "nl") when it is fr, nl, de or en."""
    tag = _HTML_TAG.search(html, 0, MAX_CHARS)
    if tag is None:
        return None
    attribute = _LANG_ATTRIBUTE.search(tag.group())
    lang = attribute.group(1).lower() if attribute else None
    return lang if lang in LANGUAGES else None


def visible_text(html: str) -> str:
    """The text a reader sees on a page, roughly: tags, scripts, styles and the head removed."""
    return html_lib.unescape(_TAG.sub(" ", _INVISIBLE.sub(" ", html)))


def language_of_html(html: str) -> str:
    """The language of a page: its ``<html lang>`` when that is one of the four, else the
    language detected from its visible text (see :func:`detect_language`)."""
    return declared_language(html) or detect_language(visible_text(html))
