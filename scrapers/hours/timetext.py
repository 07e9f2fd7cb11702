"""The words and numbers of opening hours in French, Dutch, German and English, as tokens.

One regular expression per page language (compiled at import) scans a text once and yields
:class:`Token` objects: day names and abbreviations, times ("9h30", "09:00", "9.30", "9u",
"9 uur", "9 Uhr", "midi"), connectors ("à", "tot", "bis", "-", "et", "en", ","), and the
phrases that change what the times mean (appointment only, closed, phone line, public holidays,
monthly rules...). ``scrapers.hours.reader`` turns the tokens into slots.

The page language only decides the two- and three-letter day abbreviations, which clash across
languages ("ma" is *mardi* in French but *maandag* in Dutch, "di" is *dimanche*, *dinsdag* or
*Dienstag*); full day names are recognised in every language, since bilingual pages are common.
The vocabulary follows shared/reference/vocabulary.md.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, NamedTuple

from scrapers.vocabulary import LANGUAGES

# Token kinds.
DAY = "day"  # value: (days tuple, daypart or None); full names, "werkdagen", "tous les jours"
DABBR = "dabbr"  # value: (days tuple, None); abbreviation, only trusted in a day context
DAYPART = "daypart"  # value: "am" | "pm"
TIME = "time"  # value: minutes since midnight
NUM = "num"  # value: a bare number 0-24, an hour only inside a range
NOON = "noon"  # value: minutes (midi = 720, minuit = 1440)
TO = "to"  # "-", "à", "au", "tot", "t.e.m.", "bis", "to"
AND = "and"  # ",", "et", "en", "und", "and", "/", "&"
FROM = "from"  # value: "between" for entre/tussen/zwischen (then "et" means "to"), else None
SINCE = "since"  # depuis, sinds, seit, à partir du (a validity start, not a one-off date)
COLON = "colon"
SEP = "sep"  # value: "\n" for a line break, else the punctuation
APPT = "appointment"
WALKIN = "walk_in"
CLOSED = "closed"
CLOSED_TEMP = "closed_temporary"
CLOSED_PERM = "closed_permanent"
NEG = "negation"
PHONE = "phone"
PHONE_LABEL = "phone_label"  # "Tél. :", only a phone line when hours follow
COUNTER_LABEL = "counter_label"  # "guichet", "loket", "heures d'ouverture": counter hours again (value
# "hours" for the words that name opening hours themselves: "horaires", "openingsuren")
OPEN = "open"  # "ouvert", "geopend": no effect, but the text is about opening hours
EXCEPT = "except"
SEASON = "season"  # holidays, summer, exceptional: not the regular week
MONTH = "month"
DATE = "date"
PERIOD = "period"  # a date range: "du 1er juillet au 31 août"
MONTHLY = "monthly"  # "du mois", "om de twee weken": not a weekly rule
ORDINAL = "ordinal"  # "premier", "tweede": a monthly rule when a day name follows
PHONENUM = "phone_number"
USUAL = "usual"  # "aux heures habituelles", "de gewone openingsuren": the normal week, whatever the season
CONDITIONAL = "conditional"  # "pourrait", "zou kunnen", "könnte": a possible closure is no closure
BOOKING = "booking"  # "prendre rendez-vous", "een afspraak maken": appointments can be made (no rule by itself)
PAST = "past"  # "voorheen", "auparavant", "war geöffnet": the hours of the sentence are no longer the hours
INDEFINITE = "indefinite"  # "jusqu'à nouvel ordre", "tot nader order": with "fermé", a closure for now

# Nouns that name an office or its counter (also the subject of a closure statement: "les bureaux
# sont fermés", "die Gemeindeverwaltung bleibt geschlossen"). German and Dutch compounds end in them.
_OFFICE_WORDS = (
    r"biblioth[èe]ques?|m[ée]diath[èe]ques?|bureaux?|h[ôo]tels? de ville|mairies?|maisons? communales?|"
    r"administrations?|antennes?|agences?|services?|guichets?|accueils?|cpas|centres?|maisons?|permanences?|"
    r"offices?|postes?|commissariats?|locaux|sites?|communes?|"
    r"bibliothe(?:ek|ken)|bib|kantoor|kantoren|loket(?:ten)?|balies?|onthaal|dienst(?:en)?|gemeentehuis|gemeentehuizen|"
    r"stadhuis|stadhuizen|ocmw|sociaal huis|dienstencentrum|filia(?:al|len)|zitdag(?:en)?|gemeente|vestigingen?|"
    r"bibliothek(?:en)?|rathaus|rath[äa]user|b[üu]rgerb[üu]ros?|[äa]mter|amt|verwaltung|stadtb[üu]cherei|gemeinde|"
    r"library|libraries|branch(?:es)?|town hall|city hall|council|registry|"
    r"parc [àa] conteneurs|recyparc|containerpark|recyclagepark"
)
# The end of a compound word ("Sozialamt", "Bürgerbüro", "gemeentekantoor"): three letters at least before it.
_OFFICE_ENDINGS = ("kantoor", "kantoren", "loket", "loketten", "huis", "huizen", "dienst", "diensten", "verwaltung",
                   "amt", "[äa]mter", "b[üu]ro", "b[üu]ros", "dienststelle", "dienststellen", "stelle", "zentrum",
                   "bibliothek", "b[üu]cherei")  # fmt: skip
# A word that names a place where people are received. Matched from word starts only: a compound is
# the whole word (possessive: no backtracking into it) whose last letters are an ending (a fixed-width
# look back per ending), not a search for an ending at every letter of the text (three times slower).
_OFFICE_COMPOUND = "|".join(rf"(?<=\w{{3}}{ending})" for ending in _OFFICE_ENDINGS)
OFFICE_NOUN = re.compile(rf"\b(?:(?:{_OFFICE_WORDS})\b|\w++(?:{_OFFICE_COMPOUND}))", re.IGNORECASE)

_DAY_NAMES: dict[str, int] = {}
for _i, _names in enumerate(
    (
        ("lundi", "maandag", "montag", "monday"),
        ("mardi", "dinsdag", "dienstag", "tuesday"),
        ("mercredi", "woensdag", "mittwoch", "wednesday"),
        ("jeudi", "donderdag", "donnerstag", "thursday"),
        ("vendredi", "vrijdag", "freitag", "friday"),
        ("samedi", "zaterdag", "samstag", "sonnabend", "saturday"),
        ("dimanche", "zondag", "sonntag", "sunday"),
    )
):
    for _name in _names:
        _DAY_NAMES[_name] = _i

ABBREVIATIONS: dict[str, dict[str, int]] = {
    "fr": {"lun": 0, "lu": 0, "mar": 1, "ma": 1, "mer": 2, "me": 2, "jeu": 3, "je": 3,
           "ven": 4, "ve": 4, "sam": 5, "sa": 5, "dim": 6, "di": 6},
    "nl": {"maa": 0, "ma": 0, "din": 1, "di": 1, "woe": 2, "wo": 2, "don": 3, "do": 3,
           "vrij": 4, "vr": 4, "zat": 5, "za": 5, "zon": 6, "zo": 6},
    "de": {"mo": 0, "di": 1, "mi": 2, "do": 3, "fr": 4, "sa": 5, "so": 6},
    "en": {"mon": 0, "mo": 0, "tue": 1, "tues": 1, "tu": 1, "wed": 2, "we": 2, "thu": 3,
           "thur": 3, "thurs": 3, "th": 3, "fri": 4, "fr": 4, "sat": 5, "sa": 5, "sun": 6, "su": 6},
}  # fmt: skip

WEEKDAYS: tuple[int, ...] = (0, 1, 2, 3, 4)
ALL_DAYS: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)

_MONTHS = (
    r"janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|d[ée]cembre"
    r"|januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
    r"|januar|februar|m[äa]rz|august|dezember|january|february|march|june|july|october"
)
_DAYPART_SUFFIX = r"voormiddag|namiddag|ochtend|middag|avond|vormittag|nachmittag|morgen|abend"
_PM_SUFFIXES = frozenset({"namiddag", "middag", "avond", "nachmittag", "abend"})


class _Phrases(str):
    """A pattern made of alternatives (``parts``), such as :func:`_phrases` makes: the lexer tries
    at each place only those that can start with the characters there, put back into
    ``template`` (its ``{}``)."""

    parts: tuple[str, ...]
    template: str


def _alternation(template: str, parts: tuple[str, ...]) -> _Phrases:
    pattern = _Phrases(template.format("|".join(parts)))
    pattern.parts, pattern.template = parts, template
    return pattern


def _phrases(*alternatives: str) -> str:
    """Alternatives as one group ending at a word edge; " " matches a space, " ?" an optional one.

    Tokens only start at a word start or on punctuation (see :class:`_Lexer`), so no leading
    word-edge test is needed.
    """
    parts = tuple(a.replace(" ?", r"\s?").replace(" ", r"\s") for a in alternatives)
    return _alternation(r"(?:(?:{})(?!\w))", parts)


# The order matters where two alternatives can start at the same place: the first one wins
# ("définitivement fermé" before "fermé", "permanence téléphonique" before "permanence",
# dates before times before bare numbers).
_COMMON: list[tuple[str, str]] = [
    ("CLOSED_PERM", _phrases(
        r"d[ée]finitivement ferm[ée]e?s?", r"ferm[ée]e?s? d[ée]finitivement", r"fermeture d[ée]finitive",
        r"(?:a|ont) (?:d[ée]finitivement )?ferm[ée] (?:ses|leurs) portes",
        r"fermera d[ée]finitivement", r"definitief (?:gesloten|dicht)", r"(?:voorgoed|blijvend) gesloten",
        r"definitieve sluiting", r"endg[üu]ltig geschlossen", r"dauerhaft geschlossen",
        r"permanently closed", r"closed permanently", r"closed for good", r"permanent closure",
    )),
    ("CLOSED_TEMP", _phrases(
        r"(?:temporairement|provisoirement|momentan[ée]ment) ferm[ée]e?s?",
        r"ferm[ée]e?s? (?:temporairement|provisoirement|momentan[ée]ment)",
        r"ferm[ée]e?s? jusqu'(?:à|a) nouvel (?:ordre|avis)",
        r"ferm[ée]e?s? pour (?:cause de )?(?:travaux|r[ée]novation|d[ée]m[ée]nagement)",
        r"fermeture (?:temporaire|provisoire)", r"(?:tijdelijk|voorlopig) (?:gesloten|dicht)",
        r"gesloten wegens (?:werken|verbouwing|renovatie|verhuis)", r"gesloten tot nader (?:order|bericht)",
        r"tijdelijke sluiting\w*", r"(?:vor[üu]bergehend|vorl[äa]ufig) geschlossen",
        r"bis auf weiteres geschlossen(?:e[nrs]?)?",
        r"temporarily closed", r"closed temporarily", r"closed until further notice",
        r"(?:est |sont )?suspendue?s?", r"(?:is |zijn |wordt |worden )?opgeschort", r"ausgesetzt", r"suspended",
    )),
    # Announcements that an office closes (press and notices): a closure only when the sentence
    # names no day, hours or season (see reading.Reader._office_wide).
    ("ANN_TEMP", _phrases(
        r"(?:seront|sera|restera|resteront|est|sont|rester|reste|restent) (?:provisoirement |temporairement |"
        r"momentan[ée]ment |actuellement )?inaccessibles?(?: au public)?",
        r"n'(?:est|sont|était|étaient) (?:plus|pas|toujours pas) accessibles?(?: au public)?",
        r"ne (?:re[çc]oi(?:t|vent)|accueille(?:nt)?) plus(?: physiquement)?(?: le public| de public| la population)?",
        r"(?:sont|est) ferm[ée]e?s? au public", r"(?:resteront|restera) hors service",
        r"(?:sluit|sluiten|sloot|sloten) (?:\w+ ){0,5}(?:tijdelijk|voorlopig|een (?:week|maand|tijdje)|"
        r"voor onbepaalde tijd)(?: de deuren)?",
        r"(?:sluit|sluiten|sloot|sloten) (?:\w+ ){0,6}(?:al )?(?:zijn|haar|hun|de) (?:locaties|kantoren|vestigingen)",
        r"(?:is|zijn) (?:\w+ ){0,6}niet (?:meer )?(?:bereikbaar|toegankelijk)",
        r"(?:ist|sind) (?:\w+ ){0,3}nicht (?:mehr )?zug[äa]nglich",
        r"(?:no longer|not) (?:be )?(?:accessible|open) to the public", r"closed to the public",
        r"gesloten voor (?:het )?publiek", r"f[üu]r (?:den )?publikumsverkehr geschlossen",
        r"(?:met )?gesloten loketten",
        # A decision to close, or to suspend reception ("il est décidé de fermer les guichets",
        # "a décidé vendredi de suspendre tous les entretiens").
        r"d[ée]cid[ée]e?s? (?:\w+ )?de (?:fermer|suspendre)",
        r"fermeture (?:exceptionnelle|temporaire|provisoire|compl[èe]te|totale) (?:du|des|de la|de l'|de ce|de cette|"
        r"de ces) (?:\w+ )?(?:bureau|guichet|antenne|agence|office|poste|biblioth[èe]que|service|administration|centre|"
        r"maison|permanence|accueil|commissariat|b[âa]timent)s?",
        r"(?:provisoirement|temporairement|momentan[ée]ment) inaccessibles?", r"[àa] guichets? ferm[ée]s?",
        r"(?:pour l'instant|pour le moment|actuellement|momentan[ée]ment|temporairement|provisoirement),? "
        r"non accessibles?",
        r"(?:de )?deuren (?:\w+ ){0,12}op slot",
        # The people who went there are sent to other offices ("sont, depuis lors, aiguillés vers les
        # Maisons de l'Emploi de Frameries"): the office is out of use.
        r"(?:sont|seront|ont été)(?:,? [\w']+,?){0,3} (?:aiguill|r[ée]orient|redirig)[ée]e?s vers "
        r"(?:les?|la|l'|d'autres) ?(?:maisons?|bureaux?|agences?|antennes?|services?|guichets?|centres?|sites?)",
        r"(?:ferm[ée]e?s?|fermer(?:a|ont)(?: ensuite| alors)?|gesloten|geschlossen|closed) "
        r"(?:jusqu'(?:au|à|a|en)|tot|bis|until)"
        r"(?!\s?\d{1,2}(?:[.:h]\d\d)?\s?(?:h|u|uur|uhr|heures?|am|pm)\b)",
    )),
    ("ANN_PERM", _phrases(
        # Not the conditional ("pourrait fermer", "zou kunnen sluiten"): a possible closure is none yet.
        r"(?:va|vont|doit|doivent|devra|devront) "
        r"(?:bient[ôo]t |d[ée]finitivement |prochainement )?fermer(?: (?:ses|leurs) portes)?",
        r"fermer(?:a|ont) (?:ensuite |bient[ôo]t |prochainement )*(?:(?:ses|leurs) portes|d[ée]finitivement)",
        # "le collège a pris la décision de fermer cette antenne": a decision taken, not a possibility
        r"(?:pris |prendre )?la d[ée]cision de fermer",
        r"(?:ferme|ferment) (?:d[ée]finitivement )?(?:ses|leurs) portes(?! (?:à|a|dès|vers|de|entre) ?\d)",
        r"(?:la |une )?fermeture (?:d[ée]finitive )?(?:du|des|de la|de l'|de ce|de cette|de ces|de \d+) (?:\w+ )?"
        r"(?:bureau|guichet|antenne|agence|office|poste|biblioth[èe]que|service|administration|centre|maison|gare|"
        r"permanence|accueil|point|site|local|locaux|caisse|commissariat)s?",
        r"ouvrira (?:une )?(?:toute )?derni[èe]re fois", r"dernier jour d'ouverture",
        r"(?:is|wordt|was) (?:\w+ )?(?:de )?laatste (?:openings|werk)?dag", r"letzte[rn]? (?:[öo]ffnungs)?tag",
        r"last day (?:of|for) (?:opening|service|the)",
        r"(?:sluit|sluiten) (?:\w+ ){0,3}(?:de|zijn|haar|hun) deuren",
        r"(?:sluit|sluiten) (?:\w+ ){0,2}(?:definitief|voorgoed|eind \w+|halfweg \w+|\w+ (?:zijn|haar) vestiging)",
        r"(?:gaat|gaan|moet|moeten|zal|zullen|zou|zouden) (?:[\w-]+ ){0,6}dicht(?: gaan)?",
        r"dicht (?:moeten|moesten|gaan|gingen|(?:zal|zullen|zou|zouden) gaan)",
        r"(?:heeft|hebben) (?:\w+ ){0,3}de deuren (?:gesloten|dichtgedaan)",
        r"(?:permanenties?|zitdag(?:en)?|loket(?:ten)?|kantoor|kantoren|dienstverlening|werking) (?:\w+ ){0,4}"
        r"(?:stop te zetten|(?:wordt|worden) stopgezet|(?:wordt|worden) opgeheven)",
        r"(?:wil|willen|gaat|gaan|zal|zullen|moet|moeten) (?:\w+ ){1,8}sluiten",
        r"(?:wordt|worden|werd|werden) (?:\w+ ){0,3}gesloten",
        r"(?:wordt|worden) (?:\w+ ){0,3}ontmanteld", r"(?:de )?sluiting van (?:het|de|alle|\d+)",
        r"(?:wird|werden|wurde|wurden) (?:\w+ ){0,4}geschlossen",
        r"(?:ihre|seine|die) (?:pforten|t[üu]ren|tore) (?:\w+ )?(?:geschlossen|schlie(?:ß|ss)en|dicht)",
        r"mach(?:t|en) (?:\w+ ){0,3}dicht", r"zu schlie(?:ß|ss)en", r"schlie(?:ß|ss)ung (?:der|des|von|ihrer|seiner)",
        r"(?:g[äa]nzlich|komplett|vollst[äa]ndig) geschlossen", r"hat(?:te)? (?:\w+ ){1,6}geschlossen",
        r"will (?:\w+ )?close(?! at)", r"(?:is|are) (?:set|due|going) to close", r"to close (?:its|their|all|the)",
        r"closing down", r"(?:will|would) (?:be )?(?:closed|shut) (?:down|for good|permanently)",
    )),
    # A closure that is over: "c'en est fini", "is weer open", "wieder geöffnet" (not a planned
    # "réouverture le 3 mars", which leaves the office closed until then).
    ("REOPENED", _phrases(
        r"c'en est fini", r"(?:a|ont|avait|avaient) (?:enfin |de nouveau |à nouveau )?rouvert", r"rouverte?s? depuis",
        r"(?:est|sont) (?:enfin |de nouveau |à nouveau )(?:ouverte?s?|accessibles?)",
        r"(?:is|zijn) (?:sindsdien |inmiddels |intussen )?(?:weer|opnieuw) (?:open|geopend|toegankelijk)",
        r"(?:is|zijn) (?:sindsdien |inmiddels |intussen )?heropend",
        r"(?:ist|sind) (?:seitdem |inzwischen |mittlerweile )?wieder (?:ge[öo]ffnet|offen|zug[äa]nglich)",
        r"(?:has|have) (?:since |now )?re-?opened", r"(?:is|are) (?:now )?open again",
    )),
    # Hours that were: "Voorheen waren de vestigingen open van 10 tot 13 uur", "auparavant".
    ("PAST", _phrases(
        r"auparavant", r"jusqu'ici", r"pr[ée]c[ée]demment", r"anciennement", r"(?:était|étaient) (?:\w+ )?ouverte?s?",
        r"voorheen", r"tot nu toe", r"tot dusver", r"(?:was|waren) (?:\w+ ){0,3}(?:open|geopend)",
        r"bisher", r"bislang", r"vormals", r"(?:war|waren) (?:\w+ ){0,3}ge[öo]ffnet",
        r"previously", r"formerly", r"used to (?:be )?open", r"(?:was|were) (?:\w+ )?open",
    )),
    ("CONDITIONAL", _phrases(
        r"m[êe]me si", r"quand bien m[êe]me", r"zelfs als", r"selbst wenn", r"even if",  # concessive: background
        r"pourrai(?:t|ent)", r"devrai(?:t|ent)", r"serai(?:t|ent)", r"envisag\w+", r"zou(?:den)?", r"overweeg\w*",
        r"k[öo]nnte(?:n)?", r"w[üu]rde(?:n)?", r"sollte(?:n)?", r"could", r"might", r"would", r"considering",
    )),
    ("USUAL", _phrases(
        r"(?:(?:aux|à ses|à leurs|selon (?:ses|leurs)|avec (?:son|leur)|ses|leurs|les|l') ?)?"
        r"(?:heures|horaires?) (?:d'ouverture )?"
        r"(?:habituel(?:le)?s?|normaux|normal(?:es?)?|r[ée]guli(?:er|[èe]re)s?|ordinaires?|coutumi[èe]re?s?)",
        r"(?:(?:tijdens )?de )?(?:gewone|gebruikelijke|normale|reguliere|vaste) "
        r"(?:openingsuren|openingstijden|uren|tijden)",
        r"(?:zu den )?(?:[üu]blichen|gewohnten|bekannten|regul[äa]ren|normalen) "
        r"(?:[öo]ffnungszeiten|zeiten|sprechzeiten)",
        r"(?:(?:at|during) )?(?:the )?(?:usual|normal|regular) (?:opening )?hours",
        # Québec's year: from Labour Day to the Saint-Jean-Baptiste (24 June) is the normal week.
        r"f[êe]te du travail (?:à|au|jusqu'à) (?:la )?saint-jean(?:-baptiste)?",
        r"(?:le )?reste de l'ann[ée]e", r"(?:de )?rest van het jaar", r"(?:im )?(?:[üu]brigen|restlichen) jahr",
        r"(?:the )?rest of the year", r"sinon", r"le reste du temps", r"anders", r"ansonsten", r"otherwise",
    )),
    ("BOOKING", _phrases(
        r"prendre (?:un )?rendez-vous(?! (?:obligatoire|indispensable|requis))",
        r"(?:pr[ée]venir de|annoncer|signaler) (?:leur|votre|sa|son|ta) (?:venue|visite|passage)",
        r"(?:een )?afspraak (?:maken|vastleggen|boeken|aanvragen)",
        r"(?:einen )?termin (?:vereinbaren|buchen|machen)", r"(?:make|book) an appointment",
    )),
    ("INDEFINITE", _phrases(
        r"jusqu'(?:à|a) nouvel (?:ordre|avis)", r"pour une dur[ée]e ind[ée]termin[ée]e", r"tot nader (?:order|bericht)",
        r"voor onbepaalde (?:tijd|duur)", r"bis auf weiteres", r"auf unbestimmte zeit", r"until further notice",
        r"indefinitely", r"until (?:it|they) re-?opens?", r"until (?:its|their|the) re-?opening",
        r"jusqu'(?:à|a) (?:sa|leur|la) r[ée]ouverture", r"tot (?:de|haar|zijn|hun) heropening",
        r"bis zu(?:r|) (?:ihrer |seiner )?wiederer[öo]ffnung",
    )),
    ("WALKIN", _phrases(
        r"sans (?:prise de )?(?:rendez-vous|rendez vous|rdv)", r"acc[èe]s libre", r"libre acc[èe]s",
        r"(?:zonder|geen) afspraak(?: nodig)?",
        r"(?:zonder|geen) reservatie", r"sans r[ée]servation", r"vrije (?:inloop|toegang)", r"vrij binnenlopen",
        r"ohne (?:vorherige )?(?:terminvereinbarung|termin|voranmeldung|anmeldung)",
        r"pas (?:besoin )?de (?:rendez-vous|rdv)(?: n[ée]cessaire)?", r"walk-in", r"without (?:an )?appointment",
        r"no appointment (?:needed|required|necessary)",
    )),
    # "Les rendez-vous sont possibles du lundi au jeudi [...]. Le vendredi, ils sont possibles entre 8h30
    # et 12h30": the appointments again (read as such only after appointments were named).
    ("APPT_AGAIN", _phrases(r"(?:ils|elles) sont (?:aussi |également |encore )?possibles",
                            r"(?:ze|zij) zijn (?:ook |eveneens )?mogelijk", r"sie sind (?:auch )?m[öo]glich",
                            r"they are (?:also )?(?:possible|available)")),
    ("APPT", _phrases(
        r"(?:(?:uniquement|exclusivement|seulement|toujours) )?(?:sur|avec) (?:prise de )?(?:un )?"
        r"(?:rendez-vous|rendez vous|rdv|r\.-v\.)(?: (?:uniquement|exclusivement|obligatoire|pr[ée]alable))?",
        r"(?:rendez-vous|rdv) (?:obligatoire|indispensable|requis|n[ée]cessaire)",
        r"(?:(?:enkel|alleen|uitsluitend|steeds|telkens|enkele) )?(?:op|na|met|volgens) (?:voorafgaande )?afspraak",
        r"opafspraak",  # a channel label written as one word ("Balie", "Tele-service", "Opafspraak")
        # a reservation (recycling parks), also as a table cell of its own ("| Reservatie |")
        r"(?:(?:enkel|alleen|uitsluitend) )?(?:op|na|met) reservatie", r"reservatie(?= ?(?:\||\n|$))",
        r"afspraak (?:verplicht|vereist|noodzakelijk)",
        r"(?:maak|maakt|maken) (?:u |je )?(?:(?:ook|altijd|steeds|eerst|best|vooraf) ){0,3}een afspraak",
        r"(?:(?:nur|ausschlie(?:ß|ss)lich)(?: noch)? )?(?:nach|mit|auf|per) "
        r"(?:vorheriger |vorherige |vorg[äa]ngiger |telefonischer )?"
        r"(?:terminvereinbarung|terminabsprache|terminvergabe|termin|vereinbarung|absprache|voranmeldung|anmeldung)",
        r"termin (?:erforderlich|notwendig|n[öo]tig)",
        r"(?:only )?by appointment(?: only)?", r"appointments? only", r"with an appointment",
        r"appointment required",
        # Words that name the times themselves as appointment times.
        r"(?:na|via|met|op) (?:een )?(?:telefonische|online|digitale) afspraak", r"afspraak(?:dag|uren|moment)\w*",
        r"(?:les )?rendez-vous (?:sont |restent )?possibles?", r"plages? (?:horaires? )?(?:de|sur) rendez-vous",
        r"cr[ée]neaux? de rendez-vous", r"(?:jours|heures) de rendez-vous", r"termin(?:tage|zeiten|sprechstunden?)",
        r"appointment (?:hours|times|days|slots)",
        r"(?:moet|moeten|dient|dienen) (?:\w+ ){0,6}een afspraak(?: (?:hebben|maken|vastleggen))?",
        r"termine (?:\(?[\w-]+\)? ){0,6}(?:gibt es|werden vergeben|stehen (?:\w+ )?zur verf[üu]gung)",
        r"(?:stehen|gibt es) (?:\w+ ){0,2}termine(?: zur verf[üu]gung)?",
        r"nadat (?:je|u) (?:\w+ ){0,4}een afspraak",
        # Open only to the people who made an appointment ("nur noch für Bürger*innen geöffnet, die einen
        # Termin mit einem/einer Mitarbeiter/in vereinbart haben")
        r"(?:die|welche) (?:vorher )?einen termin (?:[\w/*-]+ ){0,6}(?:vereinbart|gebucht) haben",
        r"(?:qui ont|ayant) (?:pris|fix[ée]|obtenu) (?:un )?rendez-vous",
        r"die (?:vooraf )?een afspraak (?:hebben|maakten)",
        r"who (?:have )?(?:made|booked) an appointment", r"(?:uniquement|seulement) apr[èe]s (?:prise de )?rendez-vous",
        r"(?:only )?after (?:making|booking) an appointment",
        # No walk-in any more: visits by appointment ("niet langer vrij toegankelijk", "pas accessibles librement").
        r"niet (?:langer|meer) vrij toegankelijk(?: voor (?:het )?publiek)?",
        r"geen (?:enkele )?[\w-]+ (?:is|zijn) (?:nog|meer) vrij toegankelijk(?: voor (?:het )?publiek)?",
        r"(?:ne (?:sont|est)|n'(?:est|sont)) (?:pas|plus) (?:accessibles? librement|librement accessibles?)",
        r"keine freien sprechstunden(?: mehr)?", r"nicht (?:mehr )?frei zug[äa]nglich",
        r"vrij (?:langskomen|binnenlopen|binnenstappen)(?: [\w-]+){0,8} (?:is |zijn )?"
        r"(?:voorlopig |momenteel |tijdelijk )?niet (?:meer )?mogelijk",
    )),
    ("PHONE", _phrases(
        r"permanences? t[ée]l[ée]phoniques?", r"accueil t[ée]l[ée]phonique",
        r"(?:(?:joignables?|accessibles?|disponibles?) )?(?:par|au) t[ée]l[ée]phone",
        r"t[ée]l[ée]phoniquement", r"ligne t[ée]l[ée]phonique", r"(?:call|contact)[-\s]?cent(?:er|re)",
        r"(?:horaires?|heures) t[ée]l[ée]phoniques?", r"(?:horaires?|heures) de permanence t[ée]l[ée]phonique",
        r"telefonisch(?: (?:bereikbaar|te bereiken|erreichbar))?", r"telefoonpermanentie",
        r"telefonische (?:permanentie|dienstverlening|bereikbaarheid|erreichbarkeit|sprechzeiten)",
        r"telefonsprechstunden?", r"(?:per|via) (?:de |die )?telefo(?:on|n)",
        r"(?:op|via) (?:het )?(?:telefoon)?nummer", r"telefoonnummer", r"telefonnummer",
        r"unter (?:der )?(?:telefon)?nummer",
        r"num[ée]ro de t[ée]l[ée]phone", r"au (?:num[ée]ro|n°)(?= ?(?:0\d|\+32))", r"(?:tele)?phone number",
        r"centrale t[ée]l[ée]phonique", r"(?:advi[cs]e|help|customer service|information|enquir(?:y|ies)) ?line",
        r"num[ée]ro (?:vert|gratuit)", r"infolijn", r"hulplijn", r"servicenummer", r"b[üu]rgertelefon",
        r"tele-?service", r"(?:het |de )?(?:gratis|groene|algemene|centrale) (?:telefoon)?nummer",
        r"(?:via|par) (?:le )?num[ée]ro(?: (?:gratuit|vert|unique|d'appel))?",
        r"by (?:tele)?phone", r"(?:tele)?phone (?:line|hours|support)",
        r"(?:our|the|die|unsere) (?:telefon|telephone |phone )?(?:lines|linien|leitungen) (?:are|sind)",
        r"helplines?", r"(?:service-)?hotlines?",
        r"(?:bel|belt|bellen) (?:met|naar)(?= (?:het |ons )?(?:telefoon)?nummer| \+?\d[\d /.]{7,}\d)",
    )),
    ("PHONE_LABEL", r"(?:t[ée]l[ée]phone|t[ée]l\.?|tel\.?|telefoon|telefon|phone)"
                    r"(?: (?:open|ouvert|bereikbaar|erreichbar|lines?))?\s?:"
                    # the word alone on its line, a heading over the line's number and hours
                    r"|(?:t[ée]l[ée]phone|telefoon|telefon|telephone|phone)(?=[ \t]*(?:\n|$))"),
    # "accessibles de 8h30 à 16h au 082/69.90.49": hours right before a number are the line's hours.
    ("PHONE_AT", r"(?:au|op|unter|at|on)\s(?=\+?\d[\d /.]{7,}\d)"),
    ("HOURS_LABEL", _phrases(
        r"heures d'(?:ouverture|accueil)", r"horaires?", r"openingsuren", r"openingstijden", r"[öo]ffnungszeiten",
        r"opening hours", r"office hours",
    )),
    ("COUNTER_LABEL", _phrases(
        r"guichets?", r"accueil", r"ouverture au public",
        r"permanences?", r"loket(?:ten|uren)?", r"onthaal", r"zitdag(?:en)?",
        r"sprechzeiten", r"sprechstunden?", r"publikumsverkehr", r"schalter", r"empfang", r"front desk",
    )),
    # "Enkel op dinsdagavond sluit de hoofdpost om 17 uur": when the day's hours end (read as "until").
    ("CLOSES_AT", _phrases(
        r"(?:sluit|sluiten|ferme|ferment|fermera|schlie(?:ß|ss)t|schlie(?:ß|ss)en|closes?) (?:[\w-]+ ){0,4}"
        r"(?:om|à|a|um|at)(?= ?\d)",
        # "maar het sluitingsuur wordt nu aangepast naar 18 uur": the new closing time
        r"(?:het )?sluitingsuur (?:[\w-]+ ){0,4}(?:naar|op|tot)(?= ?\d)",
        r"l'heure de fermeture (?:[\w-]+ ){0,4}(?:à|a)(?= ?\d)",
    )),
    ("CLOSED", _phrases(
        r"ferm[ée]e?s?", r"(?:jours?|demi-journ[ée]es?) de fermeture", r"gesloten", r"dicht", r"geschlossen", r"closed",
    )),
    ("OPEN", _phrases(r"ouverte?s?", r"open", r"geopend", r"ge[öo]ffnet", r"opened")),
    # "op dinsdag in plaats van donderdag": the days after it are the old ones, read as none.
    ("INSTEAD", _phrases(r"au lieu d[eu]", r"in plaats van", r"(?:an)?statt", r"instead of")),
    ("EXCEPT", _phrases(
        r"sauf", r"hors", r"en dehors des?", r"buiten(?: de)?", r"au(?:ß|ss)erhalb(?: der)?", r"outside(?: of)?",
        r"except[ée]e?s?", r"à l'exception d(?:u|es?|')", r"hormis", r"behalve", r"uitgezonderd",
        r"met uitzondering van", r"au(?:ß|ss)er", r"ausgenommen", r"mit ausnahme von", r"except", r"excluding",
    )),
    ("NEG", _phrases(r"pas", r"niet", r"nicht", r"not", r"geen", r"kein(?:e|en|er)?", r"jamais", r"nooit", r"never",
                     r"aucune?", r"no")),
    # Numbers: dates before times before phone numbers... all behind one test (see _NUMERIC).
    ("NUMERIC", ""),
    ("DATE_M", rf"(?:{_MONTHS})\s(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s)?(?:19|20)\d\d"),
    # A day named by its relation to today: a one-day notice, never the weekly pattern.
    ("TODAY", _phrases(r"aujourd'hui", r"ce jour(?:-l[àa])?", r"demain", r"vandaag", r"heute", r"today", r"tomorrow",
                       r"deze dag", r"op die dag", r"an diesem tag", r"[àa] cette date")),
    ("DAYPART_AM", _phrases(
        r"matin(?:s|ée|ee)?", r"avant-midi", r"voormiddag(?:en|s)?", r"'s (?:morgens|ochtends|voormiddags)",
        r"ochtend(?:en|s)?", r"vormittags?", r"morgens", r"mornings?",
    )),
    ("DAYPART_PM", _phrases(
        r"apr[èe]s[-\s]?midis?", r"namiddag(?:en|s)?", r"'s (?:namiddags|middags|avonds)", r"nachmittags?",
        r"afternoons?", r"soir(?:ée|ee|s)?", r"avond(?:en|s)?", r"abends?", r"evenings?",
        r"la nuit", r"'s nachts", r"nachts", r"at night", r"overnight",  # closed at night: part of the day
    )),
    ("NOON", _phrases(r"midi", r"noon", r"mittags?", r"middag", r"midday")),
    ("MIDNIGHT", _phrases(r"minuit", r"middernacht", r"mitternacht", r"midnight")),
    ("WEEKEND", _phrases(r"(?:le |les |au |op het |in het |am |at the |on )?(?:week-?ends?|wochenenden?)")),
    ("WEEKDAYS", _phrases(
        r"(?:tous )?les jours ouvrables", r"(?:chaque )?jours? ouvrables?", r"en semaine", r"jours de (?:la )?semaine",
        r"(?:alle |elke )?werkdag(?:en)?", r"weekdag(?:en)?", r"(?:an )?werktag(?:en|s)?", r"werkt[äa]glich",
        r"wochentags", r"unter der woche",
        r"(?:on |every )?weekdays?", r"(?:five|5) days a week", r"(?:cinq|5) jours (?:par|sur|/) ?(?:semaine|7)",
        r"(?:vijf|5) dagen (?:per|op|in de) ?(?:week|7)", r"(?:f[üu]nf|5) tage (?:die|pro|in der) woche",
        # "closed on Thursdays [...] on the four other days": the working days, the closed one taken out
        r"(?:les )?(?:quatre|4) autres jours(?: de la semaine)?", r"(?:de )?(?:vier|4) andere (?:werk)?dagen",
        r"(?:an den )?(?:vier|4) anderen (?:werk)?tagen", r"(?:the )?(?:four|4) other (?:week)?days",
        # "open four days a week [...] It is closed on Wednesdays" (four days checked by the reader)
        r"(?:four|4) days (?:a|per) week", r"(?:quatre|4) jours (?:par|sur) semaine",
        r"(?:vier|4) dagen (?:per|in de) week", r"(?:vier|4) tage (?:die|pro|in der) woche",
    )),
    ("ALLDAYS", _phrases(
        r"\(?(?:y compris (?:le |les )?week-?ends?|week-?ends? (?:compris|inclus)|(?:het )?weekend inbegrepen|"
        r"inclusief (?:het )?weekend|einschlie(?:ß|ss)lich (?:des )?wochenendes|including (?:the )?weekends?)\)?",
        r"tous les jours", r"chaque jour", r"7 ?j(?:ours)? ?(?:/|sur) ?7", r"elke dag", r"alle dagen",
        r"dagelijks", r"7 ?(?:op|/) ?7", r"t[äa]glich", r"jeden tag", r"every day", r"daily", r"7 days a week",
    )),
    ("DAYNAME", r"(?:'s )?(?P<dname>" + "|".join(sorted(_DAY_NAMES, key=len, reverse=True))
        + rf")(?:s|en)?(?P<dpart>{_DAYPART_SUFFIX})?s?"
        # "Maandagvan 14:00 tot 19:00": a day name glued to its hours by a flattened widget.
        r"(?:(?!\w)|(?=(?:van|vanaf|de|du|von|vom|ab|from)\s?\d|\d))"),
    ("MONTHLY", _phrases(
        r"(?:du|de chaque|par) mois", r"van (?:de|elke) maand", r"per maand", r"maandelijks",
        r"(?:des|jeden|pro) monats?", r"im monat", r"monatlich", r"(?:of the|each|per|a) month", r"monthly",
        r"mensuel(?:le)?(?:ment)?", r"(?:toutes les|tous les) (?:deux|2|quinze|15) (?:semaines|jours)",
        r"une semaine sur deux", r"om de (?:twee|2|veertien|14) (?:weken|dagen)", r"(?:even|oneven) weken",
        r"alle (?:zwei|2|14) (?:wochen|tage)", r"(?:every|each) (?:other|two|2) weeks?", r"biweekly",
        r"fortnightly", r"1 (?:semaine|week|woche) ?(?:/|sur|op|von|of) ?2",
    )),
    ("SEASON", _phrases(
        r"(?:jours? )?f[ée]ri[ée]s?", r"(?:feest|verlof|brug)dag(?:en)?", r"feest- (?:en|of) \w+dagen",
        r"feiertag(?:e|en|s)?", r"(?:public |bank )?holidays?",
        r"vacances", r"cong[ée]s", r"(?:school)?vakanties?", r"(?:schul)?ferien", r"zomer\w*", r"sommer\w*",
        r"summer", r"en [ée]t[ée]", r"d'[ée]t[ée]", r"l'[ée]t[ée]", r"estival\w*", r"hiver", r"winter\w*",
        r"no[ëe]l", r"kerst\w*", r"weihnacht\w*", r"christmas", r"p[âa]ques", r"pasen", r"ostern", r"easter",
        r"exceptionnel\w*", r"uitzonderlijk\w*", r"ausnahmsweise", r"exceptional\w*", r"toussaint",
        r"allerheiligen", r"carnaval", r"rosenmontag", r"fa(?:s|st)n(?:acht|ets)\w*", r"karneval\w*", r"fasching\w*",
        r"krokus\w*", r"saint-jean(?:-baptiste)? (?:à|au|jusqu'à) (?:la )?f[êe]te du travail",
    )),
    ("MONTH", _phrases(_MONTHS)),
    ("ORDINAL", _phrases(
        r"premi(?:er|ère|ere)", r"1(?:er|re|ère|ere|ste|st)", r"deuxi[èe]me", r"2(?:e|ème|eme|de|nd)",
        r"troisi[èe]me", r"3(?:e|ème|eme|de|rd)", r"quatri[èe]me", r"4(?:e|ème|eme|de|th)", r"derni(?:er|ère|ere)",
        r"eerste", r"tweede", r"derde", r"vierde", r"laatste", r"erste[nrs]?", r"zweite[nrs]?", r"dritte[nrs]?",
        r"vierte[nrs]?", r"letzte[nrs]?", r"first", r"third", r"fourth", r"last",
    )),
]  # fmt: skip

# Alternatives that start with a digit (or "+32"), tried in this order only where a number
# starts: not inside a word or right after ".,:/" ("1.5", "12/03").
_NUMERIC: list[tuple[str, str]] = [
    (
        "DATE",
        rf"\d{{1,2}}(?:er|re|e|ème|eme|de|ste|st|nd|rd|th|\.)?\s?(?:{_MONTHS})(?!\w)(?:\s(?:19|20)\d\d)?"
        r"|\d{1,2}(?P<dsep>[/.-])(?:0?[1-9]|1[0-2])(?P=dsep)(?:\d{4}|\d\d)(?!\d)"
        r"|(?:19|20)\d\d-\d\d-\d\d",
    ),
    # Belgian numbers, and North American ones ("450 645-2950", "418-748-2688", "(819) 757-3611").
    (
        "PHONENUM",
        r"(?:\+32\s?(?:\(0\)\s?)?|0032\s?|0)\d{1,3}(?:[ /.]\d{2,3}){2,4}(?![\d:])"
        r"|\d{3}(?:\)\s?|[ .-])\d{3}[ .-]\d{4}(?!\d)",
    ),
    ("NOON_12", r"12\s?(?:noon|midday|midi)(?!\w)"),  # "12noon - 4pm": the 12 is the noon, not an hour of its own
    ("TIME_AP", r"(?P<tap_h>1[0-2]|0?\d)(?:[:.h](?P<tap_m>[0-5]\d))?\s?(?P<tap_x>a\.m\.|p\.m\.|am|pm)(?!\w)"),
    ("TIME_HM", r"(?P<thm_h>[01]?\d|2[0-4])(?:\s?[hu]\s?|[:.])(?P<thm_m>[0-5]\d)(?!\d)(?:\s?(?:uur|uhr|u|h)(?!\w))?"),
    ("TIME_H", r"(?P<th_h>[01]?\d|2[0-4])\s?(?:h|u|uur|uhr|heures?|hrs?|o'clock)(?!\w)"),
]

_FROM_WORDS = {
    "fr": (r"de", r"du", r"des", r"dès", r"d'"),
    "nl": (r"van", r"vanaf"),
    "de": (r"von", r"vom", r"ab"),
    "en": (r"from",),
}
_BETWEEN = _phrases(r"entre", r"tussen", r"zwischen", r"between")

_TAIL: list[tuple[str, str]] = [
    ("NUM", r"(?<![\w.,:/])(?P<num>[01]?\d|2[0-4])(?!\w|[.,:/]\d)"),
    ("SINCE", _phrases(r"depuis", r"[àa] partir d(?:u|e|es)", r"[àa] partir d'", r"[àa] compter d(?:u|e|es)",
                       r"[àa] compter d'", r"sinds", r"met ingang van",
                       r"per(?= \d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}(?!\d))",  # "Nieuwe openingstijden per 1-1-2024"
                       r"seit", r"ab dem", r"since", r"as of", r"starting")),
    ("BETWEEN", _BETWEEN),
    ("TO_WORD", _phrases(r"jusqu'(?:à|a|au)", r"jusque", r"tot(?: en met)?", r"t\. ?e\. ?m\.", r"tem", r"t/m",
                         r"bis(?: einschlie(?:ß|ss)lich)?", r"to", r"till?", r"until", r"through", r"thru",
                         r"à", r"aux?", r"a(?=\s\d)")),
    ("TO_DASH", r"-"),
    ("AND", _phrases(r"et", r"en", r"und", r"and", r"ou", r"of", r"oder", r"or") + r"|[,&+/|]"),
    ("COLON", r":"),
    ("SEP", r"\n|[;!?•·▪]|\.(?=\s|$)"),
]  # fmt: skip


class Token(NamedTuple):
    """One recognised piece of text: ``kind`` is one of this module's kind constants."""

    kind: str
    start: int
    end: int
    value: Any = None  # (Any, not object: the reader compares and does arithmetic on it)


