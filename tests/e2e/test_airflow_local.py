"""``make airflow``'s command: the local Airflow stops within 15 s of Ctrl-C, leaves nothing behind,
and listens on loopback only.

The exact command of the Makefile's ``airflow`` target runs here (with a data directory and a
port of the test's own): its API server, scheduler, DAG processor and triggerer start for real.
"""

from __future__ import annotations

import importlib.metadata
import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.helpers.procs import (
    is_loopback,
    listening_sockets,
    process_tree,
    processes_mentioning,
    ps,
    still_running,
    wait_until_gone,
)

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
AIRFLOW_VERSION = importlib.metadata.version("apache-airflow-core")
READY_TIMEOUT_S = 300  # four Airflow processes starting at once on a busy two-core machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def migrated_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated Airflow metadata database, kept in pytest's cache per Airflow version: migrating
    takes a minute on a busy machine, and the test is about stopping, not migrating."""
    cache = request.config.cache
    home = (
        cache.mkdir(f"airflow-home-{AIRFLOW_VERSION}") if cache is not None else tmp_path_factory.mktemp("airflow-home")
    )
    db = home / "airflow.db"
    if not db.is_file():
        env = {**os.environ, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
        proc = subprocess.run(
            [str(Path(sys.executable).with_name("airflow")), "db", "migrate"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
    return db


def make_airflow_command(data: Path, port: int) -> list[str]:
    """The command of the Makefile's ``airflow`` target, read from the Makefile itself."""
    after = (REPO / "Makefile").read_text().split("\nairflow:", 1)[1].splitlines()[1:]
    recipe = [line.strip() for line in itertools.takewhile(lambda line: line.startswith("\t"), after)]
    expected = '$(VENV)/bin/python -m warehouse.airflow_local --port $(AIRFLOW_PORT) --data-dir "$(CURDIR)/data"'
    assert recipe == [expected], recipe
    return [sys.executable, "-m", "warehouse.airflow_local", "--port", str(port), "--data-dir", str(data)]


def wait_ready(port: int, proc: subprocess.Popen) -> None:
    url = f"http://127.0.0.1:{port}/api/v2/version"
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"make airflow's command exited with {proc.returncode}"
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    pytest.fail(f"the API server did not answer {url} within {READY_TIMEOUT_S} s")


def test_make_airflow_stops_on_ctrl_c_within_15_s_and_listens_on_loopback_only(
    tmp_path: Path, migrated_db: Path
) -> None:
    data = tmp_path / "data"
    (data / "airflow").mkdir(parents=True)
    shutil.copy(migrated_db, data / "airflow" / "airflow.db")
    (data / "airflow" / f".migrated-{AIRFLOW_VERSION}").touch()
    port = free_port()
    log = (tmp_path / "airflow.log").open("wb")
    proc = subprocess.Popen(
        make_airflow_command(data, port),
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # as a terminal's foreground job: Ctrl-C is a SIGINT to it
    )
    try:
        wait_ready(port, proc)
        time.sleep(5)  # let the scheduler start its executor's workers and the triggerer its loop
        snapshot = process_tree(proc.pid)
        running = {pid: cmd for (pid, _), cmd in snapshot.items()} | processes_mentioning(str(data))
        names = " ".join(running.values())
        for component in ("api_server", "scheduler", "dag-processor", "triggerer"):
            assert component in names.replace("api-server", "api_server"), f"{component} not running:\n{ps(running)}"
        sockets = listening_sockets(list(running))
        assert ("127.0.0.1", port) in {(a, p) for a, p, _ in sockets}, sockets
        exposed = [s for s in sockets if not is_loopback(s[0])]
        assert not exposed, f"listening beyond this machine: {exposed}\n{ps(running)}"

        started = time.monotonic()
        os.kill(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
        elapsed = time.monotonic() - started
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
    left = wait_until_gone(str(data), timeout=1) | still_running(snapshot)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"left after Ctrl-C:\n{ps(left)}"
    assert elapsed < 15, f"Ctrl-C took {elapsed:.1f} s:\n{(tmp_path / 'airflow.log').read_text()[-3000:]}"
    print(f"make airflow stopped {elapsed:.1f} s after Ctrl-C; listening sockets seen: {sockets}")
