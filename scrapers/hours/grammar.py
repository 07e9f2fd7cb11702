"""The grammar of one hours line: tokens → atoms (day sets, ranges, modifiers) → statements.

The :class:`~scrapers.hours.reader.Reader` calls these functions line by line; they hold no
state between lines. Also here: the word lists and patterns that decide what a closure, an
appointment rule or a one-off notice is, and the slot arithmetic (carving and merging).
"""

from __future__ import annotations

import re
from functools import lru_cache

from scrapers.hours import regimes as rg
from scrapers.hours import timetext as tt
from scrapers.hours.model import (
    ACCESS_APPOINTMENT,
    ACCESS_WALK_IN,
    CHANNEL_COUNTER,
    CHANNEL_PHONE,
    DAYS,
    Slot,
    hhmm,
)

MAX_EVIDENCE = 500


# The opening of a range that only gives its end ("le mardi jusqu'à 19h"): it moves the end of
# the day's last hours read elsewhere.
UNTIL = -1


UNTIL_WORDS = ("jusqu", "tot", "bis", "until", "till", "sluit", "ferme", "schlie", "close", "het sluit", "l'heure")


# Confidence of hours read from a layout when every piece of the text was understood; each
# piece left over (a time outside any range, days without hours, hours without days, a
# monthly rule) multiplies it by PENALTY.
BASE_CONFIDENCE = {"jsonld": 1.0, "table": 1.0, "dl": 1.0, "text": 0.9}


PENALTY = 0.7


DAYPARTS = {"am": (0, 12 * 60), "pm": (12 * 60, 24 * 60), None: (0, 24 * 60)}


TIMEISH = frozenset({tt.TIME, tt.NUM, tt.NOON})


DAYISH = frozenset({tt.DAY, tt.DABBR})


ACCESS = {tt.APPT: ACCESS_APPOINTMENT, tt.WALKIN: ACCESS_WALK_IN}


CLOSING = frozenset({tt.CLOSED, tt.CLOSED_TEMP, tt.CLOSED_PERM})


CHANNEL = {tt.PHONE: CHANNEL_PHONE, tt.PHONE_LABEL: CHANNEL_PHONE, tt.COUNTER_LABEL: CHANNEL_COUNTER}


EFFECTS = frozenset({*ACCESS, *CLOSING, tt.NEG, *CHANNEL})


# What makes a text "about hours" even when nothing usable comes out of it.
HOURS_WORDS = frozenset({*ACCESS, *CLOSING, tt.PHONE})


_IRREGULAR = frozenset({tt.SEASON, tt.MONTH, tt.PERIOD, tt.DATE, tt.MONTHLY, tt.ORDINAL})


# What stands between two month names of one range: "juillet-août", "juli t.e.m. augustus".
_OTHERWISE = frozenset({"sinon", "anders", "ansonsten", "otherwise"})


# "This Monday", "last Monday": a day of the news, never a weekly day.
DEICTIC = re.compile(
    r"(?<!\w)(?:ce|deze|afgelopen|vorige|volgende|komende|diesen|vergangenen|kommenden|n[äa]chsten|"
    r"this|next|coming)\s+$",
    re.IGNORECASE,
)


# A sentence about reopening: its date is when the hours start, not a one-off day.
REOPENING = re.compile(
    r"(?<!\w)(?:rouvr\w*|r[ée]ouverture|heropen\w*|(?:openen|opent|gaan|gaat) (?:\w+ ){0,4}(?:opnieuw|weer) "
    r"(?:de deuren|open)|wieder(?:er)?[öo]ffn\w*|reopen\w*)",
    re.IGNORECASE,
)


# Hours said to hold for a while only. Searched in the lower-cased sentence, as the lexer reads
# text (this pattern runs on every sentence: without IGNORECASE it takes about a third less time).
FOR_A_WHILE = re.compile(
    r"(?<!\w)(?:tijdelijk|temporairement|provisoirement|vor[üu]bergehend|temporarily|for the time being)(?!\w)"
)


# Annual leave: the office is closed then, so the lines after it are not that season's hours
# ("Congés annuels 3 semaines en août et 2 semaines lors des vacances de Noël" above the week).
ANNUAL_LEAVE = re.compile(
    r"(?<!\w)(?:cong[ée]s annuels|fermeture annuelle|jaarlijks(?:e)? (?:verlof|sluiting)|collectie(?:f|ve) verlof|"
    r"bouwverlof|betriebs(?:urlaub|ferien)|jahresurlaub|annual (?:leave|closure))(?!\w)",
    re.IGNORECASE,
)


# Hours "also" given, without days: the days of the sentence before, in the same paragraph.
ALSO = re.compile(r"(?<!\w)(?:ook|eveneens|aussi|[ée]galement|auch|ebenfalls|also|as well)(?!\w)", re.IGNORECASE)


FOUR_DAYS = re.compile(r"(?<!\w)(?:four|quatre|vier|4) (?:days|jours|dagen|tage)(?!\w)")  # in lower-cased text


# An IT outage (the corpus README's rule: like a maintenance or error notice, it is no closure;
# a broken heating that closes the building still is one).
OUTAGE = re.compile(
    r"(?<!\w)(?:(?:internet|it-?|ict-?|netwerk|computer|informatica)storing|"
    r"panne (?:informatique|de r[ée]seau|internet)|(?:it-?|edv-?|netzwerk|internet)st[öo]rung|"
    r"(?:it|network|internet|system) outage|cyber-?(?:aanval|attaque|angriff|attack))(?!\w)",
    re.IGNORECASE,
)


