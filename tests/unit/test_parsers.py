"""Page parsers: fixture pages with their expected schedules, and the hard cases of free text.

Each ``tests/fixtures/pages/NAME.html`` has a ``NAME.expected.json`` next to it:
``{"language": "fr", "parser": "auto", "schedules": [...]}`` (only the keys given for a
schedule are checked; slots are written ``"mo 09:00-12:00"`` or ``"we 13:00-16:00
appointment"``) or ``{"language": ..., "error": "NoScheduleFound" | "ParseError",
"message_contains": "..."}``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scrapers.hours import PARSERS, parse_page, parse_text
from scrapers.hours.grammar import MAX_EVIDENCE
from scrapers.hours.model import ACCESS_APPOINTMENT, CounterSchedule, NoScheduleFound, ParseError

PAGES = Path(__file__).parents[1] / "fixtures" / "pages"
FIXTURES = sorted(p.name.removesuffix(".expected.json") for p in PAGES.glob("*.expected.json"))
ERRORS = {"NoScheduleFound": NoScheduleFound, "ParseError": ParseError}
# Real published sentences from shared/reference/opening_hours_examples.jsonl (sources noted there).
LICHTERVELDE = (
    "Op zaterdag is de dienst wel een uur langer open tot 12 uur, maar alleen op de tweede en vierde zaterdag "
    "van de maand."
)
SINT_GENESIUS_RODE = (
    "Alleen de bevolkingsdienst en de dienst burgerlijke stand zijn geopend op zaterdag van 9 tot 12 uur. "
    "De loketten van de bevolkingsdienst [...] zijn tijdelijk gesloten op dinsdag. Deze diensten zijn op "
    "dinsdagochtend wel telefonisch bereikbaar van 8 tot 12 uur."
)
UCCLE_STRIKE = "Wordt de permanentie van de dienst Bevolking van 15 tot 18.45 uur niet verzekerd."
FINANCES_CHARTER = "dans tous nos bureaux uniquement sur rendez-vous"


def compact(schedule: CounterSchedule) -> list[str]:
    """Slots as "mo 09:00-12:00" / "we 13:00-16:00 appointment", in the model's order."""
    return [
        f"{s['day']} {s['opens']}-{s['closes']}" + (" appointment" if s["access"] == ACCESS_APPOINTMENT else "")
        for s in schedule.to_dict()["slots"]
    ]


def test_every_page_fixture_has_its_expected_answer() -> None:
    assert FIXTURES, "no fixtures found"
    htmls = sorted(p.stem for p in PAGES.glob("*.html"))
    assert htmls == FIXTURES


@pytest.mark.parametrize("name", FIXTURES)
def test_page_fixture(name: str) -> None:
    expected = json.loads((PAGES / f"{name}.expected.json").read_text(encoding="utf-8"))
    html = (PAGES / f"{name}.html").read_text(encoding="utf-8")
    kwargs = {"language": expected["language"], "parser": expected.get("parser", "auto")}
    if "error" in expected:
        with pytest.raises(ERRORS[expected["error"]]) as info:
            parse_page(html, **kwargs)
        assert type(info.value) is ERRORS[expected["error"]]
        assert expected["message_contains"] in str(info.value)
        return
    found = parse_page(html, **kwargs)
    assert len(found) == len(expected["schedules"]), [(s.name, s.channel, compact(s)) for s in found]
    for got, want in zip(found, expected["schedules"], strict=True):
        row = got.to_dict()
        row["slots"] = compact(got)
        assert {k: row[k] for k in want} == want, f"{name}: {got.name}"
        assert len(got.evidence) <= MAX_EVIDENCE
        assert got.evidence or got.closed, "every schedule says what it was read from"


@pytest.mark.parametrize(
    ("page", "parser"),
    [("text_fr_offices", "jsonld"), ("dl_nl_two_offices", "table"), ("dl_nl_two_offices", "text"),
     ("table_nl_abbreviations", "dl")],
)  # fmt: skip
def test_a_layout_that_is_not_on_the_page_is_no_schedule(page: str, parser: str) -> None:
    expected = json.loads((PAGES / f"{page}.expected.json").read_text(encoding="utf-8"))
    html = (PAGES / f"{page}.html").read_text(encoding="utf-8")
    with pytest.raises(NoScheduleFound, match="looked for"):
        parse_page(html, language=expected["language"], parser=parser)


def test_forced_layout_keeps_offices_that_have_no_hours_at_all() -> None:
    html = (PAGES / "text_fr_offices.html").read_text(encoding="utf-8")
    found = parse_page(html, language="fr", parser="table")
    # The closed office has no hours anywhere; the others have hours, but not in a table.
    assert [(s.name, s.closed, s.channel) for s in found] == [
        ("Antenne sociale de Jumet", "permanent", "counter"),
        ("Nos antennes sociales", None, "phone"),
    ]


def test_forced_layout_reads_only_that_layout() -> None:
    html = (PAGES / "table_fr_multi_office.html").read_text(encoding="utf-8")
    found = parse_page(html, language="fr", parser="table")
    assert [s.layout for s in found if s.channel == "counter"] == ["table", "table"]


