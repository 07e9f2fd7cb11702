"""Channel statements and fees read from the sentences of a procedure block (FR, NL, DE, EN).

A sentence is cut into clauses (at ";", ":", ",", "mais", "maar", "but", "aber"); each clause is
read for *channel cues* (where the procedure is done: "en ligne", "au guichet", "per post",
"via uw vakbond", "itsme"...) and for what it says about them:

- **positive**: the channels mentioned are ``available`` ("Vous pouvez la demander au guichet").
- **negation** ("n'est plus possible au guichet", "niet meer aan het loket", "nicht mehr",
  "no longer", "ni par courrier"): the channels are ``not_available``. A negation without a
  channel applies to the channels of the clause before it ("Au guichet, ce n'est plus
  possible") or, failing that, to the next clause that names one.
- **only** ("uniquement en ligne", "enkel online", "nur online", "ne ... qu'en ligne"): the
  channels named after "only" are ``available`` and the others are *inferred* ``not_available``:
  online-only closes the counters, post and phone; counter-only closes online, post and phone;
  appointment-only ("uniquement sur rendez-vous") closes walk-in only. "Only" speaks of the
  channel it stands next to ("Enkel de mensen waarvan ..." restricts who). Intermediaries are
  closed by inference only by "personnellement" (a representative said elsewhere wins).
- "not only" ("pas seulement", "niet alleen", "nicht nur") is neither only nor a negation;
  "no need" ("plus besoin de vous déplacer", "geen afspraak nodig") closes nothing
  ("plus besoin de rendez-vous" opens walk-in); "N'hésitez pas" is no negation.
- Conditions ("thuis als je een kaartlezer hebt", "Wie ..., kan ...") offer the channels they name;
  negative ones ("si vous n'avez pas d'itsme"), questions, maintenance and closures on some days
  ("fermé le 11 novembre") say nothing; offices closed to the public close the counter.
- Booking an appointment online or by phone makes the appointment available, not online or phone;
  presence in person required closes online, phone and post; help given by phone is the phone.

Channel rules:

- a digital identity (itsme, a card reader, "avec votre eID", "met uw identiteitskaart") in a
  clause that is about doing it online makes it ``online_digital_identity`` rather than
  ``online``; an identity card brought to a counter is a document, not a channel;
- a counter is ``counter_appointment`` when the sentence says appointment ("sur rendez-vous",
  "op afspraak"), ``counter_walk_in`` otherwise ("au guichet", "sans rendez-vous"); a negated
  counter without either closes both. "Prenez rendez-vous en ligne ou par téléphone" books an
  appointment: online and phone there are not channels of the procedure;
- phone, post and e-mail count only when the clause says the procedure can be done that way (an
  action or a possibility: "demander", "aanvragen", "possible", "kunt") and is not about
  questions or contact ("Pour toute question, appelez le ..."): a phone number is not a phone
  channel. E-mail requests are an ``online`` channel (no digital identity).

Every statement keeps the whole sentence as evidence (≤ 300 characters). ``direct`` statements
(said of that channel) beat *inferred* ones (from "only"); see :func:`resolve`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scrapers.procedures.model import AVAILABLE, MAX_EVIDENCE, NOT_AVAILABLE
from scrapers.procedures.taxonomy import normalize
from scrapers.vocabulary import PROCEDURE_APPOINTMENT as APPOINTMENT
from scrapers.vocabulary import PROCEDURE_DIGITAL_ID as DIGITAL_ID
from scrapers.vocabulary import PROCEDURE_INTERMEDIARY as INTERMEDIARY
from scrapers.vocabulary import PROCEDURE_ONLINE as ONLINE
from scrapers.vocabulary import PROCEDURE_PHONE as PHONE
from scrapers.vocabulary import PROCEDURE_POST as POST
from scrapers.vocabulary import PROCEDURE_WALK_IN as WALK_IN

COUNTER = "counter"  # a counter without walk-in/appointment said: walk-in when available, both when closed
_REQUIRABLE = frozenset({APPOINTMENT, ONLINE, DIGITAL_ID})  # what an obligation can make the one way
_COUNTERS = (WALK_IN, APPOINTMENT)


def _rx(*parts: str) -> re.Pattern[str]:
    """One regex of alternatives, each bounded by non-word characters (text is normalized)."""
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w])")


# ---- channel cues (all languages: Brussels pages mix them) ----------------------------------------
# Online places whose names contain "guichet"/"loket" are found first and blanked, so the
# counter cues below never see them.
_ONLINE = _rx(
    r"guichets? (?:electroniques?|en ligne|virtuels?|numeriques?)", r"e-?guichets?", r"e-?loket",
    r"digita(?:al|le) loket", r"digitale (?:hulp|weg|aanvraag|dienstverlening)",
    r"elektronisch(?:e)? loket", r"online ?loket", r"online-schalter", r"en ligne", r"on-?line", r"internet",
    r"sites? (?:internet|web)", r"sur (?:le|notre) site", r"website", r"webformulier",
    r"formulaire (?:electronique|web|en ligne)",
    r"portail", r"irisbox", r"mon ?espace", r"myminfin", r"tax-on-web", r"taxonweb", r"mypension", r"my ?pension",
    r"myhandicap", r"mijn ?burgerprofiel", r"burgerprofiel", r"connectez-vous", r"vous connecter", r"se connecter",
    r"inloggen", r"log (?:je|u) in", r"meld (?:je|u) aan", r"par voie electronique", r"electroniquement",
    r"digitaal", r"digitale weg", r"elektronisch", r"numeriquement",
    r"(?:via|sur|par|op|auf|on|at) (?:le |un |notre |het |de |die |the )?site(?: web| internet)?(?: du| de| van| des)?",
    r"(?:via|sur|op|auf|on|at) (?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:be|eu|com|org|net|brussels|gov\.uk)",
    r"smartphone", r"tablette", r"(?:sur|op|im|on) (?:le |het |the )?web", r"(?:video)?chat",
    r"(?:contact|online|web|e-)formulier", r"formulaire de contact", r"kontaktformular", r"contact form",
    # A link on the page ("Vraag hier aan", "cliquez ici").
    r"(?:kan|kun|kunt) (?:je|u|jij) hier", r"klik hier", r"cliquez ici", r"click here", r"hier klicken",
    r"(?:votre|uw|je|ihrem|your) (?:pc|ordinateur|computer)",
    r"par (?:la )?voie electronique",
)  # fmt: skip
# Sending a paper document to an address ("Stuur het attest naar het ziekenfonds", "renvoyer
# l'enveloppe"): post, unless the clause names an e-mail or a web way to send it.
_SEND_TO = _rx(r"(?:stuur|stuurt|opsturen|terugsturen)(?: [\w'-]+){0,8}? naar",
               r"send (?:it|them|this|the [\w-]+) to the address",
               r"(?:renvoy|retourn)\w* (?:l'|votre |les )?enveloppes?")  # fmt: skip
_EMAIL = _rx(
    r"(?:par|per|via|by) (?:e-?mail|courriel|mail)",
    r"e-?mail",
    r"(?<!by )(?<!the )mail(?:en|s)?",  # French and Dutch "mail", "mailen"; English "by mail" is post
    r"courriel",
    r"courrier electronique",
    r"elektronische post",
)
_ID_STRONG = _rx(
    r"itsme", r"lecteurs? de cartes?(?: d'identite| eid)?", r"lecteur eid", r"kaartlezer", r"kartenleser",
    r"card[ -]readers?", r"csam", r"cles? numeriques?", r"digitale sleutels?",
    r"(?:mit hilfe|mittels) (?:des|ihres|eines) elektronischen (?:personal)?ausweises",
)  # fmt: skip
_ID_WEAK = re.compile(
    r"(?<![\w-])(?:avec|via|par|au moyen d[eu']|a l'aide d[eu']|grace a|met|door middel van|mit|with|using)\s+"
    r"(?:(?:votre|vos|ta|ton|sa|son|leur|uw|je|jouw|zijn|haar|hun|ihre[mnr]?|ihrem|seine[mnr]?|your|their|la|le|l'|"
    r"de|het|een|une|un|einen?)\s*)?"
    r"(?:carte d'identite(?: electronique)?|carte eid|e-?id|(?:elektronische )?identiteitskaart|"
    r"(?:elektronische[nmr]? )?personalausweis|(?:electronic )?identity card)(?![\w])"
)
_WITHOUT_ID = re.compile(
    r"(?<![\w-])(?:sans|zonder|ohne|without)\s+(?:(?:votre|uw|je|ihre[mn]?|your|un|une|een)\s+)?"
    r"(?:itsme|lecteur de cartes?|kaartlezer|kartenleser|card reader|e-?id|carte d'identite electronique)(?![\w])"
    # Online ways said to need no identity ("ohne Authentifizierung", "even if you don't have a card").
    r"|(?<![\w-])(?:ohne (?:authentifizierung|anmeldung)|sans (?:authentification|identification|vous (?:identifier|"
    r"connecter))|zonder (?:aanmelden|in te loggen|authenticatie)|without (?:logging in|authentication)|"
    r"(?:don't|do not) (?:yet )?have an? (?:electronic )?(?:card|reader|eid))(?![\w])"
)
_ADDRESS_WORDS = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|((?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)*\.(?:be|eu|com|org|net|brussels|nl|de|fr|lu|gov\.uk))/\S*"
)
_PAGE_WORDS = _rx(r"page d'accueil", r"startpagina", r"homepage", r"startseite")  # "accueil" that is no counter
_COUNTER = _rx(
    r"guichets?", r"au comptoir", r"a l'accueil", r"accueil", r"sur place", r"en personne", r"personnellement",
    r"vous presenter", r"se presenter", r"presentez-vous", r"presentez vous",
    r"(?:vous|se|me|nous) rendre (?:[\w']+ ){0,4}?(?:au|a|aux|dans|chez)",
    r"rendez-vous (?:au|aux|a la|a l'|dans|chez|sur place)", r"au bureau", r"bureaux?", r"points? de contact",
    r"permanences?", r"permanenties?", r"maison communale", r"hotel de ville", r"hotel communal",
    r"administration communale",
    r"antennes?", r"loket(?:ten)?", r"balie", r"onthaal", r"stadhuis", r"gemeentehuis", r"administratief centrum",
    r"dienstencentrum", r"kantoor", r"kantoren", r"ter plaatse", r"persoonlijk", r"langskomen", r"langs ?komen",
    r"langs ?gaan",
    r"kom (?:dan |gerust )?langs", r"ga langs", r"langsgaan", r"zitdag(?:en)?", r"schalter", r"vor ort",
    r"personlich", r"im buro", r"burgerburo", r"rathaus", r"gemeindehaus", r"counters?", r"desk", r"in person",
    r"town hall", r"city hall", r"seances? (?:d'aide|de remplissage|d'accompagnement)", r"invulsessies?",
    r"invulmomenten", r"on-?site", r"in an office", r"municipal buildings?", r"physiquement",
    r"fysieke?",
    # Offices named as the place where the procedure is done.
    r"personliche[sn]? (?:erscheinen|vorsprechen)", r"vorstellig werden",
    r"(?:im|beim|auf dem|in der|bei der|zur|an die) (?:standesamt|stadtverwaltung|gemeindeverwaltung|"
    r"bevolkerungs(?:amt|dienst)|einwohnermelde(?:amt|wesen)|verwaltung(?: ihrer wohngemeinde)?|polizeiburo)",
    r"(?:au|a la|aupres du|aupres de la) (?:service (?:de la )?population|service (?:de l')?etat civil|"
    r"maison des citoyens|maison communale)",
    r"(?:bij|aan|naar) (?:de )?(?:dienst )?(?:bevolking|burgerzaken|burgerlijke stand|bevolkingsdienst)",
    r"(?:at|to) the (?:municipal administration|population office|civil registry|registry office)",
    # The municipality named as the place ("au service population de votre commune", "in de gemeente").
    r"(?:a|a la|aupres de|par l'intermediaire de|dans) (?:votre |leur |sa |la )?(?:commune|mairie(?: de quartier)?)",
    r"(?:au|le) service (?:de la )?population", r"(?:in|bij|naar) (?:de|je|uw|jouw) gemeente",
    r"(?:in|bei|an) (?:der|ihrer|die) gemeinde", r"(?:at|to) (?:the|your) (?:municipality|town hall)",
    r"(?:stads|gemeente|district|burger|info|onthaal)(?:loket(?:ten)?|balies?)",
    r"appear (?:in person|personally)",
)  # fmt: skip
# The person's presence required ("vous présenter en personne", "persönliches Erscheinen ist
# notwendig"): with an obligation, the remote ways are closed. "Personnellement"/"persönlich" with a
# counter is read as the counter only (the corpus reads it so: it says who comes, not how).
_IN_PERSON = _rx(r"en personne", r"presence (?:physique|personnelle)", r"physiquement present(?:e|s|es)?",
                 r"fysiek aanwezig", r"fysieke aanwezigheid", r"in person",
                 r"personliche[sn]? (?:erscheinen|vorsprechen)", r"personliche anwesenheit")  # fmt: skip
# The administration sending something to the person: the post that carries it is no channel.
_DELIVERY = _rx(r"ontvang(?:t|en)? (?:je|u|jij)", r"(?:je|u) ontvangt",
                r"(?:versturen|sturen|bezorgen) we (?:u|je|jou)",
                r"(?:vous|u|je|jou) (?:sera|seront|wordt|worden) (?:\w+ )?"
                r"(?:envoyee?s?|toegestuurd|opgestuurd|bezorgd)",
                r"vous (?:recevrez|recevez)", r"nous vous (?:envoyons|enverrons)", r"(?:senden|schicken) wir ihnen",
                r"you (?:will )?receive", r"we (?:will )?send you")  # fmt: skip
# The person themself, not a proxy ("vous présenter personnellement").
_PERSONALLY = _rx(r"personnellement", r"in eigen persoon", r"personally")
_WALK_IN = _rx(
    r"sans (?:prendre )?(?:de |un )?rendez-vous", r"sans rdv", r"acces libre", r"librement",
    r"zonder (?:een )?(?:voorafgaande |voorafgaandelijke )?afspraak", r"vrije inloop", r"vrij binnenlopen",
    r"freie sprechstunden?", r"offene sprechstunden?", r"ohne termin(?:vereinbarung)?", r"without (?:an )?appointment",
    r"walk-in",
)  # fmt: skip
_WITH_OR_WITHOUT = _rx(r"avec ou sans (?:prendre )?(?:de |un )?rendez-vous", r"met of zonder (?:een )?afspraak",
                       r"mit oder ohne termin", r"with or without (?:an )?appointment")  # fmt: skip
_APPOINTMENT = _rx(
    r"rendez-vous",
    r"rdv",
    r"afspraak",
    r"afspraken",
    r"termin(?:vereinbarung|absprache)?",
    r"nach (?:vorheriger )?(?:absprache|vereinbarung)",
    r"appointments?",
)
# "Rendez-vous au guichet" is French for "go to the counter"; "rendez-vous sur le site", "go to the site".
_GO_TO = re.compile(r"(?:^|[^\w' -]|\s)\s*rendez-vous (?:au|aux|a la|a l'|dans|chez|sur)\b")
_APPOINTMENT_BEFORE = re.compile(r"(?:sur|avec|un|le|votre|de|d'un|prendre|prenez|fixer|fixez|reserver|reservez|"
                                 r"demander|demandez|uniquement sur|seulement sur)\s+$")  # fmt: skip
# Booking an appointment online or by phone ("prenez rendez-vous en ligne", "maak online een
# afspraak"): those means are blanked, they are not channels of the procedure.
_BOOK_NOUN = r"(?:rendez-vous|rdv|afspraak|termin|appointment)"
_FILLER = (
    r"(?:\s+(?:maken|maak|te|kan|kunt|kun|nemen|prendre|prenez|vereinbaren|buchen|make|book|is|est|sont|"
    r"possible|mogelijk|moglich|aussi|ook|auch|also|eenvoudig|facilement|gemakkelijk|snel|rapidement))*"
)
_MEANS = (
    r"(?:en ligne|online|internet|par telephone|telephoniquement|telefonisch|per telefoon|by phone|"
    r"via (?:notre|le|het|onze|de|la|l'|ons|unsere) ?(?:site(?: web| internet)?|website|formulier|e-loket|"
    r"e-guichet|guichet electronique|plateforme|platform|application|app)|sur (?:notre|le) site(?: web| internet)?)"
)
_NUMBER = r"(?:\s*(?:au|op het|op|am|at)?\s*(?:numero|nummer)?\s*\+?\d[\d /.]{6,}\d)?"
_CHAIN = rf"{_MEANS}{_NUMBER}(?:\s*(?:,|ou|of|oder|or|et|en)\s*{_MEANS}{_NUMBER})*"
_BOOKING = re.compile(
    rf"{_BOOK_NOUN}{_FILLER}\s+({_CHAIN})|({_MEANS}(?:\s*(?:,|ou|of|oder|or)\s*{_MEANS})*){_FILLER}\s+"
    rf"(?:een |un |einen |an )?{_BOOK_NOUN}"
)
# A sentence about booking an appointment ("een afspraak maken kan via de website of telefonisch",
# "rendez-vous à prendre par mail", "Termin vereinbaren"): the web, e-mail and phone it names are
# ways of booking, not channels of the procedure, and the counter it names is by appointment.
_BOOK_VERB = (
    r"(?:prendre|prenez|prend|pris|prise|fixer|fixez|reserver|reservez|planifier|maken|maak|maakt|gemaakt|boeken|"
    r"boek|boekt|geboekt|inplannen|plannen|vastleggen|vereinbaren|vereinbart|buchen|gebucht|make|book|booked|"
    r"schedule|arrange)"
)
_BOOK_NOUNS = r"(?:rendez-vous|rdv|afspraak|afspraken|termin|termine|appointments?)"
_BOOKING_PHRASE = re.compile(
    rf"(?<![\w-]){_BOOK_VERB}\s+(?:[\w'-]+\s+){{0,3}}?{_BOOK_NOUNS}(?!\w)"
    rf"|(?<![\w-]){_BOOK_NOUNS}\s+(?:[\w'-]+\s+){{0,8}}?{_BOOK_VERB}(?!\w)"
    r"|(?<![\w-])(?:afsprakenportaal|afsprakenmodule|terminbuchung|online-terminvergabe)(?!\w)"
    # "enkel terecht na een telefonische afspraak": the phone booked it.
    rf"|(?<![\w-])(?:na|apres|nach|after) (?:een |un |une |einer |an )?(?:telefonische[n]?|telephonique|online|"
    rf"digitale[n]?) {_BOOK_NOUNS}(?!\w)"
)
# In a booking sentence, "niet meer via de website", "enkel nog via 1777" restrict the booking means,
# not the appointment: the scope word is dropped before the sentence is read.
_MEANS_SCOPE = re.compile(
    r"(?<![\w-])(?:niet|geen|not|nicht|pas|plus|enkel|alleen|uniquement|seulement|nur|only|exclusivement|"
    r"uitsluitend)(?:\s+(?:meer|nog|plus|more|mehr|encore|meestal|langer|longer|que|qu'))*"
    r"(?=\s+(?:via|per|par|by|op|over|sur|online|en ligne|telefonisch|telephoniquement)(?!\w))"
)
# A sentence that goes on about the booking of the sentence before ("Dat kan online of telefonisch").
_BOOKING_ANAPHORA = re.compile(
    r"^(?:dat|dit|het|cela|ceci|ca|celui-ci|das|dies|this|it)\s+(?:kan|kunt|gaat|gebeurt|peut|se fait|se prend|"
    r"geht|kann|can|is done)(?!\w)"
)
_PHONE = _rx(
    r"par telephone", r"telephoniquement", r"par appel(?: telephonique)?", r"au telephone", r"permanence telephonique",
    r"appelez", r"appeler", r"telephonez", r"telephoner", r"telefonisch", r"per telefoon", r"via de telefoon",
    r"telefoneren", r"bellen", r"bel", r"belt", r"per telefon", r"anrufen", r"rufen sie", r"by (?:tele)?phone",
    r"over the (?:tele)?phone", r"call us", r"call", r"telephoniques?", r"telefonische", r"hulplijn", r"helpline",
    r"centrales? d'appels?", r"call ?cent(?:er|re)s?", r"contact ?cent(?:er|re)s?",
)  # fmt: skip
_POST = _rx(
    r"par courrier(?: postal)?", r"par la poste", r"par voie postale", r"par lettre", r"courrier postal",
    r"formulaires? papier", r"version papier", r"declaration papier", r"sur papier", r"format papier",
    r"par envoi postal", r"per post", r"per brief", r"via de post", r"met de post", r"op papier",
    r"papieren (?:formulier|aangifte|versie)", r"schriftelijk", r"per briefpost", r"auf dem postweg",
    r"schriftlich", r"papierformular", r"by post", r"by mail", r"paper form", r"in writing", r"par ecrit",
    r"courrier(?! electronique)", r"auf papier", r"(?:par|en|le) papier", r"papieren \w+", r"via bpost",
    r"(?:la |de )?voie postale", r"per post", r"on paper", r"paper (?:return|version|application)",
)  # fmt: skip
# Payment bodies that do the procedure for the person, named without a preposition ("FGTB, CSC,
# CGSLB ou CAPAC").
_PAYMENT_BODY_WORDS = (
    r"organismes? de paiement", r"uitbetalingsinstellingen?", r"auszahlungseinrichtung(?:en)?",
    r"fgtb", r"csc", r"cgslb", r"capac", r"abvv", r"acv", r"aclvb", r"hvw", r"lbc-nvk",
    r"hulpkas(?: voor werkloosheidsuitkeringen)?", r"caisses? (?:auxiliaire )?de paiement", r"kindergeldkasse",
    r"kinderbijslagfonds", r"caisses? d'allocations familiales",
)  # fmt: skip
_PAYMENT_BODY = _rx(*_PAYMENT_BODY_WORDS)
# Professionals who file for the person ("uw accountant", "door een boekhouder", "à un comptable").
_ADVISER_WORDS = (r"(?:expert-)?comptable", r"accountant", r"boekhouder", r"belastingadviseur", r"steuerberater(?:in)?",
                  r"mandataris")  # fmt: skip
_ADVISER = "|".join(_ADVISER_WORDS)
# A counter or a website said to be a body's ("se présenter auprès d'un organisme de paiement", "uw
# accountant kan indienen via MyMinfin", "na afspraak bij de pensioendienst van je mutualiteit") is
# the intermediary's, not a channel of the administration. A member ("ACV-lid") is no body.
_BODY = re.compile(
    _rx(*_PAYMENT_BODY_WORDS, *_ADVISER_WORDS, r"syndicats?", r"vakbond", r"mutualites?", r"mutualiteit",
        r"ziekenfonds", r"gewerkschaft", r"krankenkasse").pattern + r"(?!-?(?:lid|leden)\b| lid\b)"
)  # fmt: skip
_INTERMEDIARY = re.compile(
    r"(?<![\w-])(?:(?:via|par|aupres d[eu']|aupres de la|chez|a|avec l'aide d[eu']|par l'intermediaire d[eu']|"
    r"l'aide d[eu']|bij|door|met de hulp van|beroep (?:doen )?op|uber|durch|bei|through|with the help of)(?:\s+|(?<='))"
    r"(?:(?:votre|vos|ton|ta|un|une|le|la|l'|son|sa|leur|uw|je|jouw|een|de|het|ihre[nmr]?|ihrem|einen?|einer|your|a|an|the)\s*)?"
    r"(?:syndicats?|organismes? de paiement|caisses? de paiement|mutualites?|mutuelles?|cpas|"
    r"assistante?s? socia(?:le|l|les|ux)|travailleu(?:r|se)s? socia(?:l|le|ux)|comptable|mandataire|vakbond|"
    r"uitbetalingsinstelling|ziekenfonds|mutualiteit|"
    r"ocmw|maatschappelijk werker|sociaal werker|sociaal assistent|boekhouder|mandataris|gewerkschaft|krankenkasse|"
    r"oshz|sozialarbeiter(?:in)?|auszahlungseinrichtung|union|trade union|health insurance fund|social worker|"
    r"intermediaire(?! d)|tussenpersoon|intermediary|" + _ADVISER + r"))"
    r"|(?:votre|vos|uw|je|ihre[rnm]?|your)\s+(?:syndicat|organisme de paiement|mutualite|mutuelle|vakbond|"
    r"uitbetalingsinstelling|ziekenfonds|gewerkschaft|krankenkasse|union|assistante? sociale?|travailleu(?:r|se) "
    r"socia(?:l|le)|maatschappelijk werker|sozialarbeiter(?:in)?|social worker|" + _ADVISER + r")"
)
# Someone acting for the person (a proxy, the household's reference person) or the bodies that do
# the procedure for them (unions' payment offices, CAPAC/HVW), named without a preposition.
_PROXY = _rx(
    r"(?:une |la |sa |een |de |eine |einer |a )?(?:procuration|volmacht|vollmacht|power of attorney|proxy)",
    r"tierce personne", r"(?:un|une) tiers", r"mandataire", r"gevolmachtigde", r"bevollmachtigte[nr]?",
    r"personne de reference(?: du menage)?", r"referentiepersoon", r"referenzperson(?: des haushalt(?:e?s))?",
    r"(?:se faire|vous faire|kan zich laten|sich) (?:representer|vertegenwoordigen|vertreten)",
    r"(?:can|may) (?:also )?be represented", r"in (?:jouw|uw|je) naam", r"en votre nom", r"in ihrem namen",
    r"on your behalf",
    r"pour votre compte", r"(?:een |un |une |ein |a )?(?:vriend of )?familielid", r"membre de (?:votre |la )?famille",
    r"family member", r"familienmitglied", r"angehorige[nr]?",
    # Someone applying for another person ("the person for whom the request is made").
    r"person for whom", r"personne pour (?:laquelle|qui)", r"persoon voor wie", r"person fur die",
    r"(?:pour|voor|fur|for|on behalf of) (?:une autre personne|autrui|een andere persoon|iemand anders|"
    r"eine andere person|another person|someone else)",
)  # fmt: skip
# In a table header or a label, a bare "intermediary" names the channel.
_INTERMEDIARY_LABEL = _rx(r"intermediaires?(?! d)", r"tussenperso(?:on|nen)", r"vermittler", r"intermediar(?:y|ies)",
                          r"via (?:un|une|een) (?:tiers|derde)")  # fmt: skip

# ---- polarity, per language ------------------------------------------------------------------------
_NOT_ONLY = {
    "fr": _rx(
        r"(?:ne\s+|n')(?:[\w-]+\s+){0,2}?pas (?:seulement|uniquement|exclusivement|que)",
        r"pas seulement",
        r"non seulement",
        r"pas uniquement",
        r"pas que",
        r"pas exclusivement",
    ),
    "nl": _rx(r"niet alleen", r"niet enkel", r"niet uitsluitend"),
    "de": _rx(r"nicht nur", r"nicht ausschliesslich"),
    "en": _rx(r"not only", r"not just"),
}
_IDIOMS = {  # negations that negate nothing about channels
    # "Ne vous adressez pas directement à ...", "wend je niet rechtstreeks tot ...": go through someone.
    "fr": _rx(r"n'hesitez pas", r"hesitez pas", r"n'oubliez pas", r"ne tardez pas", r"n'attendez pas",
              r"ne manquez pas", r"ne pas oublier", r"(?:pas|plus) directement",
              r"(?:ne |n')?(?:[\w-]+ ){0,2}?(?:pas|plus) (?:\w+ )?tarder"),
    "nl": _rx(r"aarzel niet", r"vergeet niet", r"niet vergeten", r"twijfel niet", r"of niet", r"niet rechtstreeks"),
    "de": _rx(r"zogern sie nicht", r"vergessen sie nicht", r"nicht vergessen", r"nicht direkt"),
    "en": _rx(r"don't hesitate", r"do not hesitate", r"don't forget", r"do not forget", r"not directly"),
}  # fmt: skip
# Someone who is not a member ("pour ceux qui ne sont pas affiliés à un syndicat", "je bent niet
# aangesloten bij een vakbond"): a condition on who, which says nothing about the channels.
_NON_MEMBER = re.compile(
    r"(?<![\w-])(?:(?:ne|n')\s*(?:\w+\s+){0,2}?(?:pas|plus)\s+(?:\w+\s+)?affilie|non affilie|"
    r"(?:niet|geen)\s+(?:\w+\s+){0,2}?(?:aangesloten|lid)|die dat niet\s+(?:\w+\s+)?zijn|"
    r"(?:nicht|kein)\s+(?:\w+\s+)?mitglied|not (?:\w+\s+)?(?:a )?member)"
    # ... with the body named ("à un syndicat", "bij een vakbond"), which is then no channel either
    r"(?:e?s?\s+(?:a|au|aupres d[eu']|bij|aan|bei|in|of|to)\s+(?:(?:un|une|een|de|het|einer|der|a|the)\s+)?[\w-]+)?"
)
_NEED = {  # "no need to": closes nothing (and "no appointment needed" opens walk-in)
    "fr": _rx(r"(?:pas|plus) besoin",
              r"(?:pas|plus|aucun) (?:de |d')?(?:[\w-]+ ){0,2}(?:n'est )?(?:necessaire|requis|obligatoire)",
              r"n'(?:est|etes|avez) (?:pas|plus) (?:besoin|necessaire|oblige|obligatoire|requis)",
              r"inutile de", r"ne (?:devez|doit|devrez|devra) (?:pas|plus)", r"sans (?:devoir|vous|avoir a) "
              r"(?:deplacer|rendre|passer|quitter|sortir)", r"sans (?:vous )?(?:deplacer|rendre|passer)"),
    "nl": _rx(r"(?:niet|geen) (?:[\w-]+ ){0,3}?(?:meer )?nodig",
              r"hoe(?:f|ft|ven) (?:[\w-]+ ){0,3}?(?:niet|niets|geen)",
              r"hoeft niet",
              r"zonder (?:je |u )?(?:te )?verplaatsen", r"zonder langs te (?:komen|gaan)", r"moet (?:u|je) niet",
              r"zonder dat (?:u|je|jij) (?:[\w-]+ ){0,7}?(?:verplaatsen|langsgaan|langskomen|langs te (?:komen|gaan))",
              r"niet (?:meer )?verplicht"),
    "de": _rx(r"(?:nicht|kein\w*) (?:[\w-]+ ){0,2}?(?:mehr )?(?:notwendig|notig|erforderlich)",
              r"brauchen (?:sie )?(?:nicht|kein\w*)",
              r"mussen (?:sie )?nicht", r"kein termin (?:notig|erforderlich)"),
    "en": _rx(r"no need", r"not (?:required|necessary|needed)", r"don't need", r"do not need", r"do not have to",
              r"without (?:having to )?(?:go|come|travel)", r"no appointment (?:is )?(?:needed|necessary|required)"),
}  # fmt: skip
_NEGATION = {
    # A way that disappears or belongs to the past ("la version papier disparaîtra", "is verleden tijd").
    "fr": _rx(r"ne", r"ni", r"plus (?:possible|accepte|acceptee|acceptees|delivree?s?|disponible|propose)",
              r"pas (?:possible|disponible|accepte)", r"impossible", r"aucune?", r"supprimee?s?", r"jamais",
              r"dispara(?:it|itra|issent|itront|ssent)", r"(?:appartient|appartiennent) au passe"),
    "nl": _rx(r"niet", r"geen", r"nooit", r"onmogelijk", r"afgeschaft", r"noch", r"verleden tijd", r"verdwijn\w*"),
    "de": _rx(r"nicht", r"kein\w*", r"nie", r"unmoglich", r"weder", r"abgeschafft", r"der vergangenheit an",
              r"entfall\w*", r"verschwind\w*"),
    "en": _rx(r"not", r"no longer", r"cannot", r"can't", r"no", r"never", r"impossible", r"nor",
              r"a thing of the past", r"disappear\w*", r"abolished"),
}  # fmt: skip
# "n'est plus": no word boundary after "'"; "pas question de ...": a negation without "ne".
_NEGATION["fr"] = re.compile(_NEGATION["fr"].pattern + r"|(?<![\w-])n'|(?<![\w-])pas question(?!\w)")
_NE_QUE = re.compile(
    r"(?<![\w-])(?:ne\b|n')(?:.*?)(?<![\w-])(qu'|que )"
    r"(?=en |au|aux|a |par |via |sur |dans |chez |avec |aupres |l'e|le g)"
)  # "ne ... que": only, not negation
_NE_QUE_IF = re.compile(r"(?<![\w-])(ne\b|n')(?:.*?)(?<![\w-])(qu'|que)(?: (?=s'|si |lorsque |quand |en cas )|\s*$)")
_ONLY = {
    "fr": _rx(r"uniquement", r"seulement", r"exclusivement"),
    "nl": _rx(r"enkel", r"alleen", r"uitsluitend", r"slechts"),
    "de": _rx(r"nur", r"ausschliesslich", r"lediglich"),
    "en": _rx(r"only", r"exclusively", r"solely"),
}
# Verbs of possibility, which say a channel is open but do not start another action.
_MODAL = re.compile(
    r"kan|kunt|kun|kunnen|possibles?|pouv\w*|peu[tx]|peuvent|mogelijk|konnen|kann|moglich|can|"
    r"available|disponibles?|beschikbaar|verfugbar|accessibles?|terecht|doen|doet|faire|fait|do|done"
)
_HAS_MODAL = re.compile(r"(?<![\w-])(?:" + _MODAL.pattern + r")(?!\w)")
# An obligation: "il faut prendre rendez-vous", "doit obligatoirement être remplie électroniquement".
_MUST = {  # required of the person: makes an appointment the one way
    "fr": _rx(r"il fa(?:ut|udra|llait|udrait)", r"vous devez", r"vous devrez", r"doi(?:t|vent)", r"devront", r"devra"),
    "nl": _rx(r"moet(?:en)?", r"moest(?:en)?", r"dient", r"dienen"),
    "de": _rx(r"muss", r"mussen", r"musst", r"musste[n]?"),
    "en": _rx(r"must", r"have to", r"has to", r"had to", r"need to", r"please make an appointment"),
}
_MANDATORY = {  # the rule itself: makes an appointment or the online way the one way
    "fr": _rx(r"obligatoire(?:ment)?", r"est requise?", r"indispensable"),
    "nl": _rx(r"verplicht(?:e|end)?", r"vereist", r"noodzakelijk"),
    "de": _rx(r"verpflichtend", r"zwingend", r"erforderlich", r"unerlasslich", r"notwendig"),
    "en": _rx(r"required", r"mandatory", r"compulsory"),
}
_QUANTITY = re.compile(r"\s+\d")
_SOME = _rx(r"sommige", r"bepaalde", r"certaine?s?", r"quelques", r"bestimmte[nr]?", r"einige[nr]?", r"some",
            r"certain")  # fmt: skip
_REMOTE = _rx(r"a distance", r"op afstand", r"vanop afstand", r"aus der ferne", r"remotely", r"at a distance")
_ONLY_REACH, _ONLY_REACH_BACK = 40, 25
_NEED_REACH = 20  # characters around "no need" that name what is not needed ("hoeft ons niet op te bellen")
# "sans rendez-vous ... uniquement pour les démarches suivantes": "only" restricts something else.
_ONLY_ELSEWHERE = re.compile(
    r"\w+ (?:pour|pendant|durant|le|les|la|de|des|du|en|voor|tijdens|op|het|van|fur|fuer|am|an|wahrend|"
    r"for|on|during|in)\b"
)
# "Wie ..., kan ...", "Wer ..., kann ...", "Ceux qui ...": who may use the channel is a condition too.
_ONLY_PREFIX = r"^(?:(?:enkel|alleen|slechts|uniquement|seulement|nur|only)\s+)?"
_CONDITION_START = {
    "fr": re.compile(_ONLY_PREFIX + r"(?:si|s'|lorsque|quand|sauf si|au cas ou|"
                     r"(?:pour )?(?:les personnes|ceux|celles|celui|celle) qui|quiconque|a defaut|"
                     r"les autres(?: personnes)?)\b"),
    "nl": re.compile(_ONLY_PREFIX + r"(?:als|indien|wanneer|tenzij|in geval|heb je geen|heeft u geen|bij gebrek|"
                     r"wie|(?:alle )?anderen|andere personen)\b"),
    "de": re.compile(_ONLY_PREFIX + r"(?:wenn|falls|sofern|sollten sie|wer|(?:alle )?anderen|andere personen)\b"),
    "en": re.compile(_ONLY_PREFIX + r"(?:if|when|unless|in case|(?:those|anyone|people) who|others|other people)\b"),
}  # fmt: skip
# A condition inside a clause ("présentez-vous au guichet si vous n'avez pas d'ordinateur"): cut there.
_CONDITION_INSIDE = {
    "fr": re.compile(r"\s(?:si (?:vous|tu|votre|vos|le|la|les|il|elle|aucun|necessaire|besoin)|s'ils?|lorsque)\b"),
    "nl": re.compile(r"\s(?:als (?:u|je|jij|uw|er|het|de|men)|indien|wanneer|tenzij)\b"),
    "de": re.compile(r"\s(?:wenn|falls|sofern)\b"),
    "en": re.compile(r"\s(?:if|unless)\b"),
}
_CLOSURE = {
    "fr": _rx(r"fermee?s?", r"fermeture", r"maintenance", r"en panne", r"greve", r"pour travaux",
              r"suspendue?s?", r"annulee?s?"),
    "nl": _rx(r"gesloten", r"sluiting", r"sluiten", r"op slot", r"onderhoud", r"storing", r"staking",
              r"wegens werken", r"geschrapt", r"opgeschort", r"geannuleerd"),
    "de": _rx(r"geschlossen", r"schliessung", r"wartung", r"storung", r"streik", r"abgesagt", r"ausgesetzt"),
    "en": _rx(r"closed", r"closure", r"maintenance", r"outage", r"strike", r"cancell?ed", r"suspended"),
}  # fmt: skip
_RECEPTION = _rx(r"accueil", r"permanences?", r"permanenties?", r"onthaal\w*", r"zitdag(?:en)?", r"sprechstunden?",
                 r"drop-in", r"reception")  # fmt: skip
# A closure on some days, at some hours or on one date ("fermé le 11 novembre", "gesloten op
# zaterdag", "closed at lunchtime") removes hours; it does not close the counter as a channel.
_PARTIAL_CLOSURE = re.compile(
    r"(?<!\w)(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|maandag|dinsdag|woensdag|donderdag|vrijdag|"
    r"zaterdag|zondag|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|weekends?|feries?|feestdag\w*|feiertag\w*|holidays?|midi|apres-midi|matin|"
    r"middag|namiddag|voormiddag|nachmittag|vormittag|mittag|morning|afternoon|lunch\w*|maintenance|onderhoud|"
    r"wartung|panne|storing|storung|outage|(?:le|op|am|on) \d{1,2})(?!\w)"
)
_PERMANENT = _rx(r"definitivement", r"definitief", r"endgultig", r"permanently", r"for good")
_ACTION = {
    "fr": _rx(r"demand\w*", r"command\w*", r"obten\w*", r"obtien\w*", r"introdui\w*", r"effectu\w*", r"faire", r"fait",
              r"realis\w*", r"declar\w*", r"signal\w*", r"possibles?", r"pouv\w*", r"peu[tx]", r"peuvent", r"envoy\w*",
              r"renvoy\w*", r"rempli\w*", r"depos\w*", r"transmet\w*", r"delivr\w*", r"disponibles?", r"accessibles?",
              r"recevoir", r"recevez", r"commandez", r"signalez", r"acceptee?s?", r"propos\w*", r"offert\w*",
              r"traitee?s?", r"privilegi\w*", r"garanti\w*", r"maintien"),
    "nl": _rx(r"aanvra\w*", r"vraag", r"vraagt", r"bestel\w*", r"kan", r"kunt", r"kun", r"kunnen", r"mogelijk",
              r"doen", r"doet", r"indien\w*", r"regel\w*", r"verkrijg\w*", r"krijg\w*", r"opsturen", r"stuur\w*",
              r"verzend\w*", r"aangifte", r"beschikbaar", r"invullen", r"vul", r"geef", r"geeft", r"doorgeven",
              r"meld\w*",
              r"download\w*", r"terecht", r"aanbied\w*", r"aangeboden", r"behandeld", r"voorkeur", r"gebeur\w*",
              r"handel\w*",
              r"gewaarborgd", r"gegarandeerd"),
    "de": _rx(r"beantrag\w*", r"konnen", r"kann", r"reichen", r"korrigieren", r"schicken", r"senden",
              r"moglich", r"bestell\w*", r"einreich\w*", r"erledig\w*",
              r"anfordern", r"erhalten", r"verfugbar", r"anbiet\w*", r"angeboten", r"bearbeitet", r"bevorzugt",
              r"erfolg\w*",
              r"gewahrleiste\w*", r"bitte"),
    "en": _rx(r"apply\w*", r"request\w*", r"can", r"order\w*", r"submit\w*", r"possible", r"available", r"obtain",
              r"done", r"do", r"offer\w*", r"handled", r"processed", r"prefer\w*",
              r"guarantee\w*", r"please"),
}  # fmt: skip
_INFO = {
    "fr": _rx(r"questions?", r"renseignements?", r"informations?", r"infos?", r"contactez", r"contacter", r"horaires?",
              r"joignables?",
              r"plus d'info\w*"),
    "nl": _rx(r"met vragen", r"voor vragen", r"bij vragen", r"vragen over", r"heb je vragen", r"heeft u vragen",
              r"inlichtingen", r"informatie", r"meer info", r"bereikbaar", r"contact", r"openingsu(?:ren|ur)",
              r"openingstijden"),
    "de": _rx(r"fragen", r"auskunft", r"auskunfte", r"informationen", r"erreichbar", r"kontakt", r"offnungszeiten"),
    "en": _rx(r"questions?", r"information", r"contact", r"reachable", r"opening (?:hours|times)"),
}  # fmt: skip
# Help and advice by phone or post is no way of doing the procedure (an intermediary's help is)...
_HELP = {
    "fr": _rx(r"aide", r"conseils?"),
    "nl": _rx(r"hulp(?:lijn)?", r"advies"),
    "de": _rx(r"hilfe", r"beratung"),
    "en": _rx(r"help", r"advice"),
}
# ... except help given by phone as a service ("aide téléphonique", "telefonische hulp", "we can help
# you over the telephone"): filling in the form with an official on the phone is the phone channel.
_PHONE_MANNER = _rx(r"par telephone", r"telephoniques?", r"telefonische?", r"per telefo(?:on|n)", r"hulplijn",
                    r"over the (?:tele)?phone", r"by (?:tele)?phone", r"helpline")  # fmt: skip
# "..., avec itsme": the means of what the clause before says ("en ligne, avec itsme").
_INSTRUMENT = re.compile(r"^(?:avec|met|mit|with|using|grace a|au moyen d|door middel van)\b")
_SEPARATED = re.compile(r"[;:.]|(?<!\w)(?:ou|of|oder|or|soit|ofwel|entweder|aussi|ook|auch|also)(?!\w)")
_DISJUNCTION = re.compile(r"(?<!\w)(?:ou|of|oder|or|soit|ofwel|entweder)(?!\w)")
_PURPOSE = re.compile(r"^(?:pour|afin de|afin d'|om|teneinde|um|to|in order to)\b")
_YES = re.compile(r"^(?:oui|yes|ja|jawel|bien sur|absolument|natuurlijk|zeker|certainement|gewiss|sicher)\b")
_NO = re.compile(r"^(?:non|no|nee|neen|nein|helaas niet|malheureusement pas|malheureusement non)\b")
_CLAUSE_SPLIT = re.compile(r"\s*(?:;|:(?!\d)|,|\s-\s|\s\u2013\s|\bmais\b|\bmaar\b|\bbut\b|\baber\b|\bsondern\b|"
                           r"\btoutefois\b|\bcependant\b|\bpar contre\b|\bdaarentegen\b|\bhowever\b)\s*")  # fmt: skip
# A list item's marker as text shows it ("• ", "- ", "1. ").
LIST_MARKER = re.compile(r"^\s*(?:[•\-*–·▪◦]|\d{1,2}[.)])\s+")
# A word cut at a line end as printed ("ren- dez-vous", "télé- phonant"), not "Ein- und Ausgang".
_HYPHENATED = re.compile(r"(?<=[a-z])- (?=[a-z])(?!(?:und|oder|en|of|et|ou|and|or)\b)")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"'«“(]?[A-ZÀ-ÖØ-Þ0-9])")


@dataclass(frozen=True)
class Statement:
    """What one sentence says about one channel."""

    channel: str
    status: str  # available | not_available
    evidence: str
    direct: bool = True  # said of this channel; False when inferred from "only" or the digital-identity rule
    plain: bool = False  # walk-in read from a counter named without "sans rendez-vous" ("au guichet")


def split_sentences(text: str) -> list[str]:
    """A text line cut into sentences (at ., ! or ? followed by a capital or a digit)."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def evidence_of(text: str) -> str:
    """``text`` cut to the evidence limit (300 characters), marked with "…" when cut."""
    text = " ".join(text.split())
    return text if len(text) <= MAX_EVIDENCE else text[: MAX_EVIDENCE - 1].rstrip() + "…"


