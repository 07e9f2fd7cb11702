"""The GX gate on real DuckDB files and parquet files: it passes good data and refuses bad data precisely."""

from datetime import datetime

import duckdb
import pytest

from expectations.gate import ValidationFailed, run_gate
from expectations.suites import ReleaseCheck, TableSuite, release_over_release_checks
from scrapers.registry import load_registry
from tests.integration.test_load import capture_file
from tests.unit.test_registry import GOOD, write
from warehouse.load import load
from warehouse.stages import raw_gate_suites

SUITES = (
    TableSuite(
        table="marts.dim_thing",
        columns=("thing_id", "label"),
        key=("thing_id",),
    ),
    TableSuite(
        table="marts.fct_span",
        columns=("span_id", "thing_id", "minutes", "valid_from", "valid_to"),
        key=("span_id",),
        ranges={"minutes": (0, 10080)},
        intervals=(("valid_from", "valid_to"),),
        references={"thing_id": "marts.dim_thing.thing_id"},
        types={
            "span_id": "VARCHAR",
            "thing_id": "VARCHAR",
            "minutes": "INTEGER",
            "valid_from": "DATE",
            "valid_to": "DATE",
        },
    ),
)


def make_db(path, bad: bool = False):
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.dim_thing AS SELECT * FROM (VALUES ('a', 'A'), ('b', 'B')) t(thing_id, label)")
        rows = [
            ("s1", "a", 600, "2020-01-01", "2021-01-01"),
            ("s2", "b", 300, "2020-01-01", None),
        ]
        if bad:
            rows += [("s3", "zz", 20000, "2022-01-01", "2021-01-01")]
        con.execute(
            "CREATE TABLE marts.fct_span (span_id VARCHAR, thing_id VARCHAR, minutes INTEGER, "
            "valid_from DATE, valid_to DATE)"
        )
        con.executemany("INSERT INTO marts.fct_span VALUES (?, ?, ?, ?, ?)", rows)


def test_gate_passes_good_tables(tmp_path):
    make_db(tmp_path / "good.duckdb")
    report = run_gate(tmp_path / "good.duckdb", SUITES, horizon=datetime(2021, 6, 1))
    assert report.success and report.evaluated >= 10
    assert all(r["success"] for r in report.results) and len(report.results) == report.evaluated


def test_gate_refuses_bad_tables_naming_table_column_and_values(tmp_path):
    make_db(tmp_path / "bad.duckdb", bad=True)
    with pytest.raises(ValidationFailed) as err:
        run_gate(tmp_path / "bad.duckdb", SUITES)
    msg = str(err.value)
    assert "marts.fct_span.minutes: expect_column_values_to_be_between failed" in msg and "20000" in msg
    assert "sample offending values: [20000] in rows ['span_id=s3']" in msg  # the row, by its key
    assert "marts.fct_span.thing_id: expect_column_values_to_be_in_set failed" in msg and "zz" in msg
    assert "expect_column_pair_values_a_to_be_greater_than_b" in msg
    assert len(err.value.report.failures) == 3


def test_dates_after_the_horizon_are_refused(tmp_path):
    make_db(tmp_path / "good.duckdb")
    with pytest.raises(ValidationFailed) as err:
        run_gate(tmp_path / "good.duckdb", SUITES, horizon=datetime(2020, 12, 31))
    assert [(f.table, f.column) for f in err.value.report.failures] == [("marts.fct_span", "valid_to")]
    assert "sample offending values: ['2021-01-01T00:00:00'] (after the horizon 2020-12-31T00:00:00)" in str(err.value)


def test_column_types_are_checked_on_parquet_files(tmp_path):
    make_db(tmp_path / "w.duckdb")
    files = {}
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        for table, sql in (
            ("marts.dim_thing", "SELECT * FROM marts.dim_thing"),
            (
                "marts.fct_span",
                "SELECT span_id, thing_id, minutes::DOUBLE AS minutes, valid_from, valid_to FROM marts.fct_span",
            ),
        ):
            files[table] = tmp_path / f"{table}.parquet"
            con.execute(f"COPY ({sql}) TO '{files[table]}' (FORMAT parquet)")
    with pytest.raises(ValidationFailed) as err:
        run_gate(files, SUITES)
    assert [str(f) for f in err.value.report.failures] == [
        "marts.fct_span.minutes: column type failed: type DOUBLE, expected INTEGER"
    ]


