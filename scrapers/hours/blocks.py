"""Find the office blocks of a page and read each one's hours.

A page may list several offices, each a ``<section>``/``<article>``/``<div>`` whose heading
(h1-h6) is the office name, with an ``<address>``/``.address`` element or a line with a Belgian
postcode. The page is walked once, in document order, into *items* (headings, text lines,
tables, definition lists, addresses). Each item belongs to the closest heading before it whose
enclosing element also encloses the item; headings that are labels ("Heures d'ouverture",
"Par téléphone", "Contact") are not office names: they are read as context by the office they
belong to.

Header, navigation, footer, sidebars and cookie banners are skipped unless what they hold is an
hours block (a day table or list, or an element whose class or heading says "hours"), so a
footer "© 2021" or a news date never becomes a slot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from scrapers.hours import timetext as tt
from scrapers.hours.calendar import MIN_CALENDAR_DAYS
from scrapers.hours.dl import dl_lines
from scrapers.hours.dom import (
    BLOCK_TAGS,
    SECTIONING_TAGS,
    SKIP_TAGS,
    class_words,
    heading_level,
    is_boilerplate,
    squash,
    tag,
    text_of,
)
from scrapers.hours.grammar import join_evidence
from scrapers.hours.model import CHANNEL_COUNTER, CHANNEL_PHONE, CounterSchedule
from scrapers.hours.reader import Reader
from scrapers.hours.table import caption_of, table_lines
from scrapers.hours.timetext import starts_with_day
from scrapers.text import fold

_HOURS_WORDS = frozenset({"hours", "horaire", "horaires", "heures", "openinghours", "opening", "openingsuren",
                          "openingstijden", "loketuren", "oeffnungszeiten", "öffnungszeiten",
                          "schedule", "timetable"})  # fmt: skip
# An element whose class or id says it lists events ("calendar", "eventList", "agenda"): dates and
# times of events, not a counter's hours (unless its class also says "hours").
_EVENT_WORDS = frozenset({"event", "events", "eventlist", "eventslist", "agenda", "calendar", "evenement",
                          "evenements", "activites", "activities", "evenementen", "activiteiten", "veranstaltungen",
                          "promo", "promotion", "promotions"})  # fmt: skip
_ADDRESS_WORDS = frozenset({"address", "adresse", "adres", "adr"})
_ADDRESS_TAGS = frozenset({"p", "span", "div", "li", "address"})
# A heading made only of these words (and hours vocabulary) names a part of an office block
# ("Heures d'ouverture", "Contact", "Par téléphone"), not an office.
_LABEL_WORDS = frozenset({
    "contact", "kontakt", "adresse", "adres", "address", "anschrift", "info", "infos", "information",
    "informations", "pratique", "pratiques", "praktisch", "praktische", "praktisches", "accès", "acces",
    "bereikbaarheid", "toegang", "anfahrt", "horaire", "horaires", "heure", "heures", "hours", "uren", "openingsuren",
    "openingstijden", "öffnungszeiten", "zeiten", "schedule", "calendrier", "téléphone", "telephone", "telefoon",
    "telefon", "phone", "email", "mail", "plan", "itinéraire", "route", "ouverture", "opening", "public", "nos",
    "notre", "our", "onze", "unsere", "unser", "pour", "voor", "für", "for", "par", "per", "via", "the", "les", "des",
    "van", "het", "und", "and", "aux", "with", "avec", "met", "mit", "coordonnées", "coordonnees", "contactgegevens",
    "gegevens", "kontaktdaten", "details", "générales", "générale", "generales", "generale", "general", "algemeen",
    "algemene", "allgemeine", "allgemeines", "utiles", "nuttige", "useful", "operation", "operating", "location",
    "locations", "lieu", "locatie", "ligging", "lage", "tarif", "tarifs", "tarieven", "prijzen", "preise", "gebühren",
    "fees", "prices", "rates",
})  # fmt: skip
_LABEL_TOKENS = frozenset({tt.COUNTER_LABEL, tt.PHONE, tt.PHONE_LABEL, tt.APPT, tt.WALKIN, tt.DAY, tt.DABBR, tt.TIME,
                           tt.NUM, tt.SEASON, tt.MONTH, tt.DAYPART, tt.CLOSED})  # fmt: skip
# A heading with one of these is never an office name: a season's regime or a closure notice.
_NOTICE_TOKENS = frozenset({tt.SEASON, tt.CLOSED_TEMP, tt.CLOSED_PERM})
# The title of a closure or works notice ("Fermeture pour réaménagement", "Sluiting wegens
# verbouwing", "Library closure"): the notice's text says what closes and for how long.
_CLOSURE_NOTICE = re.compile(
    r"\b(?:fermeture|r[ée]am[ée]nagement|r[ée]novation|travaux|sluiting|verbouwing|renovatie|werken|"
    r"schlie(?:ß|ss)ung|umbau|renovierung|bauarbeiten|closure|closing|renovations?|refurbishment)\b",
    re.IGNORECASE,
)
# The title of an exceptional closure notice, alone on its line.
_EXCEPTIONAL_NOTICE = re.compile(
    r"(?:fermeture|sluiting|schlie(?:ß|ss)ung|closure) (?:exceptionnelle|uitzonderlijke?|ausnahmsweise|exceptional)"
    r"|(?:exceptional|uitzonderlijke|au(?:ß|ss)erordentliche) (?:closure|sluiting|schlie(?:ß|ss)ung)",
    re.IGNORECASE,
)
_CONTENT_WORD = re.compile(r"[^\W\d_]{3,}")
_POSTCODE_LINE = re.compile(r"(?<!\d)[1-9]\d{3}\s+[A-ZÀ-Ý][\w'\-. ]+")
_ADDRESS_LABEL = re.compile(r"^(?:adresse|adres|address|anschrift)\s*:\s*", re.IGNORECASE)
# "Heures d'ouverture : voir le document PDF", "Openingsuren: zie bijlage": hours published elsewhere.
_ELSEWHERE = re.compile(
    r"\bpdf\b|\bvoir\b|\bzie\b|\bsiehe\b|\bsee\b|\bconsult|\bbijlage|\banhang|\bdocument|t[ée]l[ée]charg|download",
    re.IGNORECASE,
)
# A place without staff that a heading may name with hours of its own (a book drop, a return
# box): its hours are not a counter's.
_UNSTAFFED = re.compile(
    r"\b(?:retours? (?:de|des) (?:livres|documents)|chute (?:à|a|aux) (?:livres|documents)|bo[îi]te de retour|"
    r"book ?(?:drop|return)s?|after[- ]hours return|inleverbus|boekenbus|r[üu]ckgabe(?:kasten|box|automat)?|"
    r"medienr[üu]ckgabe)\b",
    re.IGNORECASE,
)
# Words that make a text speak of a counter's opening hours rather than of an activity's times.
_OPENING_WORDS = frozenset({tt.COUNTER_LABEL, tt.OPEN, tt.CLOSED, tt.CLOSED_TEMP, tt.CLOSED_PERM, tt.APPT, tt.WALKIN,
                            tt.PHONE, tt.PHONE_LABEL, tt.USUAL})  # fmt: skip
# An office whose page gives only a season's hours: its normal week is unknown.
REGIMES_ONLY_CONFIDENCE = 0.5
# (a dated period's hours alone, "Horaire d'été 2016 : 24 juin au 5 septembre", are no normal week either)
_SEASONS = frozenset({"summer", "winter", "school_holidays", "christmas", "period"})
# An office named without hours: what is read (present, hours not on this page) is as sure as text.
HOURS_NOT_PUBLISHED_CONFIDENCE = 0.9


@dataclass
class Item:
    """One piece of the page in document order."""

    kind: str  # heading | text | table | dl | address | rule (an <hr>)
    el: etree._Element  # the heading itself, or the block element that holds the piece
    text: str = ""
    lines: list[str] = field(default_factory=list)  # table rows / dl entries as lines
    level: int = 0
    boiler: bool = False
    hours: bool = False  # inside an element or under a heading that says "hours"
    days: bool = False  # a table or dl whose rows name days
    edge_read: bool = False  # in a sidebar or footer that gives hours: read
    phone: bool = False  # a line written in a telephone link ("<a href='tel:...'>09 210 10 10 – ma-za 8-19 u.</a>")
    after_call: bool = False  # in a footer run that opens with a telephone link: the number's hours


@dataclass
class OfficeBlock:
    """An office heading (None: the page itself) and what was read under it."""

    heading: Item | None
    reader: Reader
    address: str | None = None
    scope: etree._Element | None = None
    day_structures: dict[str, int] = field(default_factory=dict)  # "table"/"dl" → how many had day rows
    items: list[Item] = field(default_factory=list)  # what was read under the heading, in page order
    hours_link: bool = False  # a footer's contact block that links to the office's hours
    parent: str | None = None  # the service this block is one site of ("CACI" above "Rivière-Héva")

    @property
    def name(self) -> str | None:
        """The office name as the page shows it ("Service — Site" for one site of a service)."""
        if self.heading is None:
            return None
        return f"{self.parent} — {self.heading.text}" if self.parent else self.heading.text

    def schedules(self, layouts: tuple[str, ...]) -> list[CounterSchedule]:
        """The schedules read in this block (counter hours from the first of ``layouts`` that has any).

        A block that gives only a season's hours ("Horaire estival") is the office without its
        normal week: present, with the season as a regime, unsure (below the event threshold). When
        the seasons are summer and winter, winter is the normal week."""
        if self.name and _UNSTAFFED.search(self.name):
            return []  # a book drop's hours: no one receives people there
        if self.is_programme():
            return []  # an activity's times ("Toddler Time", "Book Club"): not a counter's hours
        found = self.reader.schedules(self.name, self.address, layouts)
        reader = self.reader
        # A dated period's times count when the block says they are hours ("Horaire d'été 2016 :
        # 24 juin au 5 septembre"), not an event's ("Lego Club, from June 24 to August 30").
        dated_ok = bool(reader.hours_mentions)
        seasons = [
            r for k, r in reader.regimes.items() if k.kind in _SEASONS and r.pieces and (dated_ok or k.kind != "period")
        ]
        if seasons and not any(s.channel == CHANNEL_COUNTER for s in found) and not _has_counter_hours(self):
            schedule = CounterSchedule(
                name=self.name, address=self.address, layout="text",
                evidence=join_evidence([e for r in seasons for e in r.evidence]),
                confidence=REGIMES_ONLY_CONFIDENCE,
            )  # fmt: skip
            reader.complete(schedule)
            winter = next((r for r in schedule.regimes if r.kind == "winter" and r.slots), None)
            if winter is not None and any(r.kind == "summer" for r in schedule.regimes):
                # "Summer Hours" and "Winter Hours": winter is the rest of the year, the normal week.
                schedule.slots = list(winter.slots)
                schedule.regimes = [r for r in schedule.regimes if r is not winter]
                schedule.confidence = reader.confidence("text")
            if any(r.kind in _SEASONS and r.slots for r in schedule.regimes) or schedule.slots:
                found.insert(0, schedule)
        return found

    def is_programme(self) -> bool:
        """A heading that names an activity, not a place: no office noun in it, no address under
        it, and nothing under it speaks of opening hours (no hours label, class or day table, no
        "open", "closed", "appointment" or phone wording): the times under it are the activity's
        ("Baby Time: Mondays 10:15-10:45am", "Book Club ... Tuesday 1-2:30 pm")."""
        reader = self.reader
        if not (reader.drafts or reader.regimes) or self.heading is None or self.address or self.parent:
            return False
        if tt.OFFICE_NOUN.search(self.heading.text):
            return False
        if self.heading.hours or self.day_structures or any(it.hours or it.days for it in self.items):
            return False
        if self.heading.level == PSEUDO_HEADING_LEVEL and _is_hours_label(_text_before(self.heading.el)):
            return False  # "Heures d'ouverture : ... <b>Carte Accès :</b> ...": a second counter's hours
        language = reader.language
        return not any(
            t.kind in _OPENING_WORDS
            for it in [self.heading, *self.items]
            for t in tt.tokenize(tt.clean(it.text or " ".join(it.lines)), language)
        )

    def points_elsewhere(self) -> bool:
        """The block says its hours are in a document or on another page ("voir le PDF")."""
        return self.hours_link or any(_ELSEWHERE.search(m) for m in self.reader.hours_mentions)

    def named_without_hours(self) -> CounterSchedule | None:
        """The office as still *named* on the page when its block gives no hours and no closure:
        an office heading with an address, or whose hours the page points elsewhere ("Heures
        d'ouverture : voir le document PDF"). Its hours are not published here: present, with no
        slots, never closed (a closure needs a statement)."""
        if self.heading is None or (self.heading.boiler and not self.hours_link):
            return None
        if not (self.address or self.points_elsewhere()):
            return None
        if _UNSTAFFED.search(self.heading.text):
            return None
        reader = self.reader
        if any(d.channel == CHANNEL_COUNTER for d in reader.drafts) or reader.closed or reader.appointment_only:
            return None
        note = (
            join_evidence([m for m in reader.hours_mentions if _ELSEWHERE.search(m)])
            or ("the office's block links to them" if self.hours_link else "")
            or "no opening hours under this office on the page"
        )
        return CounterSchedule(
            name=self.name,
            address=self.address,
            layout="text",
            evidence=join_evidence([self.name or "", *reader.hours_mentions]),
            confidence=HOURS_NOT_PUBLISHED_CONFIDENCE,
            unparsed=[f"hours not published on this page: {note}"],
        )


# A link that names one office by its hours ("Horaire de l'hôtel de ville", "Openingsuren van het
# stadhuis", "Hours - Central Library"; not "Horaires des services municipaux"): the hours are on
# the page it leads to.
_HOURS_LINK = re.compile(
    r"^(?:horaires?|heures d'ouverture|heures d’ouverture|openingsuren|openingstijden|[öo]ffnungszeiten|"
    r"opening hours|hours)\s*(?:de la |de l'|de l’|du |de |van de |van het |van |der |of the |of |"
    r"[-–:]\s*)(?P<office>[^\d]{3,60})$",
    re.IGNORECASE,
)


def linked_offices(root: etree._Element, named: list[str | None]) -> list[CounterSchedule]:
    """Offices that a link names by their hours ("Horaire de l'hôtel de ville") and that the page
    reads under no name of theirs: named, hours not published here (never closed). None at all
    when an office without a name was read with hours: those may be the linked office's own."""
    if any(n is None for n in named):
        return []
    known = [fold(n) for n in named if n]
    found: list[CounterSchedule] = []
    for link in root.iter("a"):
        match = _HOURS_LINK.match(squash("".join(link.itertext()))) if link.get("href") else None
        if match is None or not tt.OFFICE_NOUN.search(match["office"]):
            continue
        office = match["office"].strip()
        key = fold(office)
        if any(key in k or k in key for k in known):
            continue
        known.append(key)
        found.append(CounterSchedule(
            name=office, address=None, layout="text", evidence=text_of(link),
            confidence=HOURS_NOT_PUBLISHED_CONFIDENCE,
            unparsed=[f"hours not published on this page: a link leads to them ({text_of(link)})"],
        ))  # fmt: skip
    return found


def read_offices(root: etree._Element, language: str) -> list[OfficeBlock]:
    """Walk the page and read every office block's hours; office-less content is the page's block."""
    walker = _Walker(language)
    body = root.find("body")
    walker.visit(body if body is not None else root, boiler=False, hours=False, sectioned=False)
    walker.flush()
    return _assign(walker.items, language)


class _Walker:
    """Turns the DOM into a flat list of items, one text line per block element or ``<br>``."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.items: list[Item] = []
        self._buf: list[str] = []
        self._buf_ctx: tuple[etree._Element, bool, bool] | None = None
        self._phone_line = False
        self._consumed: set[int] = set()  # lists already read with the list beside them
        self._card_titles: set[int] = set()  # first lines of contact cards: office names

    def flush(self) -> None:
        """End the current text line."""
        if self._buf_ctx is None:  # (the usual case: nothing but spaces since the last line)
            if self._buf:
                self._buf = []
            self._phone_line = False
            return
        text = squash("".join(self._buf))
        if text:
            el, boiler, hours = self._buf_ctx
            self.items.append(Item("text", el, text, boiler=boiler, hours=hours, phone=self._phone_line))
        self._buf, self._buf_ctx, self._phone_line = [], None, False

    def _starts_line(self) -> bool:
        """Nothing is written yet on the current line."""
        return not "".join(self._buf).strip()

    def _text(self, text: str | None, block: etree._Element, boiler: bool, hours: bool) -> None:
        if text and not text.isspace():
            if self._buf_ctx is None:
                self._buf_ctx = (block, boiler, hours)
            self._buf.append(text)
        elif text:
            self._buf.append(" ")

    def visit(
        self, el: etree._Element, boiler: bool, hours: bool, sectioned: bool, block: etree._Element | None = None
    ) -> None:
        """Visit ``el`` and its children; ``block`` is the nearest enclosing block element."""
        name = tag(el)
        if not name or name in SKIP_TAGS:
            return
        words = class_words(el)
        if _is_event_listing(words):
            return  # an events calendar or programme: its times are events, not counter hours
        boiler = boiler or is_boilerplate(el, sectioned, name, words)
        hours = hours or bool(words & _HOURS_WORDS) or "openinghours" in (el.get("itemprop") or "").lower()
        sectioned = sectioned or name in SECTIONING_TAGS
        level = heading_level(el, name)
        if level:
            self.flush()
            text = text_of(el)
            # An hours heading in a sidebar ("Horaire estival") is read with the hours it titles.
            hours = hours or _is_hours_label(text)
            self.items.append(Item("heading", el, text, level=level, boiler=boiler, hours=hours))
            return
        if name in _CARD_TAGS and (title := _card_title(el)) is not None:
            self._card_titles.add(id(title))
        # A title block, or the term of a directory list ("<dt>Qimiruvik Library</dt><dd>...</dd>").
        titled = (name in ("div", "span", "p") and bool(words & _TITLE_CLASS) and len(el) <= 2) or name == "dt"
        if id(el) in self._card_titles or (
            (name in _EMPHASIS or titled) and self._starts_line() and _names_an_office(el, self.language)
        ):
            # "<p><strong>Bibliothèque Bruno-Sigmen</strong><br>1550, 118e Rue ...", "<div class=
            # "service-title">Bureau municipal</div>": an office named in bold or by a CMS title block.
            self.flush()
            text = text_of(el).rstrip(" :\u00a0")
            self.items.append(Item("heading", el, text, level=PSEUDO_HEADING_LEVEL, boiler=boiler, hours=hours))
            return
        # A table holding paragraphs, headings, other tables or offices named in bold lays out the
        # page: walk into it.
        if name == "table" and not any(_names_an_office(b) for b in el.iter(*_EMPHASIS)):
            # Paragraphs in the cells of a day table ("<td><p>Lundi</p></td>") still make a day table.
            layout = bool(el.xpath(".//table|.//h1|.//h2|.//h3|.//h4"))
            lines = None if layout else table_lines(el, self.language)
            if lines is not None or not (layout or el.xpath(".//p|.//div")):
                self.flush()
                days = lines is not None
                if lines is None:
                    lines = [row for row in (text_of(tr) for tr in el.iter("tr")) if row]
                self.items.append(Item("table", el, caption_of(el), lines, boiler=boiler, hours=hours, days=days))
                return
        if name in ("ul", "ol"):
            if id(el) in self._consumed:
                return
            if (lines := _parallel_lists(el, self.language)) is not None:
                # "<ul><li>Lundi - Jeudi</li>...</ul><ul><li>9 h 00 à 16 h 00</li>...</ul>": days and
                # hours in two lists side by side, matched by position.
                self.flush()
                nxt = el.getnext()
                self._consumed.add(id(nxt))
                self.items.append(Item("dl", el, "", lines, boiler=boiler, hours=hours, days=True))
                return
        if name == "dl":
            lines, days = dl_lines(el, self.language)
            # A directory list whose terms name offices is walked: each term heads its office.
            if days or not any(_names_an_office(dt) for dt in el.iter("dt")):
                self.flush()
                self.items.append(Item("dl", el, "", lines, boiler=boiler, hours=hours, days=days))
                return
        if name in _ADDRESS_TAGS and (
            name == "address" or words & _ADDRESS_WORDS or (el.get("itemprop") or "").lower() == "address"
        ):
            self.flush()
            text = text_of(el, br=", ")
            if text:
                self.items.append(Item("address", el, text, boiler=boiler, hours=hours))
            return
        if name == "br":
            self.flush()
            return
        if name == "hr":
            self.flush()
            self.items.append(Item("rule", el, boiler=boiler, hours=hours))
            return
        if name == "a" and (el.get("href") or "").lower().startswith("tel:"):
            self._phone_line = True
        is_block = name in BLOCK_TAGS or block is None
        if is_block:
            self.flush()
            block = el
        if (text := el.text) is not None:
            self._text(text, block, boiler, hours)
        items = self.items
        for child in el:
            self.visit(child, boiler, hours, sectioned, block)
            if tail := child.tail:
                if tag(child) in BLOCK_TAGS:
                    self.flush()
                self._text(tail, block, boiler, hours)
            # An hours heading inside a footer or sidebar makes what follows it an hours block.
            if items and (last := items[-1]).el is child and last.kind == "heading" and _is_hours_label(last.text):
                hours = True
        if is_block:
            self.flush()


_HOURS_LABEL = re.compile(r"horaire|heures|ouverture|openingsuren|openingstijden|loketuren|zeiten|hours", re.I)
# Bold text that starts a line and names a place where people are received is an office name.
_EMPHASIS = frozenset({"strong", "b"})
_TITLE_CLASS = frozenset({"title", "titre", "titel", "heading", "name", "nom", "naam", "header"})
PSEUDO_HEADING_LEVEL = 7  # below <h6>
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


_CARD_TAGS = frozenset({"li", "p", "div", "td"})
_CARD_TITLE_TAGS = frozenset({"span", "strong", "b", "em", "font"})


def _card_title(el: etree._Element) -> etree._Element | None:
    """The first line of a contact card, when it names an office and a street address follows
    within three lines ("<li><span>Bibliothèque municipale</span><br>450 691-6090<br>16, rue du
    Parc"): the element that holds the name."""
    if not len(el) or tag(el[0]) not in _CARD_TITLE_TAGS or (el.text or "").strip():
        return None
    first = el[0]
    nxt = first.getnext()
    if nxt is None or tag(nxt) != "br" or (first.tail or "").strip():
        return None
    text = text_of(first)
    if not 3 <= len(text) <= 60 or any(ch.isdigit() for ch in text) or _is_hours_label(text):
        return None
    if not tt.OFFICE_NOUN.search(text):
        return None
    lines = text_of(el, br="\n").split("\n")[1:4]
    return first if any(_STREET_LINE.match(line.strip()) for line in lines) else None


def _is_event_listing(words: frozenset[str]) -> bool:
    """Class or id words of an events calendar or programme, not of an hours calendar
    ("openinghours--calendar")."""
    return bool(words & _EVENT_WORDS) and not any(h in w for w in words for h in _HOURS_WORDS)


def _parallel_lists(first: etree._Element, language: str) -> list[str] | None:
    """Days in one list and their hours in the next, item by item, as "day : hours" lines; None
    when ``first`` and its next sibling are not such a pair."""
    second = first.getnext()
    if second is None or tag(second) not in ("ul", "ol"):
        return None
    days = [text_of(li) for li in first if tag(li) == "li"]
    hours = [text_of(li) for li in second if tag(li) == "li"]
    if len(days) != len(hours) or len(days) < 2:
        return None
    if sum(starts_with_day(d, language) for d in days) < 2 or any(starts_with_day(h, language) for h in hours):
        return None
    if not any(any(ch.isdigit() for ch in h) for h in hours):
        return None
    return [f"{d} : {h}" for d, h in zip(days, hours, strict=True) if d and h]


def _names_an_office(el: etree._Element, language: str | None = None) -> bool:
    """Short bold text, alone on its line, that names an office ("Bibliothèque de Chambly"), a
    place whose address follows on the next line ("<strong>Caledonia</strong><br>100 Haddington
    Street"), or (``language`` given) a counter's name as the label of the day lines under it
    ("<strong>Carte Accès :</strong><br>Lundi, mardi ... 13 h à 20 h 30")."""
    text = text_of(el)
    if not 3 <= len(text) <= 90 or any(ch.isdigit() for ch in text[:2]) or _TIME_LIKE.search(text):
        return False  # (a name gives no clock time: "Ouverte à tous les jeudis de 18h30 à 20h")
    nxt = el.getnext()
    alone = not (el.tail or "").strip(" :\u00a0\t\n") and (nxt is None or tag(nxt) in ("br", *BLOCK_TAGS))
    # "<strong>Centre d'accès (CACI)<br></strong>Le CACI a été implanté...": the line break that
    # ends the bold name is inside it.
    alone = alone or (len(el) > 0 and tag(el[-1]) == "br" and not (el[-1].tail or "").strip())
    if language is not None and _names_day_lines(el, text, alone, language):
        return True
    if not tt.OFFICE_NOUN.search(text):
        # a place name above its address
        return (
            tag(el) in _EMPHASIS
            and alone
            and nxt is not None
            and tag(nxt) == "br"
            and len(text) <= 60
            and not any(ch.isdigit() for ch in text)
            and not _is_hours_label(text)
            and bool(_STREET_LINE.match((nxt.tail or "").strip()))
        )
    return tag(el) not in _EMPHASIS or alone  # a title block is alone on its line


# Words that open a period or a condition, never an office's name.
_PREPOSITIONS = frozenset({"during", "from", "until", "till", "in", "on", "at", "after", "before", "pendant", "durant",
                           "du", "de", "dès", "des", "à", "au", "aux", "en", "avant", "après", "jusqu'au", "tijdens",
                           "van", "vanaf", "tot", "op", "na", "voor", "während", "ab", "bis", "im", "am", "nach",
                           "vor", "von", "seit"})  # fmt: skip


def _text_before(el: etree._Element) -> str:
    """The text of the same paragraph before ``el``."""
    parent = el.getparent()
    if parent is None:
        return ""
    parts = [parent.text or ""]
    for sibling in parent:
        if sibling is el:
            break
        parts += [text_of(sibling), sibling.tail or ""]
    return " ".join(parts)


# A proper name: capitalised words, with the small words place names join them by
# ("Rivière-Héva", "Saint-Jean de la Croix", "Sint-Pieters op de Dijk").
_PROPER_NAME = re.compile(
    r"[A-ZÀ-Ý][\w'’.-]*(?:\s+(?:(?:de|du|des|la|le|les|d'|d’|sur|en|op|van|der|den|het|am|an|im|bei|on|of|the)\s+)*"
    r"[A-ZÀ-Ý][\w'’.-]*)*"
)


def _names_day_lines(el: etree._Element, text: str, alone: bool, language: str) -> bool:
    """Bold "Name :" alone on its line, in a few words that are no hours label, season, closure
    or day, above a line of days and times: the name of a second counter ("Carte Accès :")."""
    nxt = el.getnext()
    if not (tag(el) in _EMPHASIS and alone and nxt is not None and tag(nxt) == "br"):
        return False
    name = text.rstrip(" :\u00a0")
    if not name.split() or name.split()[0].lower() in _PREPOSITIONS:
        return False  # "During the School Year :", "Pendant l'été :": a period, not a name
    if not text.endswith(":") and not _PROPER_NAME.fullmatch(name):
        return False  # without a colon, only a place's proper name ("<strong>Rivière-Héva</strong>")
    if len(name.split()) > 4 or any(ch.isdigit() for ch in name) or _is_hours_label(name) or _closure_notice(name):
        return False
    if any(t.kind in _LABEL_TOKENS or t.kind in _NOTICE_TOKENS for t in tt.tokenize(tt.clean(name), language)):
        return False
    line = (nxt.tail or "").strip()
    return starts_with_day(line, language) and bool(_TIME_LIKE.search(line))


# The first line of a postal address: a house number and a street ("100 Haddington Street",
# "540, boulevard Renault", "8, Parc Industriel") or a street and its number ("Rue de la Loi 16",
# "Kerkstraat 12", "Marktplatz 1").
_STREET = (
    r"(?:rue|avenue|av\.|boulevard|boul\.|bd|chemin|route|place|all[ée]e|impasse|quai|chauss[ée]e|parc|rang|"
    r"street|st\.?|road|rd\.?|drive|dr\.?|ave\.?|lane|way|crescent|court|parkway|highway|square|"
    r"\w*(?:straat|laan|weg|plein|dreef|lei|steenweg|kaai|markt|stra(?:ss|ß)e|str\.|gasse|platz|allee|ring))"
)
_STREET_LINE = re.compile(
    rf"\d{{1,5}}[a-z]?(?:-\d{{1,5}})?,?\s+(?:[\w'’.-]+\s+){{0,3}}?{_STREET}(?!\w)"
    rf"|(?:[\w'’.-]+\s+){{0,3}}?{_STREET}(?!\w)[\w'’. -]{{0,40}}?\s\d{{1,4}}[a-z]?(?!\d)",
    re.IGNORECASE,
)


def _is_hours_label(text: str) -> bool:
    return bool(_HOURS_LABEL.search(text))


def _is_label(heading: Item, language: str) -> bool:
    """A heading that names part of an office block ("Horaires", "Par téléphone", "Lundi"), not an
    office: once its hours vocabulary and label words are taken out, no word is left. A heading
    with a phone number is a contact line; one that names a season ("Horaire estival",
    "Bibliothèque X - Saison estivale") or a closure notice ("Fermeture de la bibliothèque") is a
    regime or a notice of the office it belongs to."""
    text = tt.clean(heading.text)
    rest = list(text)
    tokens = tt.tokenize(text, language)
    if _closure_notice(text) or any(t.kind in _NOTICE_TOKENS or t.kind == tt.PHONENUM for t in tokens):
        return True
    for t in tokens:
        if t.kind in _LABEL_TOKENS:
            rest[t.start : t.end] = " " * (t.end - t.start)
    return all(w.lower() in _LABEL_WORDS for w in _CONTENT_WORD.findall("".join(rest)))


def _closure_notice(text: str) -> bool:
    """The title of a closure notice: what its text says decides, not the title ("Fermeture de la
    bibliothèque" says neither for how long nor whether it is already past)."""
    return bool(_CLOSURE_NOTICE.search(text))


def _scope(heading: etree._Element) -> etree._Element:
    """The element a heading names: its parent, or the grandparent when the parent only wraps it;
    for an office named in bold inside a table cell, the row (its hours are in the next cell)."""
    parent = heading.getparent()
    if parent is None:
        return heading
    # A heading in a table cell (a bold name, or an <h3> of a layout row: "Nous joindre" | phone |
    # "Heures d'ouverture") names the row: what it names is in the next cells.
    cell = next((a for a in heading.iterancestors() if tag(a) in ("td", "th", "table")), None)
    if cell is not None and tag(cell) in ("td", "th") and cell.getparent() is not None:
        if tag(heading) not in HEADING_TAGS or parent is cell:
            return cell.getparent()
    if tag(parent) in ("header", "hgroup") or (len(parent) == 1 and not (parent.text or "").strip()):
        grand = parent.getparent()
        return grand if grand is not None else parent
    return parent


def _assign(items: list[Item], language: str) -> list[OfficeBlock]:
    """Give every item to its office heading and read each office's items in order."""
    office_headings: list[tuple[int, Item, etree._Element]] = []  # (position, heading, scope)
    blocks: dict[int | str | None, OfficeBlock] = {}
    members: dict[int | str | None, list[Item]] = {}
    edge_run, last_edge = 0, -2
    edge_titles: dict[str, Item] = {}  # the heading right above a run of footer items ("Stad Leuven")
    # The lines of one block element share its ancestors, found once. The ancestors' elements are
    # kept alive with their ids: lxml then hands back the same objects, and no new object takes an id.
    ancestors_of: dict[int, tuple[set[int], list[etree._Element]]] = {}
    for pos, item in enumerate(items):
        owner = None
        if item.kind != "heading" or _is_label(item, language):
            known = ancestors_of.get(id(item.el))
            if known is None:
                elements = [item.el, *item.el.iterancestors()]
                known = ancestors_of[id(item.el)] = ({id(a) for a in elements}, elements)
            ancestors = known[0]
            owner = next((h for h in reversed(office_headings) if id(h[2]) in ancestors), None)
            key: int | str | None = owner[0] if owner else None
            if owner is None and item.boiler:
                # A sidebar or footer, read apart first: one run of boilerplate items in page order.
                edge_run += 0 if last_edge == pos - 1 else 1
                last_edge, key = pos, f"{_EDGE}{edge_run}"
                above = items[pos - 1] if pos else None
                if above is not None and above.kind == "heading" and above.boiler and key not in members:
                    edge_titles[key] = above
            members.setdefault(key, []).append(item)
            if key not in blocks:
                heading, scope = (owner[1], owner[2]) if owner else (None, None)
                blocks[key] = OfficeBlock(heading, Reader(language), scope=scope)
        elif not item.boiler or (item.hours and tt.OFFICE_NOUN.search(item.text)):
            # (an office named in a sidebar's hours block: "Branches and Hours" / "Main Branch")
            office_headings.append((pos, item, _scope(item.el)))
    strong_edges: set[str] = set()  # edges whose hours are marked as such (class, heading, day table)
    for key, its in members.items():
        if isinstance(key, str) and its[0].phone and not any(_looks_like_address(it.text, language) for it in its):
            # "Call the helpdesk: <a href=tel:...>0800-1421</a> / Available Monday till Friday 8-18": a
            # footer run that opens with a telephone number and gives no address is that line's.
            for it in its:
                it.after_call = not it.phone and it.kind == "text"
    for key, its in members.items():
        if not isinstance(key, str):
            heading = blocks[key].heading
            if heading is not None and heading.boiler and (heading.hours or _edge_gives_hours(its, language)):
                for it in its:
                    it.edge_read = True  # an office named in a sidebar's hours block: read what it holds
            continue
        if any(it.hours or it.days for it in its):
            strong_edges.add(key)
        if key in strong_edges or _edge_gives_hours(its, language):
            for it in its:
                it.edge_read = True  # a sidebar or footer with hours: read all of it (its labels too)
    # A block split at its rules is read section by section there; the others are read whole here,
    # after it (reading one whole first would be wasted when it splits).
    split = _split_at_rules(blocks, members, language)
    for key, block in blocks.items():
        if key not in split:
            _read_block(block, members[key])
    _place_edges(blocks, members, strong_edges, {id(it): pos for pos, it in enumerate(items)}, edge_titles, language)
    # A block that only says "uniquement sur rendez-vous" speaks for the offices listed inside it.
    ordered = list(blocks.values())
    _name_sites(ordered)
    ordered = _title_closure(ordered)
    for block in ordered:
        if block.reader.appointment_only and not _has_counter_hours(block):
            inner = [b for b in ordered if b is not block and _encloses(block, b)]
            if any(_has_counter_hours(b) for b in inner):
                for b in inner:
                    b.reader.appointment_only = True
                block.reader.appointment_only = False
    return ordered


# "La bibliothèque, secteur Val-Barrette, est située au": the office's name is what comes before the verb.
_LOCATED = re.compile(
    r",?\s+(?:est|sont|se trouve|se situe|is|are|ist|befindet|liegt|zijn|bevindt|ligt)\b.*$", re.IGNORECASE
)


def _split_at_rules(
    blocks: dict[int | str | None, OfficeBlock], members: dict[int | str | None, list[Item]], language: str
) -> set[int | str | None]:
    """Office sections separated by horizontal rules (``<hr>``) without a heading of their own
    ("<hr> La bibliothèque, secteur Lac-des-Écorces, est située au / 570, boul. St-François / Horaire
    : ... <hr> La bibliothèque, secteur Val-Barrette ..."): when two sections or more each name a
    place (an office noun or an address) and give counter hours, each is an office of its own,
    named by its office line. A rule between an office's hours and its news changes nothing.

    Blocks are given unread; the keys of the offices read here (the sections of a split block) are
    returned, the other blocks are left to be read."""
    rebuilt: dict[int | str | None, OfficeBlock] = {}
    read_here: set[int | str | None] = set()
    fresh = -1
    for key, block in list(blocks.items()):
        its = members[key]
        repeats = _calendar_repeats(its, language)
        if isinstance(key, str) or not (repeats or any(it.kind == "rule" for it in its)):
            rebuilt[key] = block
            continue
        sections: list[list[Item]] = [[]]
        for it in its:
            if it.kind == "rule" or id(it) in repeats:
                sections.append([])
            if it.kind != "rule":
                sections[-1].append(it)
        timed = [sec for sec in sections if any(_times_in(it.text or " ".join(it.lines)) for it in sec)]
        if len(timed) < 2:
            rebuilt[key] = block  # (a quick look first: two sections at least must give times)
            continue
        read: list[tuple[list[Item], OfficeBlock, str | None]] = []
        for section in sections:
            if not section:
                continue
            trial = OfficeBlock(None, Reader(language))
            _read_block(trial, section)
            read.append((section, trial, _section_name(section, trial, language)))
        # (a calendar shown twice for the same dates is two calendars: no name needed)
        offices = [r for r in read if _gives_hours(r[1]) and (r[2] or r[1].address or repeats)]
        if len(offices) < 2 or any(_gives_hours(r[1]) and r not in offices for r in read):
            rebuilt[key] = block
            continue
        # What comes before the first office section (the page's intro) and after the last one (its
        # news) goes with them.
        first, last = read.index(offices[0]), read.index(offices[-1])
        for n, (section, _trial, name) in enumerate(read):
            if n < first or n > last or (section, _trial, name) not in offices:
                continue
            part = list(section)
            if n == first:
                part = [it for s in read[:first] for it in s[0]] + part
            if n == last:
                part += [it for s in read[last + 1 :] for it in s[0]]
            heading = Item("heading", section[0].el, name or "", level=PSEUDO_HEADING_LEVEL) if name else None
            if len(part) == len(section):
                office, office.heading = _trial, heading  # read already
            else:
                office = OfficeBlock(heading, Reader(language))
                _read_block(office, part)
            new_key: int | None = key if n == first else fresh
            if n != first:
                fresh -= 1
            rebuilt[new_key] = office
            members[new_key] = part
            read_here.add(new_key)
    blocks.clear()
    blocks.update(rebuilt)
    return read_here


def _gives_hours(block: OfficeBlock) -> bool:
    """Counter hours read in the block, in its lines or from its dated calendar."""
    return _has_counter_hours(block) or bool(block.reader.calendar() and block.reader.calendar().weekly)  # type: ignore[union-attr]


def _times_in(text: str) -> bool:
    return bool(_TIME_LIKE.search(text) or _BARE_RANGE.search(text))


# "1 januari", "January 1". (Three letters are enough to find one: "{3,}" before "\s\d" would try
# every shorter run of a word's letters again at each of its letters.)
_DATE_LIKE = re.compile(r"\d\.?\s?[^\W\d_]{3}|[^\W\d_]{3}\.?\s\d")


def _calendar_repeats(items: list[Item], language: str) -> set[int]:
    """The date lines ("zondag 1 januari 2017") that show a date the block already showed: each
    starts a second calendar of the same days (another channel or office, "open" then "op
    afspraak"), as the ids of those items."""
    seen: set[str] = set()
    starts: set[int] = set()
    for it in items:
        if it.kind != "text" or len(it.text) > 40 or not _DATE_LIKE.search(it.text):
            continue
        toks = tt.tokenize(tt.clean(it.text), language)
        if not any(t.kind == tt.DAY for t in toks) or any(t.kind in (tt.TIME, tt.NUM) for t in toks):
            continue
        dates = [tt.clean(it.text)[t.start : t.end].lower() for t in toks if t.kind == tt.DATE]
        if len(dates) != 1:
            continue
        if dates[0] in seen:
            starts.add(id(it))
            seen = set()
        seen.add(dates[0])
    return starts if len(starts) >= 1 and len(seen) >= MIN_CALENDAR_DAYS else set()


def _section_name(section: list[Item], block: OfficeBlock, language: str) -> str | None:
    """The first short line of a section that names an office ("La bibliothèque, secteur
    Val-Barrette"), without its "est située au"."""
    for it in section:
        if it.kind in ("text", "heading") and len(it.text) <= 100 and tt.OFFICE_NOUN.search(it.text):
            if not any(t.kind in (tt.TIME, tt.DAY) for t in tt.tokenize(tt.clean(it.text), language)):
                return _LOCATED.sub("", it.text).strip(" ,:") or None
    return None


def _same_container(a: etree._Element, b: etree._Element) -> bool:
    """Two bold names in paragraphs of the same container (``<div><p><strong>A</strong>...</p>
    <p><strong>B</strong>...</p></div>``)."""
    pa, pb = a.getparent(), b.getparent()
    if pa is None or pb is None:
        return False
    return pa.getparent() is pb.getparent() and pa.getparent() is not None


def _title_closure(blocks: list[OfficeBlock]) -> list[OfficeBlock]:
    """The page's title names the office (``<h1>Bibliothèque</h1>``) and its intro announces the
    office's closure ("La bibliothèque sera fermée du 4 au 30 septembre pour travaux"), while its
    hours are further down under a section title that names no other place ("Autres services",
    "Horaire et coordonnées"): one office, its hours and its closure."""
    closed = [b for b in blocks if b.reader.closed and not _has_counter_hours(b)]
    timed = [b for b in blocks if _has_counter_hours(b)]
    if len(closed) != 1 or len(timed) != 1:
        return blocks
    title, hours = closed[0], timed[0]
    if title.heading is None or title.heading.level != 1 or not tt.OFFICE_NOUN.search(title.heading.text):
        return blocks
    if hours.heading is None or hours.heading.level <= 1 or _names_a_place(hours.heading.text):
        return blocks
    if blocks.index(hours) < blocks.index(title):
        return blocks
    hours.reader.closed, hours.reader.closed_reason = title.reader.closed, title.reader.closed_reason
    hours.heading, hours.address = title.heading, hours.address or title.address
    return [b for b in blocks if b is not title]


def _names_a_place(text: str) -> bool:
    """A capitalised word after the first one ("Bibliothèque Bruno-Sigmen", "Centre Marcel-Dulude"):
    a proper name."""
    return any(w[:1].isupper() for w in text.split()[1:])


def _name_sites(blocks: list[OfficeBlock]) -> None:
    """Places named in bold under a service that gives no hours of its own ("<strong>Centre d'accès
    communautaire Internet (CACI)</strong> ... <strong>Malartic</strong><br>Mardi de 16h30 à 18h
    ... <strong>Rivière-Héva</strong><br>Lundi de 18h à 21h"): each is one site of that service,
    with its own hours, named "Service — Site" (not an activity's times)."""
    service: OfficeBlock | None = None
    for block in blocks:
        heading = block.heading
        if heading is None:
            continue
        if tt.OFFICE_NOUN.search(heading.text):
            hours = _has_counter_hours(block) or block.reader.closed or block.reader.regimes
            service = None if hours else block
        elif (
            service is not None
            and heading.level == PSEUDO_HEADING_LEVEL
            and _PROPER_NAME.fullmatch(heading.text.rstrip(" :"))
            and _has_counter_hours(block)
            and _same_container(heading.el, service.heading.el)  # type: ignore[union-attr]
        ):
            block.parent = service.name
        else:
            service = None


# A quick look for a clock time ("9h", "13 u.", "9:30", "10am") before a line is tokenized.
_TIME_LIKE = re.compile(r"\d(?:\s?(?:h|u|uur|uhr|am|pm|a\.m|p\.m)\b|[:.h]\d\d)", re.IGNORECASE)
# Hours written as bare numbers ("Tuesday 10-8 Wednesday 10-5").
# (A digit first, its look back after it: a pattern that starts with a digit is searched for digits
# only, one that starts with a look back is tried at every character.)
_BARE_RANGE = re.compile(r"\d(?<![\d.,:/]\d)\d?\s?[-–]\s?\d{1,2}(?![\d.,:/])")
_EDGE = "edge:"  # block key of a sidebar, header or footer outside every office heading
_MENU_WORDS = frozenset({"nav", "navbar", "navigation", "menu", "breadcrumb", "breadcrumbs", "dropdown", "megamenu"})


def _place_edges(
    blocks: dict[int | str | None, OfficeBlock],
    members: dict[int | str | None, list[Item]],
    strong: set[str],
    order: dict[int, int],
    titles: dict[str, Item],
    language: str,
) -> None:
    """Sidebars and footers outside every office heading that hold hours: the hours of the page's
    own office when the main content gives none ("Heures d'ouverture" in a sidebar), else another
    office (the town hall's hours in the footer of a library page). Edges without hours go."""
    main = [b for k, b in blocks.items() if not isinstance(k, str)]
    main_hours = {_counter_hours(b) for b in main} - {frozenset()}
    # A main content with only a season's hours ("Horaire d'été") has hours of its own too.
    main_seasons = any(r.pieces for b in main for r in b.reader.regimes.values())
    for key in [k for k in blocks if isinstance(k, str)]:
        edge = blocks.pop(key)
        if not (edge.reader.drafts or edge.reader.regimes or edge.reader.closed):
            if not main_hours and key in titles and _link_to_hours(edge, titles[key], members[key], language):
                blocks[key] = edge  # the office of a footer's contact block, its hours on another page
            continue
        if (main_hours or (main_seasons and key in strong)) and _counter_hours(edge) not in main_hours:
            if key in strong and _counter_hours(edge):
                blocks[key] = edge  # an office of its own
            # a stray footer line of times beside the page's own hours: too little to be an office
            continue
        # The page's office: read again with the main content, in page order.
        members[None] = sorted(members.get(None, []) + members[key], key=lambda it: order[id(it)])
        blocks[None] = OfficeBlock(None, Reader(language))
        _read_block(blocks[None], members[None])


def _link_to_hours(edge: OfficeBlock, heading: Item, items: list[Item], language: str) -> bool:
    """A footer's contact block: an office name (the heading above it), a postal address and a link
    to the office's hours ("<h2>Stad Leuven</h2> ... 3000 Leuven ... <a>Afspraak maken, openingsuren
    en contact</a>"). The block gets that name and address and says its hours are elsewhere."""
    if len(heading.text) > 60 or _is_label(heading, language) or _is_hours_label(heading.text):
        return False
    address = next((it.text for it in items if it.kind == "text" and _looks_like_address(it.text, language)), None)
    linked = any(
        _is_hours_label(text_of(a)) and not any(_is_menu(p) for p in a.iterancestors())
        for it in items
        if it.kind == "text"
        for a in it.el.iter("a")
    )
    if address is None or not linked:
        return False
    edge.heading, edge.address, edge.hours_link = heading, address, True
    return True


def _counter_hours(block: OfficeBlock) -> frozenset[tuple[int, int, int]]:
    return frozenset((d.day, d.opens, d.closes) for d in block.reader.drafts if d.channel == CHANNEL_COUNTER)


def _read_block(block: OfficeBlock, items: list[Item]) -> None:
    reader = block.reader
    block.items = items
    items = _join_broken_sentences(
        [
            it
            for it in items
            # a footer or sidebar, unless it holds hours (or a phone line's hours in its tel: link)
            if not it.boiler
            or it.hours
            or it.days
            or it.edge_read
            or (it.phone and _looks_like_hours(it, reader.language))
        ],
        reader.language,
    )
    for item in items:
        if item.kind == "address":
            block.address = block.address or item.text
        elif item.kind == "heading":
            if not _closure_notice(item.text):
                reader.feed(item.text, heading=True)
        elif item.kind in ("table", "dl"):
            if item.days:
                reader.start_structure()
            if item.text:
                reader.feed(item.text, heading=True)  # the table's caption
            if item.days:
                block.day_structures[item.kind] = block.day_structures.get(item.kind, 0) + 1
                for line in item.lines:
                    reader.feed(line, item.kind, row=True)
            else:  # "Adresse : ...", "Horaires : du lundi au vendredi ...": prose in a grid
                for line in item.lines:
                    _read_line(block, line)
        elif item.phone or item.after_call:
            reader.feed(item.text, channel=CHANNEL_PHONE)  # hours written in (or after) a telephone link
        else:
            _read_line(block, item.text)


def _join_broken_sentences(items: list[Item], language: str) -> list[Item]:
    """A sentence broken by a ``<br>`` between its hours and its days ("Nos heures d'ouverture sont
    de 8 h 30 à 16 h 30 <br>du lundi au vendredi."): one line again."""
    out: list[Item] = []
    for item in items:
        prev = out[-1] if out else None
        if (
            prev is not None
            and item.kind == prev.kind == "text"
            and item.el is prev.el
            and not prev.phone
            and item.text[:1].islower()
            and prev.text[-1:] not in ".:;!?"
            and _TIME_LIKE.search(prev.text)
            and _days_only(item.text, language)
            and not any(t.kind in (tt.DAY, tt.DABBR) for t in tt.tokenize(tt.clean(prev.text), language))
        ):
            out[-1] = Item("text", prev.el, f"{prev.text} {item.text}", boiler=prev.boiler, hours=prev.hours)
            continue
        out.append(item)
    return out


def _days_only(text: str, language: str) -> bool:
    """A short line of days and no times ("du lundi au vendredi.")."""
    if len(text) > 80:
        return False
    kinds = {t.kind for t in tt.tokenize(tt.clean(text), language)}
    return bool(kinds & {tt.DAY}) and not kinds & {tt.TIME, tt.NUM, tt.NOON}


def _edge_gives_hours(items: list[Item], language: str) -> bool:
    """A sidebar or footer that publishes hours without marking them in its markup: an hours label
    line ("Heures d'ouverture", "Hours of Operation:") and a line of hours, or several lines of
    hours. One stray "Ouvert du lundi au vendredi" beside a copyright line is too little."""
    lines = 0
    for it in items:
        if (_TIME_LIKE.search(it.text) or _BARE_RANGE.search(it.text)) and _edge_hours_line(it, language):
            lines += 1
            if lines >= 2:
                return True
    # One line of hours: with an hours label, a phone line's call to action ("Telefonisch bereikbaar")
    # or a telephone link.
    return lines == 1 and any(
        it.phone
        or (
            it.kind in ("text", "heading")
            and len(it.text) <= 60
            and (
                _is_hours_label(it.text)
                or tt.says(it.text, language, tt.PHONE)
                or tt.says(it.text, language, tt.PHONE_LABEL)
            )
        )
        for it in items
    )


def _edge_hours_line(item: Item, language: str) -> bool:
    """A sidebar or footer line (not a menu) of days and times without a date: hours, not an event."""
    if not _looks_like_hours(item, language):
        return False
    if any(_is_menu(a, strict=True) for a in item.el.iterancestors()):
        return False
    if any(_is_menu(a) for a in item.el.iterancestors()) and _link_text_share(item) >= 0.5:
        return False  # a menu's entry; a "right_menu" column's own text (its hours) is not one
    return not any(t.kind in (tt.DATE, tt.MONTH) for t in tt.tokenize(tt.clean(item.text), language))


def _is_menu(el: etree._Element, strict: bool = False) -> bool:
    """Navigation; ``strict``: by its tag or role only, not by a class word ("right_menu" names a
    page column as often as a menu)."""
    if tag(el) == "nav" or (el.get("role") or "").lower() == "navigation":
        return True
    return not strict and bool(class_words(el) & _MENU_WORDS)


def _link_text_share(item: Item) -> float:
    """The share of a line's text that is the text of one link (menu entries are links)."""
    el = item.el
    if any(tag(a) == "a" for a in el.iterancestors()):
        return 1.0
    best = 0
    for a in el.iter("a"):
        linked = squash("".join(a.itertext()))
        if linked and (linked in item.text or item.text in linked):
            best = max(best, min(len(linked), len(item.text)))
    return best / max(len(item.text), 1)


def _looks_like_hours(item: Item, language: str) -> bool:
    """A line that names days and gives a time range ("ma-za van 8-19 u."): hours, not a copyright
    year or a news date."""
    if item.kind != "text" or len(item.text) > 300 or not any(c.isdigit() for c in item.text):
        return False
    kinds = [t.kind for t in tt.tokenize(tt.clean(item.text), language)]
    days = any(k in (tt.DAY, tt.DABBR) for k in kinds)
    return days and sum(k in (tt.TIME, tt.NUM) for k in kinds) >= 2 and tt.TO in kinds


def _read_line(block: OfficeBlock, text: str) -> None:
    """A line of prose: the office's address (the first line that looks like one) or hours text.
    A line about a place without staff ("chute à livres de 8 h à 16 h 30") says nothing of the
    counter's hours."""
    if _UNSTAFFED.match(text.lstrip("-–•*► ")):
        return
    if _EXCEPTIONAL_NOTICE.fullmatch(text.strip(" :!.-–")):
        # "FERMETURE EXCEPTIONNELLE" above "La bibliothèque sera fermée du 4 au 30 septembre pour
        # travaux": the notice's title, like a heading; its text says what closes (read as an
        # "exceptional" regime label, it would make the closure a regime's).
        return
    if block.address is None and (
        _looks_like_address(text, block.reader.language) or (_directory_entry(block) and _STREET_LINE.match(text))
    ):
        block.address = _ADDRESS_LABEL.sub("", text)
    else:
        block.reader.feed(text)


def _directory_entry(block: OfficeBlock) -> bool:
    """A block titled by a directory's title element ("<div class='serv_muni_titre'>", "<dt>"): the
    street line under it is the office's address, whatever the country's postcodes."""
    heading = block.heading
    return heading is not None and heading.level == PSEUDO_HEADING_LEVEL and tag(heading.el) not in _EMPHASIS


def _looks_like_address(text: str, language: str) -> bool:
    """A short line with a Belgian postcode and a place name, and no hours in it."""
    if len(text) > 150 or not _POSTCODE_LINE.search(text):
        return False
    return not any(t.kind in (tt.TIME, tt.DAY) for t in tt.tokenize(tt.clean(text), language))


def _has_counter_hours(block: OfficeBlock) -> bool:
    return any(d.channel == CHANNEL_COUNTER for d in block.reader.drafts)


def _encloses(outer: OfficeBlock, inner: OfficeBlock) -> bool:
    if outer.heading is None:
        return True
    if inner.heading is None or outer.scope is None:
        return False
    return inner.heading.level > outer.heading.level and any(a is outer.scope for a in inner.heading.el.iterancestors())