def _lang(language: str) -> str:
    return language if language in _NEGATION else "fr"


class _Clause:
    """The cues of one clause, found on the normalized text."""

    def __init__(self, text: str, language: str) -> None:
        lang = _lang(language)
        self.text = text
        base = _NOT_ONLY[lang].sub(" ", text)
        base = _IDIOMS[lang].sub(" ", base)
        need = _NEED[lang].search(base)
        self.need = need is not None
        self.need_at = need.start() if need else len(text)
        self.need_end = need.end() if need else len(text)
        # "Plus besoin de rendez-vous": the appointment it names is the one you no longer need.
        # "Le rendez-vous n'est pas nécessaire": the appointment may also stand just before.
        self.no_appointment_needed = bool(need) and bool(_APPOINTMENT.search(base, max(0, need.start() - 25)))
        if self.need:
            base = _NEED[lang].sub(" ", base)
        ne_que = _NE_QUE.search(base)
        ne_que_if = _NE_QUE_IF.search(base)
        if ne_que_if and not ne_que:
            # "Il ne faut renvoyer l'enveloppe que s'il y a des erreurs": "only if", neither a negation
            # nor "only"; the two words are blanked (same length, positions kept).
            for start, end in (ne_que_if.span(1), ne_que_if.span(2)):
                base = base[:start] + " " * (end - start) + base[end:]
        only = _ONLY[lang].search(base)
        if only and _QUANTITY.match(base, only.end()):
            only = None  # "slechts 36 % van de aanvragen": a share, not the one way
        self.only_at: int | None = ne_que.start(1) if ne_que else (only.start() if only else None)
        # "Verplicht voor sommige aanvragen": required for some requests does not make it the one way.
        self.some = bool(_SOME.search(base))
        self.remote = bool(_REMOTE.search(base))
        self.mandatory = bool(_MANDATORY[lang].search(base)) and not self.need and not self.some
        self.must = (self.mandatory or bool(_MUST[lang].search(base))) and not self.need
        negation_text = base[: ne_que.start()] + base[ne_que.end() :] if ne_que else base
        self.negation = bool(_NEGATION[lang].search(negation_text)) and not self.need
        self.closure = bool(_CLOSURE[lang].search(base))
        self.permanent = bool(_PERMANENT.search(base))
        self.action = bool(_ACTION[lang].search(base))
        self.info = bool(_INFO[lang].search(base))
        self.help = bool(_HELP[lang].search(base))
        masked = _PAGE_WORDS.sub(" ", base)
        # An e-mail address or a web address's path names no channel by its words
        # ("bevolking@anderlecht.brussels", "www.brugge.be/afspraken").
        masked = _ADDRESS_WORDS.sub(lambda m: (m.group(1) or "").ljust(len(m.group())), masked)
        self.without_id = bool(_WITHOUT_ID.search(masked))
        masked = _WITHOUT_ID.sub(" ", masked)
        # Booking means ("prenez rendez-vous en ligne ou par téléphone") are blanked, the appointment kept.
        for m in _BOOKING.finditer(masked):
            for g in (1, 2):
                if m.group(g):
                    masked = masked[: m.start(g)] + " " * (m.end(g) - m.start(g)) + masked[m.end(g) :]
        self.cues: list[tuple[int, str]] = []  # (position, channel family)
        self.walk_in = self.appointment = False
        for m in _WALK_IN.finditer(masked):
            self.cues.append((m.start(), WALK_IN))
            self.walk_in = True
        for m in _WITH_OR_WITHOUT.finditer(masked):
            self.cues.append((m.start(), APPOINTMENT))  # "avec ou sans rendez-vous": both ways
            self.appointment = True
        masked = _WALK_IN.sub(lambda m: " " * len(m.group()), masked)
        for m in _APPOINTMENT.finditer(masked):
            before = masked[max(0, m.start() - 30) : m.start()]
            if (
                m.group().startswith("rendez-vous")
                and _GO_TO.match(masked, max(0, m.start() - 1))
                and not (_APPOINTMENT_BEFORE.search(before))
            ):
                continue  # "rendez-vous au guichet": go to the counter (a counter cue below)
            if self.no_appointment_needed and m.start() >= need.start():
                continue
            self.cues.append((m.start(), APPOINTMENT))
            self.appointment = True
        for m in _ONLINE.finditer(masked):
            self.cues.append((m.start(), ONLINE))
        masked = _ONLINE.sub(lambda m: " " * len(m.group()), masked)
        self.id_cues = [m.start() for m in _ID_STRONG.finditer(masked)] + [m.start() for m in _ID_WEAK.finditer(masked)]
        for m in _COUNTER.finditer(masked):
            self.cues.append((m.start(), COUNTER))
        self.email = [m.start() for m in _EMAIL.finditer(masked)]
        self.phone = [m.start() for m in _PHONE.finditer(masked)]
        self.post = [m.start() for m in _POST.finditer(masked)]
        if not self.email and not any(c == ONLINE for _, c in self.cues):
            self.post += [m.start() for m in _SEND_TO.finditer(masked)]
        self.intermediary = [m.start() for m in _INTERMEDIARY.finditer(masked)]
        self.intermediary += [m.start() for m in _INTERMEDIARY_LABEL.finditer(masked)]
        self.intermediary += [m.start() for m in _PROXY.finditer(masked)]
        self.intermediary += [m.start() for m in _PAYMENT_BODY.finditer(masked)]
        self.masked = masked  # the text every cue position refers to
        self.in_person = bool(_IN_PERSON.search(masked))
        self.personally = bool(_PERSONALLY.search(masked))
        self.delivery = bool(_DELIVERY.search(masked))
        self.conditional = False  # a condition ("si ...", "wie ..."): read for the channels it offers only

    def cue_near(self, position: int) -> bool:
        """Whether a channel cue stands next to ``position`` (just after it, or just before it:
        "uniquement sur rendez-vous", "by appointment only")."""
        positions = [p for p, _ in self.cues] + self.id_cues + self.email + self.phone + self.post + self.intermediary
        return any(-_ONLY_REACH_BACK <= p - position <= _ONLY_REACH for p in positions)

    def channels(self, sentence_appointment: bool, sentence_walk_in: bool, guarded: bool) -> list[tuple[int, str]]:
        """The channels this clause names, in text order.

        ``guarded``: phone, post and e-mail count only with an action and without a contact cue.
        """
        found: list[tuple[int, str]] = []
        online_cue = [p for p, c in self.cues if c == ONLINE] + (self.email if guarded else [])
        if self.without_id and not online_cue:
            online_cue = [0]  # "eine Erklärung ohne Authentifizierung": an online way that needs no identity
        counter_cue = [p for p, c in self.cues if c == COUNTER]
        id_applies = bool(self.id_cues) and not self.without_id and (bool(online_cue) or not counter_cue)
        if id_applies:
            found.append((min(self.id_cues + online_cue), DIGITAL_ID))
        elif online_cue:
            found.append((min(online_cue), ONLINE))
        for pos, family in self.cues:
            if family == WALK_IN or family == APPOINTMENT:
                found.append((pos, family))
            elif family == COUNTER:
                if sentence_walk_in and not self.appointment:
                    kind = WALK_IN
                elif sentence_appointment and not sentence_walk_in:
                    kind = APPOINTMENT
                else:
                    kind = COUNTER
                found.append((pos, kind))
        if guarded:
            # "Vous recevrez le code par courrier", "versturen we u de aangifte per post": a delivery.
            post = [] if self.delivery else self.post[:1]
            found += [(p, PHONE) for p in self.phone[:1]] + [(p, POST) for p in post]
            if self.post:
                # "Renvoyez-le par courrier à l'administration communale": a destination, not a counter.
                first_post = min(self.post)
                found = [(p, c) for p, c in found if not (c in (COUNTER, WALK_IN) and p > first_post
                         and not _DISJUNCTION.search(self.masked, first_post, p))]  # fmt: skip
        if self.intermediary and not self.info:
            found.append((min(self.intermediary), INTERMEDIARY))
        # One entry per channel, at its first position.
        first: dict[str, int] = {}
        for pos, ch in sorted(found):
            first.setdefault(ch, pos)
        return sorted((p, c) for c, p in first.items())