# A sentence that opens with the day a state began ("Depuis le jeudi 15 juin, ...").
ONGOING = re.compile(r"\s*(?:depuis|sinds|seit|since)(?!\w)", re.IGNORECASE)


# A sentence about "then", the day(s) the sentence before set apart ("behalve dinsdag. Dan ...").
THEN = re.compile(r"(?:dan|alors|dann|then)(?!\w)", re.IGNORECASE)


# "After" before a date: the hours that follow hold from then on ("Na 28 juli 2015 vervalt ...").
AFTER_WORD = re.compile(r"(?<!\w)(?:na|nach dem|apr[èe]s le|after)\s+$", re.IGNORECASE)


# The day number that starts a written date ("29 septembre", "29th September").
DAY_PREFIX = re.compile(r"^\d{1,2}\S*")


_MONTH_RANGE_WORDS = frozenset({"-", "à", "au", "a", "tot", "tot en met", "t.e.m.", "t/m", "tem", "bis", "to", "until",
                                "through", "jusqu'à", "jusqu'au"})  # fmt: skip


OR = frozenset({"ou", "of", "oder", "or"})


# What follows an appointment rule that limits it to some procedures or people.
FOR_SOME = re.compile(
    r"\s*(?:(?:toegankelijk|toegangelijk|accessible|zug[äa]nglich|open|ouvert)\s+)?(?:voor|pour|für|fur|for)\s+"
    r"(?!iedereen|tous|tout le monde|alle|everyone|all\b|d'autres|andere|other)",
    re.IGNORECASE,
)


AND = frozenset({"et", "en", "und", "and", "|", "+", "&"})


# "From" words that start a validity rather than a range of days: "vanaf maandag", "dès lundi".
STARTING = frozenset({"vanaf", "ab", "dès", "from"})


# Words that may stand between two day names of one list: "le lundi et le mardi", "op maandag".
DAY_FILLERS = frozenset({"", "le", "la", "les", "l'", "op", "am", "on", "the", "het", "de", "den", "des", "du", "'s"})


# Words that may stand between a day abbreviation and its hours: "wo ook 13u30-16u".
_ABBR_FILLERS = frozenset({"", "aussi", "également", "seulement", "uniquement", "ook", "enkel", "alleen", "telkens",
                           "extra", "auch", "nur", "ebenfalls", "zusätzlich", "also", "only"})  # fmt: skip


class Atom:
    """A day set (D), a time range (R), a joiner (J), a modifier (M) or a stray time (X)."""

    __slots__ = ("kind", "start", "end", "mod", "days", "part", "opens", "closes", "stmt", "access",
                 "closed", "channel", "value")  # fmt: skip

    def __init__(self, kind: str, start: int, end: int, mod: str | None = None) -> None:
        self.kind, self.start, self.end, self.mod = kind, start, end, mod
        self.days: tuple[int, ...] = ()
        self.part: str | None = None
        self.opens = self.closes = 0
        self.stmt: int | None = None
        self.access: str | None = None
        self.closed = False
        self.channel: str | None = None
        self.value: object = None  # a PERIOD's (date_from, date_to)


class Statement:
    """Days and the ranges that go with them, plus what modifiers said about them."""

    __slots__ = ("days", "part", "ranges", "days_after", "after_mod", "excepts", "irregular", "monthly",
                 "channel", "day_closed", "day_access", "access_part", "regime")  # fmt: skip

    def __init__(self, days: tuple[int, ...] | None, part: str | None) -> None:
        self.days, self.part = days, part
        self.ranges: list[Atom] = []
        self.days_after = False  # days came after the ranges ("de 9h à 12h le samedi")
        self.after_mod = False  # a modifier came after the days: more days start a new statement
        self.excepts: list[tuple[tuple[int, ...], str | None]] = []
        self.irregular = self.monthly = False
        self.channel: str | None = None
        self.day_closed: str | None = None  # "all" | "am" | "pm"
        self.day_access: str | None = None
        self.access_part: str | None = None
        self.regime: rg.RegimeKey | None = None


_GOES_ON = frozenset({tt.TO, tt.AND, tt.FROM, tt.TIME, tt.NUM, tt.NOON})


# Before a bare "fermé"/"gesloten"/"geschlossen"/"closed": a verb of state makes it a statement
# about the office ("sont fermés", "bleibt [...] geschlossen", "zijn gesloten", "is closed"); the
# perfect of "to close" a past act ("heeft de gemeente de loketten [...] gesloten", "ont fermé").
SHUT_STATE = re.compile(
    r"(?<!\w)(?:est|sont|reste|restent|restera|resteront|sera|seront|demeure|demeurent|était|étaient|"
    r"is|zijn|blijft|blijven|blijken|waren|ist|sind|bleibt|bleiben|bleibe|are|remains?|will be|has been|have been)"
    r"(?:\s+\S+){0,8}\s+$",
    re.IGNORECASE,
)


# Dutch and German subordinate clauses put the verb last: "dat alle diensten gesloten zijn".
STATE_AFTER = re.compile(r"\s+(?:zijn|is|blijven|blijft|sind|ist|bleiben|bleibt)(?!\w)", re.IGNORECASE)


SHUT_ACT = re.compile(
    r"(?<!\w)(?:(?:a|ont|avait|avaient|has|have|had)(?:\s+(?!été|been)\S+){0,2}"
    r"|(?:heeft|hebben|hadden|hat|haben|hatte|hatten)(?:\s+(?!geweest|gewesen|worden)\S+){0,10})\s+$",
    re.IGNORECASE,
)