def test_same_markup_reads_ma_as_tuesday_in_french_and_monday_in_dutch() -> None:
    html = "<html><body><main><h1>Accueil</h1><table><tr><th>Ma</th><td>9h-12h</td></tr></table></main></body></html>"
    assert compact(parse_page(html, language="fr")[0]) == ["tu 09:00-12:00"]
    assert compact(parse_page(html, language="nl")[0]) == ["mo 09:00-12:00"]
    assert compact(parse_text("ma 9h-12h", "fr")) == ["tu 09:00-12:00"]
    assert compact(parse_text("ma 9u-12u", "nl")) == ["mo 09:00-12:00"]
    assert compact(parse_text("di 14-16 Uhr", "de")) == ["tu 14:00-16:00"]
    assert compact(parse_text("di 10h-12h", "fr")) == ["su 10:00-12:00"]


@pytest.mark.parametrize(
    ("language", "text", "slots"),
    [
        ("fr", "Du lundi au vendredi de 9h à 12h et de 13h30 à 16h.",
         ["mo 09:00-12:00", "mo 13:30-16:00", "tu 09:00-12:00", "tu 13:30-16:00", "we 09:00-12:00",
          "we 13:30-16:00", "th 09:00-12:00", "th 13:30-16:00", "fr 09:00-12:00", "fr 13:30-16:00"]),
        ("nl", "Van maandag tot vrijdag van 9 tot 12 uur.",
         ["mo 09:00-12:00", "tu 09:00-12:00", "we 09:00-12:00", "th 09:00-12:00", "fr 09:00-12:00"]),
        ("fr", "Le mercredi de 13h à 16h.", ["we 13:00-16:00"]),
        ("fr", "lundi, mardi et jeudi : 9h-12h", ["mo 09:00-12:00", "tu 09:00-12:00", "th 09:00-12:00"]),
        ("fr", "lu-ve 9h00-12h00", ["mo 09:00-12:00", "tu 09:00-12:00", "we 09:00-12:00", "th 09:00-12:00",
                                    "fr 09:00-12:00"]),
        ("nl", "ma t.e.m. vr: 9u-12u30", ["mo 09:00-12:30", "tu 09:00-12:30", "we 09:00-12:30", "th 09:00-12:30",
                                          "fr 09:00-12:30"]),
        ("nl", "Woensdag 9u30 - 12u en 13u - 16u30", ["we 09:30-12:00", "we 13:00-16:30"]),
        ("de", "Mo.–Fr. 9:00–12:00 Uhr", ["mo 09:00-12:00", "tu 09:00-12:00", "we 09:00-12:00", "th 09:00-12:00",
                                          "fr 09:00-12:00"]),
        ("de", "Montag von 9 bis 12 Uhr und 14 bis 16 Uhr", ["mo 09:00-12:00", "mo 14:00-16:00"]),
        ("en", "Monday to Wednesday 9am-5pm", ["mo 09:00-17:00", "tu 09:00-17:00", "we 09:00-17:00"]),
        ("fr", "Le samedi de 9h à midi", ["sa 09:00-12:00"]),
        ("fr", "Le jeudi 9.30 - 12.00 / 13.00 - 15.30", ["th 09:30-12:00", "th 13:00-15:30"]),
        ("fr", "De 9h à 12h du lundi au mercredi", ["mo 09:00-12:00", "tu 09:00-12:00", "we 09:00-12:00"]),
        # Lunch breaks and closures inside the week.
        ("fr", "Lundi : 9h-16h (12h-13h30 fermé)", ["mo 09:00-12:00", "mo 13:30-16:00"]),
        ("fr", "Lundi et mardi de 8h à 16h, fermé entre midi et 13h", ["mo 08:00-12:00", "mo 13:00-16:00",
                                                                      "tu 08:00-12:00", "tu 13:00-16:00"]),
        ("fr", "Du lundi au mercredi de 9h à 12h et de 13h à 16h, fermé le mercredi après-midi",
         ["mo 09:00-12:00", "mo 13:00-16:00", "tu 09:00-12:00", "tu 13:00-16:00", "we 09:00-12:00"]),
        ("fr", "Du lundi au jeudi de 9h à 12h, sauf le mercredi", ["mo 09:00-12:00", "tu 09:00-12:00",
                                                                  "th 09:00-12:00"]),
        ("nl", "Maandag en dinsdag van 9 tot 12 uur. Dinsdag: gesloten.", ["mo 09:00-12:00"]),
        # Appointments attach to what they are next to.
        ("fr", "Lundi 9h-12h et 13h-16h sur rendez-vous", ["mo 09:00-12:00", "mo 13:00-16:00 appointment"]),
        ("fr", "Mercredi : sur rendez-vous : 13h - 16h", ["we 13:00-16:00 appointment"]),
        ("nl", "Donderdag 9u-12u, op afspraak van 14u tot 16u", ["th 09:00-12:00", "th 14:00-16:00 appointment"]),
        # Not the regular week: seasons, dates, monthly rules.
        ("fr", "En juillet et août : du lundi au vendredi de 9h à 12h", []),
        ("fr", "Séance d'information le lundi 15 mars de 19h à 22h", []),
        ("fr", "Le premier samedi du mois de 9h à 12h", []),
        ("nl", "Du lundi au vendredi", []),
        # Composed after real pages' slips: no am/pm, "12noon", a split hour, a bracketed end date,
        # a count of minutes.
        ("en", "Friday 2:00 - 3:45 and 3:45 - 5:00", ["fr 14:00-15:45", "fr 15:45-17:00"]),
        ("en", "Sunday: 12noon - 4pm", ["su 12:00-16:00"]),
        ("fr", "Lundi de 8 h 30 à 1 6h 30", ["mo 08:30-16:30"]),
        ("fr", "Mardi : 9 h à 12 h\nDimanche : 13 h à 16 h (jusqu'au 4 septembre 2016)", ["tu 09:00-12:00"]),
        ("fr", "Mardi : 14h30 à 15h (d'octobre à mai) et de 19h à 20h", ["tu 14:30-15:00", "tu 19:00-20:00"]),
        ("en", "Thursday: the survey should take about 5-10 minutes", []),
    ],
)  # fmt: skip
def test_parse_text_slots(language: str, text: str, slots: list[str]) -> None:
    assert compact(parse_text(text, language)) == slots


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "Uniquement sur rendez-vous."),
        ("fr", "Sur rendez-vous"),
        ("nl", "Enkel op afspraak."),
        ("nl", "Alleen op afspraak"),
        ("nl", "Uitsluitend op afspraak."),
        ("nl", "Op afspraak"),
        ("de", "Nur nach Terminvereinbarung"),
        ("en", "By appointment only."),
        ("fr", FINANCES_CHARTER),
    ],
)
def test_appointment_only_statements(language: str, text: str) -> None:
    schedule = parse_text(text, language)
    assert schedule.appointment_only and schedule.slots == []