def read_sentence(
    sentence: str, language: str, context: tuple[str, ...] = (), previous: str = "", listed: bool = False
) -> list[Statement]:
    """The channel statements of one sentence.

    ``context`` names the channels a heading, a table column or a list term has already given
    ("Au guichet" above "Sur rendez-vous uniquement."); a clause that names no channel itself but
    says something (an action, a negation, "only") speaks about them. ``previous`` is the sentence
    before it in the same block, for a sentence that goes on about it ("Dat kan online").
    ``listed``: the sentence is an item of a list that a lead-in introduced ("U dient uw aangifte
    zelf in:" above "op papier"), so the channels it names are ways of doing the procedure.
    """
    raw = sentence.strip()
    text = _HYPHENATED.sub("", normalize(raw)).replace("(", " ").replace(")", " ")
    if not text or text.rstrip(" .").endswith("?"):
        return []
    booking = bool(_BOOKING_PHRASE.search(text)) or bool(
        previous and _BOOKING_ANAPHORA.match(text) and _BOOKING_PHRASE.search(_HYPHENATED.sub("", normalize(previous)))
    )
    if booking:
        whole = not _BOOKING_PHRASE.search(text)  # "Dat kan online": the whole sentence is about the booking
        text = _booking_means_blanked(_MEANS_SCOPE.sub(" ", text), _lang(language), whole)
    text = _intermediary_places_blanked(text)
    lang = _lang(language)
    evidence = evidence_of(raw)
    clauses: list[str] = []
    for piece in (c for c in _CLAUSE_SPLIT.split(text) if c and c.strip()):
        # "Pour remplir votre déclaration en ligne, vous devez ...": a purpose qualifies what follows.
        if clauses and (_PURPOSE.match(clauses[-1]) or _INSTRUMENT.match(piece)):
            clauses[-1] = f"{clauses[-1]} {piece}"
        else:
            clauses.append(piece)
    parsed = []
    for clause in clauses:
        clause = _NON_MEMBER.sub(" ", clause)
        cut = None if _CONDITION_START[lang].match(clause) else _CONDITION_INSIDE[lang].search(clause)
        if cut is None and not _CONDITION_START[lang].match(clause):
            parsed.append(_Clause(clause, lang))
            continue
        if cut is not None:
            parsed.append(_Clause(clause[: cut.start()], lang))
        # A channel offered under a condition is available ("thuis als je een kaartlezer hebt", "if you
        # use an accountant"); a negative condition ("si vous n'avez pas d'itsme") says nothing.
        condition = _Clause(clause[cut.start() :] if cut is not None else clause, lang)
        condition.conditional = True
        parsed.append(None if condition.negation or condition.need else condition)
    live = [c for c in parsed if c is not None and not c.conditional]
    # An action anywhere in the sentence ("Faites votre demande ..., ou par courrier") says the channels
    # of its clauses are ways of doing the procedure.
    sentence_said = any(c.action or c.negation or c.only_at is not None for c in live) or bool(context) or listed
    sentence_appointment = any(c.appointment for c in live)
    sentence_walk_in = any(c.walk_in for c in live)
    # "Vous devez :" above "- vous présenter en personne": the obligation of the lead-in.
    lead_must = previous.rstrip().endswith(":") and bool(_MUST[lang].search(normalize(previous)))
    sentence_must = any(c.must for c in live) or lead_must
    sentence_help = any(c.help for c in live)  # "il apporte son aide de chez lui, par téléphone"
    out: list[Statement] = []
    previous: list[str] = []  # channels of the previous clause, when it was read as positive
    pending_negation = pending_only = pending_remote = False
    for clause in parsed:
        if clause is None:
            previous = []
            continue
        if clause.closure and not clause.permanent:
            guarded = not clause.info and (
                (sentence_said and not clause.help) or (sentence_help and bool(_PHONE_MANNER.search(clause.masked)))
            )
            named = clause.channels(sentence_appointment, sentence_walk_in, guarded)
            if any(c == COUNTER for _, c in clause.cues) and not _PARTIAL_CLOSURE.search(clause.text):
                # "Nos bureaux sont fermés au public", "kantoren tijdelijk gesloten": no counter for now.
                # A reception desk or drop-in session closed ("l'accueil est fermé", "ont suspendu leur
                # permanence") is the walk-in way; appointments may go on.
                closed = WALK_IN if _RECEPTION.search(clause.text) else COUNTER
                out += _statements([closed], NOT_AVAILABLE, evidence)
                # "Toen de kantoren gesloten werden, schakelde de dienst over op telefonische hulp".
                others = [c for _, c in named if c not in (COUNTER, WALK_IN, APPOINTMENT)]
                out += _statements(others, AVAILABLE, evidence)
            previous = []
            continue  # "fermé le 11 novembre", "en maintenance": nothing about the procedure's channels
        guarded = not clause.info and (
            (sentence_said and not clause.help) or (sentence_help and bool(_PHONE_MANNER.search(clause.masked)))
        )
        named = clause.channels(sentence_appointment, sentence_walk_in, guarded)
        if clause.conditional:
            if clause.action and not sentence_said and not clause.info:
                # "als u de documenten per post terugstuurt": the condition says the action itself.
                named = clause.channels(sentence_appointment, sentence_walk_in, True)
            if named:
                out += _statements([c for _, c in named], AVAILABLE, evidence)
            previous = []
            continue
        if clause.need:
            # "Plus besoin de vous déplacer": closes nothing; "plus besoin de rendez-vous": walk-in.
            if clause.no_appointment_needed:
                out.append(Statement(WALK_IN, AVAILABLE, evidence))
            # "Je hoeft ons niet op te bellen": the channel that is not needed is not offered either.
            # "La Kids-ID n'est pas obligatoire et vous devez en faire la demande au service population":
            # only the channel right at the need phrase is the one not needed.
            # "Le rendez-vous n'est pas nécessaire": an appointment just before is the one not needed.
            named = [(p, c) for p, c in named
                     if not (clause.need_at <= p <= clause.need_end + _NEED_REACH
                             or (c == APPOINTMENT and clause.need_at - _NEED_REACH <= p))]  # fmt: skip
        channels = [c for _, c in named]
        negative = clause.negation or (clause.closure and clause.permanent)
        if not channels:
            if context and not clause.need and (clause.action or negative or clause.only_at is not None):
                channels = list(context)
                named = [(0, c) for c in channels]
            elif negative and previous:
                # "Au guichet, ce n'est plus possible": the negation speaks of the clause before.
                closed = _expand(previous, True)
                out = [s for s in out if not (s.channel in closed and s.status == AVAILABLE)]
                out += [Statement(ch, NOT_AVAILABLE, evidence) for ch in closed]
                previous = []
                continue
            else:
                pending_negation = pending_negation or negative
                # "Uniquement : ..." reaches the next clause; "Enkel burgers die ..., kunnen bellen" restricts who.
                pending_only = pending_only or (
                    clause.only_at is not None and len(clause.text) - clause.only_at <= _ONLY_REACH
                )
                pending_remote = pending_remote or clause.remote
                continue
        # "Only" speaks of the channel it stands next to ("uniquement sur rendez-vous", "by appointment
        # only"); "Enkel de mensen waarvan ... worden op afspraak geholpen" restricts who, not the channel.
        only_at = clause.only_at
        if only_at is not None and channels and not clause.cue_near(only_at):
            only_at = None  # "Enkel de mensen waarvan ...": who, not the channel
        after = []
        if only_at is not None:
            # The channels named from "only" on ("persoonlijk bij het team (enkel op afspraak)").
            rest = _Clause(clause.text[only_at:], lang).channels(sentence_appointment, sentence_walk_in, guarded)
            after = [c for _, c in rest if c in channels or (c == APPOINTMENT and COUNTER in channels)]
        if pending_only or (only_at is not None and (after or not _ONLY_ELSEWHERE.match(clause.text, only_at))):
            # "Exclusivement à distance, par téléphone": the counters are what is excluded.
            out += _only(after or channels, evidence, remote=clause.remote or pending_remote)
            previous = []
        elif negative or (pending_negation and not _HAS_MODAL.search(clause.text)):
            # A negation without a channel reaches the next clause only when that clause is the
            # channel it negates ("ce n'est pas possible : ni en ligne, ni au guichet"), not a new
            # statement ("..., maar nog geen actie ondernamen, kunnen ... aanvragen via het loket").
            out += _statements(channels, NOT_AVAILABLE, evidence)
            previous = []
        elif channels and (
            (clause.must and set(channels) == {APPOINTMENT}) or (clause.mandatory and set(channels) <= _REQUIRABLE)
        ):
            # "Il faut prendre rendez-vous", "doit obligatoirement être remplie électroniquement": the
            # one way required, as with "uniquement".
            out += _only(channels, evidence)
            previous = []
        elif sentence_must and clause.in_person and set(_expand(channels, False)) <= set(_COUNTERS):
            # "Vous devez vous présenter en personne", "Ihr persönliches Erscheinen ist notwendig": the
            # person must come, so the remote ways are closed; who else may come is not said.
            out += _statements(channels, AVAILABLE, evidence)
            out += [Statement(ch, NOT_AVAILABLE, evidence, direct=False) for ch in (ONLINE, PHONE, POST)]
            previous = channels
        else:
            out += _statements(channels, AVAILABLE, evidence)
            if clause.personally and set(_expand(channels, False)) <= set(_COUNTERS):
                # "Présentez-vous personnellement au guichet": nobody else can come for you (a
                # representative said elsewhere is direct and wins).
                out.append(Statement(INTERMEDIARY, NOT_AVAILABLE, evidence, direct=False))
            previous = channels
        pending_negation = pending_only = pending_remote = False
    if any(s.channel == DIGITAL_ID and s.status == AVAILABLE for s in out) and not any(c.without_id for c in live):
        # "Aanmelden kan met itsme, uw eID ..., door te klikken op 'Mijn Burgerprofiel'": the online way the
        # sentence names is the one that needs the digital identity, unless it says one needs none.
        out = [s for s in out if not (s.channel == ONLINE and s.status == AVAILABLE)]
    return out


