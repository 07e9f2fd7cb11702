"""Procedure pages: fixture pages with their expected procedures, the channel-sentence rules,
fees, the taxonomy, the model's JSON contract and ``guichets procedures parse``.

Each ``tests/fixtures/procedure_pages/NAME.html`` has a ``NAME.expected.json`` next to it:
``{"language": "fr", "procedures": [...]}`` (only the keys given for a procedure are checked;
``channels`` maps channel → status and only the channels given are checked) or
``{"language": ..., "error": "NoProcedureFound", "message_contains": "..."}``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from scrapers.hours.model import ParseError
from scrapers.procedures import (
    CHANNELS,
    STATUSES,
    ChannelStatus,
    NoProcedureFound,
    ProcedureObservation,
    TaxonomyError,
    load_taxonomy,
    match_procedure,
    parse_procedures,
    read_channels,
)
from scrapers.procedures.model import MAX_EVIDENCE
from scrapers.procedures.sentences import read_fee, read_sentence
from scrapers.procedures.taxonomy import TAXONOMY_PATH, default_taxonomy

PAGES = Path(__file__).parents[1] / "fixtures" / "procedure_pages"
FIXTURES = sorted(p.name.removesuffix(".expected.json") for p in PAGES.glob("*.expected.json"))
ROOT = Path(__file__).resolve().parents[2]


def expected_of(name: str) -> dict:
    return json.loads((PAGES / f"{name}.expected.json").read_text(encoding="utf-8"))


# ---- fixture pages ----------------------------------------------------------------------------------


def test_every_page_fixture_has_its_expected_answer() -> None:
    assert sorted(p.stem for p in PAGES.glob("*.html")) == FIXTURES
    assert len(FIXTURES) >= 10


@pytest.mark.parametrize("name", FIXTURES)
def test_page_fixture(name: str) -> None:
    expected = expected_of(name)
    html = (PAGES / f"{name}.html").read_text(encoding="utf-8")
    if "error" in expected:
        with pytest.raises(NoProcedureFound) as info:
            parse_procedures(html, language=expected["language"])
        assert expected["message_contains"] in str(info.value)
        return
    found = parse_procedures(html, language=expected["language"])
    assert [p.title for p in found] == [p["title"] for p in expected["procedures"]]
    for got, want in zip(found, expected["procedures"], strict=True):
        row = got.to_dict()
        row["channels"] = {k: v["status"] for k, v in row["channels"].items()}
        want = dict(want)
        want_channels = want.pop("channels", {})
        assert {k: row["channels"][k] for k in want_channels} == want_channels, f"{name}: {got.title}"
        assert {k: row[k] for k in want} == want, f"{name}: {got.title}"
        check_contract(got)


def check_contract(observation: ProcedureObservation) -> None:
    """The JSON of docs/procedures.md: exactly these keys, every channel, evidence when stated."""
    d = observation.to_dict()
    assert list(d) == [
        "title", "procedure_key", "match_rule", "channels", "fee_text", "fee_eur", "evidence", "confidence",
    ]  # fmt: skip
    assert list(d["channels"]) == list(CHANNELS)
    for status in d["channels"].values():
        assert set(status) == {"status", "evidence"} and status["status"] in STATUSES
        if status["status"] == "not_stated":
            assert status["evidence"] is None
        else:
            assert status["evidence"] and len(status["evidence"]) <= MAX_EVIDENCE
    assert d["match_rule"] == "unmatched" if d["procedure_key"] is None else d["match_rule"].startswith("taxonomy:")
    assert 0 < d["confidence"] <= 1 and d["evidence"] and len(d["evidence"]) <= MAX_EVIDENCE
    json.dumps(d)  # JSON-ready


def test_fixtures_cover_languages_layouts_and_hard_cases() -> None:
    layouts, languages, unmatched, negatives = set(), set(), 0, 0
    for name in FIXTURES:
        expected = expected_of(name)
        languages.add(expected["language"])
        if "error" in expected:
            negatives += 1
            continue
        html = (PAGES / f"{name}.html").read_text(encoding="utf-8")
        found = parse_procedures(html, language=expected["language"])
        layouts |= {p.layout for p in found}
        unmatched += sum(p.procedure_key is None for p in found)
    assert {"fr", "nl"} <= languages
    assert {"jsonld", "table", "dl", "faq", "text"} <= layouts
    assert unmatched >= 3 and negatives >= 1


def test_the_contract_example_of_the_docs() -> None:
    page = """<html lang="fr"><body><main><h1>Démarches</h1>
      <h2>Composition de ménage</h2>
      <p>Téléchargez-la gratuitement via le guichet électronique. Connectez-vous avec itsme ou votre carte
      d'identité. Elle n'est plus délivrée au guichet.</p>
      <h2>Contact</h2><p>Tél. 02 279 22 11</p></main></body></html>"""
    (found,) = parse_procedures(page, language="fr")
    d = found.to_dict()
    assert d["title"] == "Composition de ménage"
    assert d["procedure_key"] == "household-composition-certificate"
    assert d["match_rule"] == "taxonomy:composition de ménage"
    assert {k: v["status"] for k, v in d["channels"].items()} == {
        "online": "available",
        "online_digital_identity": "available",
        "counter_walk_in": "not_available",
        "counter_appointment": "not_available",
        "phone": "not_stated",
        "post": "not_stated",
        "intermediary": "not_stated",
    }
    assert d["channels"]["online"]["evidence"] == "Téléchargez-la gratuitement via le guichet électronique."
    assert d["channels"]["counter_walk_in"]["evidence"] == "Elle n'est plus délivrée au guichet."
    assert (d["fee_text"], d["fee_eur"]) == ("gratuit", 0.0)
    assert d["evidence"].startswith("Composition de ménage — Téléchargez-la gratuitement")
    assert d["confidence"] == 0.9


def test_a_faq_no_answer_keeps_the_question_as_evidence() -> None:
    html = (PAGES / "onem_faq_allocations_fr.html").read_text(encoding="utf-8")
    counter = parse_procedures(html, language="fr")[1].channels["counter_walk_in"]
    assert counter.status == "not_available"
    assert counter.evidence.startswith("Puis-je introduire") and counter.evidence.endswith("? Non.")


def test_visible_text_wins_over_stale_structured_data() -> None:
    html = (PAGES / "famiwal_jsonld_fr.html").read_text(encoding="utf-8")
    claim = parse_procedures(html, language="fr")[0]
    assert claim.layout == "jsonld" and claim.confidence == 1.0
    assert claim.channels["phone"].evidence.endswith("servicePhone: +32 71 16 50 00")
    assert claim.channels["counter_walk_in"].evidence == "Nos bureaux ne reçoivent plus le public depuis 2022."


# ---- what a page without procedures gives --------------------------------------------------------------


def test_no_procedure_names_what_was_looked_for() -> None:
    with pytest.raises(NoProcedureFound) as info:
        parse_procedures("<html><body><h1>Bienvenue</h1><p>Bonne visite.</p></body></html>", language="fr")
    assert isinstance(info.value, ParseError)
    for looked_for in ("GovernmentService", "<details><summary>", "tables with one row per procedure", "<dt>"):
        assert looked_for in str(info.value)


def test_malformed_jsonld_alone_is_a_parse_error() -> None:
    page = (
        '<html><head><script type="application/ld+json">{"@type": "GovernmentService",</script></head>'
        "<body></body></html>"
    )
    with pytest.raises(ParseError) as info:
        parse_procedures(page, language="fr")
    assert type(info.value) is ParseError and "invalid JSON-LD" in str(info.value)


def test_empty_page_and_bad_language() -> None:
    with pytest.raises(ParseError):
        parse_procedures("  ", language="fr")
    with pytest.raises(ValueError, match="language must be one of"):
        parse_procedures("<p>x</p>", language="es")


def test_a_known_procedure_without_any_channel_has_a_low_confidence() -> None:
    page = "<html lang='fr'><body><main><h2>Permis de conduire</h2><p>Valable dix ans.</p></main></body></html>"
    (found,) = parse_procedures(page, language="fr")
    assert found.procedure_key == "driving-licence" and found.confidence < 0.5
    assert {c.status for c in found.channels.values()} == {"not_stated"}


def test_an_office_block_is_not_a_procedure() -> None:
    page = """<html lang='fr'><body><main><h1>Nos bureaux</h1>
      <section><h2>Service Population</h2><p>Place communale 1, 1300 Wavre</p>
      <p>Uniquement sur rendez-vous, du lundi au vendredi de 9h à 12h.</p></section>
      <section><h2>Carte de riverain</h2><p>Elle se demande uniquement en ligne.</p></section></main></body></html>"""
    assert [p.title for p in parse_procedures(page, language="fr")] == ["Carte de riverain"]


# ---- channel sentences --------------------------------------------------------------------------------
A, N = "available", "not_available"


@pytest.mark.parametrize(
    ("language", "sentence", "expected"),
    [
        # only
        ("fr", "Cette démarche se fait uniquement en ligne.",
         {"online": A, "counter_walk_in": N, "counter_appointment": N, "phone": N, "post": N}),
        ("nl", "Dit attest vraagt u enkel online aan.",
         {"online": A, "counter_walk_in": N, "counter_appointment": N, "phone": N, "post": N}),
        ("de", "Der Antrag ist nur online möglich.",
         {"online": A, "counter_walk_in": N, "counter_appointment": N, "phone": N, "post": N}),
        ("en", "This can only be done online.",
         {"online": A, "counter_walk_in": N, "counter_appointment": N, "phone": N, "post": N}),
        ("fr", "Vous ne pouvez l'introduire qu'en ligne ou par courrier.",
         {"online": A, "post": A, "counter_walk_in": N, "counter_appointment": N, "phone": N}),
        ("fr", "Uniquement sur rendez-vous au guichet.", {"counter_appointment": A, "counter_walk_in": N}),
        ("fr", "La demande se fait uniquement au guichet.",
         {"counter_walk_in": A, "online": N, "online_digital_identity": N, "phone": N, "post": N}),
        ("fr", "Elle n'est pas seulement disponible en ligne, mais aussi au guichet.",
         {"online": A, "counter_walk_in": A}),
        ("nl", "Niet alleen online, ook aan het loket.", {"online": A, "counter_walk_in": A}),
        # negation
        ("fr", "Il n'est plus possible de la demander au guichet.", {"counter_walk_in": N, "counter_appointment": N}),
        ("nl", "Dit kan niet meer aan het loket.", {"counter_walk_in": N, "counter_appointment": N}),
        ("de", "Am Schalter ist das nicht mehr möglich.", {"counter_walk_in": N, "counter_appointment": N}),
        ("fr", "Au guichet, ce n'est plus possible.", {"counter_walk_in": N, "counter_appointment": N}),
        ("fr", "Vous ne pouvez plus, depuis 2023, la demander au guichet.",
         {"counter_walk_in": N, "counter_appointment": N}),
        ("fr", "Elle n'est plus délivrée au guichet, mais vous pouvez la télécharger en ligne.",
         {"counter_walk_in": N, "counter_appointment": N, "online": A}),
        ("fr", "Il n'est pas possible d'introduire la demande en ligne ni par courrier.",
         {"online": N, "online_digital_identity": N, "post": N}),
        ("fr", "Il n'est plus possible de se présenter sans rendez-vous.", {"counter_walk_in": N}),
        ("fr", "N'hésitez pas à la demander au guichet.", {"counter_walk_in": A}),
        # appointment and walk-in
        ("fr", "Vous pouvez l'obtenir au guichet, sur rendez-vous.", {"counter_appointment": A}),
        ("nl", "U kunt op afspraak terecht in het stadhuis.", {"counter_appointment": A}),
        ("fr", "Présentez-vous au guichet sans rendez-vous.", {"counter_walk_in": A}),
        ("nl", "Zonder afspraak aan het loket.", {"counter_walk_in": A}),
        ("fr", "Rendez-vous au guichet du service Population.", {"counter_walk_in": A}),
        ("fr", "Plus besoin de rendez-vous : présentez-vous au guichet.", {"counter_walk_in": A}),
        ("nl", "Geen afspraak nodig.", {"counter_walk_in": A}),
        ("fr", "Prenez rendez-vous en ligne ou par téléphone au 02 279 22 11.", {"counter_appointment": A}),
        ("nl", "Maak online een afspraak.", {"counter_appointment": A}),
        ("fr", "Vous pouvez prendre rendez-vous au guichet ou faire votre demande en ligne.",
         {"counter_appointment": A, "online": A}),
        # digital identity
        ("fr", "Via MyMinfin avec itsme.", {"online_digital_identity": A}),
        ("nl", "Met uw eID en kaartlezer via het e-loket.", {"online_digital_identity": A}),
        ("fr", "Remplissez-la en ligne, avec itsme ou votre carte d'identité électronique.",
         {"online_digital_identity": A}),
        ("fr", "Pour la remplir en ligne, vous devez vous connecter avec itsme.", {"online_digital_identity": A}),
        ("fr", "Présentez votre carte d'identité électronique au guichet.", {"counter_walk_in": A}),
        ("fr", "Commandez votre nouvelle carte d'identité en ligne.", {"online": A}),
        ("fr", "Vous pouvez la demander en ligne, même sans itsme.", {"online": A}),
        ("fr", "Si vous n'avez pas de lecteur de carte, présentez-vous au guichet.", {"counter_walk_in": A}),
        ("nl", "Als u geen kaartlezer heeft, kunt u langskomen in het stadhuis.", {"counter_walk_in": A}),
        # intermediaries
        ("fr", "Introduisez votre demande via votre syndicat ou la CAPAC.", {"intermediary": A}),
        ("fr", "Votre mutualité s'occupe de la demande.", {"intermediary": A}),
        ("nl", "Vraag je uitkering aan via je vakbond.", {"intermediary": A}),
        ("nl", "De aanvraag gebeurt via uw ziekenfonds of het OCMW.", {"intermediary": A}),
        ("fr", "Un assistant social du CPAS examine votre dossier.", {}),
        # phone: a number is no channel, doing it by phone is
        ("fr", "Pour toute question, appelez le 02 279 22 11.", {}),
        ("fr", "Tél. 02 279 22 11", {}),
        ("nl", "Met vragen kunt u ons telefonisch bereiken.", {}),
        ("fr", "Vous pouvez aussi la demander par téléphone au 02 279 22 11.", {"phone": A}),
        ("nl", "U kunt het attest ook telefonisch aanvragen.", {"phone": A}),
        ("fr", "Pour obtenir de l'aide, appelez-nous.", {}),
        # post
        ("fr", "Renvoyez le formulaire papier par courrier.", {"post": A}),
        ("nl", "Stuur de aanvraag per post naar het stadhuis.", {"post": A}),
        ("fr", "Présentez-vous au guichet ou envoyez le formulaire par courrier.", {"counter_walk_in": A, "post": A}),
        ("fr", "Écrivez-nous par courrier pour toute question.", {}),
        # e-mail is an online request
        ("fr", "Demandez-la par e-mail à population@commune.be.", {"online": A}),
        # nothing about channels
        ("fr", "Les guichets seront fermés le lundi 11 novembre.", {}),
        ("fr", "Le guichet est définitivement fermé.", {"counter_walk_in": N, "counter_appointment": N}),
        ("fr", "Puis-je la demander au guichet ?", {}),
        ("fr", "Plus besoin de vous déplacer.", {}),
        # The examples below are composed (after the wording of the real corpus), not copied.
        # booking an appointment: the web, e-mail and phone book it, they are no channels
        ("nl", "Een afspraak maken kan via de website of telefonisch.", {"counter_appointment": A}),
        ("de", "Einen Termin können Sie online oder telefonisch vereinbaren.", {"counter_appointment": A}),
        ("nl", "Afspraken kunnen niet meer via de website gemaakt worden.", {"counter_appointment": A}),
        ("nl", "Je kan er enkel terecht na een telefonische afspraak.",
         {"counter_appointment": A, "counter_walk_in": N}),
        # a channel offered under a condition is available; a negative condition says nothing
        ("nl", "Je kan de code wijzigen thuis als je een kaartlezer hebt.", {"online_digital_identity": A}),
        ("nl", "Wie geen hulp vroeg, dient de aangifte in via Tax-on-web.", {"online": A}),
        ("de", "Wer keinen digitalen Zugang hat, kann einen Termin im Finanzamt vereinbaren.",
         {"counter_appointment": A}),
        # a digital identity said in the sentence qualifies the online way it names
        ("nl", "Aanmelden kan met itsme of uw eID en een kaartlezer, via Mijn Burgerprofiel.",
         {"online_digital_identity": A}),
        # presence in person required closes the remote ways
        ("de", "Ihr persönliches Erscheinen ist notwendig.",
         {"counter_walk_in": A, "online": N, "phone": N, "post": N}),
        # offices closed to the public close the counter; a closed reception desk closes walk-in
        ("nl", "Onze kantoren zijn tijdelijk gesloten voor het publiek.",
         {"counter_walk_in": N, "counter_appointment": N}),
        ("fr", "L'accueil est fermé.", {"counter_walk_in": N}),
        # help given by phone as a service is the phone channel
        ("nl", "Mensen kunnen een beroep doen op telefonische hulp bij het invullen.", {"phone": A}),
        # intermediaries
        ("fr", "Pour ceux qui ne sont pas affiliés à un syndicat, la demande se fait auprès de la CAPAC.",
         {"intermediary": A}),
        ("nl", "Wend je niet rechtstreeks tot de RVA, je aanvraag moet via je vakbond gaan.", {"intermediary": A}),
        ("nl", "Uw accountant kan uw aangifte indienen via MyMinfin.", {"intermediary": A}),
        ("fr", "Le demandeur doit se présenter auprès d'un organisme de paiement.", {"intermediary": A}),
        # post and its end
        ("nl", "De papieren aanvraag is voortaan verleden tijd.", {"post": N}),
        ("fr", "La version papier disparaîtra.", {"post": N}),
        # "only" speaks of the channel next to it, not of who or when
        ("nl", "Enkel wie een dringende vraag heeft, wordt op afspraak geholpen.", {"counter_appointment": A}),
        ("nl", "Enkel de inwoners van de gemeente worden op afspraak geholpen.", {"counter_appointment": A}),
        ("nl", "Slechts 36 % van de aanvragen gebeurde digitaal.", {"online": A}),
        ("nl", "Aanmelden met eID is verplicht voor sommige aanvragen.", {"online_digital_identity": A}),
        ("fr", "Cette aide se fait exclusivement à distance, par téléphone.",
         {"phone": A, "counter_walk_in": N, "counter_appointment": N}),
        ("fr", "Il ne faut renvoyer l'enveloppe que s'il y a des erreurs.", {"post": A}),
        # in person, personally
        ("fr", "Présentez-vous personnellement au guichet.", {"counter_walk_in": A, "intermediary": N}),
        # no need to call: neither opened nor closed
        ("nl", "Je hoeft ons niet op te bellen.", {}),
        ("fr", "Pour ça, le rendez-vous n'est pas nécessaire.", {"counter_walk_in": A}),
        # delivery by post is no channel; sending a paper document to an address is
        ("nl", "Enkele weken later ontvang je je code per post.", {}),
        ("nl", "Stuur het medisch attest binnen de 48 uur naar het ziekenfonds.", {"post": A}),
        # words inside an address name no channel
        ("nl", "Je kan een e-mail sturen naar bevolking@gemeente.be.", {"online": A}),
        # "avec ou sans rendez-vous": both
        ("fr", "Nos bureaux sont accessibles avec ou sans rendez-vous.",
         {"counter_walk_in": A, "counter_appointment": A}),
        # someone else may apply
        ("en", "Come to the town hall with the identity card of the person for whom the request is made.",
         {"counter_walk_in": A, "intermediary": A}),
    ],
)  # fmt: skip
def test_channel_sentence(language: str, sentence: str, expected: dict[str, str]) -> None:
    found: dict[str, set[str]] = {}
    for statement in read_sentence(sentence, language):
        found.setdefault(statement.channel, set()).add(statement.status)
        assert statement.evidence == sentence
    assert {ch: statuses.pop() for ch, statuses in found.items() if len(statuses) == 1} == expected
    assert all(len(statuses) <= 1 for statuses in found.values())


def test_channel_context_from_a_label() -> None:
    (statement,) = read_sentence("Ce n'est plus possible depuis 2021.", "fr", ("counter",))[:1]
    assert statement.status == N
    statements = read_sentence("Sur rendez-vous uniquement, du lundi au vendredi.", "fr", ("counter",))
    assert {(s.channel, s.status) for s in statements} == {("counter_appointment", A), ("counter_walk_in", N)}
    assert read_sentence("Appelez le 02 279 22 11.", "fr", ("phone",))[0].channel == "phone"


def test_booking_sentence_goes_on_in_the_next_one() -> None:
    # Composed: "Dat kan online" after a sentence about booking an appointment books it too.
    got = read_channels("U moet voortaan een afspraak maken. Dat kan online of telefonisch.", "nl")
    assert {ch: s.status for ch, s in got.items()} == {"counter_appointment": A, "counter_walk_in": N}


def test_list_under_a_lead_in_names_the_ways() -> None:
    # Composed after the FPS Finance pages: the items under a lead-in are ways of doing it.
    text = "U dient uw aangifte zelf in:\n  • op papier: uiterlijk op 30 juni.\n  • via MyMinfin:"
    assert {ch: s.status for ch, s in read_channels(text, "nl").items()} == {"post": A, "online": A}


def test_evidence_is_cut_to_300_characters() -> None:
    long = "Vous pouvez la demander au guichet " + "et " * 200 + "voilà."
    (statement,) = read_sentence(long, "fr")
    assert MAX_EVIDENCE - 5 < len(statement.evidence) <= MAX_EVIDENCE and statement.evidence.endswith("…")


def test_direct_statements_beat_only() -> None:
    page = """<html><body><main><h2>Carte de riverain</h2>
      <p>La demande se fait uniquement en ligne. Vous pouvez aussi l'envoyer par courrier.</p></main></body></html>"""
    (found,) = parse_procedures(page, language="fr")
    assert found.status("post") == A and found.status("counter_walk_in") == N and found.confidence == 0.9


