"""The production deployment for real: Postgres and the Airflow components on 127.0.0.1, DAGs
triggered with ``airflow dags trigger``, both DAGs at once, then everything stopped.

``python -m warehouse.deploy start`` (what ``make deploy-local`` runs) starts Debian's Postgres
with its data under the test's data directory, migrates Airflow's metadata into it, creates the
pools and starts the API server, scheduler, DAG processor and triggerer (LocalExecutor), or the
EdgeExecutor with an Edge worker process. Run states are read through the REST API.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from scrapers.archive.server import _free_port  # a free port on 127.0.0.1
from warehouse.deploy import cli_env, postgres_bindir
from warehouse.release.layout import verify_release
from warehouse.settings import get_settings

REPO = Path(__file__).resolve().parents[2]
RUN_TIMEOUT_S = 1800  # a run takes about a minute on an idle machine, 15 min and more on a machine at load 40

pytestmark = [
    pytest.mark.slow,
    pytest.mark.deploy,
    pytest.mark.skipif(not Path("/usr/lib/postgresql").is_dir(), reason="Postgres missing (make test installs it)"),
]


class Deployment:
    """One deployment in a data directory of its own, on free ports."""

    def __init__(self, executor: str) -> None:
        # Not under pytest's tmp (mode 0700): the postgres user must reach its folder.
        self.data_dir = Path(tempfile.mkdtemp(prefix="guichets-deploy-"))
        self.data_dir.chmod(0o711)
        self.port, self.pg_port = _free_port(), _free_port()
        self.executor = executor
        self.env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
            "GUICHETS_DEPLOY_PORT": str(self.port),
            "GUICHETS_PG_PORT": str(self.pg_port),
            "GUICHETS_EXECUTOR": executor,
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            # A sample-only deployment: unpausing the weekly DAG would start a live run at once,
            # whose captures (of the production registry's sources) fail the sample runs' gate.
            "GUICHETS_PIPELINE_SCHEDULE": "none",
            # The REST API without logging in: the test reads run states through it.
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        }

    def deploy(self, command: str, timeout: float = 1500) -> subprocess.CompletedProcess:
        cmd = [sys.executable, "-m", "warehouse.deploy", command, "--data-dir", str(self.data_dir)]
        if command == "start":  # four Airflow processes starting on a busy machine: minutes
            cmd += ["--start-timeout", "1200"]
        return subprocess.run(cmd, cwd=REPO, env=self.env, capture_output=True, text=True, timeout=timeout)

    def airflow(self, *args: str) -> subprocess.CompletedProcess:
        settings = get_settings(self.data_dir)
        env = {**self.env, **cli_env(settings, self.port, self.pg_port, self.executor)}
        airflow = str(Path(sys.executable).with_name("airflow"))
        return subprocess.run([airflow, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)

    def api(self, path: str, body: dict | None = None, method: str | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/api/v2/{path}", data=data, method=method or ("POST" if data else "GET")
        )
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read())

    def wait_run(self, dag_id: str, run_id: str) -> str:
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while time.monotonic() < deadline:
            state = self.api(f"dags/{dag_id}/dagRuns/{run_id}")["state"]
            if state in ("success", "failed"):
                return state
            time.sleep(3)
        return "timeout"

    def failed_tasks(self, dag_id: str, run_id: str) -> list[str]:
        """The run's tasks that did not succeed, and the end of the log of those that failed."""
        tis = self.api(f"dags/{dag_id}/dagRuns/{run_id}/taskInstances?limit=200")["task_instances"]
        found = sorted(f"{t['task_id']}[{t['map_index']}]={t['state']}" for t in tis if t["state"] != "success")
        logs = self.data_dir / "deploy" / "airflow" / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}"
        for t in tis:
            if t["state"] == "failed":
                for log in sorted(logs.glob(f"task_id={t['task_id']}/**/*.log")):
                    found.append(f"--- {log.relative_to(logs)}\n{log.read_text(errors='replace')[-3000:]}")
        return found

    def log_tail(self) -> str:
        log = self.data_dir / "deploy" / "deploy.log"
        return log.read_text(errors="replace")[-6000:] if log.exists() else "(no log)"


def _listening_ports() -> set[int]:
    """TCP ports in LISTEN state on this machine (``/proc/net/tcp*``)."""
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


