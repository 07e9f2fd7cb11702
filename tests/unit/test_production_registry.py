"""The production registry: real bodies, real NIS codes, every level, region, kind and language covered."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from scrapers.registry import MUNICIPALITIES_SEED, load_registry

REPO = Path(__file__).resolve().parents[2]
PRODUCTION = REPO / "scrapers" / "registries" / "production.yaml"
# Shared reference data lives next to the repository in the workspace, not in CI: optional.
# The committed dbt seed (built from the Statbel list by warehouse/reference/geo.py), so that the
# check runs in any clone.
MUNICIPALITIES = MUNICIPALITIES_SEED
LOCAL = ("commune", "cpas")
CSV_REGION = {"brussels": {"brussels"}, "flanders": {"flanders"}, "wallonia": {"wallonia", "german_community"}}


@pytest.fixture(scope="module")
def registry():
    return load_registry(PRODUCTION)


@pytest.fixture(scope="module")
def admins(registry):
    return {a.id: a for a in registry.administrations}


def nis_matches_region(nis: int, region: str) -> bool:
    """Statbel NIS codes start with the province code, which fixes the region."""
    code = f"{nis:05d}"
    if region == "brussels":
        return code.startswith("21")
    if region == "flanders":
        return code[0] in "1347" or code[:2] in ("23", "24")
    if region == "german_community":  # the nine German-speaking communes are in the province of Liège
        return code.startswith("63")
    if region == "wallonia":
        return code[:2] == "25" or code[0] in "5689"
    return False


def test_registry_is_production(registry):
    assert registry.name == "production"
    assert registry.illustrative is False
    notice = (registry.notice or "").lower()
    assert "first live run" in notice and "warc" in notice


def test_at_least_twenty_local_sources_across_three_regions(registry, admins):
    local = [s for s in registry.sources if admins[s.administration].level in LOCAL]
    assert len(local) >= 20
    by_region = Counter(admins[s.administration].region for s in local)
    for region in ("wallonia", "brussels", "flanders"):
        assert by_region[region] >= 5, f"only {by_region[region]} commune/CPAS sources in {region}"
    assert {admins[s.administration].level for s in local} == set(LOCAL)


def test_local_administrations_have_region_consistent_nis_codes(admins):
    local = [a for a in admins.values() if a.level in LOCAL]
    assert local
    for a in local:
        assert isinstance(a.nis_code, int) and 10000 <= a.nis_code <= 99999, f"{a.id}: nis_code {a.nis_code!r}"
        assert nis_matches_region(a.nis_code, a.region), f"{a.id}: NIS {a.nis_code} is not in {a.region}"


def test_other_administrations_have_no_nis_code(admins):
    for a in admins.values():
        if a.level not in LOCAL:
            assert a.nis_code is None, f"{a.id} ({a.level}) should not carry a commune NIS code"


def test_nis_codes_exist_in_statbel_2020_list(admins):
    with MUNICIPALITIES.open(encoding="utf-8", newline="") as f:
        # communes in force on 1 January 2020 (the seed also keeps merged ones, with valid_to)
        region_by_nis = {
            int(row["nis_code"]): row["region"]
            for row in csv.DictReader(f)
            if not row["valid_to"] or row["valid_to"] > "2020-01-01"
        }
    for a in admins.values():
        if a.level in LOCAL:
            assert a.nis_code in region_by_nis, f"{a.id}: NIS {a.nis_code} is not a 2020 Belgian commune"
            assert a.region in CSV_REGION[region_by_nis[a.nis_code]], f"{a.id}: region {a.region}"


def test_urls_are_https_and_unique(registry):
    urls = [u for s in registry.sources for u in s.urls]
    assert all(re.match(r"^https://[^/\s]+", u) for u in urls), [u for u in urls if not u.startswith("https://")]
    duplicates = [u for u, n in Counter(urls).items() if n > 1]
    assert not duplicates, f"URLs registered twice: {duplicates}"


def test_every_administration_has_a_source(registry, admins):
    used = {s.administration for s in registry.sources}
    assert set(admins) - used == set()


def test_all_levels_kinds_and_languages_present(registry, admins):
    levels = {admins[s.administration].level for s in registry.sources}
    assert {"federal", "regional", "union", "mutuality", "commune", "cpas"} <= levels
    assert {s.kind for s in registry.sources} == {"opening_hours", "procedures"}
    assert {"fr", "nl", "de"} <= {s.language for s in registry.sources}


def test_polite_cadence_and_rate_limits(registry):
    for s in registry.sources:
        assert s.parser == "auto"
        assert s.cadence in ("weekly", "monthly"), s.id
        assert s.rate_limit_per_s in (0.5, 1.0), s.id


def test_counters_are_declared_after_the_first_live_run(registry):
    assert registry.counters() == []