def test_contradicting_sentences_lower_the_confidence_and_not_available_wins() -> None:
    page = """<html><body><main><h2>Composition de ménage</h2>
      <p>Attention : elle n'est plus délivrée au guichet.</p><p>Vous pouvez la demander au guichet.</p>
      </main></body></html>"""
    (found,) = parse_procedures(page, language="fr")
    assert found.status("counter_walk_in") == N and found.confidence == pytest.approx(0.63)


def test_the_only_online_way_with_a_digital_identity_closes_plain_online() -> None:
    page = "<html><body><main><h2>Déclaration d'impôt</h2><p>Via MyMinfin avec itsme.</p></main></body></html>"
    (found,) = parse_procedures(page, language="fr")
    assert (found.status("online_digital_identity"), found.status("online")) == (A, N)


# ---- fees -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentences", "fee_text", "fee_eur"),
    [
        (["Prix : 5 €."], "5 €", 5.0),
        (["Coût : € 5,00 par document."], "€ 5,00", 5.0),
        (["Tarif : 5,50 EUR"], "5,50 EUR", 5.5),
        (["Kostprijs: 12,50 euro."], "12,50 euro", 12.5),
        (["Le document est gratuit."], "gratuit", 0.0),
        (["Téléchargez-la gratuitement."], "gratuit", 0.0),
        (["Dit attest is gratis."], "gratis", 0.0),
        (["Kostenloos."], "kostenloos", 0.0),
        (["Prix : 5 €.", "Payez 5 € au guichet."], "5 €", 5.0),
        (["Prix : 25,10 € (procédure normale) ou 119,20 € (procédure urgente)."],
         "Prix : 25,10 € (procédure normale) ou 119,20 € (procédure urgente).", None),
        (["Gratuit pour les moins de 12 ans, 5 € pour les autres."],
         "Gratuit pour les moins de 12 ans, 5 € pour les autres.", None),
        (["Ce service est payant."], "payant", None),
        (["Place communale 1, 1300 Wavre, de 9h à 12h."], None, None),
    ],
)  # fmt: skip
def test_fees(sentences: list[str], fee_text: str | None, fee_eur: float | None) -> None:
    assert read_fee(sentences) == (fee_text, fee_eur)


