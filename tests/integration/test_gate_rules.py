"""The release gate refuses every impossible value the published columns' meaning rules out.

The value rules live in one place, ``dbt/dbt_project.yml`` (vars ``column_ranges`` and
``column_orders``, keyed by what a column's name means); references are dbt's relationships
tests. Each test below builds the real warehouse with dbt on the fixture scenario
(tests/helpers/dbt_fixture.py), injects impossible values into a copy of its marts (one per rule and
table, on a row it names by key) and runs the real release path (stage, audit with GX, publish):
every injected value must be refused with a message naming the table, the column and the row.
"""

from __future__ import annotations

import duckdb
import pytest

from expectations import gate
from expectations.dbt_tests import column_rules
from expectations.published_schema import published_types
from expectations.suites import PUBLISHED_SUITES
from tests.integration.test_release import build_warehouse, copy_warehouse
from warehouse.release.publish import ReleaseRefused, publish

NUMERIC = ("BIGINT", "INTEGER", "DOUBLE")
MARTS = [s for s in PUBLISHED_SUITES if s.table.startswith("marts.")]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return build_warehouse(tmp_path_factory.mktemp("w"))


def test_every_numeric_published_column_has_a_range_from_its_meaning():
    """A number the rule table does not bound would publish anything: every one is bounded, and only numbers are."""
    for suite in PUBLISHED_SUITES:
        types = published_types(suite.table)
        numeric = {c for c, t in types.items() if t in NUMERIC}
        assert set(suite.ranges) == numeric, suite.table
        assert set(column_rules(suite.columns).ranges) <= numeric, suite.table


def test_the_rules_cover_the_found_holes():
    events = next(s for s in MARTS if s.table == "marts.fct_counter_events")
    assert events.ranges["weekly_minutes_before"] == (0, 10080) and events.ranges["delta_share"] == (-1, 10079)
    assert next(s for s in MARTS if s.table == "marts.dim_counter").ranges["current_days_open"] == (0, 7)
    indicators = next(s for s in MARTS if s.table == "marts.fct_procedure_indicators")
    assert indicators.ranges["online_only_procedures"] == (0, None)
    assert events.references["before_capture_id"] == "marts.fct_counter_history.last_capture_id"
    assert events.references["after_capture_id"] == "marts.fct_counter_history.first_capture_id"


def _editable(con, table: str) -> None:
    """Make a mart that dbt built as a view (over an incremental model) a table of the same rows."""
    schema, name = table.split(".")
    kind = con.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", [schema, name]
    ).fetchone()[0]
    if kind == "VIEW":
        con.execute(f"CREATE TABLE {table}__copy AS SELECT * FROM {table}; DROP VIEW {table};"
                    f"ALTER TABLE {table}__copy RENAME TO {name}")  # fmt: skip


def _row(con, table: str, key: tuple[str, ...], *columns: str) -> int | None:
    """The rowid of the first row (by key) where every one of ``columns`` is set (None: no such row)."""
    where = " AND ".join(f"{c} IS NOT NULL" for c in columns) or "true"
    row = con.execute(f"SELECT rowid FROM {table} WHERE {where} ORDER BY {', '.join(key)} LIMIT 1").fetchone()
    return row[0] if row else None


def _named(con, table: str, key: tuple[str, ...], rowid: int) -> str:
    """How the gate names a row: its (first) key column and value, as read after the injections."""
    (value,) = con.execute(f"SELECT {key[0]} FROM {table} WHERE rowid = ?", [rowid]).fetchone()
    return f"{key[0]}={value}"


def _impossible(lo, hi):
    """A value outside [lo, hi]: above the maximum when there is one, else below the minimum."""
    return hi + 1 if hi is not None else lo - 1


def inject_ranges(con) -> list[tuple[str, str, str]]:
    """One value outside its range per ranged column of every mart, all on the table's first row."""
    edits = []
    for suite in MARTS:
        if not suite.ranges:
            continue
        _editable(con, suite.table)
        rowid = _row(con, suite.table, suite.key)
        for col, (lo, hi) in suite.ranges.items():
            con.execute(f"UPDATE {suite.table} SET {col} = ? WHERE rowid = ?", [_impossible(lo, hi), rowid])
            edits.append((suite, col, rowid))
    return [(s.table, col, _named(con, s.table, s.key, rowid)) for s, col, rowid in edits]