def test_release_checks_fail_unless_an_override_waives_them(tmp_path):
    make_db(tmp_path / "good.duckdb")
    checks = (
        ReleaseCheck("row_count_drop.fct_span", "marts.fct_span", "at least 80% of 10 rows", min_rows=8),
        ReleaseCheck("thing_reused", "marts.dim_thing", "no retired thing", column="thing_id", forbidden=("b",)),
    )
    with pytest.raises(ValidationFailed) as err:
        run_gate(tmp_path / "good.duckdb", SUITES, checks=checks)
    assert sorted(f.check for f in err.value.report.failures) == ["row_count_drop.fct_span", "thing_reused"]
    assert "marts.dim_thing.thing_id: expect_column_values_to_not_be_in_set [thing_reused] failed" in str(err.value)
    override = {"check": "row_count_drop.fct_span", "version": "v", "reason": "why", "who": "me"}
    with pytest.raises(ValidationFailed) as err:
        run_gate(tmp_path / "good.duckdb", SUITES, checks=checks, overrides={override["check"]: override})
    assert [f.check for f in err.value.report.failures] == ["thing_reused"]
    report = run_gate(tmp_path / "good.duckdb", SUITES, checks=checks[:1], overrides={override["check"]: override})
    assert report.success and [(f.check, o["who"]) for f, o in report.waived] == [("row_count_drop.fct_span", "me")]


def test_release_over_release_thresholds():
    checks = {c.name: c for c in release_over_release_checks("v1", {"marts.t": 10}, 5, ["x"])}
    assert checks["active_counters_drop"].min_rows == 4  # 80% of 5
    assert checks["row_count_drop.t"].min_rows == 8
    assert checks["counter_id_reused"].forbidden == ("x",)


def loaded_warehouse(tmp_path):
    reg = load_registry(write(tmp_path, GOOD))
    capture_file(tmp_path / "collected", "20200101")
    capture_file(tmp_path / "collected", "20210101", status=503)
    load(tmp_path / "w.duckdb", tmp_path / "collected", reg)
    return tmp_path / "w.duckdb"


def test_raw_suites_pass_what_the_loader_writes(tmp_path):
    db = loaded_warehouse(tmp_path)
    report = run_gate(db, raw_gate_suites(), horizon=datetime(2030, 1, 1))
    assert report.success and report.evaluated >= 30


def test_a_raw_column_not_of_the_loaders_type_is_refused(tmp_path):
    db = loaded_warehouse(tmp_path)
    with duckdb.connect(str(db)) as con:
        con.execute("ALTER TABLE raw.schedules ALTER phone_only TYPE VARCHAR")
    with pytest.raises(ValidationFailed) as err:
        run_gate(db, raw_gate_suites(), horizon=datetime(2030, 1, 1))
    assert "raw.schedules.phone_only: column type failed: type VARCHAR, expected BOOLEAN" in str(err.value)


def test_raw_slots_with_bad_days_or_times_and_future_captures_are_refused(tmp_path):
    db = loaded_warehouse(tmp_path)
    with duckdb.connect(str(db)) as con:
        con.execute("INSERT INTO raw.schedule_slots VALUES ('cap-20200101', 0, 'xx', '25:00', '12:00', 'walk_in')")
        con.execute("INSERT INTO raw.schedule_slots VALUES ('cap-20200101', 0, 'we', '14:00', '13:00', 'walk_in')")
    with pytest.raises(ValidationFailed) as err:
        run_gate(db, raw_gate_suites(), horizon=datetime(2020, 6, 1))  # the 2021 capture lies after it
    failures = {(f.table, f.column, f.expectation) for f in err.value.report.failures}
    assert ("raw.schedule_slots", "day", "expect_column_values_to_be_in_set") in failures
    assert ("raw.schedule_slots", "opens", "expect_column_values_to_match_regex") in failures
    assert ("raw.schedule_slots", "closes", "expect_column_pair_values_a_to_be_greater_than_b") in failures
    assert ("raw.captures", "observed_at", "expect_column_values_to_be_between") in failures
    assert "'xx'" in str(err.value) and "'25:00'" in str(err.value)


def test_every_published_column_has_a_documented_type():
    from expectations.published_schema import table_doc
    from expectations.suites import PUBLISHED_SUITES

    for suite in PUBLISHED_SUITES:
        assert set(suite.types) == set(suite.columns) == set(table_doc(suite.table).columns), suite.table