def _alternatives(language: str) -> list[tuple[str, str]]:
    """The lexer's alternatives for ``language`` as (name, pattern), in priority order."""
    abbr = "|".join(sorted(ABBREVIATIONS[language], key=len, reverse=True))
    parts = list(_COMMON)
    # Abbreviations come after full names and months ("mar" must not eat "mars").
    parts.append(("ABBR", rf"(?P<abbr>{abbr})(?:\.|(?!\w))"))
    parts.append(("FROM", _phrases(*_FROM_WORDS[language])))
    parts.extend(_TAIL)
    # (after a colon only when a letter precedes it: "Dienstag:7.30", not the "30" of "12:30")
    numeric = _alternation(
        r"(?<![\w.,/])(?<!\d:)(?=[\d+])(?:{})",
        tuple(f"(?:{pattern})(?P<{name}>)" for name, pattern in _NUMERIC),
    )
    return [(name, numeric if name == "NUMERIC" else pattern) for name, pattern in parts]


# A prefix: the character sets of a match's first characters, one per character (None: any
# character); shorter than PREFIX_LENGTH when a match may end sooner.
_Prefix = tuple[frozenset[str] | None, ...]
PREFIX_LENGTH = 3
_SPACE_CHARS = frozenset(ch for ch in map(chr, range(0x3001)) if ch.isspace())  # what \s matches


