"""Places for ``guichets find``: communes by their FR, NL and DE names (Statbel REFNIS, in the
municipalities seed), accents and umlauts optional, ambiguous names refused, and every commune
of a postal code (real reference files under warehouse/reference/data and dbt/seeds)."""

from __future__ import annotations

import csv

import pytest

from scrapers.registry import MUNICIPALITIES_SEED, postcode_communes
from warehouse.lookup import geo


@pytest.mark.parametrize(
    ("name", "nis"),
    [
        ("Lüttich", 62063), ("Luettich", 62063), ("luttich", 62063), ("Luik", 62063), ("Liege", 62063),
        ("Brüssel", 21004), ("Löwen", 24062), ("Brügge", 31005), ("Bastnach", 82003),
        ("Sankt Vith", 63067), ("sankt-vith", 63067), ("Saint-Vith", 63067),
        ("Bütgenbach", 63013), ("Butgenbach", 63013), ("Buetgenbach", 63013),
        ("Eupen", 63023), ("Kelmis", 63040), ("La Calamine", 63040), ("Büllingen", 63012), ("Bullange", 63012),
    ],
)  # fmt: skip
def test_a_commune_is_found_by_its_french_dutch_or_german_name(name, nis):
    assert geo.by_name_or_nis(name).nis_code == nis


def test_every_german_speaking_commune_answers_to_its_german_name():
    with MUNICIPALITIES_SEED.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["is_german_speaking"] == "true" and not r["valid_to"]]
    assert len(rows) == 9
    for r in rows:
        assert geo.by_name_or_nis(r["name_de"]).nis_code == int(r["nis_code"])


def test_german_names_keep_their_apostrophes():
    # REFNIS is Windows-1252: its apostrophe is byte 0x92, a control character in latin-1.
    assert geo.communes()[25014].name_de == "Braine-l\u2019Alleud"
    assert all("\x92" not in c.name_de for c in geo.communes().values())


def test_a_name_two_communes_bear_is_refused_with_both_codes():
    with pytest.raises(geo.PlaceError) as err:
        geo.by_name_or_nis("Saint-Nicolas")
    assert "46021" in str(err.value) and "62093" in str(err.value)
    assert geo.by_name_or_nis("Sint-Niklaas").nis_code == 46021


def test_a_postcode_gives_every_commune_it_covers():
    current = geo.communes()
    answered = 0
    for postcode, nis_codes in postcode_communes().items():
        if nis_codes <= current.keys():
            assert [c.nis_code for c in geo.by_postcode(postcode)] == sorted(nis_codes)
            answered += 1
    assert answered > 1100
    assert [c.name_fr for c in geo.by_postcode("1030")] == ["Schaerbeek"]
    with pytest.raises(geo.PlaceError, match="not a Belgian postal code"):
        geo.by_postcode("0000")


def test_a_postcode_of_a_commune_merged_in_2019_is_refused_not_guessed():
    # bpost's file lists 9770 under Kruishoutem (45017), merged into Kruisem on 1 January 2019.
    with pytest.raises(geo.PlaceError, match=r"Kruishoutem \(45017\).*--commune"):
        geo.by_postcode("9770")
