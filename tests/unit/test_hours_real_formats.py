"""Formats of real hours texts (tests/fixtures/real/hours_texts/), one test per format.

Each real text is quoted from the corpus case named in its test (``real-...`` id, provenance
there); the composed sentences beside them check that the same words about something else (a
weekly day, a condition, no day taken out) do not give the format's reading.
"""

from __future__ import annotations

import pytest

from scrapers.hours import read_hours_text
from tests.real_corpus import THRESHOLD, compact


def _slots(text: str, language: str) -> list[str]:
    return compact(read_hours_text(text, language)["slots"])


def test_annual_leave_is_a_closed_season_not_the_regime_of_the_week_below() -> None:
    # real-fr-035
    text = (
        "Horaires d’ouverture\nHors vacances scolaires et pendant les vacances les horaires restent les même.\n"
        "Congés annuels 3 semaines en août et 2 semaines lors des vacances de Noël\n- mardi de 16h à 18h\n"
        "- mercredi de 10h à 12h et de 14h à 18h\n- jeudi de 16h à 18h\n- vendredi de 10h à 12h et de 16h à 18h30\n"
        "- samedi de 10h à 12h et de 14h à 16h"
    )
    got = read_hours_text(text, "fr")
    assert compact(got["slots"])[:2] == ["tu 16:00-18:00", "we 10:00-12:00"] and len(got["slots"]) == 8
    assert got["closed"] is None


@pytest.mark.parametrize(
    ("language", "text", "closed"),
    [
        # real-fr-042: closed for months after the summer, until a new building opens
        (
            "fr",
            "A partir du 07 juillet, la bibliothèque passe en horaires d'été jusqu'au 02 août.\n"
            "La bibliothèque fermera ensuite jusqu'à l'inauguration du bâtiment le 10 décembre.",
            "temporary",
        ),
        # real-fr-167: a decision taken to close a town-hall antenna
        (
            "fr",
            "Après de nombreuses hésitations et tergiversations, le collège a pris la décision de fermer cette "
            "antenne administrative sous-utilisée.",
            "permanent",
        ),
        # real-fr-073: the people who went there are sent to other offices
        (
            "fr",
            "Le 24 février dernier, le bureau FOREM CONSEIL de DOUR a été victime d’un incendie accidentel. Les "
            "demandeurs d’emploi qui se rendaient habituellement à ce bureau sont, depuis lors, aiguillés vers les "
            "Maisons de l’Emploi de Frameries, Colfontaine, Quaregnon et St-Ghislain.",
            "temporary",
        ),
        # real-fr-018: closed since a day already past
        (
            "fr",
            "Depuis le jeudi 15 juin et jusqu'à mardi matin, l'agence Pôle emploi de la cité administrative "
            "d'Oyonnax est fermée.",
            "temporary",
        ),
        # real-nl-097: the service goes phone-only from a date, no counter hours
        (
            "nl",
            "Teneinde de kans op besmettingen in te perken, vinden onze sociale permanenties vanaf maandag 16 maart "
            "2020 alleen telefonisch plaats.\n\nOnze sociale assistenten staan te uwer beschikking via telefoon van "
            "maandag tot vrijdag van 8u30 tot 12u en van 12u30 tot 15u30.",
            "temporary",
        ),
        # composed: the same words about weekly days, a possibility, or a phone-only service with no date
        ("fr", "Depuis le 1er mars, la mairie est fermée le samedi. Du lundi au vendredi de 9h à 12h.", None),
        ("fr", "Le collège pourrait fermer l'antenne. Elle est ouverte du lundi au vendredi de 9h à 12h.", None),
        ("nl", "Open : enkel per telefoon. Telefoon open : van maandag tot vrijdag van 8u tot 16u.", None),
    ],
)
def test_closure_formats(language: str, text: str, closed: str | None) -> None:
    assert read_hours_text(text, language)["closed"] == closed


def test_an_internet_outage_is_no_closure() -> None:
    # real-nl-073 / real-cl-082 (README rule: an outage notice is not a closure)
    text = (
        "Vanwege de internetstoring is de gemeente telefonisch en via de balies niet bereikbaar. Via Whatsapp kan "
        "er wel contact worden gemaakt."
    )
    assert read_hours_text(text, "nl")["closed"] is None
    # composed: the same with the words that would otherwise make a closure statement
    assert read_hours_text("Wegens een netwerkstoring is het gemeentehuis niet bereikbaar.", "nl")["closed"] is None