def _booking_means(text: str, lang: str, whole: bool) -> list[tuple[int, int]]:
    """Spans of ``text`` around its appointment bookings: from the action before a booking to the
    action after it ("prendre rendez-vous par téléphone ou faire sa demande en ligne": the phone
    books, the web is a channel). ``whole``: the sentence goes on about a booking ("Dat kan ...")."""
    if whole:
        return [(0, len(text))]
    bookings = [m.span() for m in _BOOKING_PHRASE.finditer(text)]
    actions = [m.span() for m in _ACTION[lang].finditer(text)
               if not _MODAL.fullmatch(m.group()) and not any(a <= m.start() < b for a, b in bookings)]  # fmt: skip
    spans = []
    for start, end in bookings:
        before = [e for _, e in actions if e <= start]
        after = [a for a, _ in actions if a >= end]
        spans.append((max(before, default=0), min(after, default=len(text))))
    return spans


def _booking_means_blanked(text: str, lang: str, whole: bool) -> str:
    """``text`` with the web, e-mail and phone cues that book an appointment blanked: they are ways
    of booking, not channels of the procedure (the appointment itself stays)."""
    spans = _booking_means(text, lang, whole)
    for pattern in (_ONLINE, _EMAIL, _PHONE):
        text = pattern.sub(lambda m: " " * len(m.group()) if _inside(m.start(), spans) else m.group(), text)
    return text


