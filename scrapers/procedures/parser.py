"""Find the procedure blocks of a page and read each one's channels and fee.

Blocks, in order of preference:

1. **schema.org JSON-LD** ``GovernmentService`` / ``Service`` items (alone, in lists, in
   ``@graph``, nested in catalogues): ``name`` is the title, ``description`` is read as text, and
   each ``availableChannel`` (``ServiceChannel``) gives channels: ``serviceUrl`` → online (with a
   digital identity when the channel's name or description says itsme/eID), ``servicePhone`` →
   phone, ``servicePostalAddress`` → post, ``serviceLocation`` → counter (by appointment when
   the channel says so); ``availableLanguage`` is no channel and is not read. A visible section
   with the same title is read with it, and what the visible text says wins over stale
   structured data ("n'est plus possible au guichet").
2. **Tables** with one row per procedure: the first column is the title; columns whose header
   names a channel ("En ligne", "Au guichet", "Par courrier") are read as yes/no cells ("Oui",
   "Non", "✓", "—") or short texts ("Sur rendez-vous"); a "Prix"/"Tarif"/"Kostprijs" column is
   the fee; other columns are read as text.
3. **Definition lists**: ``<dt>`` procedure, ``<dd>`` how to do it; or, inside a procedure's
   section, ``<dt>`` channel ("En ligne") and ``<dd>`` what it says about it.
4. **FAQ blocks**: ``<details><summary>`` (and headings that are questions); a "Non"/"Nee"
   answer to "Puis-je encore ... au guichet ?" closes the channels the question names.
5. **Heading + paragraphs sections** (the commonest): every heading that is not a label starts
   a procedure; label headings ("En ligne", "Au guichet", "Comment faire ?", "Prix", "Contact")
   belong to the section above them, and a channel label gives its channel to the sentences
   under it.

Header, navigation, footer, sidebars and cookie banners are skipped. A heading block is a
procedure when its title is in the taxonomy, or when its text states a channel and it is not an
office (a block whose only statements are about a counter and that publishes hours or an
address is an office: the opening-hours parser reads those). The page title (``<h1>``) is a
procedure only on single-procedure pages.

Confidence: 1.0 for structured data (JSON-LD channels, yes/no table cells), 0.9 for channels
read from text, ×0.7 when sentences contradict each other about a channel, 0.3 for a procedure
whose title is known but whose channels are never stated.
"""

from __future__ import annotations

from scrapers.hours.dom import (
    parse_html,
    squash,
)
from scrapers.hours.model import ParseError, UnavailablePage
from scrapers.hours.unavailable import unavailable_reason
from scrapers.procedures.blocks import Block, is_label, office_like, read_blocks
from scrapers.procedures.model import (
    AVAILABLE,
    CHANNELS,
    NOT_AVAILABLE,
    ChannelStatus,
    ProcedureObservation,
)
from scrapers.procedures.sentences import (
    APPOINTMENT,
    DIGITAL_ID,
    LIST_MARKER,
    ONLINE,
    WALK_IN,
    Statement,
    evidence_of,
    expand_label,
    is_lead_in,
    read_fee,
    read_label,
    read_sentence,
    split_sentences,
    yes_no,
)
from scrapers.procedures.taxonomy import Taxonomy, default_taxonomy
from scrapers.vocabulary import LANGUAGES

CONFIDENCE_STRUCTURED = 1.0


CONFIDENCE_TEXT = 0.9


CONFIDENCE_NO_CHANNEL = 0.3


CONFLICT_FACTOR = 0.7


LOOKED_FOR = (
    'schema.org GovernmentService/Service items in JSON-LD (<script type="application/ld+json">); '
    "sections with a procedure heading and sentences saying how it is done (online, with itsme/eID, at a counter, "
    "by appointment, by phone, by post, through an intermediary); definition lists (<dt> procedure, <dd> how); "
    "tables with one row per procedure; FAQ blocks (<details><summary>)"
)


class NoProcedureFound(ParseError):
    """A page fetched fine but holds no procedure block (possible layout drift); the message names
    what was looked for."""


def resolve(statements: list[Statement], *, whole_block: bool = True) -> tuple[dict[str, ChannelStatus], bool]:
    """One status per channel from all statements of a block, and whether they conflicted.

    Direct statements beat inferred ones ("uniquement en ligne" closes post unless a sentence
    says post is possible); between direct statements, ``not_available`` wins (a notice that the
    counter is gone beats the stale paragraph that still describes it) and flags a conflict.
    ``whole_block``: the statements are everything a procedure block says, so an online way that
    needs a digital identity, and no other online way described, closes plain ``online``.
    """
    out: dict[str, ChannelStatus] = {}
    conflict = False
    for channel in CHANNELS:
        said = [s for s in statements if s.channel == channel]
        if not said:
            continue
        if channel == WALK_IN and any(s.channel == APPOINTMENT and s.status == AVAILABLE for s in statements):
            # "Au guichet" elsewhere in a block that says "sur rendez-vous": that counter is by appointment.
            said = [s for s in said if not s.plain] or [s for s in said if s.status == NOT_AVAILABLE]
            if not said:
                continue
        if (
            channel == DIGITAL_ID
            and not any(s.direct for s in said)
            and any(s.channel == ONLINE and s.status == AVAILABLE and s.direct for s in statements)
        ):
            continue  # "only by phone" said of help, with the online way stated: the identity is not said
        best = [s for s in said if s.direct] or said
        statuses = {s.status for s in best}
        status = NOT_AVAILABLE if NOT_AVAILABLE in statuses else AVAILABLE
        conflict = conflict or len(statuses) > 1
        evidence = next(s.evidence for s in best if s.status == status)
        out[channel] = ChannelStatus(status, evidence)
    online, digital = out.get(ONLINE), out.get(DIGITAL_ID)
    if whole_block and digital is not None and digital.status == AVAILABLE and online is None:
        # The only online way the page describes needs a digital identity.
        out[ONLINE] = ChannelStatus(NOT_AVAILABLE, digital.evidence)
    return out, conflict