def test_appointment_only_sentence_turns_every_slot_into_an_appointment() -> None:
    schedule = parse_text("Du lundi au vendredi de 9h à 12h. Uniquement sur rendez-vous.", "fr")
    assert schedule.appointment_only
    assert {s.access for s in schedule.slots} == {ACCESS_APPOINTMENT}
    assert schedule.weekly_minutes(ACCESS_APPOINTMENT) == 15 * 60


def test_walk_in_is_not_an_appointment() -> None:
    schedule = parse_text("Le lundi de 9h à 12h sans rendez-vous.", "fr")
    assert not schedule.appointment_only and compact(schedule) == ["mo 09:00-12:00"]


@pytest.mark.parametrize(
    ("language", "text", "closed"),
    [
        ("fr", "Ce bureau est définitivement fermé depuis le 1er mars 2023.", "permanent"),
        ("nl", "Dit kantoor is definitief gesloten sinds 1 september 2023.", "permanent"),
        ("de", "Das Büro ist endgültig geschlossen.", "permanent"),
        ("fr", "Ce bureau est temporairement fermé pour travaux.", "temporary"),
        ("nl", "Het loket is tijdelijk gesloten.", "temporary"),
        ("de", "Vorübergehend geschlossen.", "temporary"),
        ("en", "Temporarily closed.", "temporary"),
    ],
)
def test_closures(language: str, text: str, closed: str) -> None:
    schedule = parse_text(text, language)
    assert schedule.closed == closed
    assert schedule.closed_reason == text.rstrip(".")


def test_permanent_closure_drops_the_published_week() -> None:
    text = "Du lundi au vendredi de 9h à 12h. Ce bureau est définitivement fermé depuis le 1er mars 2023."
    schedule = parse_text(text, "fr")
    assert schedule.closed == "permanent" and schedule.slots == []
    assert schedule.to_dict()["weekly_walk_in_minutes"] == 0


def test_holidays_closure_is_not_an_office_closure() -> None:
    schedule = parse_text("Du lundi au vendredi de 9h à 12h. Fermé les jours fériés.", "fr")
    assert schedule.closed is None and len(schedule.slots) == 5