def _intermediary_places_blanked(text: str) -> str:
    """``text`` with the counters before and the websites after an intermediary body blanked when
    nothing separates them ("se présenter auprès d'un organisme de paiement", "uw accountant kan
    indienen via MyMinfin"): they are the intermediary's, not channels of the administration."""
    bodies = [m.span() for m in _BODY.finditer(text)]
    if not bodies:
        return text

    def attached(start: int, end: int) -> bool:
        return bool(start < end and end - start <= 120 and not _SEPARATED.search(text, start, end))

    def blank(m: re.Match[str], counter: bool) -> str:
        if counter and any(attached(m.end(), b) for b, _ in bodies):
            return " " * len(m.group())
        if not counter and any(attached(e, m.start()) for _, e in bodies):
            return " " * len(m.group())
        return m.group()

    for pattern in (_COUNTER, _WALK_IN, _APPOINTMENT):
        text = pattern.sub(lambda m: blank(m, True), text)
    return _ONLINE.sub(lambda m: blank(m, False), text)


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def _statements(channels: list[str], status: str, evidence: str) -> list[Statement]:
    negative = status == NOT_AVAILABLE
    plain = COUNTER in channels and WALK_IN not in channels and not negative  # "zonder afspraak" is not plain
    return [Statement(ch, status, evidence, plain=plain and ch == WALK_IN) for ch in _expand(channels, negative)]