# "Accessible lorsque la bibliothèque est fermée": a closure as a condition is no statement.
WHEN = re.compile(
    r"(?<!\w)(?:lorsqu'|lorsque|quand|si|wanneer|als|zodra|indien|wenn|sobald|falls|solange|when|"
    r"whenever|while|if)(?!\w)",
    re.IGNORECASE,
)


# The speaker as the subject of a closure: "nous sommes fermés", "we zijn even dicht", "wir sind".
WE = re.compile(r"\b(?:nous|we|wij|wir|our offices?)\b", re.IGNORECASE)


# A closure for less than this many days is a holiday or an exception, not the office closing.
LONG_CLOSURE_DAYS = 28


# Works close an office even for a short while ("fermera ses portes du 6 au 29 septembre afin
# d'effectuer un réaménagement"); a short closure without them is a holiday.
WORKS = re.compile(
    r"(?<!\w)(?:travaux|r[ée]novation|r[ée]am[ée]nagement|am[ée]nagement|d[ée]m[ée]nagement|transformation|"
    r"werken|werkzaamheden|verbouwing|renovatie|verhuis\w*|umbau\w*|renovierung|sanierung|bauarbeiten|umzug\w*|"
    r"works|renovation|refurbishment|moving)(?!\w)",
    re.IGNORECASE,
)


# What makes a text about given days, not the office as a whole.
ONE_OFF = frozenset({tt.DATE, tt.SEASON, tt.MONTH})


# A day named as the day something was said ("a annoncé vendredi", "am Sonntag mitteilt"): news, not hours.
_SAID_BEFORE = re.compile(
    r"(?:annonc|d[ée]cid|act[ée]|vot[ée]|approuv|confirm|indiqu|communiqu|pr[ée]cis|expliqu|d[ée]clar|bestätig|teilte|mitteil|erklärt|"
    r"meld|beslist|besliste|liet weten|zei|announc|said|confirmed|decided)\w*\s+(?:(?:le|ce|am|op|on|dit|deze)\s+)?$",
    re.IGNORECASE,
)


# (matched at the day's end with ``match(line, pos)``: no "^", which would only match at the line's start)
_SAID_AFTER = re.compile(
    r"\s+(?:\w+\s+)?(?:mit(?:ge)?teilt|bestätigte|erklärte|meldde|liet weten|announced|said)", re.IGNORECASE
)


# Words that make "... sur rendez-vous" about the office or its visits rather than one procedure.
_VISIT_WORDS = re.compile(
    r"\b(?:accessibles?|acc[èe]s|ouverte?s?|visites?|re[çc]ue?s?|re[çc]oit|re[çc]oivent|accueill\w*|r[ée]ception|"
    r"prise|attention|important|remarque|opgelet|opgepast|achtung|hinweis|wichtig|note|please|"
    r"ils|elles?|il|zij|ze|hij|sie|they|dienstverlening|\w*(?:parteien|publikums)verkehr|dienstleistung\w*|"
    r"toutes? les|tous|d[ée]marches|public|uniquement|seulement|exclusivement|"
    r"toegankelijk|toegang|open|bezoek\w*|langs\w*|terecht|ontvang\w*|alle|enkel|alleen|uitsluitend|publiek|"
    r"zug[äa]nglich|zutritt|ge[öo]ffnet|besuch\w*|empfang\w*|nur|ausschlie(?:ß|ss)lich|"
    r"access\w*|visits?|received|only|all|we|nous|wij|wir|you|vous|u|je|"
    # the people received: "Inwoners moeten [...] bellen voor een afspraak"
    r"citoyens|habitants|usagers|visiteurs|inwoners|burgers|bezoekers|klanten|b[üu]rger\w*|einwohner\w*|besucher\w*|"
    r"residents|visitors|customers)\b",
    re.IGNORECASE,
)


# What follows an appointment rule that puts it outside the opening hours.
OUTSIDE_HOURS = re.compile(
    r"\s*(?:na|buiten|apr[èe]s|en dehors des?|hors|nach|au(?:ß|ss)erhalb|after|outside(?: of)?)\s+"
    r"(?:de |der |den |les |the )?(?:\w+ )?(?:openingsuren|openingstijden|heures|horaires|[öo]ffnungszeiten|"
    r"sprechzeiten|opening hours|office hours|hours)",
    re.IGNORECASE,
)


# The subject of an appointment rule is other services than the office read: "Andere diensten die
# geen loketfunctie hebben werken voorlopig wel nog op afspraak".
_OTHER_SERVICES = re.compile(
    r"(?<!\w)(?:andere|autres|other|weitere|[üu]brigen?)\s+(?:\w+\s+)?(?:diensten|services|dienste|departments|"
    r"[äa]mter|kantoren|bureaux|offices)(?!\w)",
    re.IGNORECASE,
)


_CONTENT_WORD = re.compile(r"[^\W\d_]{4,}")


SEASON_KINDS = frozenset({"summer", "school_holidays", "christmas", "winter"})


_LABEL_WORDS = frozenset({tt.SEASON, tt.MONTH, tt.AND, tt.TO})


def season_label(toks: list[tt.Token], a: int, b: int) -> bool:
    """Whether the sentence ``toks[a:b]`` opens with a season or months and a colon ("Juillet & août :")."""
    colon = next((k for k in range(a, b) if toks[k].kind == tt.COLON), None)
    return (
        colon is not None
        and colon > a
        and any(toks[k].kind in (tt.SEASON, tt.MONTH) for k in range(a, colon))
        and all(toks[k].kind in _LABEL_WORDS for k in range(a, colon))
    )