# Composed sentences after the press formats of the real corpus (tests/fixtures/real/): a state verb
# with an office as subject is a closure statement; the same words about dates, a condition, a
# closure that is over or a short holiday are not.
@pytest.mark.parametrize(
    ("language", "text", "closed"),
    [
        ("fr", "A Thuin, les bureaux sont fermés. Les agents restent joignables par mail.", "temporary"),
        ("de", "Die Gemeindeverwaltung bleibt bis zum 19.04.2020 geschlossen.", "temporary"),
        ("nl", "De meeste gemeentehuizen zijn gesloten.", "temporary"),
        ("nl", "In juli 2019 heeft de gemeente de loketten gesloten.", "permanent"),
        ("fr", "Les bureaux sont fermés le 11 novembre.", None),
        ("nl", "Op donderdag 17 mei zijn alle stadsdiensten gesloten. Alle diensten zijn gans de dag gesloten.", None),
        ("de", "Stadtverwaltung und Standesamt sind vom 24. Dezember bis zum 2. Januar geschlossen.", None),
        ("fr", "Accessible lorsque la bibliothèque est fermée.", None),
        ("fr", "« Fermé jusqu'à nouvel avis. » Depuis le 24 avril, c'en est fini.", None),
        ("fr", "A Lobbes, les bureaux sont fermés. Les services fonctionnent uniquement sur rendez-vous.", None),
        ("fr", "La fermeture du commissariat la nuit inquiète.", None),
    ],
)
def test_closure_statements_in_the_press(language: str, text: str, closed: str | None) -> None:
    try:
        schedule = parse_text(text, language)
    except NoScheduleFound:
        assert closed is None
        return
    assert schedule.closed == closed


def test_slash_ranges_and_days_named_instead() -> None:
    # Composed after real French service pages ("LUNDI 8h30/12h - 13h30/17h30").
    schedule = parse_text("LUNDI 8h30/12h - 13h30/17h30\nDU MARDI AU VENDREDI 8h30/12h - 13h30 /17h", "fr")
    assert compact(schedule)[:2] == ["mo 08:30-12:00", "mo 13:30-17:30"] and len(schedule.slots) == 10
    moved = parse_text("De uitleenpost zal op dinsdag open zijn in plaats van donderdag, van 16 tot 19 uur.", "nl")
    assert compact(moved) == ["tu 16:00-19:00"]


def test_an_appointment_rule_for_one_procedure_is_not_appointment_only() -> None:
    text = "Van maandag tot vrijdag van 8u tot 12u. Verklaring van wettelijke samenwoning op afspraak."
    schedule = parse_text(text, "nl")
    assert not schedule.appointment_only and len(schedule.slots) == 5
    assert parse_text("Prise de rendez-vous obligatoire. Guichet ouvert le lundi de 9h à 12h.", "fr").appointment_only


def test_phone_hours_are_never_counter_hours() -> None:
    only_phone = parse_text("Permanence téléphonique : du lundi au vendredi de 9h à 12h", "fr")
    assert only_phone.channel == "phone" and len(only_phone.slots) == 5
    mixed = parse_text(SINT_GENESIUS_RODE, "nl")
    assert mixed.channel == "counter"
    assert compact(mixed) == ["sa 09:00-12:00"], "Tuesday's phone hours must not become counter hours"


def test_reference_examples_with_no_regular_hours_have_low_confidence() -> None:
    monthly = parse_text(LICHTERVELDE, "nl")
    assert monthly.slots == [] and monthly.confidence <= 0.3
    strike = parse_text(UCCLE_STRIKE, "nl")
    assert strike.slots == [] and strike.confidence <= 0.3


def test_confidence_drops_with_unread_remainder() -> None:
    clean = parse_text("Le lundi de 9h à 12h.", "fr")
    messy = parse_text("Le lundi de 9h à 12h. Le mardi à partir de 14h.", "fr")
    assert compact(messy) == ["mo 09:00-12:00"]
    assert messy.confidence < clean.confidence <= 0.9


def test_french_words_that_look_like_day_abbreviations_stay_words() -> None:
    schedule = parse_text("Je dépose ma demande le lundi de 9h à 12h, sa carte le jeudi de 14h à 16h.", "fr")
    assert compact(schedule) == ["mo 09:00-12:00", "th 14:00-16:00"]


@pytest.mark.parametrize("text", ["Bienvenue sur le site de la commune.", "Adressez-vous à l'accueil.", ""])
def test_parse_text_without_hours_raises(text: str) -> None:
    with pytest.raises(NoScheduleFound):
        parse_text(text, "fr")


def test_page_level_appointment_sentence_applies_to_the_offices_below_it() -> None:
    html = """<html><body><main><h1>Nos bureaux</h1>
      <p>Dans tous nos bureaux, l'accueil se fait uniquement sur rendez-vous.</p>
      <section><h2>Bureau A</h2><p>Le lundi de 9h à 12h.</p></section>
      <section><h2>Bureau B</h2><p>Le mardi de 13h à 16h.</p></section>
    </main></body></html>"""
    found = parse_page(html, language="fr")
    assert [(s.name, s.appointment_only, compact(s)) for s in found] == [
        ("Bureau A", True, ["mo 09:00-12:00 appointment"]),
        ("Bureau B", True, ["tu 13:00-16:00 appointment"]),
    ]