def test_hours_for_a_while_are_a_passing_period() -> None:
    # real-nl-165
    text = (
        "Vanaf  16 juni zullen wij tijdelijk elke donderdag van 15:00 tot 19:00 uur extra geopend zijn om burgers "
        "die geen afspraak hebben te kunnen helpen."
    )
    got = read_hours_text(text, "nl")
    assert got["slots"] == [] and [r["kind"] for r in got["regimes"]] == ["period"]


def test_a_season_label_opening_a_line_holds_for_the_line() -> None:
    # real-frx-032 (its last line): Thursday 7-13 is July-August's, not the normal Thursday's
    text = (
        "Horaires :\n  • Le jeudi de 8h à 19h\n"
        "  • Juillet & août : lundi, mardi, mercredi, vendredi: 08h00-12h00 (fermé le samedi). Le jeudi de 7 à 13h."
    )
    assert _slots(text, "fr") == ["th 08:00-19:00"]
    # composed: a sentence outside the season on the same line is not the season's
    assert _slots("Pendant les congés scolaires : sur rendez-vous uniquement. Hors congés scolaires : du lundi "
                  "au vendredi de 9h à 12h.", "fr")[0] == "mo 09:00-12:00"  # fmt: skip


def test_the_four_other_days_and_four_days_a_week() -> None:
    # real-en-028
    text = (
        "At Long Eaton Town Hall, the reception is closed on Thursdays. Like Ilkeston, the new opening hours on the "
        "four other days will be 10am to 12noon."
    )
    assert _slots(text, "en") == ["mo 10:00-12:00", "tu 10:00-12:00", "we 10:00-12:00", "fr 10:00-12:00"]
    # real-en-027: days said in one sentence, their hours in the next
    text = (
        "The reception area at Ilkeston Town Hall will continue to open four days a week. From 13th May the new "
        "times will be 10am until 12noon. It is closed on Wednesdays."
    )
    assert _slots(text, "en") == ["mo 10:00-12:00", "tu 10:00-12:00", "th 10:00-12:00", "fr 10:00-12:00"]
    # composed: four days and no day taken out: which four is unknown
    assert (
        read_hours_text("We are open four days a week. The times are 10am until 12noon.", "en")["confidence"]
        < THRESHOLD
    )


def test_hours_said_also_keep_the_days_before() -> None:
    # real-nl-048 (= real-cl-061)
    text = (
        "Het nieuw onthaal van het stadhuis in de Ooievaarsstraat is sinds gisteren open en alleen op "
        "vrijdagnamiddag gesloten. Het is elke weekdag open van 8.30 uur tot 12.30 uur. Of telkens een uur langer "
        "dan de vorige regeling. Het is ook in de namiddag van 13.30 uur tot 16.30 uur open. Uitgezonderd op "
        "vrijdag.\n\n\n\n\n\nDinsdag zelfs tot 18.30 uur."
    )
    assert _slots(text, "nl") == [
        "mo 08:30-12:30", "mo 13:30-16:30", "tu 08:30-12:30", "tu 13:30-18:30", "we 08:30-12:30", "we 13:30-16:30",
        "th 08:30-12:30", "th 13:30-16:30", "fr 08:30-12:30",
    ]  # fmt: skip


def test_every_day_but_one_then_that_day() -> None:
    # real-nl-132 ('elke dag' is the seven days: README rule)
    text = (
        "De wijkcommissariaten van Bierbeek en Boutersem zijn elke dag toegankelijk tussen 9 en 12 uur, behalve "
        "dinsdag. Dan zijn de openingsuren van 17 tot 20 uur."
    )
    assert _slots(text, "nl") == [
        "mo 09:00-12:00", "tu 17:00-20:00", "we 09:00-12:00", "th 09:00-12:00", "fr 09:00-12:00", "sa 09:00-12:00",
        "su 09:00-12:00",
    ]  # fmt: skip