# Headings of an old and a new column: "Huidige openingstijden Nieuwe openingstijden per 1-1-2024".
_OLD_NEW = re.compile(
    r"(?<!\w)(?:huidige|oude|vroegere|horaires? actuels?|anciens? horaires?|bisherige|alte|current|old)(?!\w)"
    r".{0,60}?(?<!\w)(?:nieuwe|nouveaux? horaires?|neue|new)(?!\w)",
    re.IGNORECASE,
)


def new_column(stmts: list[Statement], sentence: str) -> list[Statement]:
    """An old/new table flattened into one line gives each day twice, old then new: the new ones."""
    days = [st for st in stmts if st.days is not None]
    if (
        len(days) >= 4
        and len(days) % 2 == 0
        and all(days[k].days == days[k + 1].days for k in range(0, len(days), 2))
        and _OLD_NEW.search(sentence)
    ):
        return [st for st in stmts if st.days is None] + days[1::2]
    return stmts


_NOT_A_LINE = frozenset({tt.COUNTER_LABEL, tt.OPEN, tt.APPT, tt.WALKIN, tt.PHONE, tt.PHONE_LABEL})


def number_then_hours(toks: list[tt.Token], a: int, b: int, text: str) -> bool:
    """ "Action Solidaire : 0499.867.356 - 7j/7 - 9h à 18h": a label, its phone number right after the
    colon, then the days and hours after a dash are the line's, not a counter's (nothing else in
    the sentence names a counter, an opening or an access)."""
    for k in range(a + 1, b - 1):
        if toks[k].kind == tt.PHONENUM and toks[k - 1].kind == tt.COLON and text[toks[k + 1].start] == "-":
            return not any(t.kind in _NOT_A_LINE for t in toks[a:b])
    return False


def excepted_appointment(atoms: list[Atom], idx: int, line: str) -> bool:
    """Whether the appointment rule ``atoms[idx]`` speaks of the exception named before it, in a
    sentence with no days or hours ("toutes les mairies sont fermées à l'exception de celle des
    Guillemins, disponible uniquement sur rendez-vous")."""
    excepts = [x for x in atoms[:idx] if x.mod == tt.EXCEPT]
    return (
        bool(excepts)
        # ("n'est pas permis, hormis sur rendez-vous": the rule itself is the exception)
        and bool(line[excepts[-1].end : atoms[idx].start].strip(" ,"))
        and not any(x.kind in "DR" for x in atoms)
    )


def about_a_procedure(before: str) -> bool:
    """Whether the words before an appointment rule name something other than the office: a
    procedure or a document ("Verklaring van wettelijke samenwoning op afspraak", "Passeports sur
    rendez-vous"), not "Le bureau est accessible sur rendez-vous" or "Uniquement sur rendez-vous"."""
    if _OTHER_SERVICES.search(before):
        return True
    if not _CONTENT_WORD.search(before):
        return False
    return not (tt.OFFICE_NOUN.search(before) or _VISIT_WORDS.search(before))


# What opens the start of a closure ("closed beginning 5:00pm on Saturday", "fermée à partir du 3").
_CLOSURE_START = re.compile(
    r"\s*(?:beginning|starting|from|as of|effective|[àa] partir d(?:e|u|es|')|d[èe]s|vanaf|met ingang van|ab|seit)"
    r"(?!\w)",
    re.IGNORECASE,
)


def open_ended_closure(atoms: list[Atom], idx: int, line: str, s0: int) -> bool:
    """A closed office from a point in time with no end ("X will be closed beginning 5:00pm on
    Saturday, September 3 until it reopens", "sera fermée à partir du 3 septembre jusqu'à nouvel
    ordre"): the office (an office noun or "we" before the verb) is in a closed state from the start
    named right after "closed" until further notice; never in the conditional, negated, or in a
    "when" clause. "Fermé le lundi jusqu'à nouvel ordre" (no start) is about Mondays."""
    atom = atoms[idx]
    end = next((x for x in atoms[idx + 1 :] if x.mod == tt.INDEFINITE), None)
    if end is None or not _CLOSURE_START.match(line, atom.end):
        return False
    if any(x.mod in (tt.CONDITIONAL, tt.NEG) for x in atoms) or any(x.kind == "D" and x.end > end.start for x in atoms):
        return False
    before = line[max(s0, atom.start - 120) : atom.start]
    office = tt.OFFICE_NOUN.search(before) or WE.search(before)
    return bool(office and SHUT_STATE.search(before) and not WHEN.search(before))


def about_days(atoms: list[Atom], line: str, *, dated_ok: bool) -> bool:
    """Whether the sentence names weekly days or hours: a closure said with them is about those days
    ("ferme ses portes le lundi"). A day named as the day of the news ("a annoncé vendredi") is no
    weekly day, nor, when ``dated_ok``, a dated day ("fermera ses portes ce vendredi 13 août")."""
    # (hours first: they settle it without the news-day patterns)
    return any(x.kind in "RX" for x in atoms) or any(
        x.kind == "D" and not news_day(atoms, k, line, dated_ok) for k, x in enumerate(atoms)
    )