def test_jsonld_opening_hours_strings_and_day_ids() -> None:
    html = """<html><head><script type="application/ld+json">
      {"@context": "https://schema.org", "@type": "CivicStructure", "name": "Maison communale",
       "openingHours": ["Mo-Fr 09:00-12:00,13:00-16:00; Sa 09:00-12:00; Su off", "PH off"],
       "department": {"@type": "GovernmentOffice", "name": "État civil",
         "openingHoursSpecification": {"dayOfWeek": {"@id": "schema:Thursday"}, "opens": "14:00", "closes": "19:00"}}}
    </script></head><body></body></html>"""
    town_hall, civil = parse_page(html, language="fr", parser="jsonld")
    assert compact(town_hall) == [
        f"{d} {h}" for d in ("mo", "tu", "we", "th", "fr") for h in ("09:00-12:00", "13:00-16:00")
    ] + ["sa 09:00-12:00"]
    assert (civil.name, compact(civil)) == ("État civil", ["th 14:00-19:00"])


def test_jsonld_opening_hours_strings_are_read_with_osm_semantics() -> None:
    # hand-written spellings (lower case, one-digit hours, spaced dashes); a later rule overrides
    # the days it names, as in OSM; "PH" rules are not the normal week
    html = """<html><head><script type="application/ld+json">
      {"@type": "GovernmentOffice", "name": "Guichet",
       "openingHours": "mo-fr 9:00 - 12:00; we 13:00-16:00; ph 10:00-11:00"}
    </script></head><body></body></html>"""
    [office] = parse_page(html, language="fr", parser="jsonld")
    assert compact(office) == ["mo 09:00-12:00", "tu 09:00-12:00", "we 13:00-16:00", "th 09:00-12:00", "fr 09:00-12:00"]


def test_evidence_is_trimmed_to_500_characters() -> None:
    days = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi")
    text = " ".join(f"Le {day} de {h}h à {h}h30." for day in days for h in range(8, 16))
    schedule = parse_text(text, "fr")
    assert len(schedule.slots) == 48
    assert len(text) > MAX_EVIDENCE and len(schedule.evidence) == MAX_EVIDENCE
    assert schedule.evidence.endswith("…")


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError, match="parser"):
        parse_page("<html></html>", language="fr", parser="pdf")
    with pytest.raises(ValueError, match="language"):
        parse_page("<html></html>", language="it")
    with pytest.raises(ValueError, match="language"):
        parse_text("lundi 9h-12h", "it")
    assert PARSERS == ("auto", "jsonld", "table", "dl", "text")


def test_empty_or_blank_page_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_page("   ", language="fr")


def test_page_without_body_text_raises_no_schedule_found() -> None:
    with pytest.raises(NoScheduleFound):
        parse_page("<html><head><title>x</title></head><body></body></html>", language="nl")


def test_aria_heading_names_an_office() -> None:
    html = '<html><body><div role="heading" aria-level="x">Bureau de Uccle</div><p>Lundi : 9h-12h</p></body></html>'
    assert parse_page(html, language="fr")[0].name == "Bureau de Uccle"


def test_xml_declaration_is_accepted() -> None:
    html = '<?xml version="1.0" encoding="utf-8"?><html><body><p>Lundi : 9h-12h</p></body></html>'
    assert compact(parse_page(html, language="fr")[0]) == ["mo 09:00-12:00"]


# ---- page structure: notices, seasons, sidebars, encodings, spanning cells, JSON contacts ----
# Composed examples after the formats of real pages (tests/fixtures/real/pages/), labelled composed.


def test_closure_notice_for_works_is_temporary_and_its_title_is_no_office() -> None:
    # composed, after a Québec library page closed for a refit
    html = (
        "<html><body><main><h1>Bibliothèque Jean-Charles</h1><h2>Fermeture de la bibliothèque</h2>"
        "<p>La bibliothèque fermera ses portes du 6 au 29 septembre inclusivement afin d'effectuer "
        "un réaménagement.</p>"
        "<table><tr><th>Lundi</th><td>9 h à 19 h</td></tr><tr><th>Mardi</th><td>9 h à 19 h</td></tr></table>"
        "</main></body></html>"
    )
    found = [s for s in parse_page(html, language="fr") if s.slots or s.closed]
    assert [(s.name, s.closed) for s in found] == [("Bibliothèque Jean-Charles", "temporary")]


def test_season_heading_is_a_regime_of_the_office_above_not_an_office() -> None:
    # composed, after library pages with "Horaire estival" under the office heading
    html = (
        "<html><body><main><section><h2>Bibliothèque de Pont</h2>"
        "<p>Mardi : 13 h à 16 h</p><p>Jeudi : 18 h à 20 h 30</p>"
        "<h2>Horaire estival (de la St-Jean-Baptiste à la fête du Travail)</h2>"
        "<p>Mardi : 18 h à 20 h 30</p></section></main></body></html>"
    )
    found = parse_page(html, language="fr")
    assert [s.name for s in found] == ["Bibliothèque de Pont"]
    assert compact(found[0]) == ["tu 13:00-16:00", "th 18:00-20:30"]
    assert [r.kind for r in found[0].regimes] == ["summer"]


