"""The GX gate on a real DuckDB file: it passes good data and refuses bad data precisely."""

import duckdb
import pytest

from expectations.gate import ValidationFailed, run_gate
from expectations.suites import TableSuite

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
    report = run_gate(tmp_path / "good.duckdb", SUITES)
    assert report.success and report.evaluated >= 8


def test_gate_refuses_bad_tables_naming_table_column_and_values(tmp_path):
    make_db(tmp_path / "bad.duckdb", bad=True)
    with pytest.raises(ValidationFailed) as err:
        run_gate(tmp_path / "bad.duckdb", SUITES)
    msg = str(err.value)
    assert "marts.fct_span.minutes: expect_column_values_to_be_between failed" in msg and "20000" in msg
    assert "marts.fct_span.thing_id: expect_column_values_to_be_in_set failed" in msg and "zz" in msg
    assert "expect_column_pair_values_a_to_be_greater_than_b" in msg
    assert len(err.value.report.failures) == 3
