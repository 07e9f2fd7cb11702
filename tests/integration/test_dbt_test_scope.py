"""Data tests of weekly builds read the new load batches; full runs read every row (warehouse/test_scope.py).

Real dbt builds (the pipeline's, ``transform.pipeline_build``) on the dbt fixture
(tests/helpers/dbt_fixture.py, every capture in load batch 1). The bad value is composed: a slot of
the Ixelles phone line (``channel = 'phone'``: never counter hours, so no model reads it) gets
``access = 'walk-in'``, which only the restricted ``accepted_values`` test on the slots refuses.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import duckdb
import pytest

from tests.helpers.dbt_fixture import create_raw_fixture
from warehouse import test_scope
from warehouse.settings import get_settings
from warehouse.transform import INCREMENTAL_THREADS, DbtError, pipeline_build

SLOT_TEST = "accepted_values_stg_collector__schedule_slots_access"
LOG = ("captures", "schedules", "schedule_slots")


def _phone_slot(con: duckdb.DuckDBPyConnection, capture_id: str, access: str) -> None:
    """Set ``access`` on one slot of the phone line of the capture ``capture_id``."""
    con.execute(
        "UPDATE raw.schedule_slots SET access = ? WHERE rowid = (SELECT min(s.rowid) FROM raw.schedule_slots s "
        "JOIN raw.schedules h USING (capture_id, schedule_seq) WHERE h.channel = 'phone' AND s.capture_id = ?)",
        [access, capture_id],
    )


def _new_week(con: duckdb.DuckDBPyConnection, batch: int) -> str:
    """Load the last Ixelles capture again, a week later, as load batch ``batch`` (a capture saying
    the same); returns its capture_id."""
    last = con.execute(
        "SELECT capture_id FROM raw.captures c WHERE source_id = 'ixelles-population' "
        "AND EXISTS (SELECT 1 FROM raw.schedules h WHERE h.capture_id = c.capture_id AND h.channel = 'phone') "
        "ORDER BY observed_at DESC LIMIT 1"
    ).fetchone()[0]
    new = f"{last}-week-{batch}"
    week = "observed_at + INTERVAL 7 DAY"
    con.execute(
        f"INSERT INTO raw.captures SELECT * REPLACE (? AS capture_id, {week} AS observed_at, ? AS load_batch) "
        "FROM raw.captures WHERE capture_id = ?",
        [new, batch, last],
    )
    con.execute(
        f"INSERT INTO raw.schedules SELECT * REPLACE (? AS capture_id, {week} AS observed_at) "
        "FROM raw.schedules WHERE capture_id = ?",
        [new, last],
    )
    con.execute(
        "INSERT INTO raw.schedule_slots SELECT * REPLACE (? AS capture_id) "
        "FROM raw.schedule_slots WHERE capture_id = ?",
        [new, last],
    )
    return new


def _threads(settings) -> int | None:
    """The ``--threads`` of the last build as dbt records its arguments (None: the profile's, 1)."""
    return json.loads((settings.dbt_work_dir / "target" / "run_results.json").read_text("utf-8"))["args"].get("threads")


@pytest.fixture()
def settings(tmp_path):
    settings = get_settings(tmp_path)
    create_raw_fixture(settings.duckdb_path)
    return settings


def test_weekly_tests_read_new_batches_and_full_tests_read_everything(settings, monkeypatch):
    db = settings.duckdb_path
    # The first build of a warehouse tests every row, on the profile's one thread.
    assert test_scope.plan(db).first_build
    assert "data tests: no full test run recorded" in pipeline_build(settings)
    assert _threads(settings) is None
    assert not test_scope.plan(db).first_build

    # A bad value in an old batch, then a clean new week: the weekly build reads only batch 2.
    with duckdb.connect(str(db)) as con:
        old = con.execute("SELECT capture_id FROM raw.captures WHERE source_id = 'ixelles-population' LIMIT 1")
        _phone_slot(con, old.fetchone()[0], "walk-in")
        _new_week(con, 2)
    assert "data tests: new load batches 2..2" in pipeline_build(settings)
    assert _threads(settings) == INCREMENTAL_THREADS  # a weekly build

    # Full tests (asked, or on the schedule) read every row: the old bad value fails the build,
    # even with a scope left in the caller's environment.
    monkeypatch.setenv(test_scope.FROM_BATCH_ENV, "2")
    with pytest.raises(DbtError, match=SLOT_TEST):
        pipeline_build(settings, full_tests=True)
    monthly = test_scope.plan(db, now=datetime.now() + test_scope.FULL_TESTS_EVERY + timedelta(days=1))
    assert monthly.full and monthly.reason.startswith("last full test run")

    # The old value mended, a bad value in the new batch 3: the weekly build refuses it.
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE raw.schedule_slots SET access = 'walk_in' WHERE access = 'walk-in'")
        _phone_slot(con, _new_week(con, 3), "walk-in")
    with pytest.raises(DbtError, match=SLOT_TEST):
        pipeline_build(settings)
    # A failed build records nothing: the next week tests batch 3 again.
    assert test_scope.plan(db).from_batch == 3


def test_a_full_refresh_tests_every_row(settings):
    pipeline_build(settings)
    with duckdb.connect(str(settings.duckdb_path)) as con:
        old = con.execute("SELECT capture_id FROM raw.captures WHERE source_id = 'ixelles-population' LIMIT 1")
        _phone_slot(con, old.fetchone()[0], "walk-in")
    assert test_scope.plan(settings.duckdb_path).from_batch == 2
    with pytest.raises(DbtError, match=SLOT_TEST):
        pipeline_build(settings, full_refresh=True)


def test_a_changed_registry_tests_every_row(settings):
    """A counter added to the registry makes the models rewrite rows of old captures, which a
    weekly build's restricted tests would not read: the next build tests every row."""
    pipeline_build(settings)
    db = settings.duckdb_path
    with duckdb.connect(str(db)) as con:
        _new_week(con, 2)
    assert test_scope.plan(db).from_batch == 2
    with duckdb.connect(str(db)) as con:
        # what the loader records when it loads another registry file
        con.execute("DELETE FROM raw.dataset_info WHERE key = 'registry_sha256'")
        con.execute("INSERT INTO raw.dataset_info VALUES ('registry_sha256', 'another registry')")
    scope = test_scope.plan(db)
    assert scope.full and "registry" in scope.reason
    pipeline_build(settings)
    # Recorded with the new registry: the week after is restricted again.
    with duckdb.connect(str(db)) as con:
        _new_week(con, 3)
    assert test_scope.plan(db).from_batch == 3
