"""The DAGs as Airflow's DAG processor parses them: no import error, the tasks, and what runs after what.

One subprocess (its own AIRFLOW_HOME, so nothing is written to ``~/airflow``) fills a ``DagBag``
from ``dags/`` and prints each DAG's structure; importing Airflow is most of its time (about
12 s of CPU). Nothing runs: the run itself is tested by tests/e2e/test_pipeline_e2e.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

_DESCRIBE = """
import json, sys
from airflow.dag_processing.dagbag import DagBag

bag = DagBag(dag_folder=sys.argv[1])
out = {"import_errors": {str(k): str(v) for k, v in bag.import_errors.items()}, "dags": {}}
for dag_id, dag in sorted(bag.dags.items()):
    out["dags"][dag_id] = {
        "max_active_runs": dag.max_active_runs,
        "schedule": str(dag.schedule) if dag.schedule else None,
        "paused_at_creation": dag.is_paused_upon_creation,
        "description": dag.description,
        "failure_callback": bool(dag.on_failure_callback),
        "params": sorted(dag.params.keys()),
        "tasks": {
            t.task_id: {
                "downstream": sorted(t.downstream_task_ids),
                "mapped": type(t).__name__.endswith("MappedOperator"),
                "setup": t.is_setup,
                "teardown": t.is_teardown,
                "max_active_tis_per_dagrun": t.max_active_tis_per_dagrun,
                "pool": t.pool,
                "queue": t.queue,
                "priority_weight": t.priority_weight,
                "failure_callback": bool(t.on_failure_callback),
            }
            for t in dag.tasks
        },
    }
print("DAGS=" + json.dumps(out))
"""

# What runs after what (docs/architecture.md): archive setup -> collect per host -> teardown;
# load -> dbt build -> gate -> stage -> audit -> publish, one after another (DuckDB's single writer).
DOWNSTREAM = {
    "start_archive": ["collect", "stop_archive"],
    "plan_batches": ["collect"],
    "collect": ["load", "stop_archive"],
    "stop_archive": [],
    "load": ["dbt_build"],
    "dbt_build": ["validate"],
    "validate": ["stage_release"],
    "stage_release": ["audit_release", "publish"],
    "audit_release": ["publish"],
    "publish": [],
}


def describe(home: Path, **env_vars: str) -> dict:
    """The DAGs as parsed in a subprocess with ``AIRFLOW_HOME=home`` and ``env_vars`` set."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("GUICHETS_PIPELINE_SCHEDULE", "GUICHETS_WAREHOUSE_QUEUE")},
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        **env_vars,
    }
    proc = subprocess.run(
        [sys.executable, "-c", _DESCRIBE, str(REPO / "dags")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("DAGS="))
    return json.loads(line.removeprefix("DAGS="))


@pytest.fixture(scope="module")
def dags(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return describe(tmp_path_factory.mktemp("airflow-home"))


def test_the_dags_import_without_error(dags: dict) -> None:
    assert dags["import_errors"] == {}
    assert sorted(dags["dags"]) == ["guichets_backfill", "guichets_pipeline"]


@pytest.mark.parametrize("dag_id", ["guichets_pipeline", "guichets_backfill"])
def test_tasks_and_their_order(dags: dict, dag_id: str) -> None:
    tasks = dags["dags"][dag_id]["tasks"]
    assert {t: v["downstream"] for t, v in tasks.items()} == DOWNSTREAM
    # Collect is mapped one task per work unit (host group), at most 8 at a time; it never opens DuckDB.
    assert [t for t, v in tasks.items() if v["mapped"]] == ["collect"]
    assert tasks["collect"]["max_active_tis_per_dagrun"] == 8
    # The archive server is a setup whose teardown runs whatever happens to collection.
    assert [t for t, v in tasks.items() if v["setup"]] == ["start_archive"]
    assert [t for t, v in tasks.items() if v["teardown"]] == ["stop_archive"]
    # One run at a time: two runs would fight over DuckDB's single writer.
    assert dags["dags"][dag_id]["max_active_runs"] == 1


@pytest.mark.parametrize("dag_id", ["guichets_pipeline", "guichets_backfill"])
def test_every_warehouse_task_holds_the_one_duckdb_slot(dags: dict, dag_id: str) -> None:
    """Both DAGs share the one-slot pool for DuckDB; a run further along the chain goes first."""
    tasks = dags["dags"][dag_id]["tasks"]
    chain = ["load", "dbt_build", "validate", "stage_release", "audit_release", "publish"]
    assert sorted(t for t, v in tasks.items() if v["pool"] == "duckdb_writer") == sorted(chain)
    weights = [tasks[t]["priority_weight"] for t in chain]
    assert weights == sorted(weights) and len(set(weights)) == len(chain)
    # Backfill collection asks a web archive: its tasks share the archive's pool across runs.
    assert tasks["collect"]["pool"] == ("web_archive" if dag_id == "guichets_backfill" else "default_pool")


def test_schedules_descriptions_and_failure_callbacks(dags: dict) -> None:
    pipeline, backfill = dags["dags"]["guichets_pipeline"], dags["dags"]["guichets_backfill"]
    assert (pipeline["schedule"], pipeline["paused_at_creation"]) == ("0 4 * * 1", True)
    assert backfill["schedule"] is None
    for dag in (pipeline, backfill):
        assert dag["description"] and dag["failure_callback"]
        assert all(t["failure_callback"] for t in dag["tasks"].values())


def test_a_sample_only_deployment_turns_the_live_schedule_off(tmp_path: Path) -> None:
    # Unpausing a scheduled pipeline starts a live run at once (docs/deploy.md, Schedules).
    pipeline = describe(tmp_path, GUICHETS_PIPELINE_SCHEDULE="none")["dags"]["guichets_pipeline"]
    assert (pipeline["schedule"], pipeline["paused_at_creation"]) == (None, True)


def test_the_warehouse_tasks_can_be_routed_to_the_machine_holding_duckdb(tmp_path: Path, dags: dict) -> None:
    routed = describe(tmp_path, GUICHETS_WAREHOUSE_QUEUE="warehouse")["dags"]
    for dag_id in ("guichets_pipeline", "guichets_backfill"):
        tasks = routed[dag_id]["tasks"]
        on_queue = sorted(t for t, v in tasks.items() if v["queue"] == "warehouse")
        assert on_queue == sorted(t for t, v in tasks.items() if v["pool"] == "duckdb_writer")  # load ... publish
        assert tasks["collect"]["queue"] != "warehouse"  # collection runs on any worker
        assert {v["queue"] for v in dags["dags"][dag_id]["tasks"].values()} == {"default"}  # unset: one queue


def test_params(dags: dict) -> None:
    assert dags["dags"]["guichets_pipeline"]["params"] == ["mode"]
    assert dags["dags"]["guichets_backfill"]["params"] == ["archive", "date_from", "date_to", "window_months"]
