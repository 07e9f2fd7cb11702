"""The normalized schedule: its JSON Schema, OSM strings, regimes, exceptions and microdata."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import opening_hours
import pytest

from scrapers.hours import parse_page, read_hours_text
from scrapers.hours.model import NoScheduleFound, Slot
from scrapers.hours.osm import looks_like_osm, read_osm, schedule_document, to_osm
from tests.unit.test_hours_corpus import CASES, compact

SCHEMA = json.loads((Path(__file__).parents[2] / "docs" / "schedule.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
PAGES = Path(__file__).parents[1] / "fixtures" / "pages"


def _readings() -> list[tuple[str, dict]]:
    out = []
    for case in CASES:
        try:
            out.append((case["id"], read_hours_text(case["text"], case["lang"])))
        except NoScheduleFound:
            continue
    return out


READINGS = _readings()


def test_schema_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_every_corpus_reading_matches_the_schema() -> None:
    assert len(READINGS) > 250
    for case_id, reading in READINGS:
        errors = [e.message for e in VALIDATOR.iter_errors(reading)]
        assert not errors, f"{case_id}: {errors[:3]}"


@pytest.mark.parametrize("page", sorted(p.name for p in PAGES.glob("*.html")))
def test_every_page_schedule_matches_the_schema(page: str) -> None:
    expected = json.loads((PAGES / page.replace(".html", ".expected.json")).read_text(encoding="utf-8"))
    try:
        found = parse_page((PAGES / page).read_text(encoding="utf-8"), language=expected["language"])
    except NoScheduleFound:
        return
    except Exception as exc:  # a ParseError fixture
        assert "error" in expected, exc
        return
    for schedule in found:
        errors = [e.message for e in VALIDATOR.iter_errors(schedule_document(schedule))]
        assert not errors, f"{page} {schedule.name}: {errors[:3]}"


def test_every_osm_string_validates_and_reads_back_as_the_same_week() -> None:
    with_osm = [(i, r) for i, r in READINGS if r["osm_opening_hours"]]
    assert len(with_osm) > 200
    for case_id, reading in with_osm:
        osm = reading["osm_opening_hours"]
        assert opening_hours.validate(osm), f"{case_id}: {osm}"
        if reading["closed"]:
            continue
        back = read_osm(osm)
        assert compact([s.to_dict() for s in back.slots]) == compact(reading["slots"]), f"{case_id}: {osm}"
        assert [r.kind for r in back.exceptions if r.kind == "monthly"] == [
            r["kind"] for r in reading["exceptions"] if r["kind"] == "monthly" and r["nth"]
        ], case_id


def test_osm_string_of_a_week_with_regimes_and_rules() -> None:
    text = (
        "Du lundi au vendredi de 9h à 12h et de 13h30 à 16h, le mercredi après-midi sur rendez-vous. "
        "Le premier samedi du mois de 9h à 12h. En juillet et août : du lundi au vendredi de 9h à 12h. "
        "Fermé les jours fériés."
    )
    reading = read_hours_text(text, "fr")
    assert reading["osm_opening_hours"] == (
        'Mo,Tu,Th,Fr 09:00-12:00,13:30-16:00; We 09:00-12:00, We 13:30-16:00 "by appointment"; '
        "Jul-Aug Mo-Fr 09:00-12:00; Sa[1] 09:00-12:00; PH off"
    )
    assert [(r["kind"], r["months"], r["closed"]) for r in reading["regimes"]] == [
        ("summer", [7, 8], False),
        ("public_holidays", [], True),
    ]
    assert [(r["kind"], r["nth"], compact(r["slots"])) for r in reading["exceptions"]] == [
        ("monthly", [1], ["sa 09:00-12:00"])
    ]
    assert reading["weekly_walk_in_minutes"] == 5 * 180 + 4 * 150
    assert reading["weekly_appointment_minutes"] == 150


def test_closed_and_appointment_only_schedules_have_osm_strings() -> None:
    assert (
        read_hours_text("Ce bureau est définitivement fermé.", "fr")["osm_opening_hours"] == 'off "permanent closure"'
    )
    assert read_hours_text("Enkel op afspraak.", "nl")["osm_opening_hours"] == '"by appointment"'


@pytest.mark.parametrize(
    ("text", "valid"),
    [("Mo-Fr 09:00-12:00; PH off", True), ("Sa[2,4] 09:00-12:00", True), ("Mo-Fr 9-12 Uhr", False),
     ("lundi 9h-12h", False), ("Mo 25:00-26:00", False)],
)  # fmt: skip
def test_osm_input_is_recognised_only_when_valid(text: str, valid: bool) -> None:
    assert looks_like_osm(text) is valid


def test_osm_input_is_read_with_osm_semantics() -> None:
    reading = read_hours_text('Mo-Fr 09:00-12:00; We off; Sa[1] 09:00-12:00; Tu 14:00-16:00 "by appointment"', "fr")
    assert compact(reading["slots"]) == ["mo 09:00-12:00", "tu 14:00-16:00 appointment", "th 09:00-12:00",
                                         "fr 09:00-12:00"]  # fmt: skip
    assert reading["layout"] == "osm" and reading["exceptions"][0]["nth"] == [1]


def test_to_osm_refuses_what_does_not_validate() -> None:
    from scrapers.hours.model import CounterSchedule

    broken = CounterSchedule(name=None, address=None, slots=[Slot("mo", "09:00", "09:60")])
    assert to_osm(broken) is None


@pytest.mark.parametrize(
    ("language", "text", "field", "value"),
    [
        ("fr", "Depuis le 1er mars 2023, du lundi au jeudi de 9h à 12h.", "valid_from", "2023-03-01"),
        ("nl", "Vanaf 1 maart 2024 gelden nieuwe openingsuren: ma-vr 9u-12u.", "valid_from", "2024-03-01"),
        ("fr", "Jusqu'au 30 juin 2024, le guichet est ouvert du lundi au vendredi de 9h à 12h.", "valid_until",
         "2024-06-30"),
        ("fr", "Ce service est uniquement joignable par téléphone au 02 123 45 67.", "phone_only", True),
        ("fr", "Uniquement sur rendez-vous, à prendre par téléphone.", "phone_only", False),
    ],
)  # fmt: skip
def test_validity_and_phone_only(language: str, text: str, field: str, value: object) -> None:
    assert read_hours_text(text, language)[field] == value


def test_dated_period_and_one_day_notice_are_kept_apart_from_the_week() -> None:
    closure = read_hours_text("Du lundi au vendredi de 9h à 12h. Fermé du 24 décembre 2024 au 2 janvier 2025.", "fr")
    assert len(closure["slots"]) == 5
    assert [(r["kind"], r["date_from"], r["date_to"], r["closed"]) for r in closure["regimes"]] == [
        ("period", "2024-12-24", "2025-01-02", True)
    ]
    assert closure["osm_opening_hours"] == "Mo-Fr 09:00-12:00; 2024 Dec 24-2025 Jan 02 off"
    strike = read_hours_text("Le guichet sera exceptionnellement fermé le vendredi 2 juin 2023.", "fr")
    assert strike["slots"] == [] and strike["closed"] is None
    assert [(r["kind"], r["date_from"], r["closed"]) for r in strike["exceptions"]] == [("date", "2023-06-02", True)]


def test_unparsed_remainder_lists_what_was_not_understood() -> None:
    reading = read_hours_text("Le lundi de 9h à 12h. Le mardi à partir de 14h.", "fr")
    assert reading["unparsed"] == ["Le mardi à partir de 14h"]
    assert read_hours_text("Le lundi de 9h à 12h.", "fr")["unparsed"] == []


MICRODATA = """<html><body><main>
<div itemscope itemtype="https://schema.org/GovernmentOffice">
  <h2 itemprop="name">Bureau de Namur</h2>
  <div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">
    <span itemprop="streetAddress">Rue de Fer 1</span> <span itemprop="postalCode">5000</span>
    <span itemprop="addressLocality">Namur</span></div>
  <meta itemprop="openingHours" content="Mo-Fr 09:00-12:00">
  <div itemprop="openingHoursSpecification" itemscope itemtype="https://schema.org/OpeningHoursSpecification">
    <link itemprop="dayOfWeek" href="https://schema.org/Saturday">
    <meta itemprop="opens" content="09:00"><meta itemprop="closes" content="11:00">
  </div>