def news_day(atoms: list[Atom], k: int, line: str, dated_ok: bool) -> bool:
    """Whether the day ``atoms[k]`` dates the news ("a annoncé vendredi", "am Sonntag mitteilt") or,
    when ``dated_ok``, is a dated day ("ce vendredi 13 août"): not a weekly day."""
    x = atoms[k]
    nxt = atoms[k + 1] if k + 1 < len(atoms) else None
    if dated_ok and nxt is not None and nxt.mod == tt.DATE and blank(line, x.end, nxt.start):
        return True
    return bool(_SAID_BEFORE.search(line[max(0, x.start - 40) : x.start]) or _SAID_AFTER.match(line, x.end))


# Abbreviated words written with a dot inside a sentence: "bzw.", "resp.", "evtl.", "ca.", "z.B.".
_ABBREVIATED = re.compile(
    r"(?<!\w)(?:bzw|resp|evtl|ggf|ca|z\.\s?b|u\.\s?a|usw|inkl|zzgl|bijv|bv|enz|m\.a\.w|o\.a|incl|excl|env|cf|vs|"
    r"approx|e\.g|i\.e)$",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)  # the few characters before a dot ("ous", "12 uur") recur from text to text
def _abbreviated(before: str) -> bool:
    return _ABBREVIATED.search(before) is not None


def abbreviation_dot(toks: list[tt.Token], i: int, text: str) -> bool:
    """The dot of "9.30 u." or "12 h." before the range goes on ("tot 12 u.", "en van") ends no
    sentence; before a capital ("16h. En juillet") it does. Nor does the dot of an abbreviated
    word before a lower-case word ("samstags von 8 bis 12.30 Uhr bzw. von 13 bis 17 Uhr")."""
    if (
        toks[i].kind == tt.SEP
        and toks[i].value == "."
        and _abbreviated(text[max(0, toks[i].start - 8) : toks[i].start])
    ):
        rest = text[toks[i].end :].lstrip()
        return bool(rest) and rest[0].islower()
    return (
        toks[i].kind == tt.SEP
        and toks[i].value == "."
        and i > 0
        and toks[i - 1].kind == tt.TIME
        and toks[i - 1].end == toks[i].start
        and i + 1 < len(toks)
        and toks[i + 1].kind in _GOES_ON
        and not text[toks[i].end : toks[i + 1].start].strip()
        and not text[toks[i + 1].start].isupper()
    )


@lru_cache(maxsize=8192)
def make_slot(day: int, opens: int, closes: int, access: str) -> Slot:
    """A Slot from a day index and minutes; slots are immutable, so equal ones are shared."""
    return Slot(DAYS[day], hhmm(opens), hhmm(closes), access)


def join_evidence(parts: list[str]) -> str:
    """The sentences a schedule was read from, deduplicated, at most MAX_EVIDENCE characters."""
    text = " | ".join(dict.fromkeys(p for p in parts if p))
    return text if len(text) <= MAX_EVIDENCE else text[: MAX_EVIDENCE - 1].rstrip() + "…"


def blank(text: str, start: int, end: int) -> bool:
    """Nothing between two tokens but spaces, or the dot of an abbreviated unit ("9.30 u. tot")."""
    return start >= end or not text[start:end].strip(" .")


def tight(text: str, left: Atom, right: Atom) -> bool:
    """Nothing but spaces, brackets and "only" words between two atoms: "13h-16h (sur
    rendez-vous)", "13u-16u (enkel telefonisch)"."""
    between = text[left.end : right.start].strip(" ()[]")
    return not between or all(w in _ABBR_FILLERS for w in between.lower().split())


def _in_part(r: Atom, part: str) -> bool:
    low, high = DAYPARTS[part]
    return low <= r.opens < high


_UNIT_AFTER = re.compile(
    r"\s*(?:€|\$|¢|£|eur\b|%|ans\b|jaar\b|jahre?n?\b|years?\b|yrs\b|mois\b|maanden\b|personnes\b|"
    r"pers\b|personen\b|people\b|places\b|plaatsen\b|km\b|m²|minutes?\b|minuten\b|mins?\b)",
    re.IGNORECASE,
)


def money(text: str, start: int, end: int) -> bool:
    """A number next to a currency sign or a unit is a price, an age or a count ("de 9 à 12 €",
    "€ 20.10", "pour les 4 à 7 ans", "6-12 jaar"), not a time."""
    # ("€" in text first: slicing the text before every range costs more than the test)
    return ("€" in text and text[:start].rstrip().endswith("€")) or bool(_UNIT_AFTER.match(text, end))


def day_group(toks: list[tt.Token], i: int, b: int, text: str) -> tuple[int, Atom, int, bool]:
    """Read "du lundi au vendredi", "lu, ma et je", "Mo.-Fr." from ``toks[i]``.

    Returns the index after the group, its D atom, how many day words it has and whether they
    were all abbreviations.
    """
    days: list[int] = []
    named: list[int] = []  # the days as written, for "Mardi - Jeudi - Samedi"
    dashes = 0
    part = None
    count, abbr_only, through = 0, True, False
    j = i
    while True:
        t = toks[j]
        values, p = t.value
        named.extend(values)
        if through and days:
            days.extend(tt.day_span(days[-1], values[0]))
            days.extend(values[1:])
        else:
            days.extend(values)
        count += 1
        abbr_only = abbr_only and t.kind == tt.DABBR
        part = p or part
        j += 1
        if j < b and toks[j].kind == tt.DAYPART and blank(text, toks[j - 1].end, toks[j].start):
            part = toks[j].value  # "mercredi après-midi"
            j += 1
        if j + 1 < b and toks[j].kind in (tt.TO, tt.AND):
            k = j + 1
            if toks[k].kind == tt.FROM and k + 1 < b:
                k += 1
            if (
                toks[k].kind in DAYISH
                and text[toks[j - 1].end : toks[j].start].strip().lower() in DAY_FILLERS
                and text[toks[j].end : toks[k].start].strip().lower() in DAY_FILLERS
            ):
                through = toks[j].kind == tt.TO
                dashes += text[toks[j].start : toks[j].end] == "-"
                j = k
                continue
        break
    if count >= 3 and dashes == count - 1:
        days = named  # three or more days joined by dashes enumerate days, they are no range
    atom = Atom("D", toks[i].start, toks[j - 1].end)
    atom.days = tuple(sorted(set(days)))
    atom.part = part
    return j, atom, count, abbr_only


