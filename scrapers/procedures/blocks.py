"""The blocks of a procedure catalogue page: one block per procedure, found in the page's structure.

A document-order walk over the page (headings, lists, ``<details>``) plus the structured forms
administrations use: JSON-LD ``GovernmentService`` data, tables with one row per procedure or
one column per channel, ``<dl>`` lists. Each block carries the procedure's title and the text
that says how it can be done; :mod:`scrapers.procedures.parser` reads the channels out of it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from scrapers.hours.dom import (
    BLOCK_TAGS,
    SECTIONING_TAGS,
    SKIP_TAGS,
    heading_level,
    is_boilerplate,
    squash,
    tag,
    text_of,
)
from scrapers.hours.jsonld import find_json_objects, jsonld_documents, jsonld_text
from scrapers.procedures.model import (
    AVAILABLE,
    NOT_AVAILABLE,
)
from scrapers.procedures.sentences import (
    APPOINTMENT,
    COUNTER,
    DIGITAL_ID,
    ONLINE,
    PHONE,
    POST,
    WALK_IN,
    Statement,
    evidence_of,
    expand_label,
    read_label,
    read_sentence,
    split_sentences,
    without_cues,
    yes_no,
)
from scrapers.procedures.taxonomy import default_taxonomy, normalize


@dataclass
class _Event:
    kind: str  # heading | line | table | dl | details
    el: etree._Element
    text: str = ""
    level: int = 0


class _Walker:
    """The visible page as events in document order: headings, text lines, tables, lists, FAQ items."""

    def __init__(self) -> None:
        self.events: list[_Event] = []
        self._buf: list[str] = []
        self._el: etree._Element | None = None

    def flush(self) -> None:
        text = squash("".join(self._buf))
        if text and self._el is not None:
            self.events.append(_Event("line", self._el, text))
        self._buf, self._el = [], None

    def _text(self, text: str | None, block: etree._Element) -> None:
        if text:
            if self._el is None and not text.isspace():
                self._el = block
            self._buf.append(text)

    def visit(self, el: etree._Element, sectioned: bool = False, block: etree._Element | None = None) -> None:
        name = tag(el)
        if not name or name in SKIP_TAGS or is_boilerplate(el, sectioned):
            return
        sectioned = sectioned or name in SECTIONING_TAGS
        level = heading_level(el)
        if level:
            self.flush()
            self.events.append(_Event("heading", el, text_of(el), level))
            return
        if name in ("table", "dl", "details") and not (name == "table" and el.xpath(".//table|.//h2|.//h3")):
            self.flush()
            self.events.append(_Event(name, el))
            return
        if name == "br":
            self.flush()
            return
        is_block = name in BLOCK_TAGS or block is None
        if is_block:
            self.flush()
            block = el
        self._text(el.text, block)
        for child in el:
            self.visit(child, sectioned, block)
            if child.tail:
                if tag(child) in BLOCK_TAGS:
                    self.flush()
                self._text(child.tail, block)
        if is_block:
            self.flush()


@dataclass
class Block:
    """A procedure candidate: a title and what was read under it."""

    title: str
    layout: str
    level: int = 0
    lines: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (text, context channels)
    statements: list[Statement] = field(default_factory=list)  # structured ones (JSON-LD, table cells)
    fee_texts: list[str] = field(default_factory=list)
    structured: bool = False
    listed: bool = False  # a row of a catalogue table: a procedure even when no channel is stated


# Words of headings that name a part of a procedure page, not a procedure.
_LABEL_WORDS = frozenset("""
comment faire introduire demander obtenir ma mon mes votre vos la le les l de du des d a au aux en et ou qui quoi
quand s adresser prix tarif tarifs cout couts frais documents document fournir pieces piece conditions condition
delai delais contact contacts contactez nous plus infos info informations information pratiques pratique horaires
horaire heures ouverture demarches demarche services service guichet guichets electronique ligne faq questions
question frequentes frequemment posees autres voir aussi liens utiles lien actualites actualite savoir procedure
procedures qu est ce c que n quel quels quelle quelles ou trouver modalites etapes etape apporter necessaires emporter
hoe aanvragen aanvraag wat wie waar wanneer prijs kostprijs kosten meebrengen voorwaarden termijn meer informatie
praktisch praktische openingsuren diensten dienst online e-loket loket veelgestelde vragen vraag andere zie ook
nuttige links link nieuws u je uw het een van voor bij te doen mijn welke documenten nodig stappen
wie was wo wann beantragen antrag gebuhren unterlagen voraussetzungen kontakt mehr informationen offnungszeiten
dienste haufige fragen siehe auch aktuelles verfahren sie ihr der die das und oder
how to apply what who where when price cost fees fee documents conditions more opening hours faq frequently asked
questions other see also links news the a an your and or e-guichet eguichet e-services digital digitaal numeriques
catalogue overzicht apercu via sur avec aide nos notre collaborateurs medewerkers hulp hilfe help met onze par per
uniquement enkel alleen nur only possible mogelijk aussi ook auch also papier paper papieren aan in op bij am im
at by on dans chez aupres
""".split())  # fmt: skip


_WORD = re.compile(r"[\w-]+")


_ASIDE_WORDS = re.compile(
    r"(?<!\w)(?:contact|contacts|contactez|contacter|kontakt|actualites?|nieuws|news|aktuelles|liens utiles|"
    r"nuttige links|voir aussi|zie ook|siehe auch|see also|agenda|evenements?|autres demarches|andere diensten)(?!\w)"
)


_TITLE_TRIM = re.compile(r"^[\s\d.)•\-–—]+|[\s:–—\-]+$")


_DAYS = re.compile(
    r"(?<!\w)(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|maandag|dinsdag|woensdag|donderdag|vrijdag|"
    r"zaterdag|zondag|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday)(?!\w)"
)


_TIME = re.compile(r"(?<![\w,.])\d{1,2}(?:[:h.u]\d{2}|\s?(?:h|u|uur|uhr)(?!\w))")


_POSTCODE = re.compile(r"(?<!\d)[1-9]\d{3}\s+[A-ZÀ-Ý][\w'\-]+")


_PROCEDURE_WORDS = re.compile(
    r"(?<!\w)(?:demandes?|demander|attestations?|certificats?|extraits?|declarations?|inscriptions?|permis|cartes?|"
    r"autorisations?|allocations?|primes?|aanvra\w*|attesten?|uittreksels?|aangifte|inschrijving\w*|vergunning\w*|"
    r"kaart\w*|premies?|toelagen?|antrag|antrage|bescheinigung\w*|genehmigung\w*|certificates?|applications?|"
    r"permits?|licen[cs]es?|registrations?|comment|hoe|wie)(?!\w)"
)


_FEE_HEADER = re.compile(
    r"(?<!\w)(?:prix|tarifs?|couts?|frais|kostprijs|prijs|kosten|gebuhre?n?|preis|price|fees?|costs?)(?!\w)"
)


_TITLE_HEADER = re.compile(
    r"(?<!\w)(?:demarches?|procedures?|documents?|services?|diensten?|dienst|aanvraag|verfahren|dienstleistung)(?!\w)"
)


def _title(text: str) -> str:
    return _TITLE_TRIM.sub("", text).strip()


def is_label(text: str, language: str) -> tuple[bool, tuple[str, ...]]:
    """Whether a heading names a part of a page (and which channels it names, if any)."""
    channels = read_label(text, language) or ()
    words = [w for w in _WORD.findall(without_cues(text)) if not w.isdigit()]
    return all(w.strip("-") in _LABEL_WORDS or len(w) <= 1 for w in words), channels


def _ends_section(text: str) -> bool:
    """A label that starts a part of the page that is about something else ("Contact", "Actualités")."""
    return bool(_ASIDE_WORDS.search(normalize(text)))


def office_like(block: Block, statements: list[Statement]) -> bool:
    """A block whose only statements are about a counter and that publishes hours or an address:
    an office (read by the opening-hours parser), not a procedure."""
    if any(s.channel not in (WALK_IN, APPOINTMENT) for s in statements):
        return False
    if _PROCEDURE_WORDS.search(normalize(block.title)):
        return False
    text = " ".join(t for t, _ in block.lines)
    return bool((_DAYS.search(normalize(text)) and _TIME.search(text)) or _POSTCODE.search(text))


def read_blocks(root: etree._Element, language: str) -> tuple[list[Block], list[str]]:
    """The page's procedure candidates in order (JSON-LD first), and JSON-LD read errors."""
    services, errors = _jsonld_blocks(root, language)
    walker = _Walker()
    body = root.find("body")
    walker.visit(body if body is not None else root)
    walker.flush()
    blocks: list[Block] = []
    current: Block | None = None
    context: tuple[str, ...] = ()
    aside_level: int | None = None  # inside a "Contact"/"Actualités" part of the page, from this heading level
    for event in walker.events:
        if event.kind == "heading":
            title = _title(event.text)
            label, channels = is_label(title, language)
            if label or not title:
                if aside_level is not None and event.level > aside_level:
                    continue
                aside_level = None
                if _ends_section(title):
                    # "Contact", "Actualités": what follows (sub-headings included) is about something else.
                    current, context, aside_level = None, (), event.level
                elif current is not None and event.level > current.level:
                    context = channels  # a part of the procedure above ("Au guichet", "Prix")
                else:
                    current, context = None, ()  # a page-level label ("E-guichet"): not a procedure
                continue
            if aside_level is not None and event.level > aside_level:
                continue  # a news item under "Actualités"
            aside_level = None
            layout = "faq" if title.endswith("?") else "text"
            current, context = Block(title, layout, level=event.level), ()
            blocks.append(current)
        elif event.kind == "line":
            if current is not None:
                current.lines.append((event.text, context))
        elif event.kind == "table":
            rows = _table_blocks(event.el, language)
            if rows is not None:
                blocks += rows
            elif current is not None:
                current.lines += [(line, context) for line in _table_lines(event.el)]
        elif event.kind == "dl":
            items, as_lines = _dl_read(event.el, language)
            if items is not None:
                blocks += items
            elif current is not None:
                current.lines += as_lines
        elif event.kind == "details":
            faq = _details_block(event.el)
            if faq is not None:
                blocks.append(faq)
    _merge_visible(services, blocks)
    return services + blocks, errors


