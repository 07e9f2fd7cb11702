"""One place per closed list: scrapers/vocabulary.py, and what dbt and the gate say agrees with it.

Fast (no dbt run): the seeds are compared with the module's rows, the dbt YAML's accepted_values
with the module's lists, and the repository is searched for a second copy of the state list.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from expectations.dbt_tests import dbt_tests, seed_values
from expectations.suites import PUBLISHED_SUITES, suite_for
from scrapers import vocabulary as v

REPO = Path(__file__).resolve().parents[2]
DBT = REPO / "dbt"

# Columns of dbt models and seeds whose accepted_values are a list of the vocabulary module.
VOCABULARY_COLUMNS: dict[str, tuple[str, ...]] = {
    "stg_collector__captures.capture_origin": v.ORIGINS,
    "stg_collector__captures.parse_status": v.PARSE_STATUSES,
    "captures.capture_origin": v.ORIGINS,
    "captures.capture_outcome": v.CAPTURE_OUTCOMES,
    "stg_collector__schedules.channel": v.SCHEDULE_CHANNELS,
    "stg_collector__schedules.closure_status": v.CLOSURE_KINDS,
    "stg_collector__schedule_slots.day_code": v.DAYS,
    "stg_collector__schedule_slots.access": v.ACCESS_MODES,
    "stg_registry__administrations.administration_level": v.ADMINISTRATION_LEVELS,
    "stg_registry__administrations.region": v.REGIONS,
    "stg_registry__sources.source_kind": v.SOURCE_KINDS,
    "stg_collector__procedure_channels.channel": v.PROCEDURE_CHANNELS,
    "stg_collector__procedure_channels.channel_status": v.CHANNEL_STATUSES,
    "int_captures_classified.capture_outcome": v.CAPTURE_OUTCOMES,
    "dim_administration.region": v.REGIONS,
    "dim_municipality.region": v.MUNICIPALITY_REGIONS,
    "belgian_municipalities.region": v.MUNICIPALITY_REGIONS,
    **{
        f"{model}.{channel}_status": v.CHANNEL_STATUSES
        for model in (
            "int_procedure_observations_classified",
            "int_procedure_states_collapsed",
            "fct_procedure_channel_history",
        )
        for channel in v.PROCEDURE_CHANNELS
    },  # fmt: skip
}


def _accepted_values() -> dict[str, tuple[str, ...]]:
    """``model.column`` -> values of every accepted_values test in the dbt project's YAML."""
    out = {}
    for path in sorted(DBT.glob("models/**/*.yml")) + [DBT / "seeds" / "_seeds.yml"]:
        doc = yaml.safe_load(path.read_text("utf-8")) or {}
        for node in (doc.get("models") or []) + (doc.get("seeds") or []):
            for column in node.get("columns") or []:
                for test in column.get("data_tests") or []:
                    if isinstance(test, dict) and "accepted_values" in test:
                        spec = test["accepted_values"]
                        out[f"{node['name']}.{column['name']}"] = tuple(spec.get("arguments", spec)["values"])
    return out


@pytest.mark.parametrize("seed", sorted(v.SEEDS))
def test_seeds_are_written_from_the_vocabulary_module(seed):
    path = DBT / "seeds" / f"{seed}.csv"
    assert path.read_text("utf-8") == v.seed_csv(seed), f"{path} is stale: run `python -m scrapers.vocabulary`"


def test_seed_flags_give_the_module_classes():
    assert seed_values("counter_states", "state") == v.STATE_NAMES
    assert seed_values("counter_observed_states", "observed_state") == v.OBSERVED_STATE_NAMES
    assert seed_values("event_types", "event_type") == v.EVENT_TYPE_NAMES
    assert v.ACTIVE_STATES == ("open", "appointment_only")
    assert v.CLOSURE_EVENTS == ("closed", "temporarily_closed")
    # The observed states that become history states under their own name, plus the two outcomes of
    # absences and announced closures: every history state is reachable.
    direct = set(v.OBSERVED_STATE_NAMES) & set(v.STATE_NAMES)
    assert direct | {"closed", "not_listed"} == set(v.STATE_NAMES)


def test_dbt_accepted_values_are_the_vocabulary_lists():
    declared = _accepted_values()
    for column, values in VOCABULARY_COLUMNS.items():
        assert column in declared, f"{column}: no accepted_values test (expected {values})"
        assert declared[column] == values, f"{column}: dbt says {declared[column]}, scrapers.vocabulary {values}"


def test_state_and_event_columns_are_tested_against_the_seeds():
    """No accepted_values test lists states or event types: they are relationships to the seeds."""
    vocabularies = {frozenset(v.STATE_NAMES), frozenset(v.OBSERVED_STATE_NAMES), frozenset(v.EVENT_TYPE_NAMES)}
    for column, values in _accepted_values().items():
        assert not {frozenset(values), frozenset(values) - {v.UNOBSERVED}} & vocabularies, column


def test_published_suites_take_state_and_event_sets_from_the_seeds():
    assert suite_for("marts.fct_counter_history").value_sets["state"] == v.STATE_NAMES
    assert suite_for("marts.fct_counter_states_monthly").value_sets["state"] == v.STATE_NAMES
    assert suite_for("marts.fct_counter_events").value_sets["event_type"] == v.EVENT_TYPE_NAMES
    dim_counter = suite_for("marts.dim_counter")
    assert dim_counter.value_sets["current_state"] == v.STATE_NAMES
    assert dim_counter.conditions["current_state"] == f"current_state != '{v.UNOBSERVED}'"


def test_published_suites_take_keys_and_references_from_dbt():
    for suite in PUBLISHED_SUITES:
        schema, name = suite.table.split(".", 1)
        if schema != "marts":
            continue
        tests = dbt_tests(name)
        assert suite.key == tests.key and suite.key, suite.table
        assert suite.references == tests.references, suite.table
        assert set(tests.not_null) <= set(suite.not_null), suite.table


def test_the_state_list_is_written_once():
    """No list of counter states in the code, SQL or YAML (quoted or not): only the vocabulary
    module (one ``CounterState`` per state) and its seed (one state per line) name them all.
    Prose that explains each state (`open` ... in a description) is documentation, not a list."""
    try:
        files = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    sep = r"""['"]?\s*,\s*['"]?"""
    listed = re.compile(sep.join(v.STATE_NAMES[:4]))  # the first four states, in order
    found = []
    for rel in files.split():
        path = REPO / rel
        if path.suffix in (".py", ".sql", ".yml", ".yaml", ".csv", ".md", ".j2") and path.is_file():
            if listed.search(path.read_text("utf-8", errors="replace")):
                found.append(rel)
    assert found == [], found