def read_channels(text: str, language: str) -> dict[str, ChannelStatus]:
    """What a fragment of text (a sentence, a few lines or list items) says about a procedure's
    channels, read as the page parser reads a block's lines: a line that only names channels
    ("Au guichet :", "Par courrier") gives its channels to the lines after it. Channels the
    text does not state are absent from the result (``not_stated``)."""
    statements: list[Statement] = []
    context: tuple[str, ...] = ()
    previous = ""
    lead_in = False  # the last line that was no list item introduced a list ("La demande peut se faire :")
    for line in (squash(part) for part in text.splitlines()):
        if not line:
            continue
        listed = lead_in and bool(LIST_MARKER.match(line))
        if not listed:
            lead_in = is_lead_in(line, language)
        label, channels = is_label(LIST_MARKER.sub("", line).rstrip(":"), language)
        if label and channels and len(line) <= 60:
            context = channels
            if listed:
                # "• via Tax-on-web:" under "U dient uw aangifte zelf in": one of the ways listed.
                found = read_sentence(line, language, (), previous, listed)
                statements += found or expand_label(channels, AVAILABLE, evidence_of(line))
                previous = line
            continue
        for sentence in split_sentences(line):
            statements += read_sentence(sentence, language, context, previous, listed)
            previous = sentence
    return resolve(statements, whole_block=False)[0]


def _observation(block: Block, language: str, taxonomy: Taxonomy) -> ProcedureObservation | None:
    sentences: list[tuple[str, tuple[str, ...]]] = [
        (sentence, context) for text, context in block.lines for sentence in split_sentences(text)
    ]
    statements = list(block.statements)
    first_answer = True
    previous = ""
    for sentence, context in sentences:
        found = read_sentence(sentence, language, context, previous)
        previous = sentence
        if block.layout == "faq" and first_answer:
            first_answer = False
            answer = yes_no(sentence)
            asked = read_label(block.title, language)
            if answer and asked:
                # "Puis-je encore ... au guichet ?" — "Non, ..." closes what the question asks about.
                evidence = evidence_of(f"{block.title} {sentence}")
                told = {s.channel for s in found}
                found += [s for s in expand_label(asked, answer, evidence) if s.channel not in told]
        statements += found
    key, rule = taxonomy.match(block.title, language)
    if not statements and key is None and not block.listed:
        return None
    if key is None and office_like(block, statements):
        return None
    channels, conflict = resolve(statements)
    if not statements:
        confidence = CONFIDENCE_NO_CHANNEL
    else:
        confidence = CONFIDENCE_STRUCTURED if block.structured else CONFIDENCE_TEXT
        if conflict:
            confidence = round(confidence * CONFLICT_FACTOR, 2)
    fee_sentences = [s for s, _ in sentences] + block.fee_texts
    fee_text, fee_eur = read_fee(fee_sentences)
    body = " ".join(s for s, _ in sentences) or " ".join(block.fee_texts)
    return ProcedureObservation(
        title=block.title,
        procedure_key=key,
        match_rule=rule,
        channels=channels,
        fee_text=fee_text,
        fee_eur=fee_eur,
        evidence=evidence_of(f"{block.title} — {body}" if body else block.title),
        confidence=confidence,
        layout=block.layout,
    )


def parse_procedures(html: str, *, language: str, taxonomy: Taxonomy | None = None) -> list[ProcedureObservation]:
    """Every procedure published on a page, in page order (JSON-LD services first).

    ``language`` (fr|nl|de|en) chooses the wording rules and the taxonomy phrases tried first.
    Raises :class:`NoProcedureFound` naming what was looked for when the page holds no procedure,
    ParseError when the page is not HTML or its only data is malformed JSON-LD, and
    UnavailablePage for a maintenance or error page standing in for the site.
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    taxonomy = taxonomy or default_taxonomy()
    root = parse_html(html)
    if reason := unavailable_reason(root):
        raise UnavailablePage(f"the page stands in for the site (maintenance or error page): {reason}")
    blocks, errors = read_blocks(root, language)
    found = [(b, o) for b in blocks if (o := _observation(b, language, taxonomy)) is not None]
    # The page title is a procedure only on a single-procedure page.
    if len(found) > 1:
        found = [(b, o) for b, o in found if not (b.level == 1 and (o.procedure_key is None or o.confidence < 0.5))]
    if found:
        return [o for _, o in found]
    if errors:
        raise ParseError("; ".join(errors))
    raise NoProcedureFound(f"no procedure found; looked for {LOOKED_FOR}")