def test_sidebar_hours_are_the_page_office_when_the_main_content_has_none() -> None:
    # composed, after a library page whose hours are only in the sidebar, under a bold label
    html = (
        "<html><body><main><h1>Bibliothèque</h1><p>Plus de 65 000 documents.</p></main>"
        "<div id='sidebar'><p><strong>Heures d'ouverture</strong></p>"
        "<p>Lundi au mercredi : 13 h à 20 h 30<br>Samedi : 10 h 30 à 15 h 30</p></div></body></html>"
    )
    found = parse_page(html, language="fr")
    assert [compact(s) for s in found] == [["mo 13:00-20:30", "tu 13:00-20:30", "we 13:00-20:30", "sa 10:30-15:30"]]


def test_marked_footer_hours_beside_the_page_hours_are_another_office() -> None:
    # composed, after a library page whose footer gives the town hall's hours
    html = (
        "<html><body><main><h1>Bibliothèque</h1><p>Mercredi de 14 h à 16 h.</p></main>"
        "<footer><div class='horaires'><p>Lundi au vendredi : 8 h à 12 h</p></div></footer></body></html>"
    )
    found = parse_page(html, language="fr")
    assert [compact(s) for s in found] == [
        ["we 14:00-16:00"],
        ["mo 08:00-12:00", "tu 08:00-12:00", "we 08:00-12:00", "th 08:00-12:00", "fr 08:00-12:00"],
    ]


def test_only_a_season_s_hours_is_the_office_with_that_regime_and_no_normal_week() -> None:
    # composed, after a library page saved in summer
    html = (
        "<html><body><main><h1>Bibliothèque de Saint-C</h1><p>Horaire estival :</p>"
        "<p>Lundi au mercredi : 13 h à 20 h 30</p></main></body></html>"
    )
    (found,) = parse_page(html, language="fr")
    assert found.slots == [] and found.closed is None and found.confidence < 0.7
    assert [r.kind for r in found.regimes] == ["summer"]


def test_double_encoded_utf8_is_repaired() -> None:
    # composed, after a page saved as UTF-8 twice ("BibliothÃ¨que", "13h Ã  15h")
    head = "<html><body><h1>Bibliothèque</h1>"
    html = head + "<p>Lundi de 13h à 15h (sauf jours fériés)</p><p>Mardi de 18h30 à 20h30</p></body></html>"
    mangled = html.encode("utf-8").decode("cp1252")
    (found,) = parse_page(mangled, language="fr")
    assert found.name == "Bibliothèque"
    assert compact(found) == ["mo 13:00-15:00", "tu 18:30-20:30"]


def test_normal_hours_named_by_their_months_are_the_normal_week() -> None:
    # composed, after "Horaire normal (de septembre à mai)" above a day table
    html = (
        "<html><body><main><h1>Bibliothèque</h1><table><caption>Horaire normal (de septembre à mai)</caption>"
        "<tr><th>Lundi</th><td>De 13 h à 17 h</td></tr></table>"
        "<table><caption>Horaire d'été (de juin à août)</caption><tr><th>Lundi</th><td>De 8 h à 12 h</td></tr>"
        "</table></main></body></html>"
    )
    (found,) = parse_page(html, language="fr")
    assert compact(found) == ["mo 13:00-17:00"]
    assert [r.kind for r in found.regimes] == ["summer"]


def test_a_cell_spanning_two_rows_stays_under_its_day() -> None:
    # composed, after a day-per-column table whose second row fills only the columns not spanned
    html = (
        "<html><body><main><h1>Médiathèque</h1><table>"
        "<tr><td><p>Lundi</p></td><td><p>Mardi</p></td><td><p>Mercredi</p></td></tr>"
        "<tr><td><p>&nbsp;</p></td><td rowspan='2'><p>13h30 à 17h30</p></td><td><p>13h30 à 17h30</p></td></tr>"
        "<tr><td><p>19h à 20h30</p></td><td><p>19h à 20h30</p></td></tr>"
        "</table></main></body></html>"
    )
    (found,) = parse_page(html, language="fr")
    assert compact(found) == ["mo 19:00-20:30", "tu 13:30-17:30", "we 13:30-17:30", "we 19:00-20:30"]


def test_contact_json_phone_hours_are_phone_lines() -> None:
    # composed, after GOV.UK content items (details.phone_numbers[].open_hours, or hours in the title)
    doc = {
        "title": "Income Tax",
        "details": {
            "phone_numbers": [
                {"title": "Taxes Helpline", "number": "0300 200 3300",
                 "open_hours": "<p>8am to 8pm, Monday to Friday<br>8am to 4pm Saturday</p><p>Closed bank holidays</p>"},
            ],
            "ordered_contacts": [
                {"title": "Contact Centre", "details": {"title": "Contact Centre", "phone_numbers": [
                    {"title": "Open Monday to Friday, 9am to 5pm", "number": "0300 066 9197"}]}},
            ],
        },
    }  # fmt: skip
    found = parse_page(json.dumps(doc), language="en")
    assert [(s.name, s.channel, s.closed) for s in found] == [
        ("Taxes Helpline", "phone", None),
        ("Contact Centre", "phone", None),
    ]
    assert compact(found[0])[-1] == "sa 08:00-16:00"
    assert len(found[1].slots) == 5