def test_an_old_and_new_table_flattened_gives_the_new_column() -> None:
    # real-nl-035
    text = (
        "Huidige openingstijden Nieuwe openingstijden per 1-1-2024 Maandag 13.30 – 17.30 uur Maandag 13.30 – 17.30 "
        "uur Dinsdag 13.30- 17.30 uur Dinsdag 13.30- 17.30 uur Woensdag 10.00 – 17.30 uur Woensdag 10.00 – 17.30 uur "
        "Donderdag 13.30 – 17.30 uur Donderdag 13.30 – 20.00 uur Vrijdag 13.30 – 20.00 uur Vrijdag 13.30 – 17.30 uur "
        "Zaterdag 10.00 – 13.00 uur Zaterdag 10.00 – 13.00 uur Zondag gesloten Zondag gesloten"
    )
    got = read_hours_text(text, "nl")
    assert compact(got["slots"]) == [
        "mo 13:30-17:30", "tu 13:30-17:30", "we 10:00-17:30", "th 13:30-20:00", "fr 13:30-17:30", "sa 10:00-13:00",
    ]  # fmt: skip
    assert got["valid_from"] == "2024-01-01"


def test_a_new_closing_time() -> None:
    # real-nl-003
    text = (
        "Sinds 1 september 2017 was de dienst Burgerzaken op donderdag open tussen 16 en 19 uur, maar het "
        "sluitingsuur wordt nu aangepast naar 18 uur."
    )
    assert _slots(text, "nl") == ["th 16:00-18:00"]


@pytest.mark.parametrize(
    ("language", "text", "slots", "appointment_only"),
    [
        # real-cl-014: open only to people who made an appointment
        ("de", "Die Verwaltungsgebäude (das Rathaus, das Behördenzentrum, das Informations- und Beratungszentrum) "
               "sind ab Mittwoch, 16.12.2020 nur noch für Bürger*innen geöffnet, die einen Termin mit einem/einer "
               "Mitarbeiter/in vereinbart haben.", [], True),
        # real-de-029: an office in -dienst that holds no free consultation hours any more
        ("de", "Das gilt ab sofort auch für Termine beim Bevölkerungsdienst, der keine freien Sprechstunden mehr "
               "abhält.", [], True),
        # real-fr-052 (its last two sentences): "ils sont possibles", the appointments again
        ("fr", "Les rendez-vous sont possibles du lundi au jeudi de 8h30 à 12h30. Le vendredi, ils sont possibles "
               "entre 8h30 et 12h30.",
         ["mo 08:30-12:30 appointment", "tu 08:30-12:30 appointment", "we 08:30-12:30 appointment",
          "th 08:30-12:30 appointment", "fr 08:30-12:30 appointment"], True),
        # composed: without appointments named before, "elles sont possibles" is about something else
        ("fr", "Les visites sont libres du lundi au jeudi de 8h30 à 12h30. Le vendredi, elles sont possibles "
               "entre 8h30 et 12h30.",
         ["mo 08:30-12:30", "tu 08:30-12:30", "we 08:30-12:30", "th 08:30-12:30", "fr 08:30-12:30"], False),
    ],
)  # fmt: skip
def test_appointment_formats(language: str, text: str, slots: list[str], appointment_only: bool) -> None:
    got = read_hours_text(text, language)
    assert (compact(got["slots"]), got["appointment_only"]) == (slots, appointment_only)


def test_phone_hours_after_a_number_or_a_run_of_ranges() -> None:
    # real-fr-157: "Name : number - days - hours"
    got = read_hours_text("Action Solidaire : 0499.867.356 - 7j/7 - 9h à 18h\n\njusqu'au 15 juillet", "fr")
    assert got["slots"] == [] and len(got["phone_slots"]) == 7
    # real-frx-022: "par téléphone" after two ranges; the counter days have no hours: unknown, not absent
    text = (
        "Pour cela, rendez-vous le lundi matin et le jeudi matin, là encore sur rendez-vous uniquement. Celui-ci est "
        "à prendre du lundi au vendredi de 9h à 12h et de 13h à 17h par téléphone au 069.332.266 ou par mail via "
        "domaine.public@tournai.be"
    )
    got = read_hours_text(text, "fr")
    assert got["slots"] == [] and len(got["phone_slots"]) == 10 and got["confidence"] < THRESHOLD
    # composed: an address line with its number, then the counter's hours, stays the counter's
    got = read_hours_text("Accueil : 02 123 45 67 - du lundi au vendredi de 9h à 12h", "fr")
    assert len(got["slots"]) == 5