# ---- taxonomy ---------------------------------------------------------------------------------------------
REQUIRED_KEYS = {
    "household-composition-certificate", "residence-certificate", "birth-certificate", "identity-card",
    "change-of-address", "driving-licence", "criminal-record-extract", "personal-income-tax-return",
    "tax-certificate", "unemployment-benefit-claim", "unemployment-control-card", "jobseeker-registration",
    "child-benefit-claim", "pension-application", "medical-reimbursement", "social-integration-income",
    "heating-allowance",
}  # fmt: skip


def test_shipped_taxonomy() -> None:
    taxonomy = default_taxonomy()
    assert taxonomy is default_taxonomy()  # loaded once
    assert len(taxonomy.entries) >= 15 and REQUIRED_KEYS <= set(taxonomy.keys)
    for entry in taxonomy.entries:
        assert all(entry.label(lang) for lang in ("fr", "nl", "de", "en"))
        assert {"fr", "nl", "de"} <= set(entry.match)
    assert taxonomy.entry("household-composition-certificate").label_nl == "Attest van gezinssamenstelling"


@pytest.mark.parametrize(
    ("title", "language", "key", "rule"),
    [
        ("Composition de ménage", "fr", "household-composition-certificate", "taxonomy:composition de ménage"),
        ("COMPOSITION DE MENAGE", "fr", "household-composition-certificate", "taxonomy:composition de ménage"),
        ("Attest gezinssamenstelling", "nl", "household-composition-certificate",
         "taxonomy:attest gezinssamenstelling"),
        # Longest phrase wins: "demande d'allocations familiales" over "allocations familiales".
        ("Demande d'allocations familiales", "fr", "child-benefit-claim", "taxonomy:demande d'allocations familiales"),
        ("Certificat de bonne vie et moeurs", "fr", "criminal-record-extract",
         "taxonomy:certificat de bonne vie et mœurs"),
        ("Déclaration d’impôts 2024", "fr", "personal-income-tax-return", "taxonomy:déclaration d'impôts"),
        # Phrases of another language when none of the page's matches (Brussels, brand names).
        ("Tax-on-web", "en", "personal-income-tax-return", "taxonomy:tax-on-web"),
        ("Leefloon (revenu d'intégration)", "fr", "social-integration-income", "taxonomy:revenu d'intégration"),
        ("Gezinssamenstelling", "fr", "household-composition-certificate", "taxonomy:gezinssamenstelling"),
        # Whole words only.
        ("Pensionnés : carte de réduction", "fr", None, "unmatched"),
        ("Carte de riverain", "fr", None, "unmatched"),
        ("", "fr", None, "unmatched"),
    ],
)  # fmt: skip
def test_match_procedure(title: str, language: str, key: str | None, rule: str) -> None:
    assert match_procedure(title, language) == (key, rule)


