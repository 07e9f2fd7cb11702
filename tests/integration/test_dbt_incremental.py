"""Incremental dbt builds give exactly the rows of a full build.

The fixture's captures (tests/helpers/dbt_fixture.py) arrive in load batches, as they would over weeks
of collection: the early ones, then later weeks (which mostly continue the counters' states: the
fast path), a week that confirms a closure whose first absence came in the previous batch, an
archive capture older than everything seen (an out-of-order backfill), and a capture re-parsed
with different hours (a replay after a parser fix). After each incremental build, every mart and
the state model must equal a full build of the same raw data.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.helpers.dbt_fixture import create_raw_fixture
from warehouse.settings import get_settings
from warehouse.transform import build_options, dbt_build, dbt_executable

RAW_TABLES = ("captures", "schedules", "schedule_slots", "procedures", "procedure_channels")
# Columns that record *how* a row was built (load batches), not what it says.
BUILD_COLUMNS = {"last_load_batch", "load_batch", "built_through_batch", "inputs_fingerprint"}
# The counter history and everything built on it, and the evidence (the captures mart and what it
# is built from); data tests are left to the other test files.
SELECT = (
    "--select", "@int_counter_states_collapsed", "+captures",
    "--exclude", "resource_type:test", "resource_type:unit_test",
)  # fmt: skip


def _marts_and_states(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        names = [
            f"{schema}.{table}"
            for schema, table in con.execute(
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_schema = 'marts' OR table_name = 'int_counter_states_collapsed' ORDER BY 1, 2"
            ).fetchall()
        ]
        out = {}
        for name in names:
            cols = [r[0] for r in con.execute(f"DESCRIBE {name}").fetchall() if r[0] not in BUILD_COLUMNS]
            out[name] = con.execute(f"SELECT {', '.join(cols)} FROM {name} ORDER BY ALL").fetchall()
        return out


def _hold_back(db: Path, where: str) -> None:
    """Move the raw rows of captures matching ``where`` into holding tables (not loaded yet)."""
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS later")
        ids = f"SELECT capture_id FROM raw.captures WHERE {where}"
        for t in RAW_TABLES:
            con.execute(f"CREATE OR REPLACE TABLE later.{t} AS SELECT * FROM raw.{t} WHERE capture_id IN ({ids})")
        for t in reversed(RAW_TABLES):
            con.execute(f"DELETE FROM raw.{t} WHERE capture_id IN (SELECT capture_id FROM later.captures)")


def _release(db: Path, where: str, batch: int) -> None:
    """Load held-back captures matching ``where`` as load batch ``batch``."""
    with duckdb.connect(str(db)) as con:
        ids = f"SELECT capture_id FROM later.captures WHERE {where}"
        for t in RAW_TABLES:
            con.execute(f"INSERT INTO raw.{t} SELECT * FROM later.{t} WHERE capture_id IN ({ids})")
        con.execute(f"UPDATE raw.captures SET load_batch = {batch} WHERE capture_id IN ({ids})")
        for t in reversed(RAW_TABLES):
            con.execute(f"DELETE FROM later.{t} WHERE capture_id IN ({ids})")


def _full_build_of(db: Path, tmp: Path) -> dict[str, list[tuple]]:
    """A full build of a copy of ``db``'s raw data, from scratch."""
    copy = get_settings(tmp)
    copy.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(db, copy.duckdb_path)
    with duckdb.connect(str(copy.duckdb_path)) as con:
        for schema in ("staging", "intermediate", "marts", "later"):
            con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    dbt_build(copy, "--full-refresh", *SELECT)
    return _marts_and_states(copy.duckdb_path)


@pytest.fixture(scope="module")
def incremental(tmp_path_factory):
    if not Path(dbt_executable()).exists():
        pytest.skip("dbt is not installed")
    return tmp_path_factory.mktemp("incremental")


