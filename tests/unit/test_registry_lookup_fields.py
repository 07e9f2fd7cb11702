"""The registry's lookup fields (postcode, coordinates, phone, booking link, languages, procedures)
and help points: valid ones load, malformed ones are refused naming file, line, entry and field."""

from pathlib import Path

import pytest

from scrapers.registry import RegistryError, load_registry, postcode_communes
from tests.unit.test_registry import GOOD, line_of, write

COUNTER = "      - {id: ctr-x-pop, name: Service Population, match: [population]}"
FULL = (
    "      - {id: ctr-x-pop, name: Service Population, match: [population], nis_code: 62063, postcode: '4000',\n"
    "         latitude: 50.64, longitude: 5.57, phone: '+32 4 000 00 00', booking_url: 'https://www.x.be/rdv',\n"
    "         languages: [fr, en], procedures: [identity-card, passport]}"
)
HELP = """help_points:
  - {procedure: identity-card, kind: digital_space, counters: [ctr-x-pop], note: Aide en ligne.}
"""
GOOD_FULL = GOOD.replace(COUNTER, FULL) + HELP


def test_lookup_fields_and_help_points_load(tmp_path):
    reg = load_registry(write(tmp_path, GOOD_FULL))
    (c,) = reg.counters()
    assert (c.postcode, c.latitude, c.longitude) == ("4000", 50.64, 5.57)
    assert (c.phone, c.booking_url) == ("+32 4 000 00 00", "https://www.x.be/rdv")
    assert c.languages == ("fr", "en") and c.procedures == ("identity-card", "passport")
    (h,) = reg.help_points
    assert (h.procedure, h.kind, h.counters) == ("identity-card", "digital_space", ("ctr-x-pop",))
    assert h.note == "Aide en ligne."


BAD = [
    ("postcode: '4000'", "postcode: '400'", "field 'postcode' is '400'; expected a 4-digit Belgian postal code",
     "ctr-x-pop"),
    ("postcode: '4000'", "postcode: '9000'",
     "field 'postcode' is '9000', which is not a postal code of commune 62063 (it is one of 44021)", "ctr-x-pop"),
    ("latitude: 50.64", "latitude: 48.1", "field 'latitude' is 48.1; expected a latitude in Belgium", "latitude: 48.1"),
    ("latitude: 50.64, ", "", "give fields 'latitude' and 'longitude' together, or neither", "ctr-x-pop"),
    ("phone: '+32 4 000 00 00'", "phone: call us", "field 'phone' is 'call us'; expected a phone number", "call us"),
    ("booking_url: 'https://www.x.be/rdv'", "booking_url: www.x.be", "field 'booking_url' is 'www.x.be'",
     "booking_url: www.x.be"),
    ("languages: [fr, en]", "languages: [fr, xx]", "field 'languages[1]' is 'xx'; expected one of fr, nl, de, en",
     "[fr, xx]"),
    ("procedures: [identity-card, passport]", "procedures: [identity-card, pasport]",
     "field 'procedures[1]' is 'pasport', which is not a key of the procedure taxonomy (did you mean 'passport'?)",
     "pasport"),
    ("kind: digital_space", "kind: library", "help_points[0]: field 'kind' is 'library'; expected one of cpas",
     "kind: library"),
    ("counters: [ctr-x-pop]", "counters: [ctr-x-nowhere]",
     "help_points[0] (identity-card): field 'counters[0]' is 'ctr-x-nowhere', which is not a declared counter",
     "ctr-x-nowhere"),
    ("procedure: identity-card", "procedure: id-card", "help_points[0] (id-card): field 'procedure' is 'id-card', "
     "which is not a key of the procedure taxonomy", "id-card"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "message", "line_text"), BAD, ids=lambda v: str(v)[:30])
def test_malformed_lookup_fields_name_file_line_entry_and_field(tmp_path, old, new, message, line_text):
    assert old in GOOD_FULL
    text = GOOD_FULL.replace(old, new, 1)
    path = write(tmp_path, text)
    with pytest.raises(RegistryError) as err:
        load_registry(path)
    assert str(err.value).startswith(f"{path}:{line_of(text, line_text)}: "), str(err.value)
    assert message in str(err.value)


def test_postcodes_read_renumbered_communes_as_their_successor():
    # La Louvière was 55022 until 2018 and is 58001 since 2019; bpost's file still says 55022.
    assert postcode_communes()["7100"] == frozenset({58001})
    assert postcode_communes()["1030"] == frozenset({21015})


def test_sample_registry_fills_the_lookup_fields_of_1030_4000_9000():
    reg = load_registry(Path(__file__).resolve().parents[2] / "scrapers" / "registries" / "sample.yaml")
    by_postcode = {c.postcode for c in reg.counters() if c.procedures and c.phone}
    assert {"1030", "4000", "9000"} <= by_postcode
    assert all(c.postcode for c in reg.counters())
    assert any(h.procedure == "household-composition-certificate" for h in reg.help_points)