@cache  # the phrases common to all languages are parsed once
def _prefixes(pattern: str, length: int = PREFIX_LENGTH) -> frozenset[_Prefix]:
    """How a match of ``pattern`` can start: its prefixes of ``length`` characters (see ``_Prefix``).

    Read from the parsed pattern (CPython's ``re._parser``); what it cannot tell counts as any
    character, which only costs speed: the alternative is then tried at more places."""
    anything: set[_Prefix] = {(None,) * length}
    try:
        from re import _constants as c  # type: ignore[attr-defined]
        from re import _parser  # type: ignore[attr-defined]

        tree = _parser.parse(pattern)
    except Exception:  # noqa: BLE001 - another Python's internals: "any character"
        return frozenset(anything)

    def join(heads: set[_Prefix], tails: set[_Prefix]) -> set[_Prefix]:
        return {h if len(h) == length else (h + t)[:length] for h in heads for t in tails}

    def charset(arg) -> frozenset[str] | None:
        chars: set[str] = set()
        for kind, value in arg:
            if kind is c.LITERAL:
                chars.add(chr(value))
            elif kind is c.RANGE:
                chars.update(chr(x) for x in range(value[0], value[1] + 1))
            elif kind is c.CATEGORY and value is c.CATEGORY_DIGIT:
                chars.update("0123456789")
            elif kind is c.CATEGORY and value is c.CATEGORY_SPACE:
                chars.update(_SPACE_CHARS)
            else:
                return None  # negated or \w classes: any
        return frozenset(chars)

    def sequence(items) -> set[_Prefix]:
        out: set[_Prefix] = {()}
        for op, arg in items:
            if all(len(p) == length for p in out):
                break
            out = join(out, item(op, arg))
        return out

    def item(op, arg) -> set[_Prefix]:
        if op is c.LITERAL:
            return {(frozenset(chr(arg)),)}
        if op is c.IN:
            return {(charset(arg),)}
        if op in (c.NOT_LITERAL, c.ANY):
            return {(None,)}
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            return {()}  # consumes nothing
        if op is c.SUBPATTERN:
            return sequence(arg[-1]) if not arg[1] else anything  # (flags: unknown)
        if op is c.BRANCH:
            return {p for branch in arg[1] for p in sequence(branch)}
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            low, high, sub = arg
            once, out = sequence(sub), set()
            reps: set[_Prefix] = {()}
            # More repeats than length + low start no other way: the prefixes are full by then.
            for n in range(min(high, length + low) + 1):
                if n >= low:
                    out |= reps
                reps = join(reps, once)
            return out
        return anything  # back references, conditionals...

    return frozenset(sequence(tree))