def _expand(channels: list[str], negative: bool) -> list[str]:
    """Clause channels → model channels: a plain counter is walk-in when open, both when closed;
    online closed closes the digital-identity way too."""
    out: list[str] = []
    for ch in channels:
        if ch == COUNTER:
            out += list(_COUNTERS) if negative else [WALK_IN]
        elif ch == ONLINE and negative:
            out += [ONLINE, DIGITAL_ID]
        else:
            out.append(ch)
    return list(dict.fromkeys(out))


def _only(channels: list[str], evidence: str, remote: bool = False) -> list[Statement]:
    """Statements for "only <channels>": those available, the others inferred not available.
    ``remote``: "only at a distance": the counters only are closed."""
    available = _expand(channels, False)
    out = _statements(channels, AVAILABLE, evidence)
    if remote:
        closed = list(_COUNTERS)
    elif set(available) <= set(_COUNTERS) and APPOINTMENT in available:
        closed = [WALK_IN] if WALK_IN not in available else []  # appointment-only: the counter's walk-in only
    else:
        closed = [ONLINE, DIGITAL_ID, WALK_IN, APPOINTMENT, PHONE, POST]
        if ONLINE in available:
            closed.remove(DIGITAL_ID)  # "only online" says nothing about needing an identity
        if COUNTER in channels and APPOINTMENT not in available:
            closed.remove(APPOINTMENT)  # "uniquement au guichet" does not say walk-in or appointment
    out += [Statement(ch, NOT_AVAILABLE, evidence, direct=False) for ch in closed if ch not in available]
    return out


