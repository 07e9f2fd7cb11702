"""Which rows the data tests of a ``dbt build`` read: the new load batches, or everything.

A weekly build adds one load batch to tables of millions of rows; the row-level data tests of the
big log tables (not_null, accepted_values, ranges on captures, schedules, slots and counter
observations) read only the batches not tested yet, through the environment variable
:data:`FROM_BATCH_ENV` of the dbt process (``dbt/macros/get_where_subquery.sql``). An old row those tests passed
is not changed by a later incremental build while the registry stays the same (the models only
append new batches' rows; a re-loaded capture comes back whole under a new batch), so its verdict
still holds. Key tests (``unique``: a new row can duplicate an old one), tests against the registry
(whose rows can vanish under old rows) and everything on the history and marts read whole tables;
only the keys that hold the capture read the new captures' rows: schedules (a duplicate shares its
capture) and a counter's observations and matches of a capture (their incremental builds delete the
older rows of every key they write, so a duplicate is among the rows written).

Every test reads every row on a full refresh, on the first build of a warehouse, when asked
(``full_tests``), when the registry or the procedure taxonomy changed since the last test run (a
counter added to the registry makes the models rewrite rows of old captures: :data:`INPUT_KEYS`),
and on a schedule: when the last full test run is older than :data:`FULL_TESTS_EVERY`. What was
tested is recorded in the warehouse (``pipeline.data_test_runs``) only after a build whose tests
passed, so a failed week is tested again the next week.

The warehouse gate (``stages.validate_stage``) follows the same plan with its own record
(:data:`GATE_RUNS_TABLE`): on the large raw tables its row-level expectations read the load
batches it has not passed yet, and it reads every row on its first run and every
:data:`FULL_TESTS_EVERY`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from warehouse import db

# The schedule of full test runs between full refreshes (about monthly, as the weekly DAG runs).
FULL_TESTS_EVERY = timedelta(days=28)
RUNS_TABLE = "pipeline.data_test_runs"
GATE_RUNS_TABLE = "pipeline.gate_runs"  # the warehouse gate's runs (expectations.gate)
# The digests of the inputs besides the log (``raw.dataset_info``, written by the loader): when one
# differs from the last test run's, every row is tested again.
INPUT_KEYS = ("registry_sha256", "taxonomy_sha256")
# The first load batch the restricted data tests read; empty: every row. Named again in the macro.
FROM_BATCH_ENV = "GUICHETS_TESTS_FROM_LOAD_BATCH"


@dataclass(frozen=True)
class TestScope:
    """The rows one build's data tests read: load batches ``from_batch`` to ``through_batch``, or
    every row (``from_batch`` None)."""

    __test__ = False  # not a pytest class, despite its name

    from_batch: int | None
    through_batch: int
    reason: str
    first_build: bool = False  # nothing recorded yet: the first build (or gate) of this warehouse

    @property
    def full(self) -> bool:
        """True when every test reads every row."""
        return self.from_batch is None

    def dbt_env(self) -> dict[str, str]:
        """The environment of the build's dbt process that scopes its tests (set even when empty:
        a value inherited from the caller's environment must not restrict a full run)."""
        return {FROM_BATCH_ENV: "" if self.full else str(self.from_batch)}


def plan(
    db_path: Path, *, full_refresh: bool = False, full_tests: bool = False, now: datetime | None = None,
    runs: str = RUNS_TABLE,
) -> TestScope:  # fmt: skip
    """The scope of the next build's data tests (or, with ``runs`` :data:`GATE_RUNS_TABLE`, of the next
    gate) on the warehouse ``db_path`` (see the module's docstring)."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    through, last, last_full, inputs, last_inputs = _state(db_path, runs)
    first = last is None
    if full_refresh:
        return TestScope(None, through, "full refresh", first)
    if full_tests:
        return TestScope(None, through, "full tests asked", first)
    if last is None or last_full is None:
        return TestScope(None, through, "no full test run recorded", first)
    if inputs != last_inputs:
        return TestScope(None, through, "the registry or the taxonomy changed since the last test run")
    if now - last_full >= FULL_TESTS_EVERY:
        return TestScope(None, through, f"last full test run {last_full:%Y-%m-%d}, over {FULL_TESTS_EVERY.days} days")
    return TestScope(last + 1, through, f"new load batches {last + 1}..{through}")


def record(db_path: Path, scope: TestScope, *, now: datetime | None = None, runs: str = RUNS_TABLE) -> None:
    """Record that the build's data tests (or the gate: ``runs``) passed on ``scope`` (call only after they passed)."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    with db.writer(db_path) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS pipeline")
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {runs} "
            "(from_batch BIGINT, through_batch BIGINT NOT NULL, is_full BOOLEAN NOT NULL, "
            "finished_at TIMESTAMP NOT NULL, inputs VARCHAR)"
        )
        con.execute(f"ALTER TABLE {runs} ADD COLUMN IF NOT EXISTS inputs VARCHAR")  # a record from before it
        row = [scope.from_batch, scope.through_batch, scope.full, now, _inputs(con)]
        con.execute(
            f"INSERT INTO {runs} (from_batch, through_batch, is_full, finished_at, inputs) VALUES (?, ?, ?, ?, ?)", row
        )


def _state(db_path: Path, runs: str) -> tuple[int, int | None, datetime | None, str | None, str | None]:
    """(the last load batch in the warehouse, the last one tested, when every row was last tested,
    the inputs' digests now and at the last test run: :func:`_inputs`)."""
    if not Path(db_path).exists():
        return 0, None, None, None, None
    with db.reader(db_path) as con:
        try:
            through = con.execute("SELECT coalesce(max(load_batch), 0) FROM raw.captures").fetchone()[0]
        except duckdb.CatalogException:  # nothing loaded yet
            through = 0
        try:
            last, last_full = con.execute(
                f"SELECT max(through_batch), max(finished_at) FILTER (WHERE is_full) FROM {runs}"
            ).fetchone()
        except duckdb.CatalogException:  # no build has recorded its tests yet
            last, last_full = None, None
        try:
            row = con.execute(f"SELECT inputs FROM {runs} ORDER BY finished_at DESC LIMIT 1").fetchone()
            last_inputs = row[0] if row else None
        except (duckdb.CatalogException, duckdb.BinderException):  # no record, or one from before the column
            last_inputs = None
        inputs = _inputs(con)
    return int(through), last, last_full, inputs, last_inputs


def _inputs(con: duckdb.DuckDBPyConnection) -> str | None:
    """The digests of :data:`INPUT_KEYS` as the loader recorded them, one line (None: none recorded)."""
    try:
        found = dict(
            con.execute(
                "SELECT key, value FROM raw.dataset_info WHERE key IN (SELECT unnest(?))", [list(INPUT_KEYS)]
            ).fetchall()
        )
    except duckdb.CatalogException:  # a warehouse nothing was loaded into
        return None
    return " ".join(f"{k}={found.get(k, '')}" for k in INPUT_KEYS) if found else None