</div></main></body></html>"""


def test_microdata_is_read_like_json_ld() -> None:
    (office,) = parse_page(MICRODATA, language="fr")
    assert (office.name, office.address, office.layout) == ("Bureau de Namur", "Rue de Fer 1, 5000 Namur", "microdata")
    assert schedule_document(office)["osm_opening_hours"] == "Mo-Fr 09:00-12:00; Sa 09:00-11:00"


def test_weekly_strings_passed_without_the_validator_all_validate() -> None:
    """to_osm skips the (slow) validator for strings of plain weekly rules (``osm._WEEKLY``): every
    such string must be one the validator accepts. Random strings of that form, odd ones included
    (a day twice, "Su-Mo", "00:00-00:00", "PH off" first), are put to the validator."""
    import random

    from scrapers.hours import osm

    rng = random.Random(20240501)
    days = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")

    def day_spec() -> str:
        picks = [rng.choice(days) + (f"-{rng.choice(days)}" if rng.random() < 0.4 else "") for _ in range(3)]
        return ",".join(picks[: rng.randint(1, 3)])

    def hhmm(closing: bool) -> str:
        if closing and rng.random() < 0.1:
            return "24:00"
        return f"{rng.choice((0, 9, 12, 23, rng.randrange(24))):02d}:{rng.choice((0, 59, rng.randrange(60))):02d}"

    def part() -> str:
        times = ",".join(f"{hhmm(False)}-{hhmm(True)}" for _ in range(rng.randint(1, 3)))
        return f"{day_spec()} {times}" + (f" {osm.APPOINTMENT_COMMENT}" if rng.random() < 0.3 else "")

    def rule() -> str:
        return (
            rng.choice(("PH off", "SH off"))
            if rng.random() < 0.1
            else ", ".join(part() for _ in range(rng.randint(1, 2)))
        )

    strings = [osm.APPOINTMENT_COMMENT] + ["; ".join(rule() for _ in range(rng.randint(1, 4))) for _ in range(2000)]
    assert all(osm._WEEKLY.fullmatch(s) for s in strings)
    assert [s for s in strings if not opening_hours.validate(s)] == []
    # and what the writer produces for weekly hours is of that form
    slots = [Slot("mo", "09:00", "12:00"), Slot("tu", "09:00", "12:00"), Slot("we", "13:30", "16:00", "appointment")]
    assert osm._WEEKLY.fullmatch("; ".join(osm.week_rules(slots)))
    assert not osm._WEEKLY.fullmatch("Mo 09:00-09:60")  # left to the validator (see the test above)