def _merge_visible(services: list[Block], blocks: list[Block]) -> None:
    """A visible section with a JSON-LD service's title is read with it (and removed from ``blocks``)."""
    by_title = {normalize(s.title): s for s in services}
    for block in list(blocks):
        service = by_title.get(normalize(block.title))
        if service is not None:
            service.lines += block.lines
            service.fee_texts += block.fee_texts
            blocks.remove(block)


def _rows(table: etree._Element) -> list[tuple[list[str], bool]]:
    """(cell texts, is_header) per row of a table, nested tables excluded."""
    out = []
    for tr in table.iter("tr"):
        if next((a for a in tr.iterancestors("table")), None) is not table:
            continue
        cells = [c for c in tr if tag(c) in ("td", "th")]
        if not cells:
            continue
        header = all(tag(c) == "th" for c in cells) or tag(tr.getparent()) == "thead"
        out.append(([text_of(c) for c in cells], header))
    return out


def _table_lines(table: etree._Element) -> list[str]:
    return [" ".join(cells) for cells, _ in _rows(table) if any(cells)]


def _table_blocks(table: etree._Element, language: str) -> list[Block] | None:
    """One block per row of a table listing procedures; None when the table is something else."""
    rows = _rows(table)
    if len(rows) < 1:
        return None
    header: list[str] = rows[0][0] if rows[0][1] else []
    body = [cells for cells, is_header in (rows[1:] if header else rows) if any(cells)]
    if not body:
        return None
    firsts = [normalize(cells[0]) for cells in body]
    if sum(bool(_DAYS.fullmatch(f.strip(" :"))) for f in firsts) * 2 >= len(firsts):
        return None  # a day table: opening hours
    columns: list[tuple[str, tuple[str, ...]]] = []  # (kind: title|channel|fee|text, channels)
    for i, head in enumerate(header):
        norm = normalize(head)
        if i == 0 or (_TITLE_HEADER.search(norm) and not read_label(head, language)):
            columns.append(("title" if i == 0 else "text", ()))
        elif _FEE_HEADER.search(norm):
            columns.append(("fee", ()))
        else:
            channels = read_label(head, language)
            columns.append(("channel", channels) if channels else ("text", ()))
    has_channel_columns = any(kind == "channel" for kind, _ in columns)
    blocks = []
    for cells in body:
        block = Block(_title(cells[0]), "table", listed=has_channel_columns)
        for i, cell in enumerate(cells[1:], start=1):
            kind, channels = columns[i] if i < len(columns) else ("text", ())
            head = header[i] if i < len(header) else ""
            if not cell.strip():
                continue
            if kind == "fee":
                block.fee_texts.append(cell)
            elif kind == "channel":
                block.statements += _cell_statements(head, cell, channels, language)
                block.structured = True
            else:
                block.lines.append((cell, ()))
        blocks.append(block)
    if has_channel_columns:
        return blocks
    taxonomy = default_taxonomy()
    # Without channel columns, a table lists procedures when its rows name known procedures.
    known = sum(taxonomy.match(b.title, language)[0] is not None for b in blocks)
    return blocks if known and known * 2 >= len(blocks) else None