def _fits(prefixes: frozenset[_Prefix], key: str) -> bool:
    """Whether a match with one of ``prefixes`` can start with the characters ``key``."""
    return any(all(chars is None or k in chars for chars, k in zip(p, key, strict=False)) for p in prefixes)


class _Lexer:
    """One language's lexer: at each place a token may start (a word start or punctuation), only
    the alternatives, and the phrases inside them, that can start with the PREFIX_LENGTH
    characters there are tried, in priority order: the tokens of one alternation of everything,
    several times faster.

    Each alternative ends in an empty group named after it: ``Match.lastgroup`` says which one
    matched."""

    # A token starts a word or is punctuation.
    STARTS = re.compile(r"(?<!\w)[^ ]|[^\w ]")

    def __init__(self, language: str) -> None:
        # (alternative number, part, its prefixes) in priority order; the alternatives as (name, pattern)
        self.alternatives = _alternatives(language)
        self._candidates: dict[str, list[tuple[int, str, frozenset[_Prefix]]]] = {
            "": [
                (n, part, _prefixes(part))
                for n, (_, pattern) in enumerate(self.alternatives)
                for part in getattr(pattern, "parts", None) or (pattern,)
            ]
        }
        self.by_key: dict[str, re.Pattern[str] | None] = {}
        self._compiled: dict[str, re.Pattern[str] | None] = {}  # keys with the same alternatives share one

    def candidates(self, key: str) -> list[tuple[int, str, frozenset[_Prefix]]]:
        """The parts of alternatives that may start with the characters ``key`` (a narrowing of
        those that may start with ``key[:-1]``)."""
        found = self._candidates.get(key)
        if found is None:
            found = [c for c in self.candidates(key[:-1]) if _fits(c[2], key)]
            self._candidates[key] = found
        return found

    def pattern_for(self, key: str) -> re.Pattern[str] | None:
        """The alternatives that may start with the characters ``key``, as one pattern (None: none may)."""
        keep: dict[int, list[str]] = {}
        for n, part, _ in self.candidates(key):
            keep.setdefault(n, []).append(part)
        alts = []
        for n, parts in keep.items():
            name, pattern = self.alternatives[n]
            if name == "NUMERIC":  # its alternatives are named inside (DATE, TIME_HM...)
                alts.append(pattern.template.format("|".join(parts)))  # type: ignore[attr-defined]
            elif isinstance(pattern, _Phrases):
                # The same phrases minus those that cannot start here: the same matches.
                alts.append(f"{pattern.template.format('|'.join(parts))}(?P<{name}>)")
            else:
                alts.append(f"(?:{pattern})(?P<{name}>)")
        source = "|".join(alts)
        if source not in self._compiled:
            self._compiled[source] = re.compile(source) if alts else None
        self.by_key[key] = self._compiled[source]
        return self.by_key[key]

    def finditer(self, low: str) -> list[re.Match[str]]:
        """Matches of the tokens of the lower-cased text ``low``, left to right (a list: no
        generator to resume on the hot path)."""
        out: list[re.Match[str]] = []
        by_key, pattern_for, search, length = self.by_key, self.pattern_for, self.STARTS.search, PREFIX_LENGTH
        start = search(low)
        while start is not None:
            p = start.start()
            key = low[p : p + length]
            try:
                pattern = by_key[key]
            except KeyError:  # not asked for yet
                pattern = pattern_for(key)
            if pattern is not None and (m := pattern.match(low, p)) is not None and (end := m.end()) > p:
                out.append(m)
                start = search(low, end)  # the next place a token may start after this one
            else:
                start = search(low, p + 1)
        return out