def test_schema_org_days_without_times_are_open_all_day() -> None:
    # composed, after schema.org's PoliceStation example ("openingHours": "Mo-Su")
    html = (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "PoliceStation",'
        ' "name": "Central Police Station", "openingHours": "Mo-Su"}</script>'
    )
    (found,) = parse_page(html, language="en")
    assert compact(found)[0] == "mo 00:00-24:00" and len(found.slots) == 7


def test_place_names_in_bold_above_their_address_are_offices() -> None:
    # composed, after a county page listing library branches in a table, one row per branch
    rows = "".join(
        f"<tr><td><strong>{name}</strong><br>{street}<br>{name}, Ontario<br>Phone: 289 674 0400</td>"
        f"<td><strong>Hours</strong><br>Tuesday: {hours}<br>Sunday: CLOSED</td></tr>"
        for name, street, hours in (("Caledonia", "100 Haddington Street", "1:00pm - 8:00pm"),
                                    ("Cayuga", "28 Cayuga St. N.", "10:00am - 2:00pm"))
    )  # fmt: skip
    html = f"<html><body><main><h1>Library Branches and Hours</h1><table>{rows}</table></main></body></html>"
    found = parse_page(html, language="en")
    assert [(s.name, s.channel, compact(s)) for s in found] == [
        ("Caledonia", "counter", ["tu 13:00-20:00"]),
        ("Cayuga", "counter", ["tu 10:00-14:00"]),
    ]


def test_hours_then_days_across_a_line_break_are_one_sentence() -> None:
    # composed, after a town hall header block: "de 8 h 30 à 16 h 30 <br>du lundi au vendredi."
    html = (
        "<html><body><main><h2>Hôtel de ville</h2><p>Nos heures d'ouverture sont de 8 h 30 à 16 h 30"
        "<br>du lundi au mercredi.</p></main></body></html>"
    )
    (found,) = parse_page(html, language="fr")
    assert compact(found) == ["mo 08:30-16:30", "tu 08:30-16:30", "we 08:30-16:30"]


def test_summer_and_winter_hours_make_winter_the_normal_week() -> None:
    # composed, after a library page with "Summer Hours" and "Winter Hours" blocks
    html = (
        "<html><body><main><h2>Public Library</h2><h3>Summer Hours</h3><p>Mon – Thu 10 am – 8 pm</p>"
        "<h3>Winter Hours</h3><p>Mon – Thu 10 am – 8 pm</p><p>Sun 1 pm – 5 pm</p></main></body></html>"
    )
    (found,) = parse_page(html, language="en")
    assert compact(found)[-1] == "su 13:00-17:00"
    assert [r.kind for r in found.regimes] == ["summer"]


def test_book_drop_hours_are_not_an_office() -> None:
    # composed, after a library page with a "Retour de livres" block
    html = (
        "<html><body><main><h1>Bibliothèque</h1><p>Mardi : 12 h 30 à 20 h</p><h4>Retour de livres</h4>"
        "<p>Lundi : 7 h à 17 h</p></main></body></html>"
    )
    assert [s.name for s in parse_page(html, language="fr")] == ["Bibliothèque"]


def test_a_month_calendar_is_not_a_day_table() -> None:
    # composed, after a library home page's events calendar (weekday headers above dates)
    html = (
        "<html><body><main><h1>Library</h1><table><tr><th>Monday</th><th>Tuesday</th><th>Wednesday</th></tr>"
        "<tr><td><div>5</div></td><td><div>6</div></td><td><div>7</div></td></tr></table>"
        "<p>Tuesday: 10:00am - 8:00pm</p></main></body></html>"
    )
    (found,) = parse_page(html, language="en")
    assert compact(found) == ["tu 10:00-20:00"]


def test_a_heading_in_a_layout_cell_names_its_row() -> None:
    # composed, after a footer row: "Nous joindre" | phone | "Heures d'ouverture"
    html = (
        "<html><body><main><h1>Bibliothèque</h1><p>Mercredi de 14 h à 16 h.</p></main>"
        "<table><tr><td><h3>Nous joindre</h3>541, rue Principale</td><td>Téléphone: 418 348-6736</td>"
        "<td><h3>Heures d'ouverture</h3><strong>Lundi au vendredi:</strong><br>8 h à 12 h</td></tr></table>"
        "</body></html>"
    )
    found = parse_page(html, language="fr")
    assert [(s.name, compact(s)[:1]) for s in found] == [
        ("Bibliothèque", ["we 14:00-16:00"]),
        ("Nous joindre", ["mo 08:00-12:00"]),
    ]


