"""Run the DAG in-process with a project-local Airflow (SQLite metadata, no scheduler).

Airflow reads its configuration from the environment at import time, so :func:`configure`
must run before anything imports ``airflow``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from warehouse.settings import PROJECT_ROOT, Settings

PIPELINE_DAG = "guichets_pipeline"


class DagRunFailed(RuntimeError):
    """The DAG run did not succeed; the message names the failed tasks."""


def configure(settings: Settings) -> Path:
    """Point Airflow at ``<data>/airflow`` and the project's ``dags/``; returns AIRFLOW_HOME."""
    home = settings.data_dir / "airflow"
    home.mkdir(parents=True, exist_ok=True)
    os.environ["AIRFLOW_HOME"] = str(home)
    os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(PROJECT_ROOT / "dags")
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "False"
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")
    os.environ["GUICHETS_DATA_DIR"] = str(settings.data_dir)
    os.environ["GUICHETS_REGISTRY"] = str(settings.registry)
    return home


def migrate(home: Path) -> None:
    """Create or upgrade the SQLite metadata database (skipped when already done for this version)."""
    import importlib.metadata

    marker = home / f".migrated-{importlib.metadata.version('apache-airflow-core')}"
    if marker.exists():
        return
    airflow = str(Path(sys.executable).with_name("airflow"))
    proc = subprocess.run([airflow, "db", "migrate"], capture_output=True, text=True, env=os.environ.copy())
    if proc.returncode != 0:
        raise RuntimeError(f"airflow db migrate failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    marker.touch()


def run_dag(settings: Settings, conf: dict, dag_id: str = PIPELINE_DAG) -> None:
    """Run a DAG once with ``dag.test()``; raise :class:`DagRunFailed` unless it succeeded."""
    home = configure(settings)
    migrate(home)
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags"))
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    dag = bag.get_dag(dag_id)
    run = dag.test(run_conf=conf)
    states = _task_states(dag_id, run.run_id)
    failed = sorted(k for k, v in states.items() if v != "success")
    if str(run.state) != "success" or failed:
        raise DagRunFailed(f"DAG run {run.run_id} ended {run.state}; tasks not successful: {failed}")


def _task_states(dag_id: str, run_id: str) -> dict[str, str]:
    """Task states of one run, read in a fresh session (dag.test() returns a detached DagRun)."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(TaskInstance.task_id, TaskInstance.map_index, TaskInstance.state).filter(
            TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id
        )
        return {f"{t}[{m}]" if m >= 0 else t: str(s) for t, m, s in rows}