class _Lexers(dict):
    """The lexer of each language, built when first asked for (most runs read one language)."""

    def __missing__(self, language: str) -> _Lexer:
        if language not in LANGUAGES:
            raise KeyError(language)
        lexer = self[language] = _Lexer(language)
        return lexer


_LEXERS: dict[str, _Lexer] = _Lexers()

# Constant-valued groups: group name → (kind, value).
_SIMPLE: dict[str | None, tuple[str, object]] = {
    "CLOSED_PERM": (CLOSED_PERM, None),
    "CLOSED_TEMP": (CLOSED_TEMP, None),
    "WALKIN": (WALKIN, None),
    "INDEFINITE": (INDEFINITE, None),
    "BOOKING": (BOOKING, None),
    "CONDITIONAL": (CONDITIONAL, None),
    "PAST": (PAST, None),
    "ANN_TEMP": (CLOSED_TEMP, "announce"),
    "ANN_PERM": (CLOSED_PERM, "announce"),
    "USUAL": (USUAL, None),
    "REOPENED": (OPEN, "reopened"),
    "APPT": (APPT, None),
    "APPT_AGAIN": (APPT, "again"),
    "PHONE": (PHONE, None),
    "PHONE_AT": (PHONE, "number"),
    "PHONE_LABEL": (PHONE_LABEL, None),
    "COUNTER_LABEL": (COUNTER_LABEL, None),
    "HOURS_LABEL": (COUNTER_LABEL, "hours"),
    "OPEN": (OPEN, None),
    "CLOSED": (CLOSED, None),
    "EXCEPT": (EXCEPT, None),
    "INSTEAD": (EXCEPT, "instead"),
    "NEG": (NEG, None),
    "DATE": (DATE, None),
    "TODAY": (DATE, None),
    "DATE_M": (DATE, None),
    "PHONENUM": (PHONENUM, None),
    "DAYPART_AM": (DAYPART, "am"),
    "DAYPART_PM": (DAYPART, "pm"),
    "NOON": (NOON, 720),
    "NOON_12": (NOON, 720),
    "MIDNIGHT": (NOON, 1440),
    "WEEKDAYS": (DAY, (WEEKDAYS, None)),
    "WEEKEND": (DAY, ((5, 6), None)),
    "ALLDAYS": (DAY, (ALL_DAYS, None)),
    "MONTHLY": (MONTHLY, None),
    "SEASON": (SEASON, None),
    "MONTH": (MONTH, None),
    "ORDINAL": (ORDINAL, None),
    "FROM": (FROM, None),
    "SINCE": (SINCE, None),
    "BETWEEN": (FROM, "between"),
    "TO_WORD": (TO, None),
    "CLOSES_AT": (TO, None),
    "TO_DASH": (TO, None),
    "AND": (AND, None),
    "COLON": (COLON, None),
}