def inject_orders_and_references(con) -> list[tuple[str, str, str]]:
    """Per mart: each order broken (the lesser column moved past the greater) and each reference
    pointed nowhere, on the first row (by key) where the columns are set."""
    edits = []
    for suite in MARTS:
        _editable(con, suite.table)
        types = published_types(suite.table)
        for lesser, greater in suite.intervals + suite.orders:
            rowid = _row(con, suite.table, suite.key, lesser, greater)
            step = "1" if types[greater] in NUMERIC else "INTERVAL 1 DAY"
            past = greater if (lesser, greater) in suite.intervals else f"{greater} + {step}"
            con.execute(f"UPDATE {suite.table} SET {lesser} = {past} WHERE rowid = ?", [rowid])
            edits.append((suite, greater, rowid))
        for col in suite.references:
            rowid = _row(con, suite.table, suite.key, col)
            if rowid is None:  # the fixture has no such row (dim_help_point: no help points in its registry)
                continue
            con.execute(f"UPDATE {suite.table} SET {col} = 'no-such-{col}' WHERE rowid = ?", [rowid])
            edits.append((suite, col, rowid))
    return [(s.table, col, _named(con, s.table, s.key, rowid)) for s, col, rowid in edits]


@pytest.fixture(params=["gx", "sql"])
def engine(request, monkeypatch):
    """The gate's two engines: GX on pandas (small tables) and DuckDB SQL (large tables, forced here)."""
    if request.param == "sql":
        monkeypatch.setattr(gate, "GX_MAX_ROWS", 0)
    return request.param


def _refused(warehouse, tmp_path, inject) -> tuple[list[tuple[str, str, str]], ReleaseRefused]:
    bad = copy_warehouse(warehouse, tmp_path / "bad", "SELECT 1")
    with duckdb.connect(str(bad.duckdb_path)) as con:
        injected = inject(con)
    with pytest.raises(ReleaseRefused) as err:
        publish(bad.duckdb_path, tmp_path / "releases")
    assert not (tmp_path / "releases" / "latest").exists()  # nothing was published
    return injected, err.value


def _assert_each_refused(injected, refused: ReleaseRefused) -> None:
    failures = refused.report.failures
    missing = []
    for table, column, row in injected:
        named = [f for f in failures if f.table == table and f.column == column and row in f.detail]
        text = f"{table}.{column}: "
        if not named or not any(line.startswith(text) and row in line for line in str(refused).splitlines()):
            missing.append((table, column, row))
    assert not missing, f"not refused by name: {missing}\n{refused}"


def test_every_value_out_of_its_range_is_refused_naming_table_column_and_row(warehouse, tmp_path, engine):
    injected, refused = _refused(warehouse, tmp_path, inject_ranges)
    assert len(injected) == sum(len(s.ranges) for s in MARTS) > 90  # every numeric column of every mart
    assert ("marts.dim_counter", "current_days_open", "counter_id=capac-liege") in injected
    _assert_each_refused(injected, refused)
    msg = str(refused)
    assert "marts.dim_counter.current_days_open: expect_column_values_to_be_between failed" in msg
    assert "sample offending values: [8] in rows ['counter_id=capac-liege']" in msg


def test_every_broken_order_and_dangling_reference_is_refused_naming_table_column_and_row(warehouse, tmp_path, engine):
    injected, refused = _refused(warehouse, tmp_path, inject_orders_and_references)
    tables = {t for t, _c, _r in injected}
    assert {"marts.fct_counter_history", "marts.dim_municipality", "marts.fct_counter_events"} <= tables
    assert {c for t, c, _r in injected if t == "marts.fct_counter_events"} >= {
        "before_capture_id",
        "after_capture_id",
        "counter_state_id_before",
        "event_at",
    }
    _assert_each_refused(injected, refused)
    assert "(expected valid_from < valid_to)" in str(refused)
