"""A killed ``guichets run --mode sample`` leaves nothing behind: no archive server, no dbt, no lock.

The real pipeline runs in a subprocess (the CLI's own code, from this checkout) and is ended the
three ways a run ends badly: SIGTERM (a service manager), SIGINT (Ctrl-C), SIGKILL (``kill -9``, the
OOM killer). Afterwards ``/proc`` must hold no process that mentions the run's data directory, and
the DuckDB file must open for writing (DuckDB allows one writer: an orphan dbt would keep it).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from tests.helpers.procs import open_files, processes_mentioning, ps, wait_until_gone

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
# Generous: the first run migrates Airflow's metadata and builds the sample web, on a busy CI machine.
STAGE_TIMEOUT_S = 900


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data directory for the module's runs: later runs reuse the migrated Airflow database."""
    return tmp_path_factory.mktemp("killed-run")


def start_pipeline(data: Path) -> subprocess.Popen:
    """``guichets run --mode sample`` in its own session (as in a terminal), log in ``data``."""
    log = (data.parent / f"{data.name}-{time.time_ns()}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "warehouse.cli", "run", "--mode", "sample", "--data-dir", str(data)],
        cwd=REPO,  # this checkout's code, as `python -m` imports it from the working directory
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for(what: str, found: Callable[[], dict[int, str]], run: subprocess.Popen) -> dict[int, str]:
    """Wait until ``found()`` returns processes, while the run is still going."""
    deadline = time.monotonic() + STAGE_TIMEOUT_S
    while time.monotonic() < deadline:
        if hits := found():
            return hits
        if run.poll() is not None:
            pytest.fail(f"the run ended (code {run.returncode}) before {what}")
        time.sleep(0.2)
    pytest.fail(f"no {what} within {STAGE_TIMEOUT_S} s")


def archive_server(data: Path) -> dict[int, str]:
    """The pywb ``wayback`` serving this run's sample archive."""
    return {pid: cmd for pid, cmd in processes_mentioning(str(data)).items() if "bin/wayback " in cmd + " "}


def dbt_holding_the_database(data: Path) -> dict[int, str]:
    """dbt processes of this run that have the warehouse file open (so they hold DuckDB's lock)."""
    db = str(data / "warehouse" / "guichets.duckdb")
    return {
        pid: cmd for pid, cmd in processes_mentioning(str(data)).items() if "bin/dbt " in cmd and db in open_files(pid)
    }


def assert_nothing_left(data: Path, run: subprocess.Popen, sig: signal.Signals) -> None:
    left = wait_until_gone(str(data), timeout=20)
    for pid in left:  # clean up for the next test before failing this one
        os.kill(pid, signal.SIGKILL)
    assert not left, f"processes left after {sig.name} of the pipeline:\n{ps(left)}"
    db = data / "warehouse" / "guichets.duckdb"
    if db.exists():
        duckdb.connect(str(db)).execute("create or replace table main.lock_probe as select 1 as ok").close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=["SIGTERM", "SIGINT", "SIGKILL"])
def test_terminated_while_collecting(data: Path, sig: signal.Signals) -> None:
    run = start_pipeline(data)
    try:
        wait_for("the archive server", lambda: archive_server(data), run)
        os.kill(run.pid, sig)
        run.wait(timeout=60)  # the pipeline itself stops promptly
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    assert_nothing_left(data, run, sig)


def test_killed_while_dbt_holds_the_database(data: Path) -> None:
    run = start_pipeline(data)
    try:
        wait_for("archive server", lambda: archive_server(data), run)
        wait_for("dbt holding the DuckDB file", lambda: dbt_holding_the_database(data), run)
        assert archive_server(data) == {}, "collection is over: the teardown stopped the archive server"
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=10)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    assert_nothing_left(data, run, signal.SIGKILL)