@pytest.fixture(params=["local", "edge"])
def deployment(request: pytest.FixtureRequest) -> Iterator[Deployment]:
    dep = Deployment(request.param)
    started = time.monotonic()
    try:
        proc = dep.deploy("start")
        assert proc.returncode == 0, proc.stdout + proc.stderr + dep.log_tail()
        print(f"\n{dep.executor}: deployment started in {time.monotonic() - started:.0f} s")
        yield dep
    finally:
        stopping = time.monotonic()
        stopped = dep.deploy("stop", timeout=180)
        print(f"{dep.executor}: stopped in {time.monotonic() - stopping:.0f} s")
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
        assert dep.deploy("status").returncode == 3  # not running
        assert not {dep.port, dep.pg_port} & _listening_ports()
        shutil.rmtree(dep.data_dir, ignore_errors=True)


def test_the_deployment_runs_both_dags(deployment: Deployment) -> None:
    dep = deployment
    assert postgres_bindir().is_dir()
    # Postgres and the API server on loopback only; no log server anywhere (8793/8794).
    assert not {8793, 8794} & _listening_ports()

    # guichets_pipeline is paused on creation (its weekly schedule waits for the deployment's go).
    for dag_id in ("guichets_pipeline", "guichets_backfill"):
        assert dep.api(f"dags/{dag_id}", {"is_paused": False}, method="PATCH")["is_paused"] is False
    started = time.monotonic()
    trigger = dep.airflow("dags", "trigger", "guichets_pipeline", "--run-id", "first", "--conf", '{"mode": "sample"}')
    assert trigger.returncode == 0, trigger.stdout + trigger.stderr
    state = dep.wait_run("guichets_pipeline", "first")
    assert state == "success", (dep.failed_tasks("guichets_pipeline", "first"), dep.log_tail())
    print(f"{dep.executor}: pipeline run in {time.monotonic() - started:.0f} s")
    latest = (dep.data_dir / "releases" / "latest").resolve()
    assert verify_release(latest) == []  # checksums, metadata, data package, validation results
    assert json.loads((latest / "metadata.json").read_text())["validation"]["failed"] == 0

    # Both DAGs at once: they serialise on the duckdb_writer pool, each with its own sample archive.
    started = time.monotonic()
    dep.api("dags/guichets_pipeline/dagRuns", {"dag_run_id": "together-p", "logical_date": None, "conf": {}})
    dep.api(
        "dags/guichets_backfill/dagRuns",
        {"dag_run_id": "together-b", "logical_date": None, "conf": {"archive": "sample", "window_months": 240}},
    )
    states = {
        d: dep.wait_run(d, r) for d, r in [("guichets_pipeline", "together-p"), ("guichets_backfill", "together-b")]
    }
    assert states == {"guichets_pipeline": "success", "guichets_backfill": "success"}, (
        dep.failed_tasks("guichets_backfill", "together-b"),
        dep.log_tail(),
    )
    print(f"{dep.executor}: both DAGs together in {time.monotonic() - started:.0f} s")
    # Each run served its own archive from its own folder, removed by its teardown.
    assert not list((dep.data_dir / "sample_web" / "runs").iterdir())

    # A failed run calls the failure callbacks (warehouse.alerts): a backfill of an empty range
    # fails at planning, from the Wayback setting (nothing is fetched).
    conf = {"archive": "wayback", "date_from": "2026-01-02", "date_to": "2026-01-01"}
    dep.api("dags/guichets_backfill/dagRuns", {"dag_run_id": "fails", "logical_date": None, "conf": conf})
    assert dep.wait_run("guichets_backfill", "fails") == "failed"
    alerts = dep.data_dir / "alerts" / "failures.jsonl"
    deadline = time.monotonic() + 120  # the run's own callback runs in the DAG processor, a little later
    while time.monotonic() < deadline:
        records = [json.loads(line) for line in alerts.read_text().splitlines()] if alerts.exists() else []
        if any(r["task_id"] is None for r in records if r["run_id"] == "fails"):
            break
        time.sleep(2)
    failed = {(r["dag_id"], r["run_id"], r["task_id"]) for r in records}
    assert ("guichets_backfill", "fails", "plan_batches") in failed, records
    assert ("guichets_backfill", "fails", None) in failed, records
    assert "is after date_to" in next(r["error"] for r in records if r["task_id"] == "plan_batches")