# "Vous pouvez la demander de trois manières.", "op 2 manieren": a list of ways follows.
_WAYS = re.compile(r"(?<!\w)(?:\d|deux|trois|quatre|plusieurs|differentes|twee|drie|vier|verschillende|zwei|drei|"
                   r"mehrere|two|three|several|different) (?:manieres|facons|moyens|manieren|wijzen|mogelijkheden|"
                   r"arten|wege|moglichkeiten|ways|options)\b")  # fmt: skip


def is_lead_in(line: str, language: str) -> bool:
    """Whether a line introduces a list of ways ("La demande peut se faire :", "Sie reichen Ihre
    Erklärung selbst ein?", "U dient uw aangifte zelf in"): it ends with a colon or announces
    ways ("op 2 manieren"), or it names an action and does not end with a full stop."""
    text = normalize(line).rstrip()
    if text.endswith(":") or _WAYS.search(text):
        return True
    lang = _lang(language)
    # "U dient uw aangifte zelf in" above list items: a line that says an action and does not end.
    return not text.endswith(".") and bool(_ACTION[lang].search(text) or _MUST[lang].search(text))


def read_label(text: str, language: str) -> tuple[str, ...] | None:
    """The channels a heading, a table header or a list term names ("En ligne", "Au guichet",
    "Par courrier", "Via votre syndicat"); None when it names none."""
    norm = normalize(text).strip(" :?!.")
    if not norm:
        return None
    clause = _Clause(norm, language)
    named = [c for _, c in clause.channels(clause.appointment, clause.walk_in, True)]
    return tuple(dict.fromkeys(named)) or None