def abbr_context(toks: list[tt.Token], i: int, j: int, a: int, b: int, text: str, alone_ok: bool) -> bool:
    """A lone abbreviation ("ma", "di", "sa", "je") is a day only where a day is expected.

    French "ma demande", "sa carte", "je suis" and Dutch "zo snel" must stay words, so it needs
    hours or a colon right after it ("Ma 9u-12u", "Ma.:"), or a line of its own (a table's day
    cell).
    """
    if j < b:
        nxt = toks[j]
        return nxt.kind in (*TIMEISH, tt.COLON, tt.FROM) and (
            text[toks[j - 1].end : nxt.start].strip().lower() in _ABBR_FILLERS
        )
    return alone_ok and i == a


_AM = ("am", "a.m.", "a.m")


def time_range(toks: list[tt.Token], i: int, b: int, text: str, day_context: bool) -> tuple[int, Atom | None]:
    """Read "de 9h à 12h", "9u-12u30", "van 9 tot 12 uur", "entre midi et 13h30" from ``toks[i]``."""
    j = i
    between = from_word = False
    if toks[j].kind == tt.FROM:
        between, from_word = toks[j].value == "between", True
        j += 1
        if j >= b or not blank(text, toks[i].end, toks[j].start):
            return i, None
    if j + 2 >= b:
        return i, None
    left, conn, right = toks[j], toks[j + 1], toks[j + 2]
    if left.kind not in TIMEISH or right.kind not in TIMEISH:
        return i, None
    if money(text, left.start, right.end):
        return i, None  # "de 9 à 12 €": a price
    slash = conn.kind == tt.AND and text[conn.start : conn.end] == "/" and left.kind == right.kind == tt.TIME
    if not (conn.kind == tt.TO or (between and conn.kind == tt.AND) or (slash and left.value < right.value)):
        return i, None  # "8h/12h" is a range; "lundi/mardi" or "9h / 14h" the wrong way round is not
    if not (blank(text, left.end, conn.start) and blank(text, conn.end, right.start)):
        return i, None
    if left.kind == tt.NUM and right.kind == tt.NUM and not (from_word or day_context):
        return i, None  # "1-2 personnes" is not a time range
    opens = left.value * 60 if left.kind == tt.NUM else left.value
    closes = right.value * 60 if right.kind == tt.NUM else right.value
    right_text, left_text = text[right.start : right.end].lower(), text[left.start : left.end].lower()
    if right_text.endswith(("pm", "p.m.")) and not left_text.endswith(("am", "a.m.", "pm", "p.m.")):
        if opens < 12 * 60 and opens + 12 * 60 < closes:
            opens += 12 * 60  # "3-8 pm", "1:30-4:30 pm": the pm is said once for both
    if left.kind == tt.NOON and opens == 1440:
        opens = 0
    if closes <= opens and closes < 12 * 60 and closes + 12 * 60 > opens:
        closes += 12 * 60  # "de 9 à 5": counters do not close before they open
    elif opens < 6 * 60 and left.kind == tt.NUM and opens + 12 * 60 < closes:
        opens += 12 * 60  # "de 2 à 17h" reads as 14:00
    elif (
        60 <= opens < 6 * 60 and opens < closes <= 7 * 60 and not any(t.endswith(_AM) for t in (left_text, right_text))
    ):
        opens, closes = opens + 12 * 60, closes + 12 * 60  # "2:00 - 3:45": no counter opens at night
    elif left.kind == right.kind == tt.NUM and 60 <= opens < 6 * 60 and opens < closes <= 10 * 60:
        opens, closes = opens + 12 * 60, closes + 12 * 60  # "Tues & Thurs 3-9": 15:00-21:00, not 3 to 9 am
    atom = Atom("R" if 0 <= opens < closes <= 1440 else "X", toks[i].start, right.end)
    atom.opens, atom.closes = opens, closes
    return j + 3, atom


