"""``scrapers.children``: real process trees (``sh`` and ``sleep``), killed in every way a run can end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from scrapers import children
from tests.helpers.procs import processes_mentioning, ps, wait_until_gone

REPO = Path(__file__).resolve().parents[2]


# A shell with two long sleeps: one in its group, one that leaves it (``setsid``, as Airflow's task
# runners do). The test's marker is in the environment of all three, so the test can find them.
TREE = ["sh", "-c", "setsid sleep 300 & sleep 300 & wait"]


@pytest.fixture
def marker(monkeypatch: pytest.MonkeyPatch) -> str:
    """A unique string put in the children's environment, then checked absent from every process."""
    value = f"guichets-test-{uuid.uuid4().hex}"
    monkeypatch.setenv("GUICHETS_TEST_MARKER", value)
    yield value
    for pid in processes_mentioning(value):  # never leave our own test processes behind
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def wait_for_count(marker: str, count: int, timeout: float = 20) -> dict[int, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = processes_mentioning(marker)
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"expected {count} processes, found:\n{ps(processes_mentioning(marker))}")


def test_stop_ends_the_whole_tree_even_helpers_that_left_the_group(marker: str) -> None:
    proc = children.spawn(TREE)
    wait_for_count(marker, 4)  # keeper, sh, two sleeps
    assert os.getpgid(proc.pid) == proc.pid, "the keeper leads its own process group"
    started = time.monotonic()
    children.stop(proc)
    assert time.monotonic() - started < 5
    assert not (left := wait_until_gone(marker, 2)), ps(left)


def test_exit_status_and_output_pass_through_the_keeper(marker: str) -> None:
    done = children.run(["sh", "-c", "echo out; echo err >&2; exit 3"], text=True)
    assert (done.returncode, done.stdout, done.stderr) == (3, "out\n", "err\n")
    assert children.run(["sh", "-c", "kill -TERM $$"]).returncode == -signal.SIGTERM
    with pytest.raises(FileNotFoundError):
        children.spawn(["guichets-no-such-program"])


def test_timeout_stops_the_tree(marker: str) -> None:
    with pytest.raises(subprocess.TimeoutExpired):
        children.run(TREE, timeout=1)
    assert not (left := wait_until_gone(marker, 2)), ps(left)


# The owner handles Ctrl-C as when started from a terminal: started from a background job
# (``make test &``, nohup), it would inherit SIGINT ignored and the SIGINT case could not end it.
OWNER = textwrap.dedent(
    """
    import signal, sys, time
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from scrapers import children
    children.spawn({tree!r})
    print("ready", flush=True)
    {tail}
    """
)


@pytest.mark.parametrize(
    ("sig", "tail"),
    [
        (signal.SIGKILL, "time.sleep(300)"),
        (signal.SIGTERM, "time.sleep(300)"),  # Python's default: die at once, no cleanup code runs
        (signal.SIGINT, "time.sleep(300)"),  # KeyboardInterrupt: the interpreter exits normally
        (None, "sys.stdin.readline(); sys.exit(0)"),  # the owner forgets to stop its child
    ],
    ids=["SIGKILL", "SIGTERM", "SIGINT", "exit"],
)
def test_children_die_with_their_owner(marker: str, sig: signal.Signals | None, tail: str) -> None:
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER.format(tree=TREE, tail=tail)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert owner.stdout is not None and owner.stdout.readline().strip() == "ready"
    wait_for_count(marker, 5)  # owner, keeper, sh, two sleeps
    if sig is not None:
        os.kill(owner.pid, sig)
    owner.communicate("exit\n", timeout=10)
    assert not (left := wait_until_gone(marker, 5)), f"left after the owner ended ({sig}):\n{ps(left)}"


def test_run_owner_is_the_declared_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(children.OWNER_ENV, str(os.getppid()))
    assert children.run_owner() == os.getppid()
    monkeypatch.setenv(children.OWNER_ENV, "999999999")  # no such process: fall back to ourselves
    assert children.run_owner() == os.getpid()
    monkeypatch.delenv(children.OWNER_ENV)
    assert children.run_owner() == os.getpid()
