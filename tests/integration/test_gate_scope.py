"""The warehouse gate on new load batches: values of rows already passed are not read again; keys,
references and counts still read whole tables; a full check comes on the first run and when due."""

from datetime import datetime, timedelta

import duckdb
import pytest

from expectations.gate import ValidationFailed, run_gate
from scrapers.registry import load_registry
from tests.integration.test_gate import loaded_warehouse
from tests.integration.test_load import capture_file
from tests.unit.test_registry import GOOD, write
from warehouse import test_scope
from warehouse.load import load
from warehouse.stages import gate_warehouse, raw_gate_suites

HORIZON = datetime(2030, 1, 1)


def two_batches(tmp_path):
    """A warehouse with load batch 1 (captures of 2020 and 2021) and load batch 2 (a capture of 2022)."""
    db = loaded_warehouse(tmp_path)
    capture_file(tmp_path / "later", "20220101")
    load(db, tmp_path / "later", load_registry(write(tmp_path, GOOD)))
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT max(load_batch) FROM raw.captures").fetchone()[0] == 2
    return db


def bad_slot(db, capture_id: str) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute(f"INSERT INTO raw.schedule_slots VALUES ('{capture_id}', 0, 'xx', '09:00', '12:00', 'walk_in')")


def scoped(db, from_batch):
    # gx_max_rows=0: every table is checked by SQL, as the national log's tables are
    return run_gate(db, raw_gate_suites(), horizon=HORIZON, gx_max_rows=0, from_batch=from_batch)


def test_a_bad_value_in_a_new_batch_is_refused_and_one_in_an_old_batch_only_by_a_full_check(tmp_path):
    db = two_batches(tmp_path)
    bad_slot(db, "cap-20200101")  # batch 1
    assert scoped(db, 2).success  # the old batch's values are not read again
    with pytest.raises(ValidationFailed, match=r"raw.schedule_slots.day: expect_column_values_to_be_in_set"):
        scoped(db, None)
    bad_slot(db, "cap-20220101")  # batch 2
    with pytest.raises(ValidationFailed) as err:
        scoped(db, 2)
    failure = next(f for f in err.value.report.failures if f.column == "day")
    assert "1 unexpected of 3 rows" in failure.detail  # counted over the new batch's slots only


def test_keys_and_references_are_checked_on_whole_tables_whatever_the_scope(tmp_path):
    db = two_batches(tmp_path)
    with duckdb.connect(str(db)) as con:
        con.execute("INSERT INTO raw.schedule_slots VALUES ('cap-gone', 0, 'mo', '09:00', '12:00', 'walk_in')")
        con.execute("INSERT INTO raw.captures SELECT * FROM raw.captures WHERE capture_id = 'cap-20200101'")
    with pytest.raises(ValidationFailed) as err:
        scoped(db, 2)
    failed = {(f.table, f.column) for f in err.value.report.failures}
    assert ("raw.schedule_slots", "capture_id") in failed  # a slot of no capture
    assert ("raw.captures", "capture_id") in failed  # a duplicated key across batches


def test_the_pipeline_gate_checks_everything_first_then_new_batches_and_records_only_a_pass(tmp_path):
    db = two_batches(tmp_path)
    bad_slot(db, "cap-20200101")
    with pytest.raises(ValidationFailed):
        gate_warehouse(db)  # no gate run recorded yet: every row
    assert test_scope.plan(db, runs=test_scope.GATE_RUNS_TABLE).full  # nothing recorded by a refusal
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM raw.schedule_slots WHERE day = 'xx'")
    assert gate_warehouse(db)["rows_checked"] == "no full test run recorded"
    later = test_scope.plan(db, runs=test_scope.GATE_RUNS_TABLE)
    assert (later.full, later.from_batch) == (False, 3)  # the next gate reads batches from 3 on
    # dbt's own record is apart: the gate's run says nothing of the data tests, and back
    assert test_scope.plan(db).full
    due = test_scope.plan(db, runs=test_scope.GATE_RUNS_TABLE, now=datetime.now() + timedelta(days=29))
    assert due.full
