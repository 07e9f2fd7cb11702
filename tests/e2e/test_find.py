"""``guichets find`` on the sample release: counters near a postcode with this week's hours,
public holidays as closures with their reason, a procedure's channels and help points, the sheet."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.helpers.cli_run import guichets_cli
from tests.helpers.pdf_text import page_texts
from tests.helpers.sample_data import sample_data  # noqa: F401 (fixture)
from warehouse.lookup import geo
from warehouse.lookup.find import find, query_for


@pytest.fixture(scope="module")
def release(sample_data):  # noqa: F811 (fixture)
    return str((sample_data / "releases" / "latest").resolve())


def find_json(release: str, *args: str) -> dict:
    proc = guichets_cli("find", *args, "--json", "--release", release)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_postcode_1030_this_week(release):
    answer = find_json(release, "--postcode", "1030", "--this-week")
    assert answer["illustrative"] is True
    assert answer["place"]["nis_code"] == "21015" and answer["place"]["name"] == "Schaerbeek"
    ids = [c["counter_id"] for c in answer["counters"]]
    # Schaerbeek's own counter first, then those of its neighbour Brussels (21004), by distance.
    assert ids[0] == "ctr-schaerbeek-population"
    assert {"ctr-onem-bruxelles", "ctr-cpas-bruxelles-rue-haute", "ctr-bruxelles-bevolking-centrum"} <= set(ids)
    distances = [c["distance_km"] for c in answer["counters"]]
    assert distances == sorted(distances)
    week = answer["period"]
    first = answer["counters"][0]
    assert [d["date"] for d in first["days"]][0] == week["from"] and len(first["days"]) == 7
    assert first["phone"] == "+32 2 000 00 10" and first["booking_url"] == "https://www.1030.be/fr/rendez-vous"
    # the evidence: a public replay URL, or (the sample's local archive) the WARC file and record
    assert (first["evidence_url"] or first["evidence_warc"]) and first["last_observed_at"]
    open_days = [d for d in first["days"] if d["status"] == "open"]
    assert open_days, first["days"]
    assert all(d["walk_in"] or d["appointment"] for d in open_days)
    assert any("rendez-vous" in d["text"] for d in open_days)
    assert first["days"][0]["text"].startswith("lundi ")


def test_a_public_holiday_closes_the_counter_with_its_reason(release):
    answer = find_json(release, "--postcode", "1030", "--date", "2026-07-21")
    first = answer["counters"][0]
    (day,) = first["days"]
    assert day["status"] == "closed" and day["closure_kind"] == "public_holiday"
    assert day["closure_reason"] == "Fête nationale"
    assert day["text"] == "mardi : fermé (Fête nationale)"
    assert first["closures"] == [{"date": "2026-07-21", "kind": "public_holiday", "reason": "Fête nationale"}]
    nl = find_json(release, "--postcode", "1030", "--date", "2026-07-21", "--lang", "nl")
    assert nl["counters"][0]["days"][0]["text"] == "dinsdag: gesloten (Nationale feestdag)"


def test_this_week_with_a_public_holiday_shows_it_closed_that_day_with_its_reason(release):
    # "--this-week" on Monday 20 July 2026: the week holds the national holiday (Tuesday 21).
    q = query_for(geo.by_postcode("1030"), postcode="1030")
    answer = find(Path(release), q, date(2026, 7, 20))
    assert answer["period"] == {"from": "2026-07-20", "to": "2026-07-26"} and answer["note"] is None
    first = answer["counters"][0]
    assert len(first["days"]) == 7
    tuesday = first["days"][1]
    assert tuesday["date"] == "2026-07-21" and tuesday["status"] == "closed"
    assert tuesday["closure_reason"] == "Fête nationale"
    assert {"date": "2026-07-21", "kind": "public_holiday", "reason": "Fête nationale"} in first["closures"]
    assert any(d["status"] == "open" for d in first["days"]), "the rest of the week keeps its hours"


def test_an_online_only_procedure_lists_its_help_points(release):
    answer = find_json(release, "--postcode", "1030", "--procedure", "household-composition-certificate")
    proc = answer["procedure"]
    assert proc["online_only_somewhere"] is True
    (brussels,) = [c for c in proc["catalogues"] if c["source_id"] == "bruxelles-demarches-population"]
    assert brussels["is_online_only"] and "counter_walk_in" not in brussels["channels_available"]
    helpers = proc["help_points"]
    assert helpers[0]["counter_id"] == "ctr-cpas-bruxelles-rue-haute" and helpers[0]["kind"] == "cpas"
    assert helpers[0]["days"], "a help point comes with its own hours"
    assert [h["distance_km"] for h in helpers] == sorted(h["distance_km"] for h in helpers)


def test_walk_in_and_unknown_places(release):
    answer = find_json(release, "--commune", "Luik", "--walk-in")
    assert answer["place"]["nis_code"] == "62063"
    assert all(any(d["walk_in"] for d in c["days"]) for c in answer["counters"])
    proc = guichets_cli("find", "--postcode", "0000", "--release", release)
    assert proc.returncode == 2 and "postcode '0000' is not a Belgian postal code" in proc.stderr


def test_the_sheet_is_one_page_in_french_and_dutch(release, tmp_path):
    for lang, title in (("fr", "Où aller ?"), ("nl", "Waar kan ik terecht?")):
        proc = guichets_cli(
            "find", "--postcode", "9000", "--lang", lang, "--sheet", str(tmp_path), "--release", release
        )
        assert proc.returncode == 0, proc.stderr
        html = (tmp_path / f"sheet-{lang}.html").read_text(encoding="utf-8")
        assert title in html and ("ILLUSTRATIVE" in html or "ILLUSTRATIEVE" in html)
        pages = page_texts(tmp_path / f"sheet-{lang}.pdf")
        assert len(pages) == 1, f"{lang}: {len(pages)} pages"


def test_communes_by_german_name_and_ambiguous_or_merged_places_refused(release):
    answer = find_json(release, "--commune", "Lüttich", "--lang", "de")
    assert answer["place"]["nis_code"] == "62063" and answer["place"]["name"] == "Lüttich"
    assert find_json(release, "--commune", "Sankt Vith")["place"]["nis_code"] == "63067"
    proc = guichets_cli("find", "--commune", "Saint-Nicolas", "--release", release)
    assert proc.returncode == 2 and "46021" in proc.stderr and "62093" in proc.stderr
    # bpost lists 9770 under Kruishoutem, merged in 2019: refused, neither guessed nor a crash
    proc = guichets_cli("find", "--postcode", "9770", "--release", release)
    assert proc.returncode == 2 and "Kruishoutem (45017)" in proc.stderr


def test_a_place_of_several_communes_gives_the_counters_of_all_by_distance(release):
    # Composed place: no postcode of the shipped bpost file covers two communes, so the place a
    # postcode over Schaerbeek and Ghent would be is built here from the two real communes.
    places = [geo.by_name_or_nis("Schaerbeek"), geo.by_name_or_nis("Gent")]
    answer = find(Path(release), query_for(places, postcode="0000"), date(2026, 7, 21))
    place = answer["place"]
    assert [c["nis_code"] for c in place["communes"]] == ["21015", "44021"]
    assert place["name"] == "Schaerbeek / Gand" and place["lat"] is None
    assert "21004" in place["neighbours"] and "21015" not in place["neighbours"]
    communes = {c["nis_code"] for c in answer["counters"]}
    assert {21015, 44021, 21004} <= communes
    distances = [c["distance_km"] for c in answer["counters"]]
    assert distances == sorted(distances)
    # each counter is measured from the nearest of the two communes: Ghent's are near, not 50 km off
    gent = [c for c in answer["counters"] if c["nis_code"] == 44021]
    assert gent and max(c["distance_km"] for c in gent) < 10
