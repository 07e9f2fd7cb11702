"""Counter identity: schedules on a page get a registry counter ID only by the documented rules."""

from __future__ import annotations

from scrapers.hours.model import CHANNEL_PHONE, CounterSchedule
from scrapers.registry import Counter, Source
from scrapers.registry.identity import address_key, match_counters, same_address

SOURCE = Source(
    id="onem-bureaux",
    administration="onem",
    kind="opening_hours",
    urls=("https://www.onem.be/fr/bureaux", "https://www.onem.be/fr/contact/bureaux"),
    language="fr",
    counters=(
        Counter("ctr-onem-bruxelles", "onem-bureaux", "Bureau de Bruxelles", ("bureau de bruxelles",),
                "Boulevard de l'Empereur 7, 1000 Bruxelles"),
        Counter("ctr-onem-liege", "onem-bureaux", "Bureau de Liège", ("bureau de liège",),
                "Rue Natalis 2, 4020 Liège"),
    ),
)  # fmt: skip


def office(name: str, address: str | None = None, channel: str = "counter") -> CounterSchedule:
    return CounterSchedule(name=name, address=address, channel=channel)


def test_match_strings_survive_reordering() -> None:
    found = [office("Bureau de Liège"), office("Bureau de Bruxelles")]
    assert match_counters(SOURCE, found) == [
        ("ctr-onem-liege", "match:bureau de liège"),
        ("ctr-onem-bruxelles", "match:bureau de bruxelles"),
    ]


def test_a_renamed_office_keeps_its_id_by_its_address() -> None:
    found = [office("Antenne Bruxelles-Centre", "Bd de l'Empereur 7 - 1000 BRUXELLES"), office("Bureau de Liège")]
    assert match_counters(SOURCE, found)[0] == ("ctr-onem-bruxelles", "address:1000 7")


def test_another_number_in_the_same_street_is_not_the_same_counter() -> None:
    found = [office("Antenne", "Boulevard de l'Empereur 9, 1000 Bruxelles")]
    assert match_counters(SOURCE, found) == [(None, "unmatched")]


def test_two_schedules_for_one_counter_are_ambiguous_and_phone_lines_are_never_counters() -> None:
    found = [office("Bureau de Liège"), office("Bureau de Liège (2)"), office("Infoline", channel=CHANNEL_PHONE)]
    assert match_counters(SOURCE, found) == [
        ("ctr-onem-liege", "match:bureau de liège"),
        (None, "ambiguous"),
        (None, "phone_line"),
    ]


def test_address_keys() -> None:
    a = address_key("Gaston Crommenlaan 6 bus 2, 9050 Gent")
    assert a is not None and (a.postcode, a.number) == ("9050", "6")
    assert "crommenlaan" in a.street
    assert address_key("Tél. : 02 123 45 67") is None
    assert address_key(None) is None
    assert same_address(address_key("Rue Natalis 2, 4020 Liège"), address_key("R. Natalis 2 4020 LIEGE (Bressoux)"))