_YES_CELL = frozenset({"oui", "yes", "ja", "x", "✓", "✔", "☑", "✅", "v", "disponible", "possible", "mogelijk",
                       "beschikbaar", "verfugbar", "moglich", "available"})  # fmt: skip


_NO_CELL = frozenset({"non", "no", "nee", "neen", "nein", "-", "—", "–", "✗", "✘", "✕", "×", "❌", "pas possible",
                      "niet mogelijk", "nicht moglich", "not available", "indisponible", "niet beschikbaar",
                      "plus possible", "n/a", "/"})  # fmt: skip


# A cell saying there is nothing to do ("Automatique", "u hoeft niets te doen") names no channel.
_NO_ACTION = re.compile(r"automati|d'office|ambtshalve|von amts wegen|hoeft|hoef je|pas besoin|rien a faire|niets|"
                        r"nicht notig|no need|nothing to do")  # fmt: skip


def _cell_statements(head: str, cell: str, channels: tuple[str, ...], language: str) -> list[Statement]:
    """What a cell under a channel column says: yes/no, or a short text about that channel."""
    evidence = evidence_of(f"{head} : {cell}")
    norm = normalize(cell).strip(" .!")
    if _NO_ACTION.search(norm):
        return []
    if norm in _YES_CELL:
        return expand_label(channels, AVAILABLE, evidence)
    if norm in _NO_CELL:
        return expand_label(channels, NOT_AVAILABLE, evidence)
    found = [s for sentence in split_sentences(cell) for s in read_sentence(sentence, language, channels)]
    answer = yes_no(cell)
    if answer and not any(s.channel in _expand_all(channels) for s in found):
        found += expand_label(channels, answer, evidence)
    if not found:
        # A cell with details ("du lundi au vendredi, 9h-12h") says the channel is there.
        found = expand_label(channels, AVAILABLE, evidence)
    return [Statement(s.channel, s.status, evidence, s.direct) for s in found]