def test_incremental_builds_equal_full_builds(incremental: Path) -> None:
    settings = get_settings(incremental / "inc")
    create_raw_fixture(settings.duckdb_path)
    _hold_back(settings.duckdb_path, "observed_at >= '2021-12-01' OR capture_id = 'capac-offices@2021-03-01'")
    dbt_build(settings, *SELECT)
    steps = [
        # later weeks: Namur turns appointment-only, Liège is cut, Mons is absent once (pending)
        ("observed_at < '2022-06-01' AND capture_id <> 'capac-offices@2021-03-01'", 2),
        # Mons absent again: the closure is confirmed and dated at its first absence (previous batch)
        ("observed_at < '2023-01-01' AND capture_id <> 'capac-offices@2021-03-01'", 3),
        # the rest, and an archive capture older than everything seen so far
        ("true", 4),
    ]
    for n, (where, batch) in enumerate(steps):
        _release(settings.duckdb_path, where, batch)
        dbt_build(settings, *build_options(full_refresh=False), *SELECT)  # as a weekly build: two threads
        assert _marts_and_states(settings.duckdb_path) == _full_build_of(
            settings.duckdb_path, incremental / f"full-{n}"
        ), f"incremental build {batch} differs from a full build"


def test_a_reparsed_capture_replaces_its_observations(incremental: Path) -> None:
    settings = get_settings(incremental / "reparse")
    create_raw_fixture(settings.duckdb_path)
    dbt_build(settings, *SELECT)
    with duckdb.connect(str(settings.duckdb_path)) as con:
        # the 2021-12-01 page read again by a better parser: Liège's Tuesday afternoon was a mistake
        cid = "capac-offices@2021-12-01"
        con.execute(
            "DELETE FROM raw.schedule_slots WHERE capture_id = ? AND day = 'tu' AND opens = '13:00' "
            "AND schedule_seq = (SELECT schedule_seq FROM raw.schedules WHERE capture_id = ? "
            "AND counter_id = 'capac-liege')",
            [cid, cid],
        )
        con.execute("UPDATE raw.captures SET load_batch = 2, record_sha256 = 'reparsed' WHERE capture_id = ?", [cid])
    dbt_build(settings, *SELECT)
    assert _marts_and_states(settings.duckdb_path) == _full_build_of(settings.duckdb_path, incremental / "full-r")


def test_a_counter_added_to_the_registry_gets_its_whole_history(incremental: Path) -> None:
    settings = get_settings(incremental / "registry")
    create_raw_fixture(settings.duckdb_path)
    dbt_build(settings, *SELECT)
    with duckdb.connect(str(settings.duckdb_path)) as con:
        # the curator registers the Huy office, and the past captures are matched again (replay)
        con.execute(
            "INSERT INTO raw.registry_counters (counter_id, source_id, name, address, nis_code) "
            "VALUES ('capac-huy', 'capac-offices', 'Antenne Huy', NULL, 61031)"
        )
        con.execute(
            "UPDATE raw.schedules SET counter_id = 'capac-huy', match_rule = 'match:antenne huy' "
            "WHERE name = 'Antenne Huy'"
        )
        con.execute(
            "UPDATE raw.captures SET load_batch = 2, record_sha256 = 'rematched' WHERE capture_id IN "
            "(SELECT capture_id FROM raw.schedules WHERE counter_id = 'capac-huy')"
        )
    dbt_build(settings, *SELECT)
    result = _marts_and_states(settings.duckdb_path)
    assert result == _full_build_of(settings.duckdb_path, incremental / "full-g")
    assert any(row[0] == "capac-huy" for row in result["marts.dim_counter"])


def test_a_build_that_stopped_half_way_is_caught_up(incremental: Path) -> None:
    # A run whose build stopped after the monthly states (the indicators were not rebuilt): the
    # next run must bring the indicators up to date, not only with its own week.
    settings = get_settings(incremental / "halfway")
    create_raw_fixture(settings.duckdb_path)
    _hold_back(settings.duckdb_path, "observed_at >= '2022-06-01'")
    dbt_build(settings, *SELECT)
    _release(settings.duckdb_path, "observed_at < '2023-01-01'", 2)
    dbt_build(settings, "--select", "+int_counter_months", "--exclude", "resource_type:test")
    _release(settings.duckdb_path, "true", 3)
    dbt_build(settings, *SELECT)
    assert _marts_and_states(settings.duckdb_path) == _full_build_of(settings.duckdb_path, incremental / "full-h")