def test_days_and_hours_in_two_lists_side_by_side() -> None:
    # composed, after a site footer: a list of days beside a list of hours, matched by position
    html = (
        "<html><body><main><h1>Bureau municipal</h1>"
        "<div><ul><li>Lundi - Jeudi</li><li>Vendredi</li><li>Samedi - Dimanche</li></ul>"
        "<ul><li>9 h 00 à 16 h 00</li><li>9 h 00 à 12 h 00</li><li>Fermé</li></ul></div></main></body></html>"
    )
    (found,) = parse_page(html, language="fr")
    assert compact(found) == [
        "mo 09:00-16:00", "tu 09:00-16:00", "we 09:00-16:00", "th 09:00-16:00", "fr 09:00-12:00",
    ]  # fmt: skip


def test_an_events_calendar_and_activity_programmes_are_not_offices() -> None:
    # composed, after a library branch page with an events widget and story-time programmes
    html = (
        "<html><body><main><h1>Central Library</h1><p>Open Monday to Friday 9:00 am - 5:00 pm</p>"
        "<div class='events-calendar'><h3>Lego Club</h3><p>Saturdays 10:00 - 11:00am</p></div>"
        "<h2>Toddler Time</h2><p>Stories and songs! Tuesdays 10:15-10:45am.</p></main></body></html>"
    )
    (found,) = parse_page(html, language="en")
    assert found.name == "Central Library" and compact(found)[0] == "mo 09:00-17:00"


def test_a_second_counter_named_in_bold_above_its_day_lines() -> None:
    # composed, after a library page whose hours paragraph ends with a "Carte Accès :" counter
    html = (
        "<html><body><main><h1>Bibliothèque</h1><p><strong>Heures d'ouverture :</strong><br>"
        "Lundi et mardi, 13 h à 21 h<br><strong>Carte Accès :</strong><br>Lundi et mardi, 13 h à 20 h 30</p>"
        "</main></body></html>"
    )
    found = parse_page(html, language="fr")
    assert [(s.name, compact(s)[0]) for s in found] == [
        ("Bibliothèque", "mo 13:00-21:00"),
        ("Carte Accès", "mo 13:00-20:30"),
    ]


def test_an_office_a_link_names_by_its_hours_is_not_published_here() -> None:
    # composed, after a library page whose menu links to "Horaire de l'hôtel de ville"
    html = (
        "<html><body><nav><a href='/horaire-hdv'>Horaire de l'hôtel de ville</a></nav><main>"
        "<h1>Bibliothèque municipale</h1><p>Mardi : 14 h à 16 h 30</p></main></body></html>"
    )
    found = parse_page(html, language="fr")
    assert [(s.name, compact(s), s.closed) for s in found] == [
        ("Bibliothèque municipale", ["tu 14:00-16:30"], None),
        ("hôtel de ville", [], None),
    ]


def test_a_footer_contact_block_linking_to_the_hours_names_the_office() -> None:
    # composed, after a city home page footer: name, address, phone and a link to the hours
    html = (
        "<html><body><main><p>Welkom</p></main><footer><h2>Stad Leuven</h2><p>Grote Markt 9<br>3000 Leuven<br>"
        "Tel. <a href='tel:016272000'>016 27 20 00</a></p><p><a href='/contact'>Openingsuren en contact</a></p>"
        "</footer></body></html>"
    )
    (found,) = parse_page(html, language="nl")
    assert (found.name, found.slots, found.closed) == ("Stad Leuven", [], None)
    assert "hours not published" in found.unparsed[0]


def test_footer_hours_after_a_telephone_link_are_the_line_s() -> None:
    # composed, after a helpdesk footer: a heading, a tel: link, then when it answers
    html = (
        "<html><body><footer><h3>Call the helpdesk</h3><p><a href='tel:08001421'>0800-1421</a> (free).<br>"
        "Available Monday till Friday 08.00 a.m. - 06.00 p.m.</p></footer></body></html>"
    )
    (found,) = parse_page(html, language="en")
    assert found.channel == "phone" and compact(found)[0] == "mo 08:00-18:00"


def test_offices_named_in_a_sidebar_hours_block() -> None:
    # composed, after a library home page's "Branches and Hours" sidebar widget
    html = (
        "<html><body><main><h1>Welcome</h1><p>News.</p></main><aside><h2>Branches and Hours</h2>"
        "<div><h3>Main Branch</h3><p>Sunday's Hours: 1:30 PM - 5:30 PM</p>"
        "<h3>Crossings Branch</h3><p>Sunday's Hours: 1:00 PM - 5:00 PM</p></div></aside></body></html>"
    )
    found = parse_page(html, language="en")
    assert [(s.name, compact(s)) for s in found] == [
        ("Main Branch", ["su 13:30-17:30"]),
        ("Crossings Branch", ["su 13:00-17:00"]),
    ]


def test_a_book_drop_line_is_not_the_counter_s_hours() -> None:
    # composed, after a village library's list of services
    html = (
        "<html><body><main><h1>Bibliothèque</h1><ul><li>chute à livres de 8 h à 16 h 30 (lundi au vendredi)</li>"
        "<li>internet sans-fil</li></ul><p>LUNDI : de 16 h à 17 h 30</p></main></body></html>"
    )
    (found,) = parse_page(html, language="fr")
    assert compact(found) == ["mo 16:00-17:30"]
