"""Page-level reading of real pages (tests/fixtures/real/pages/): office sections, sidebars that
hold hours, closures announced in the future tense. Each test names the real page whose format it
checks; the last ones check the same rule on a few lines written after it (composed)."""

from __future__ import annotations

import json
from pathlib import Path

from scrapers.hours import parse_page, read_hours_text
from scrapers.hours.model import CHANNEL_PHONE, CounterSchedule

PAGES = Path(__file__).parents[1] / "fixtures" / "real" / "pages"


def _read(name: str) -> list[CounterSchedule]:
    expected = json.loads((PAGES / f"{name}.expected.json").read_text(encoding="utf-8"))
    return parse_page((PAGES / f"{name}.html").read_text(encoding="utf-8"), language=expected["language"])


def _slots(schedule: CounterSchedule) -> list[str]:
    return [f"{s.day} {s.opens}-{s.closes}" for s in schedule.slots]


def test_sections_between_horizontal_rules_are_offices() -> None:
    """lacdesecorces_bibliotheques_fr: two library sectors, each between <hr>s with its address and
    "Horaire :"; the every-other-week Tuesday "(1 semaine/2)" is no weekly slot."""
    found = _read("lacdesecorces_bibliotheques_fr")
    assert [s.name for s in found] == [
        "La bibliothèque, secteur Lac-des-Écorces",
        "La bibliothèque, secteur Val-Barrette",
    ]
    assert _slots(found[0]) == ["tu 17:30-20:00", "we 09:00-11:00", "th 17:30-20:00", "fr 12:30-15:00"]
    assert _slots(found[1]) == ["mo 17:30-20:00", "th 17:30-20:00"]


def test_places_named_in_bold_under_a_service_are_its_sites() -> None:
    """malartic_bibliotheque_caci_fr: "<strong>Centre d'accès communautaire Internet (CACI)</strong>"
    then "<strong>Malartic</strong>" and "<strong>Rivière-Héva</strong>", each above its day lines;
    the page's main column sits in a wrapper whose class says "right-sidebar" (not a sidebar)."""
    found = _read("malartic_bibliotheque_caci_fr")
    assert [s.name for s in found][1:] == [
        "Centre d’accès communautaire Internet (CACI) — Malartic",
        "Centre d’accès communautaire Internet (CACI) — Rivière-Héva",
    ]
    assert found[0].channel != CHANNEL_PHONE  # "Tél : (819) 757-3611" is a number, not phone hours
    assert _slots(found[2]) == ["mo 18:00-21:00", "we 18:00-21:00"]


def test_a_side_column_named_menu_that_gives_hours_is_read() -> None:
    """meaford_library_hours_en: "Hours / Tuesday 10-8 Wednesday 10-5 ..." in a "right_menu"
    column, the only hours on the page."""
    (library,) = _read("meaford_library_hours_en")
    assert _slots(library) == ["tu 10:00-20:00", "we 10:00-17:00", "th 10:00-20:00", "fr 10:00-17:00", "sa 10:00-15:00"]


def test_closed_from_a_date_until_it_reopens_is_a_temporary_closure() -> None:
    """hamilton_library_dundas_closure_en: "the Dundas Branch will be closed beginning 5:00pm on
    Saturday, September 3 until it reopens at its temporary location"."""
    (branch,) = _read("hamilton_library_dundas_closure_en")
    assert branch.closed == "temporary" and not branch.slots


def test_a_closure_under_the_page_title_goes_with_the_hours_below() -> None:
    """saintbruno_bibliotheque_fermeture_fr: "FERMETURE EXCEPTIONNELLE — La bibliothèque sera fermée
    du 4 au 30 septembre pour d'importants travaux" under <h1>Bibliothèque</h1>, the hours under a
    later section title."""
    (library,) = _read("saintbruno_bibliotheque_fermeture_fr")
    assert library.closed == "temporary"
    assert "mo 10:00-21:00" in _slots(library)


def test_a_calendar_shown_twice_for_the_same_dates_is_two_calendars() -> None:
    """gent_openingsuren_week_zonder_label_nl: one week "open", then the same week "op afspraak";
    each dated day's "van 9 u. tot 12 u. / en / van 13 u. tot 17 u." is one day's row."""
    walk_in, appointment = _read("gent_openingsuren_week_zonder_label_nl")
    assert _slots(walk_in)[:2] == ["tu 09:00-12:00", "tu 13:00-17:00"] and not walk_in.appointment_only
    assert len(appointment.slots) == 8 and appointment.appointment_only


def test_bare_evening_numbers_and_quebec_periods() -> None:
    """mississauga_sheridan_library_en ("Tues & Thurs 3-9") and saintpie_bibliotheque_fr ("de la
    Fête du travail à la Saint-Jean-Baptiste" = the normal week; the other way round = summer)."""
    library = _read("mississauga_sheridan_library_en")[0]
    assert "tu 15:00-21:00" in _slots(library)
    (saint_pie,) = _read("saintpie_bibliotheque_fr")
    assert "th 18:30-20:30" not in _slots(saint_pie)
    assert any(r.kind == "summer" and r.slots for r in saint_pie.regimes)


def test_composed_open_ended_closure_needs_a_start_and_no_condition() -> None:
    """Composed after the Hamilton notice: a start and "until further notice" close the office; a
    weekday without a start, or the conditional, does not."""
    closed = read_hours_text("La bibliothèque sera fermée à partir du 3 septembre jusqu'à sa réouverture.", "fr")
    assert closed["closed"] == "temporary"
    mondays = read_hours_text("La bibliothèque est ouverte de 9h à 17h, fermée le lundi jusqu'à nouvel ordre.", "fr")
    assert mondays["closed"] is None
    maybe = read_hours_text("The branch could be closed beginning Monday until it reopens.", "en")
    assert maybe["closed"] is None


def test_two_numbers_with_their_own_hours_are_two_phone_lines() -> None:
    """amsterdam_meldingen_email_telefoon_nl: "bellen met telefoonnummer 14 020, maandag tot en met
    vrijdag van 08.00 tot 18.00 uur. Voor Weesp kunt u bellen met 0294 491 391, maandag tot en met
    vrijdag van 08.30 tot 17.00 uur."; one number over two sentences stays one line (composed)."""
    first, weesp = _read("amsterdam_meldingen_email_telefoon_nl")
    assert (first.channel, weesp.channel) == (CHANNEL_PHONE, CHANNEL_PHONE)
    assert _slots(first)[0] == "mo 08:00-18:00" and _slots(weesp)[0] == "mo 08:30-17:00"
    assert weesp.name == "0294 491 391"
    one = parse_page(
        "<p>Telefonisch bereikbaar op 09 123 45 67 van maandag tot vrijdag van 9 tot 12 uur. "
        "Op zaterdag van 10 tot 12 uur.</p>",
        language="nl",
    )
    assert [s.channel for s in one].count(CHANNEL_PHONE) == 1