# Every dash, quote and space variant becomes its plain ASCII form, one character for one.
_CHAR_MAP = str.maketrans(
    {
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
        **dict.fromkeys("\u2018\u2019\u201b\u00b4`\u2032", "'"),
        **dict.fromkeys("\u00a0\u2007\u2009\u200a\u202f\u205f\u3000\t\f\v\u200b", " "),
        "\r": "\n",
    }
)
_SPACES = re.compile(r" {2,}")
_NEW_SENTENCE = re.compile(r"\s+(?!Mon|Tue|Wed|Thu|Fri|Sat|Sun)[A-ZÀ-Ý]")  # "4:30 p.m. Monday" goes on
_LINE_BREAKS = re.compile(r" ?\n[\n ]*")
_GLUED_TO = re.compile(r"(?:(?<=\bà)|(?<=\bbis)|(?<=\btot))(?=\d)")  # "8h à18h", "9.00 bis16.30"
# "Lundi08h00-12h00": a day name glued to its hours by a flattened table.
_GLUED_DAY = re.compile(r"\b(" + "|".join(sorted(_DAY_NAMES, key=len, reverse=True)) + r")(?=\d)", re.IGNORECASE)


# "8h30/12h", "13h30 /17h45", "9:00/12:00": a slash between two times joins a range; spaced out so
# the second time is read (a number right after "/" is otherwise part of a date, "12/03").
_SLASH_TIMES = re.compile(r"(?:(?<=\d[hu])|(?<=\d[hu]\d\d)|(?<=\d[:.]\d\d))\s?/\s?(?=\d{1,2}\s?[hu:.])", re.IGNORECASE)