_ALL_CUES = (_ONLINE, _EMAIL, _ID_STRONG, _ID_WEAK, _WITHOUT_ID, _COUNTER, _WALK_IN, _APPOINTMENT, _PHONE, _POST,
             _INTERMEDIARY, _INTERMEDIARY_LABEL, _PROXY)  # fmt: skip


def without_cues(text: str) -> str:
    """A normalized text with every channel cue blanked: what is left of a heading once the
    channels it names are taken out ("Au guichet" → "")."""
    out = normalize(text)
    for pattern in _ALL_CUES:
        out = pattern.sub(" ", out)
    return out


def yes_no(text: str) -> str | None:
    """``available`` for an answer starting with "Oui"/"Ja"/"Yes", ``not_available`` for "Non"/"Nee"/"No"."""
    norm = normalize(text)
    if _YES.match(norm):
        return AVAILABLE
    if _NO.match(norm):
        return NOT_AVAILABLE
    return None


def expand_label(channels: tuple[str, ...], status: str, evidence: str) -> list[Statement]:
    """Statements for a label's channels given a status (a table cell "Oui"/"Non", a FAQ answer)."""
    return _statements(list(channels), status, evidence)


# ---- fees ------------------------------------------------------------------------------------------
_AMOUNT = re.compile(
    r"(?:€|\beur(?:o|os)?\b)\s*(\d{1,4}(?:[.,]\d{1,2})?)(?![\d])|(?<![\d.,])(\d{1,4}(?:[.,]\d{1,2})?)\s*(?:€|eur(?:o|os)?\b)",
    re.IGNORECASE,
)
_FREE = re.compile(
    r"(?<!\w)(gratuit(?:e|s|es|ement)?|gratis|kosteloos|kostenloos|kostenlos|gebührenfrei|gebuhrenfrei|"
    r"free of charge|sans frais)(?!\w)",
    re.IGNORECASE,
)
_PAID = re.compile(r"(?<!\w)(payant|payante|betalend|betaald|kostenpflichtig|gebührenpflichtig)(?!\w)", re.IGNORECASE)


def read_fee(sentences: list[str]) -> tuple[str | None, float | None]:
    """``(fee_text, fee_eur)`` from a block's sentences.

    One amount (however often repeated) gives it in euros ("5 €", "€ 5,00", "5,50 EUR"; 0.0 for
    "gratuit", "gratis", "kosteloos"); several different amounts give ``fee_eur`` null and the
    sentences that state them as ``fee_text``; "payant" without an amount gives null.
    """
    found: list[tuple[str, float | None, str]] = []  # (as written, euros, sentence)
    for sentence in sentences:
        hits = []
        for m in _AMOUNT.finditer(sentence):
            number = m.group(1) or m.group(2)
            hits.append((m.start(), m.group().strip(), float(number.replace(",", "."))))
        for m in _FREE.finditer(sentence):
            word = m.group(1).lower()
            hits.append((m.start(), "gratuit" if word.startswith("gratuit") else word, 0.0))
        if not hits:
            for m in _PAID.finditer(sentence):
                hits.append((m.start(), m.group(1).lower(), None))
        found += [(written, euros, sentence) for _, written, euros in sorted(hits)]
    if not found:
        return None, None
    amounts = {euros for _, euros, _ in found if euros is not None}
    if len(amounts) == 1:
        euros = amounts.pop()
        return next(w for w, e, _ in found if e == euros), euros
    if not amounts:
        return found[0][0], None
    said = list(dict.fromkeys(s for _, euros, s in found if euros is not None))
    return evidence_of(" ".join(said)), None