def group_statements(atoms: list[Atom]) -> list[Statement]:
    """Group the day sets and ranges of one sentence into statements; number every atom."""
    stmts: list[Statement] = []
    cur: Statement | None = None
    after_except = False
    closing = False  # a closure word since the last ranges: "ouvert de 8h30 à 17h30, [...] fermeture le lundi matin"
    # "Behalve op donderdagavond en [...] zaterdagvoormiddag blijft de dienst ... open": excepted
    # days named first, taken out of the statement that follows
    pending: list[tuple[tuple[int, ...], str | None]] = []
    for k, atom in enumerate(atoms):
        if (
            atom.kind == "D"
            and not stmts
            and k
            and (
                (after_except and atoms[k - 1].mod == tt.EXCEPT)
                or (pending and atoms[k - 1].kind == "J" and k > 1 and atoms[k - 2].kind == "D")
            )
        ):
            pending.append((atom.days, atom.part))
            after_except = False
            atom.stmt = 0  # the statement that follows (made below when none does)
            continue
        if atom.kind == "D":
            if after_except and stmts:
                # "..., sauf le mercredi": the latest statement that has that day
                target = next((st for st in reversed(stmts) if set(st.days or ()) & set(atom.days)), stmts[-1])
                target.excepts.append((atom.days, atom.part))
                atom.stmt = stmts.index(target)
                after_except = False
                continue
            # "Toutes (sauf Wandre, ...) seront accessibles du lundi au jeudi": nothing before it to except from.
            after_except = False
            if cur is not None and cur.days is None and not closing:  # "de 9h à 12h le samedi"
                cur.days, cur.part, cur.days_after = atom.days, atom.part, True
            elif cur is not None and cur.days is not None and not cur.ranges and not cur.after_mod:
                # "lundi matin, mardi"
                if len(cur.days) == 7 or len(atom.days) == 7:
                    # "elke dag open, van maandag tot vrijdag": the named days narrow "every day"
                    cur.days = tuple(sorted(set(cur.days) & set(atom.days)))
                else:
                    cur.days = tuple(sorted({*cur.days, *atom.days}))
            else:
                cur = Statement(atom.days, atom.part)
                cur.excepts, pending = pending, []
                stmts.append(cur)
        elif atom.kind == "R":
            # (what follows matters only to an "until": "..., et jusqu'à 18 heures les mardis")
            following = next((x for x in atoms[k + 1 :] if x.kind != "J"), None) if atom.opens == UNTIL else None
            own_days = following is not None and following.kind == "D"
            if cur is None or cur.days_after or (own_days and cur.days is not None):
                # ("..., et jusqu'à 18 heures les mardis et jeudis": the days after it)
                cur = Statement(None, None)
                cur.excepts, pending = pending, []
                stmts.append(cur)
            cur.ranges.append(atom)
            closing = False
        elif atom.kind == "M":
            if atom.mod in CLOSING and cur is not None and cur.days is None and cur.ranges:
                closing = True
            if atom.mod == tt.EXCEPT:
                after_except = True
            elif atom.mod in _IRREGULAR:
                after_except = False  # "Hors congés scolaires, ... le mercredi": the holidays were excepted
            elif cur is not None and atom.mod in EFFECTS:
                cur.after_mod = True
        atom.stmt = len(stmts) - 1 if stmts else None
    if pending:
        stmts.append(Statement(None, None))
        stmts[-1].excepts = pending
    return stmts


def mark_irregular(atoms: list[Atom], stmts: list[Statement], text: str) -> tuple[rg.RegimeKey | None, list[str]]:
    """Mark the statements that are not the regular week and give them their regime.

    Returns the sentence's regime key (None when every statement is the regular week) and the
    kinds of the regimes it *excepts* ("sauf les jours fériés": the regular week minus holidays).
    """
    if not any(x.mod in _IRREGULAR for x in atoms):  # (only modifiers carry one of these)
        return None, []  # the usual sentence: the regular week only
    marked: list[Statement] = []
    excepted: list[str] = []
    seasons: list[str] = []
    months: list[int] = []
    nth: list[int] = []
    period: tuple[str | None, str | None] | None = None
    date: str | None = None
    monthly = False
    prev_month: Atom | None = None
    # "restera ouverte tout l'été aux heures habituelles, soit le mercredi...": the normal week.
    # ("Sinon, en été, elle est ouverte...": a bare "otherwise" before a season named is that season)
    usual = any(x.mod == tt.USUAL and text[x.start : x.end].lower() not in _OTHERWISE for x in atoms)
    for idx, atom in enumerate(atoms):
        if atom.kind != "M" or atom.mod not in _IRREGULAR:
            continue
        if usual and atom.mod in (tt.SEASON, tt.MONTH):
            continue
        words = text[atom.start : atom.end]
        before = next((x for x in reversed(atoms[:idx]) if x.kind != "J" and x.mod not in _IRREGULAR), None)
        if before is not None and before.mod == tt.EXCEPT:
            if atom.mod == tt.SEASON and (kind := rg.season_kind(words)):
                excepted.append(kind)
            continue
        if (
            before is not None
            and before.mod == tt.CLOSED
            and atom.mod == tt.SEASON
            and atom.stmt is not None
            and stmts[atom.stmt].ranges
            and stmts[atom.stmt].ranges[-1].end < before.start
        ):
            # "Mo-Fr 7:30-16:00, closed on holidays": the holidays are closed; the week stays the week.
            if kind := rg.season_kind(words):
                excepted.append(kind)
            continue
        if atom.mod == tt.ORDINAL:
            nxt = next((x for x in atoms[idx + 1 :] if x.kind != "J" and x.mod != tt.ORDINAL), None)
            if nxt is None or nxt.kind != "D" or nxt.stmt is None:
                continue  # "premier étage"
            stmts[nxt.stmt].irregular = stmts[nxt.stmt].monthly = True
            marked.append(stmts[nxt.stmt])
            prev = stmts[nxt.stmt - 1] if nxt.stmt else None
            if (
                prev is not None
                and not stmts[nxt.stmt].ranges
                and prev.ranges
                and set(nxt.days) <= set(prev.days or ())
                and prev.ranges[-1].end < atom.start
            ):
                # "samedi de 9h à 11h le 2ème et 4e samedis du mois": the day said again, monthly
                prev.irregular = prev.monthly = True
                marked.append(prev)
                stmts[nxt.stmt].ranges = list(prev.ranges)
            if (value := rg.nth_of(words)) is not None:
                nth.append(value)
            monthly = True
            continue
        if atom.mod == tt.MONTHLY:
            monthly = True
            target = atom.stmt if atom.stmt is not None else (0 if stmts else None)
            if target is not None:
                stmts[target].irregular = stmts[target].monthly = True
                marked.append(stmts[target])
            continue
        if atom.mod == tt.SEASON:
            seasons.append(rg.season_kind(words) or "exceptional")
        elif atom.mod == tt.MONTH and (number := rg.month_number(words)):
            between = text[prev_month.end : atom.start].strip().lower() if prev_month is not None else None
            if months and between in _MONTH_RANGE_WORDS:
                months.extend(rg.months_between(months[-1], number)[1:])
            else:
                months.append(number)
            prev_month = atom
        elif atom.mod == tt.PERIOD:
            period = atom.value  # type: ignore[assignment]
        elif atom.mod == tt.DATE:
            date = date or rg.iso_date(words)
        if atom.stmt is not None and stmts[atom.stmt].ranges:
            # the last range before the remark ("14h30 à 15h (d'octobre à mai) et de 19h à 20h")
            last = ([r for r in stmts[atom.stmt].ranges if r.end <= atom.start] or stmts[atom.stmt].ranges)[-1]
            between = text[last.end : atom.start]
            if "(" in between and ")" not in between[between.rindex("(") :]:
                continue  # "de 13h30 à 17h (jusque 16h en juillet et août)": a remark on the season in brackets
        targets = stmts if atom.stmt is None else [stmts[atom.stmt]]
        for st in targets:
            st.irregular = True
            marked.append(st)
    if seasons and seasons[0] == "exceptional" and date is not None and period is None:
        key = rg.RegimeKey("date", (), (), date)  # "exceptionnellement fermé le vendredi 2 juin"
    elif seasons:
        key = rg.RegimeKey(seasons[0], tuple(months), (), *(period or (None, None)))
    elif period is not None:
        key = rg.RegimeKey("period", tuple(months), (), *period)
    elif months:
        key = rg.RegimeKey(rg.kind_for_months(tuple(months)), tuple(months))
    elif monthly:
        key = rg.RegimeKey("monthly", (), tuple(sorted(set(nth))))
    elif date is not None or marked:
        key = rg.RegimeKey("date", (), (), date)
    else:
        return (None, excepted)
    for st in marked:
        st.regime = key
    return key, excepted