_MAPPED = re.compile("[" + "".join(re.escape(chr(c)) for c in _CHAR_MAP) + "]")  # what _CHAR_MAP changes
# Cheap tests before the substitutions above (a search of literals is fast, their lookbehinds are
# tried at every place): what they change is always there.
_GLUED_TO_HINT = re.compile(r"(?:à|bis|tot)\d")
# (a digit first, then what stands before it: a search for digits is fast, for case-insensitive words not)
_GLUED_DAY_HINT = re.compile(r"\d(?<=(?i:" + "|".join(sorted({name[-2:] for name in _DAY_NAMES})) + r")\d)")
# "de 8 h 30 à 1 6h 30": an hour typed with a space inside it, right after the word that ends a range.
_SPLIT_HOUR = re.compile(
    r"(?:(?<=\bà )|(?<=\bto )|(?<=\btot )|(?<=\bbis ))(?:(1) ([0-9])|(2) ([0-4]))(?=\s?[hu](?:\s?\d\d)?(?!\w))"
)


def clean(text: str) -> str:
    """Text with one kind of dash, quote and space, runs of spaces and blank lines collapsed."""
    if _MAPPED.search(text):  # (translate is slow, a search for characters fast)
        text = text.translate(_CHAR_MAP)
    if "  " in text:
        text = _SPACES.sub(" ", text)
    if "\n" in text:
        text = _LINE_BREAKS.sub("\n", text)
    if _GLUED_TO_HINT.search(text):
        text = _GLUED_TO.sub(" ", text)
    if _GLUED_DAY_HINT.search(text):
        text = _GLUED_DAY.sub(r"\1 ", text)
    if "/" in text:
        text = _SLASH_TIMES.sub(" / ", text)
    if " 1 " in text or " 2 " in text:
        text = _SPLIT_HOUR.sub(lambda m: "".join(g for g in m.groups() if g), text)
    return text.strip()


