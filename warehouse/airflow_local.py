"""A project-local Airflow (SQLite metadata under ``<data>/airflow``): the DAG run in-process
(:func:`run_dag`, what ``guichets run`` does) and the local UI with its components (:func:`serve`,
what ``make airflow`` runs: ``python -m warehouse.airflow_local``).

Airflow reads its configuration from the environment at import time, so :func:`configure`
must run before anything imports ``airflow``.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from scrapers import children
from warehouse.settings import PROJECT_ROOT, Settings, get_settings

PIPELINE_DAG = "guichets_pipeline"


class DagRunFailed(RuntimeError):
    """The DAG run did not succeed; the message names the failed tasks."""


def airflow_env(settings: Settings) -> dict[str, str]:
    """The settings ``guichets run`` and ``make airflow`` share: AIRFLOW_HOME under the data
    directory (so runs made by one appear in the other), the project's ``dags/``, no examples."""
    return {
        "AIRFLOW_HOME": str(settings.airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "GUICHETS_DATA_DIR": str(settings.data_dir),
        "GUICHETS_RELEASE_BASE_URL": settings.release_base_url,
    }


def configure(settings: Settings) -> Path:
    """Point Airflow at ``<data>/airflow`` and the project's ``dags/``; returns AIRFLOW_HOME."""
    home = settings.airflow_home
    home.mkdir(parents=True, exist_ok=True)
    os.environ.update(airflow_env(settings))
    os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "False"
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")
    os.environ["GUICHETS_REGISTRY"] = str(settings.registry)
    # dag.test() runs every task in this process: the run's children (the archive server) belong
    # to it, and stop when it exits, however it exits.
    os.environ[children.OWNER_ENV] = str(os.getpid())
    return home


def migrate(home: Path) -> None:
    """Create or upgrade the metadata database (skipped when already done for this version), and
    create the DAGs' pools (``warehouse.pools``)."""
    import importlib.metadata

    from warehouse.pools import ensure_pools

    marker = home / f".migrated-{importlib.metadata.version('apache-airflow-core')}"
    if not marker.exists():
        proc = children.run([_airflow(), "db", "migrate"], text=True, env=os.environ.copy())
        if proc.returncode != 0:
            raise RuntimeError(f"airflow db migrate failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
        marker.touch()
    ensure_pools()


def run_dag(settings: Settings, conf: dict, dag_id: str = PIPELINE_DAG) -> None:
    """Run a DAG once with ``dag.test()``; raise :class:`DagRunFailed` unless it succeeded."""
    home = configure(settings)
    migrate(home)
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags"))
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    dag = bag.get_dag(dag_id)
    with _ended_by_signals():
        run = dag.test(run_conf=conf)
    states = _task_states(dag_id, run.run_id)
    failed = sorted(k for k, v in states.items() if v != "success")
    if str(run.state) != "success" or failed:
        raise DagRunFailed(f"DAG run {run.run_id} ended {run.state}; tasks not successful: {failed}")


@contextmanager
def _ended_by_signals() -> Iterator[None]:
    """Make SIGTERM, SIGINT (Ctrl-C) and SIGHUP end an in-process DAG run at once.

    Airflow's task runner replaces the SIGTERM handler at every task with one that only calls the
    operator's ``on_kill()`` and carries on (a SIGTERM'd run went on for minutes), and Ctrl-C's
    KeyboardInterrupt would surface inside whatever task code happens to run. Here the signals are
    blocked in every thread (threads inherit the mask; child processes are started by
    :mod:`scrapers.children`, whose keeper unblocks them again) and one thread waits for them and
    ends the process; the children then stop with their owner.
    """
    signals = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, signals)

    def wait() -> None:
        sig = signal.sigwait(signals)
        print(f"\nguichets: {signal.Signals(sig).name} received, run stopped", file=sys.stderr, flush=True)
        os._exit(128 + sig)

    threading.Thread(target=wait, name="guichets-signals", daemon=True).start()
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _task_states(dag_id: str, run_id: str) -> dict[str, str]:
    """Task states of one run, read in a fresh session (dag.test() returns a detached DagRun)."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(TaskInstance.task_id, TaskInstance.map_index, TaskInstance.state).filter(
            TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id
        )
        return {f"{t}[{m}]" if m >= 0 else t: str(s) for t, m, s in rows}


def _airflow() -> str:
    """The ``airflow`` executable of the running virtualenv."""
    return str(Path(sys.executable).with_name("airflow"))


# --- make airflow: the local UI and its components ---------------------------------------------

# Seconds a component gets to exit after SIGTERM before it is killed: with the final sweep, a
# Ctrl-C ends everything well within 15 s (`airflow standalone` could hang for minutes).
STOP_GRACE_S = 6.0


def components(port: int) -> dict[str, list[str]]:
    """The Airflow components of the local UI and their command lines (after ``airflow``).

    What ``airflow standalone`` runs, minus what it cannot be told: its scheduler and triggerer
    start log servers bound to every interface (``serve_logs`` takes no host), while task logs
    are local files the API server reads directly here; ``--skip-serve-logs`` turns them off.
    """
    return {
        "api-server": ["api-server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        "scheduler": ["scheduler", "--skip-serve-logs"],
        "dag-processor": ["dag-processor"],
        "triggerer": ["triggerer", "--skip-serve-logs"],
    }


def serve_env(settings: Settings, port: int) -> dict[str, str]:
    """Environment of the local Airflow components (see docs/airflow.md)."""
    venv_bin = str(Path(sys.executable).parent)
    return {
        **os.environ,
        **airflow_env(settings),
        "PATH": venv_bin + os.pathsep + os.environ.get("PATH", ""),
        # This checkout's code for the DAGs' tasks, not whatever the venv's install points at.
        "PYTHONPATH": os.pathsep.join(p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH")) if p),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        # Task runners report to the API server: on this port, not Airflow's default 8080.
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        # The LocalExecutor starts one worker process per slot (32 by default): 8 is what the
        # collect tasks use at most (max_active_tis_per_dagrun), and starts and stops faster.
        "AIRFLOW__CORE__PARALLELISM": os.environ.get("AIRFLOW__CORE__PARALLELISM", "8"),
        "PYTHONUNBUFFERED": "1",  # components' lines reach the terminal as they are written
        # The archive server a task starts belongs to this supervisor, not to the task's process.
        children.OWNER_ENV: str(os.getpid()),
    }


def serve(
    settings: Settings,
    port: int,
    *,
    env_overrides: dict[str, str] | None = None,
    extra_components: dict[str, list[str]] | None = None,
    after_stop: Callable[[], object] | None = None,
) -> int:
    """Run the local Airflow UI and its components until Ctrl-C (or SIGTERM); returns an exit code.

    Each component runs under a keeper (:mod:`scrapers.children`): in its own process group, and
    stopped with everything it started (task runners included) when this process exits, even by
    ``kill -9``. On Ctrl-C, every component gets SIGTERM and :data:`STOP_GRACE_S` seconds, then
    SIGKILL; a second Ctrl-C kills at once. ``env_overrides`` and ``extra_components`` are a
    deployment's (``warehouse.deploy``: Postgres, another executor, an Edge worker);
    ``after_stop`` runs once the components are stopped, before the final sweep of leftovers
    (the deployment stops its Postgres there, cleanly).
    """
    children.become_subreaper()  # orphans of the components come back to us, and are stopped
    env = {**serve_env(settings, port), **(env_overrides or {})}
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    _print("guichets", f"AIRFLOW_HOME={home}; migrating the metadata database")
    os.environ.update(env)
    migrate(home)
    signals: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        signals.append(signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    procs: dict[str, subprocess.Popen] = {}
    for name, args in {**components(port), **(extra_components or {})}.items():
        procs[name] = children.spawn(
            [_airflow(), *args],
            env=env,
            grace_s=STOP_GRACE_S,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        threading.Thread(target=_relay, args=(name, procs[name]), daemon=True).start()
    _print("guichets", f"Airflow UI on http://localhost:{port} (this machine only); Ctrl-C stops everything")
    code = 0
    while not signals:
        exited = [name for name, proc in procs.items() if proc.poll() is not None]
        if exited:
            _print("guichets", f"{', '.join(exited)} exited (code {procs[exited[0]].returncode}): stopping")
            code = 1
            break
        time.sleep(0.2)
    started = time.monotonic()
    _print("guichets", "stopping the Airflow components")
    children.stop_all(list(procs.values()), grace_s=STOP_GRACE_S, hurry=lambda: len(signals) > 1)
    if after_stop is not None:
        after_stop()
    children.sweep(os.getpid())
    _print("guichets", f"stopped in {time.monotonic() - started:.1f} s")
    return code if not signals else 128 + signals[0]


def _relay(name: str, proc: subprocess.Popen) -> None:
    """Print a component's output, each line prefixed with its name (as ``airflow standalone`` does)."""
    assert proc.stdout is not None
    for line in proc.stdout:
        _print(name, line.decode("utf-8", "replace").rstrip())


def _print(name: str, line: str) -> None:
    print(f"{name:13} | {line}", flush=True)


def main(argv: list[str] | None = None) -> int:
    """``python -m warehouse.airflow_local [--port N] [--data-dir DIR]``: what ``make airflow`` runs."""
    parser = argparse.ArgumentParser(prog="python -m warehouse.airflow_local", description=serve.__doc__)
    parser.add_argument("--port", type=int, default=8080, help="API server and UI port on 127.0.0.1 (8080)")
    parser.add_argument("--data-dir", type=Path, default=None, help="data directory (default: ./data)")
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        parser.error(f"--port must be between 1 and 65535, not {args.port}")
    return serve(get_settings(args.data_dir), args.port)


if __name__ == "__main__":
    sys.exit(main())