def on_ranges(mod: str, ranges: list[Atom]) -> None:
    for r in ranges:
        if mod in ACCESS:
            r.access = ACCESS[mod]
        elif mod in CLOSING:
            r.closed = True
        elif mod in CHANNEL:
            r.channel = CHANNEL[mod]


def on_statements(mod: str, stmts: list[Statement], part: str | None) -> None:
    for st in stmts:
        if mod in ACCESS:
            if st.ranges:
                # "9h-12h et 13h-16h. L'après-midi sur rendez-vous": only the ranges of that daypart.
                for r in st.ranges if part is None else [r for r in st.ranges if _in_part(r, part)]:
                    r.access = r.access or ACCESS[mod]
            else:
                st.day_access, st.access_part = ACCESS[mod], part or st.part
        elif mod in CLOSING or mod == tt.NEG:
            if not st.ranges:
                st.day_closed = part or st.part or "all"
            elif part:
                st.excepts.append((st.days or tt.ALL_DAYS, part))
        elif mod in CHANNEL:
            st.channel = CHANNEL[mod]


def is_day_label(stmts: list[Statement]) -> bool:
    """Days and no hours ("Lundi :", "WOENSDAG (zonder afspraak)"): they go with the next lines'
    hours. A closed day ("Mercredi : fermé") is no label."""
    st = stmts[0] if len(stmts) == 1 else None
    return st is not None and st.days is not None and not st.ranges and not st.day_closed and not st.excepts


def no_effect(st: Statement) -> bool:
    return not (st.day_closed or st.day_access or st.excepts or st.channel)


def carve_slots(slots: set[tuple[int, int, int, str]]) -> list[tuple[int, int, int, str]]:
    """Take an appointment-only part out of the walk-in hours around it: "van 8.30 tot 20 uur
    (tussen 18 en 20 uur enkel op afspraak)" is walk-in until 18:00. (The very same hours said
    both ways stay both.) In no particular order: :func:`merge_slots` sorts them."""
    appointments = [s for s in slots if s[3] == ACCESS_APPOINTMENT]
    if not appointments:
        return list(slots)  # (the usual case: nothing to carve; merge_slots sorts them)
    out = sorted(slots)
    for day, o, c, _acc in appointments:
        carved = []
        for s in out:
            if s[0] == day and s[3] == ACCESS_WALK_IN and s[1] <= o and c <= s[2] and (s[1], s[2]) != (o, c):
                carved += [p for p in ((day, s[1], o, s[3]), (day, c, s[2], s[3])) if p[1] < p[2]]
            else:
                carved.append(s)
        out = carved
    return sorted(out)


def merge_slots(slots: list[tuple[int, int, int, str]]) -> list[tuple[int, int, int, str]]:
    """Merge overlapping intervals of the same day and access ("9h-16h" read twice stays one)."""
    out: list[tuple[int, int, int, str]] = []
    for day, o, c, acc in sorted(slots, key=lambda s: (s[0], s[3], s[1], s[2])):
        if out and out[-1][0] == day and out[-1][3] == acc and o < out[-1][2]:
            last = out[-1]
            out[-1] = (day, last[1], max(last[2], c), acc)
        else:
            out.append((day, o, c, acc))
    return out