def _expand_all(channels: tuple[str, ...]) -> set[str]:
    out = set(channels)
    if COUNTER in out:
        out |= {WALK_IN, APPOINTMENT}
    return out


def _dl_pairs(dl: etree._Element) -> list[tuple[str, list[str]]]:
    pairs: list[tuple[str, list[str]]] = []
    for child in dl.iter("dt", "dd"):
        if next((a for a in child.iterancestors("dl")), None) is not dl:
            continue
        if tag(child) == "dt":
            pairs.append((text_of(child), []))
        elif pairs:
            text = text_of(child, br="\n")
            pairs[-1][1].extend(line for line in text.split("\n") if line.strip())
    return pairs


def _dl_read(dl: etree._Element, language: str) -> tuple[list[Block] | None, list[tuple[str, tuple[str, ...]]]]:
    """A list of procedures (blocks), or lines (with their channel context) of the current section."""
    pairs = _dl_pairs(dl)
    if not pairs:
        return None, []
    labels = [is_label(_title(dt), language) for dt, _ in pairs]
    days = sum(bool(_DAYS.search(normalize(dt))) for dt, _ in pairs)
    if sum(labelled for labelled, _ in labels) * 2 >= len(pairs) or days * 2 >= len(pairs):
        lines: list[tuple[str, tuple[str, ...]]] = []
        for (dt, dds), (_is, channels) in zip(pairs, labels, strict=True):
            if _FEE_HEADER.search(normalize(dt)):
                lines += [(f"{dt} : {dd}", ()) for dd in dds]
            else:
                lines += [(dd, channels) for dd in dds] if channels else [(f"{dt} {dd}", ()) for dd in dds]
        return None, lines
    blocks = []
    for dt, dds in pairs:
        block = Block(_title(dt), "dl")
        block.lines = [(dd, ()) for dd in dds]
        blocks.append(block)
    return blocks, []