def tokenize(text: str, language: str) -> list[Token]:
    """Tokens of an already :func:`clean` text, in order; unrecognised words produce none."""
    low = text.lower()
    if len(low) != len(text):  # a rare character whose lower case is longer: keep offsets aligned
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    out: list[Token] = []
    append = out.append
    new = tuple.__new__  # NamedTuple's own __new__ is a Python call: too slow for the hot path
    for m in _LEXERS[language].finditer(low):
        group = m.lastgroup
        start, end = m.span()
        simple = _SIMPLE.get(group)
        if simple is not None:
            append(new(Token, (simple[0], start, end, simple[1])))
        # the others, most frequent first
        elif group == "TIME_HM":
            append(new(Token, (TIME, start, end, int(m.group("thm_h")) * 60 + int(m.group("thm_m")))))
        elif group == "SEP":
            append(new(Token, (SEP, start, end, m.group())))
        elif group == "DAYNAME":
            suffix = m.group("dpart")
            part = None if suffix is None else ("pm" if suffix in _PM_SUFFIXES else "am")
            append(new(Token, (DAY, start, end, ((_DAY_NAMES[m.group("dname")],), part))))
        elif group == "TIME_AP":
            hour = int(m.group("tap_h")) % 12 + (12 if m.group("tap_x")[0] == "p" else 0)
            append(new(Token, (TIME, start, end, hour * 60 + int(m.group("tap_m") or 0))))
            if low[end - 1] == "." and _NEW_SENTENCE.match(text, end):
                append(new(Token, (SEP, end - 1, end, ".")))  # "11:15 a.m. Closed on...": the dot ends a sentence
        elif group == "ABBR":
            append(new(Token, (DABBR, start, end, ((ABBREVIATIONS[language][m.group("abbr")],), None))))
        elif group == "TIME_H":
            append(new(Token, (TIME, start, end, int(m.group("th_h")) * 60)))
        elif group == "NUM":
            append(new(Token, (NUM, start, end, int(m.group("num")))))
    return out


def says(text: str, language: str, kind: str) -> bool:
    """Whether ``text`` holds a token of ``kind`` ("op afspraak" says APPT, "Tele-service" PHONE)."""
    return any(t.kind == kind for t in tokenize(clean(text), language))


@cache  # 49 possible spans, asked for at every day range
def day_span(first: int, last: int) -> tuple[int, ...]:
    """Days from ``first`` to ``last`` inclusive (0 = Monday), wrapping over the weekend."""
    if first <= last:
        return tuple(range(first, last + 1))
    return tuple(range(first, 7)) + tuple(range(0, last + 1))


def starts_with_day(text: str, language: str) -> bool:
    """True when ``text`` (a table cell, a ``<dt>``) begins with a day name or a weekday range.

    Abbreviations count only in a short cell ("Ma", "Mo.-Fr."), where they cannot be the French
    words "ma", "sa" or "je".
    """
    text = clean(text)
    toks = tokenize(text[:60], language)
    first = next((t for t in toks if t.kind != FROM), None)
    if first is None or first.kind not in (DAY, DABBR) or text[: first.start].strip(" -•*'").lower() not in (
        "", "le", "les", "op", "am", "on", "du", "van", "von", "from"
    ):  # fmt: skip
        return False
    return first.kind == DAY or len(text) <= 16