def test_longest_phrase_wins_across_entries(tmp_path: Path) -> None:
    path = write_taxonomy(
        tmp_path,
        ENTRY.format(key="key-a", phrase="attestation") + ENTRY.format(key="key-b", phrase="attestation de revenus"),
    )
    taxonomy = load_taxonomy(path)
    assert taxonomy.match("Attestation de revenus 2023", "fr") == ("key-b", "taxonomy:attestation de revenus")
    assert taxonomy.match("Attestation", "fr") == ("key-a", "taxonomy:attestation")


ENTRY = """
  - key: {key}
    label_fr: Label {key}
    label_nl: Label {key}
    label_de: Label {key}
    label_en: Label {key}
    match: {{fr: [{phrase}], nl: [{key} nl], de: [{key} de]}}
"""


def write_taxonomy(tmp_path: Path, entries: str) -> Path:
    path = tmp_path / "taxonomy.yaml"
    path.write_text("procedures:\n" + entries, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (ENTRY.format(key="key-a", phrase="x") + ENTRY.format(key="key-a", phrase="y"),
         "procedures[1] (key-a): duplicate key 'key-a' (also procedures[0] (key-a))"),
        (ENTRY.format(key="key-a", phrase="x").replace("    label_de: Label key-a\n", ""),
         "procedures[0] (key-a): field 'label_de' is required"),
        (ENTRY.format(key="key-a", phrase="Composition"),
         "procedures[0] (key-a): match.fr phrase 'Composition' must be lowercase"),
        (ENTRY.format(key="key-a", phrase="même chose") + ENTRY.format(key="key-b", phrase="meme chose"),
         "procedures[1] (key-b): match.fr phrase 'meme chose' is already a phrase of 'key-a'"),
        (ENTRY.format(key="key-a", phrase="x").replace(", de: [key-a de]", ""),
         "procedures[0] (key-a): match.de must be a non-empty list"),
        (ENTRY.format(key="A b", phrase="x"), "procedures[0]: field 'key' is 'A b'"),
        (ENTRY.format(key="key-a", phrase="x") + "    note: hello\n", "procedures[0] (key-a): unknown field(s) note"),
        (ENTRY.format(key="key-a", phrase="x").replace("nl: [key-a nl]", "nl: [key-a nl], es: [key-a es]"),
         "procedures[0] (key-a): match language(s) es"),
    ],
)  # fmt: skip
def test_taxonomy_errors_name_the_entry(tmp_path: Path, entries: str, message: str) -> None:
    path = write_taxonomy(tmp_path, entries)
    with pytest.raises(TaxonomyError) as err:
        load_taxonomy(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_taxonomy_file_errors(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="not found"):
        load_taxonomy(tmp_path / "none.yaml")
    (tmp_path / "bad.yaml").write_text("procedures: [\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="not valid YAML"):
        load_taxonomy(tmp_path / "bad.yaml")
    (tmp_path / "empty.yaml").write_text("procedures: []\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="non-empty 'procedures' list"):
        load_taxonomy(tmp_path / "empty.yaml")
    assert load_taxonomy(TAXONOMY_PATH).keys == default_taxonomy().keys


# ---- model ----------------------------------------------------------------------------------------------


def test_model_fills_every_channel_and_is_frozen() -> None:
    obs = ProcedureObservation("X", None, "unmatched", {"post": ChannelStatus("available", "Par courrier.")})
    assert list(obs.channels) == list(CHANNELS)
    assert obs.status("post") == "available" and obs.status("phone") == "not_stated"
    assert obs.to_dict()["channels"]["online"] == {"status": "not_stated", "evidence": None}
    with pytest.raises(FrozenInstanceError):
        obs.title = "Y"  # type: ignore[misc]
    with pytest.raises(TypeError):
        obs.channels["post"] = ChannelStatus()  # type: ignore[index]
    with pytest.raises(ValueError, match="unknown channel"):
        ProcedureObservation("X", None, "unmatched", {"fax": ChannelStatus()})
    with pytest.raises(ValueError, match="channel status must be one of"):
        ChannelStatus("absent")
    with pytest.raises(ValueError, match="not stated has no evidence"):
        ChannelStatus("not_stated", "...")


# ---- the command ------------------------------------------------------------------------------------------


def guichets(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``guichets ARGS...`` in a fresh interpreter, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "warehouse.cli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        cwd=ROOT,
    )


def test_cli_json_is_one_object_per_procedure() -> None:
    page = PAGES / "bruxelles_demarches_population_fr.html"
    proc = guichets("procedures", "parse", "--file", str(page), "--json")
    assert proc.returncode == 0, proc.stderr
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    expected = expected_of("bruxelles_demarches_population_fr")["procedures"]
    assert [r["title"] for r in results] == [p["title"] for p in expected]
    assert all(r["language"] == "fr" and list(r["channels"]) == list(CHANNELS) for r in results)
    assert results[0]["channels"]["counter_walk_in"]["status"] == "not_available"
    assert "é" in proc.stdout  # ensure_ascii=False


def test_cli_summary_is_readable() -> None:
    proc = guichets("procedures", "parse", "--file", str(PAGES / "gent_e_loket_nl.html"))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("Adreswijziging\n")
    assert "key:        change-of-address  [taxonomy:adreswijziging]" in out
    assert "counter_walk_in          not_available   «Dit is niet meer mogelijk sinds 1 januari 2021.»" in out
    assert "phone                    not_stated\n" in out
    assert "fee:        gratis (0.00 EUR)" in out and "confidence: 0.90" in out
    assert not out.lstrip().startswith("{")


def test_cli_language_from_html_lang_or_option(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    # No <html lang>: detected as Dutch from the text; --lang fr forces the French rules.
    page.write_text("<html><body><main><h2>Adreswijziging</h2><p>Dit kan enkel online via het e-loket.</p></main>"
                    "</body></html>", encoding="utf-8")  # fmt: skip
    auto = json.loads(guichets("procedures", "parse", "--file", str(page), "--json").stdout)
    assert auto["language"] == "nl" and auto["channels"]["counter_walk_in"]["status"] == "not_available"
    forced = json.loads(guichets("procedures", "parse", "--file", str(page), "--json", "--lang", "fr").stdout)
    assert forced["language"] == "fr" and forced["procedure_key"] == "change-of-address"


def test_cli_windows_1252_page(tmp_path: Path) -> None:
    page = tmp_path / "legacy.html"
    page.write_bytes("<html lang='fr'><body><h2>Composition de ménage</h2><p>Uniquement en ligne.</p></body></html>"
                     .encode("windows-1252"))  # fmt: skip
    proc = guichets("procedures", "parse", "--file", str(page))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Composition de ménage\n")


def test_cli_no_procedure_exits_1_naming_the_file() -> None:
    page = PAGES / "hard_negative_contact_fr.html"
    proc = guichets("procedures", "parse", "--file", str(page), "--json")
    assert proc.returncode == 1 and proc.stdout == ""
    assert "NoProcedureFound" in proc.stderr and str(page) in proc.stderr


def test_cli_bad_usage_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "nope.html"
    proc = guichets("procedures", "parse", "--file", str(missing))
    assert proc.returncode == 2 and str(missing) in proc.stderr
    proc = guichets("procedures", "parse", "--file", str(PAGES / "gent_e_loket_nl.html"), "--lang", "es")
    assert proc.returncode == 2 and "--lang" in proc.stderr and "es" in proc.stderr
    proc = guichets("procedures", "parse")
    assert proc.returncode == 2