def _details_block(details: etree._Element) -> Block | None:
    summary = next((c for c in details if tag(c) == "summary"), None)
    if summary is None:
        return None
    title = _title(text_of(summary))
    if not title:
        return None
    block = Block(title, "faq")
    for child in details:
        if child is summary:
            continue
        text = text_of(child, br="\n") if isinstance(child.tag, str) else ""
        block.lines += [(line, ()) for line in text.split("\n") if line.strip()]
    if (details.text or "").strip():
        block.lines.insert(0, (squash(details.text), ()))
    return block


# ---- JSON-LD ---------------------------------------------------------------------------------------
_SERVICE_TYPES = frozenset({"governmentservice", "service"})


def _types(node: dict) -> set[str]:
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {re.split(r"[/:#]", str(v))[-1].lower() for v in values if v}


def _jsonld_blocks(root: etree._Element, language: str) -> tuple[list[Block], list[str]]:
    blocks: list[Block] = []
    errors: list[str] = []
    for n, data in jsonld_documents(root, errors):
        # A service's own channels and offers are read with it: no search inside a found service.
        for node, _ in find_json_objects(data, lambda d: bool(_types(d) & _SERVICE_TYPES), inside_found=False):
            title = _title(jsonld_text(node.get("name"), language))
            if not title:
                errors.append(f"JSON-LD #{n}: a {'/'.join(sorted(_types(node)))} without a name")
                continue
            block = Block(title, "jsonld")
            description = jsonld_text(node.get("description"), language)
            if description:
                block.lines.append((description, ()))
            channels = node.get("availableChannel") or []
            for channel in channels if isinstance(channels, list) else [channels]:
                if isinstance(channel, dict):
                    block.statements += _channel_statements(channel, language)
            block.structured = bool(block.statements)
            block.fee_texts += _offer_fees(node.get("offers"))
            blocks.append(block)
    return blocks, errors


def _channel_statements(channel: dict, language: str) -> list[Statement]:
    """Channels of one schema.org ServiceChannel."""
    said = " ".join(
        t for t in (jsonld_text(channel.get("name"), language), jsonld_text(channel.get("description"), language)) if t
    )
    out: list[Statement] = []
    for sentence in split_sentences(said):
        out += read_sentence(sentence, language)
    norm = normalize(said)
    needs_id = bool(read_label(said, language) and DIGITAL_ID in (read_label(said, language) or ()))
    label = f"{said} — " if said else ""
    if channel.get("serviceUrl"):
        url = channel["serviceUrl"] if isinstance(channel["serviceUrl"], str) else json.dumps(channel["serviceUrl"])
        out.append(Statement(DIGITAL_ID if needs_id else ONLINE, AVAILABLE, evidence_of(f"{label}serviceUrl: {url}")))
    if channel.get("servicePhone"):
        phone = channel["servicePhone"]
        number = phone.get("telephone") if isinstance(phone, dict) else phone
        out.append(Statement(PHONE, AVAILABLE, evidence_of(f"{label}servicePhone: {number}")))
    if channel.get("servicePostalAddress"):
        out.append(Statement(POST, AVAILABLE, evidence_of(f"{label}servicePostalAddress")))
    if channel.get("serviceLocation"):
        place = channel["serviceLocation"]
        name = jsonld_text(place.get("name"), language) if isinstance(place, dict) else str(place)
        appointment = bool(re.search(r"rendez-vous|rdv|afspraak|termin|appointment", norm)) and not re.search(
            r"sans rendez-vous|zonder afspraak|ohne termin|without appointment", norm
        )
        kind = APPOINTMENT if appointment else WALK_IN
        out.append(Statement(kind, AVAILABLE, evidence_of(f"{label}serviceLocation: {name}")))
    return out


def _offer_fees(offers: Any) -> list[str]:
    out = []
    for offer in offers if isinstance(offers, list) else [offers]:
        if isinstance(offer, dict) and offer.get("price") is not None:
            currency = str(offer.get("priceCurrency") or "EUR")
            if currency.upper() == "EUR":
                price = str(offer["price"]).replace(".", ",")
                out.append("gratuit" if price in ("0", "0,0", "0,00") else f"{price} EUR")
    return out
