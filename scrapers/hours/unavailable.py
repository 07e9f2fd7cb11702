"""Pages that stand in for the site: maintenance notices, error and outage pages served with 200.

A CMS in maintenance, a reverse proxy with a custom error page or a WAF block often answer
``200 OK`` with a short page: "Site temporairement fermé pour maintenance", "Website in
onderhoud", "Erreur 503 : le service est fermé", "Wartungsarbeiten". Read as an hours page, the
word "fermé" would become a closure of every counter. Such a page says nothing about the
counters: it is a *failed capture* (kept as evidence, unknown downstream), never a closure.

The test is deliberately narrow, so that a real hours page that mentions maintenance ("fermé
le 3 mars pour maintenance du système") is still read: the page must be short (an outage page
has no navigation, no footer, little text) **and** its title or text must say that the site or
service is unavailable; or its title alone must say so (an error title is never an hours page's).
"""

from __future__ import annotations

import re
from itertools import islice

from lxml import etree

from scrapers.hours.dom import SKIP_TAGS, squash
from scrapers.hours.dom import tag as dom_tag

# Visible text and elements of a stand-in page; real hours pages (navigation, footer, content) are larger.
MAX_STANDIN_CHARS = 700
MAX_STANDIN_ELEMENTS = 150

# What an outage page says about the site or the service as a whole.
_UNAVAILABLE = re.compile(
    r"\b(?:"
    # French
    r"(?:site|service|portail|page)s? (?:web |internet )?(?:est |sont )?"
    r"(?:temporairement |momentan[ée]ment |actuellement )?"
    r"(?:indisponibles?|inaccessibles?|en maintenance|ferm[ée]e?s? pour maintenance|hors (?:ligne|service))"
    r"|en (?:cours de )?maintenance|maintenance (?:en cours|programm[ée]e|planifi[ée]e|technique)"
    r"|op[ée]ration de maintenance|travaux de maintenance|erreur (?:interne|serveur|[45]\d\d)"
    r"|service (?:temporairement )?indisponible|page (?:introuvable|non trouv[ée]e)"
    # Dutch
    r"|(?:website|site|dienst|pagina|portaal) (?:is )?(?:tijdelijk |momenteel )?"
    r"(?:niet beschikbaar|onbereikbaar|offline|in onderhoud)"
    r"|(?:in|wegens|door) (?:gepland |technisch )?onderhoud|onderhoudswerk(?:en|zaamheden)"
    r"|(?:tijdelijk|momenteel) niet beschikbaar|fout (?:[45]\d\d)|pagina niet gevonden"
    # German
    r"|wartungsarbeiten|wartungsmodus|(?:wegen|aufgrund von) wartung|in wartung"
    r"|(?:vor[üu]bergehend|derzeit|momentan) (?:nicht (?:verf[üu]gbar|erreichbar)|au(?:ß|ss)er betrieb)"
    r"|seite (?:nicht gefunden|nicht verf[üu]gbar)|fehler [45]\d\d"
    # English
    r"|under maintenance|(?:down|offline) for maintenance|scheduled maintenance|maintenance mode"
    r"|(?:temporarily|currently) unavailable|service unavailable|bad gateway|gateway time-?out"
    r"|internal server error|page not found|access denied|request (?:was )?(?:blocked|rejected)"
    r"|error [45]\d\d|[45]\d\d (?:error|service unavailable|bad gateway|internal server error|not found|forbidden)"
    r")\b",
    re.IGNORECASE,
)


def unavailable_reason(root: etree._Element) -> str | None:
    """The sentence that makes this page a stand-in (maintenance, error, block), else None."""
    title_el = root.find(".//title")
    title = squash(title_el.xpath("string()")) if title_el is not None else ""
    if title and (m := _UNAVAILABLE.search(title)):
        return f"title: {_around(title, m)}"
    body = root.find("body")
    body = body if body is not None else root
    # A stand-in page is small: skip the text of a real page (hundreds of elements) at once.
    if sum(1 for _ in islice(body.iter(), MAX_STANDIN_ELEMENTS)) >= MAX_STANDIN_ELEMENTS:
        return None
    text = _visible_text(body)
    if len(text) <= MAX_STANDIN_CHARS and (m := _UNAVAILABLE.search(text)):
        return _around(text, m)
    return None


def _visible_text(body: etree._Element) -> str:
    """The text a reader sees, separated at every element (headings included)."""
    parts: list[str] = []
    for el in body.iter():
        if el is not body and el.tail:
            parts.append(el.tail)
        if isinstance(el.tag, str) and el.text and dom_tag(el) not in SKIP_TAGS:
            parts.append(el.text)
    return squash(" ".join(parts))


def _around(text: str, match: re.Match[str], width: int = 80) -> str:
    """The match with some context, for the capture's parse message."""
    start, end = max(0, match.start() - width), min(len(text), match.end() + width)
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")
