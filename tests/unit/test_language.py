"""Language detection of opening-hours texts and pages (``scrapers.hours.language``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scrapers.hours.language import DEFAULT_LANGUAGE, detect_language, language_of_html, language_scores

PAGES = Path(__file__).parents[1] / "fixtures" / "pages"
CORPUS = Path(__file__).parents[1] / "fixtures" / "hours_corpus"

CASES: dict[str, list[str]] = {
    "fr": [
        "lu-ve 9h-12h",
        "Du lundi au vendredi de 9h à 12h et de 13h30 à 16h.",
        "Uniquement sur rendez-vous",
        "Fermé le mercredi après-midi",
        "Le guichet est fermé jusqu'à nouvel ordre.",
        "Mardi : 8h30 - 12h00",
        "Ouvert du mardi au samedi, de 9 h à 17 h",
        "Permanence téléphonique de 14h à 16h",
        "Fermeture exceptionnelle le 15 août",
        "Lu, Ma, Je : 9h-12h",
        "Sam. 9h-12h",
        "Lundi/Maandag: 9h-12h",  # bilingual, French first and French times
    ],
    "nl": [
        "ma-vr 9u-12u",
        "Van maandag tot vrijdag van 9 tot 12 uur",
        "Enkel op afspraak",
        "Het loket is gesloten op woensdagnamiddag.",
        "Dinsdag: 8.30 - 12.00 uur",
        "Tijdelijk gesloten wegens verbouwing",
        "Zaterdag van 9 tot 12 uur, behalve op feestdagen",
        "di en do 13u30-16u",
        "Ma-Vr: 09:00-12:00",
        "Vrijdag 9-12",
        "Maandag - Lundi: 9u - 12u",  # bilingual, Dutch first and Dutch times
        "Openingsuren / Heures d'ouverture: ma-vr 9u-12u",  # bilingual heading, Dutch hours
    ],
    "de": [
        "Mo.-Fr. 9-12 Uhr",
        "Montag bis Freitag von 8:30 bis 12:00 Uhr",
        "Nur nach Terminvereinbarung",
        "Vorübergehend geschlossen",
        "Dienstags und donnerstags 14-17 Uhr",
        "Öffnungszeiten: Mo-Fr 9:00-12:00",
        "Am Mittwochnachmittag geschlossen",
        "Sprechzeiten: Di. 14-16 Uhr",
        "Mo-Fr 8:00-12:00",
        "Samstag 9-12",
    ],
    "en": [
        "Mon-Fri 9am-5pm",
        "Monday to Friday from 9:00 to 12:00",
        "By appointment only",
        "Closed on public holidays",
        "Opening hours: Tue, Thu 9 am - 1 pm",
        "The office is closed until further notice.",
        "Sat 10am-2pm",
        "Weekdays 9.00-17.00, closed on Wednesday afternoon",
        "Thursday 9-12",
        "Mon, Wed: 09:00-12:00",
    ],
}
LABELLED = [(lang, text) for lang, texts in CASES.items() for text in texts]


def test_enough_cases_in_every_language() -> None:
    assert len(LABELLED) >= 30
    assert all(len(texts) >= 8 for texts in CASES.values())


@pytest.mark.parametrize(("expected", "text"), LABELLED, ids=[t for _, t in LABELLED])
def test_detect_language(expected: str, text: str) -> None:
    assert detect_language(text) == expected


def test_abbreviations_count_only_in_a_day_context() -> None:
    # "ma" and "sa" are French words here, not days: no Dutch or German evidence from them.
    scores = language_scores("Je vous présente ma commune et sa maison communale")
    assert scores["nl"] == 0 and scores["de"] == 0
    assert detect_language("Je vous présente ma commune et sa maison communale") == "fr"
    # In a range they are days: "ma-vr" is Dutch because "vr" is only Dutch.
    assert language_scores("ma-vr")["nl"] > language_scores("ma-vr")["fr"] > 0


def test_english_am_is_not_german_am() -> None:
    assert detect_language("9 am - 5 pm") == "en"
    assert detect_language("am Montag 9-12") == "de"


def test_no_evidence_gives_the_default() -> None:
    assert DEFAULT_LANGUAGE == "fr"
    for text in ("", "   ", "09:00 - 12:00", "☎ 02 123 45 67"):
        assert detect_language(text) == DEFAULT_LANGUAGE


def test_ties_go_to_the_first_language_in_fr_nl_de_en_order() -> None:
    # "di" and "do" are Dutch and German abbreviations alike (and "di" is also French dimanche).
    scores = language_scores("di-do 9-12")
    assert scores["nl"] == scores["de"] > scores["fr"]
    assert detect_language("di-do 9-12") == "nl"
    assert detect_language("Sa 9-12") == "fr"  # every language has "sa": French wins the tie


def test_long_text_is_bounded_and_still_detected() -> None:
    text = "Openingsuren van het onthaal: van maandag tot vrijdag van 9 tot 12 uur. " * 5000
    assert detect_language(text) == "nl"


def test_html_lang_attribute_wins() -> None:
    html = '<html lang="nl-BE"><body><p>Du lundi au vendredi de 9h à 12h.</p></body></html>'
    assert language_of_html(html) == "nl"
    assert language_of_html('<HTML xml:lang="DE"><body>Monday</body></HTML>') == "de"


def test_html_unknown_or_missing_lang_falls_back_to_the_text() -> None:
    body = "<body><h1>Openingsuren</h1><p>Van maandag tot vrijdag van 9 tot 12 uur.</p></body>"
    assert language_of_html(f'<html lang="es">{body}</html>') == "nl"
    assert language_of_html(f"<html>{body}</html>") == "nl"
    assert language_of_html(body) == "nl"


def test_html_text_ignores_scripts_styles_and_decodes_entities() -> None:
    # JSON-LD and CSS are written in English; the visible text is French.
    html = (
        "<html><head><title>Opening hours and the contact page</title>"
        '<script type="application/ld+json">{"openingHours": "Monday to Friday and the Sunday"}</script>'
        "<style>.the-office-hours { color: red }</style></head>"
        "<body><!-- the closed office --><p>Ferm&eacute; le lundi, ouvert du mardi au vendredi.</p></body></html>"
    )
    assert language_of_html(html) == "fr"


@pytest.mark.parametrize("name", sorted(p.stem for p in PAGES.glob("*.html")))
def test_fixture_pages_without_their_lang_attribute(name: str) -> None:
    expected = json.loads((PAGES / f"{name}.expected.json").read_text(encoding="utf-8"))["language"]
    html = (PAGES / f"{name}.html").read_text(encoding="utf-8")
    assert language_of_html(html) == expected
    assert language_of_html(re.sub(r"<html[^>]*>", "<html>", html, count=1)) == expected


def test_agrees_with_the_hours_corpus_languages() -> None:
    # The corpus (tests/fixtures/hours_corpus) labels each case with its page language; it is
    # written by hand and grows, so a few misses are tolerated but not a trend.
    cases = [
        json.loads(line)
        for path in sorted(CORPUS.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    if not cases:
        pytest.skip("no hours corpus")
    misses = [(c["lang"], c["text"]) for c in cases if detect_language(c["text"]) != c["lang"]]
    assert len(misses) <= 0.03 * len(cases), misses
