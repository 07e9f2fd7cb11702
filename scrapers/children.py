"""Child processes that never outlive their owner: the one way guichets starts and stops them.

Every long-lived or heavy child of the project (the pywb archive server, dbt, headless Chromium,
the Airflow components of ``make airflow``) is started with :func:`spawn` and stopped with
:func:`stop`. :func:`spawn` does not run the command directly: it runs this file as a small
*keeper* process that

- leads a new session and process group (``start_new_session``), so a Ctrl-C at the terminal
  reaches only the parent, which then stops the group itself, and a stop reaches every helper
  the command forked;
- starts the command as its own child with ``PR_SET_PDEATHSIG`` = SIGKILL (Linux), so the
  command dies if the keeper is killed, even by ``kill -9``;
- is a child subreaper (``PR_SET_CHILD_SUBREAPER``), so helpers that leave the group (Airflow's
  task runners call ``setpgid``) or lose their parent are re-parented to the keeper and are
  still found and stopped by it;
- watches its *owner* process through a pidfd (``pidfd_open``, Linux 5.3), which becomes
  readable when the owner exits for any reason, ``kill -9`` included, and then stops the whole
  tree (SIGTERM, then SIGKILL after a grace period). ``PR_SET_PDEATHSIG`` alone would not do:
  it follows the *thread* that forked, and the archive server must outlive the Airflow task
  that started it while still dying with the pipeline or ``make airflow`` that owns the run.

The owner is the process calling :func:`spawn` unless ``owner`` names another (see
:func:`run_owner`). The keeper exits with the command's exit status (a command
killed by a signal makes the keeper die of the same signal), so callers read it as they would the
command's own.

This file imports only the standard library: the keeper runs it as a script (``python -I -S``),
fast to start and independent of the package's import path.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

OWNER_ENV = "GUICHETS_OWNER_PID"
# prctl(2) options (linux/prctl.h).
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
# How long a stopped tree gets to exit after SIGTERM before SIGKILL.
DEFAULT_GRACE_S = 8.0
_KEEPER = Path(__file__).resolve()


def run_owner() -> int:
    """The process that owns the current run: ``$GUICHETS_OWNER_PID`` if set and alive, else this process.

    For children that must outlive the code that starts them (the archive server, started by one
    Airflow task and stopped by another): ``guichets run`` sets it to its own PID and ``make
    airflow``'s supervisor to its own, so such a server lives as long as the run, and no longer.
    Synchronous children (dbt, Chromium) belong to the process that waits for them (the default
    of :func:`spawn`).
    """
    value = os.environ.get(OWNER_ENV, "").strip()
    if value.isdigit() and _alive(int(value)):
        return int(value)
    return os.getpid()


def spawn(
    cmd: list[str],
    *,
    owner: int | None = None,
    grace_s: float = DEFAULT_GRACE_S,
    **popen: object,
) -> subprocess.Popen:
    """Start ``cmd`` under a keeper (see the module docstring) and return the keeper's ``Popen``.

    ``popen`` takes :class:`subprocess.Popen`'s keywords (``cwd``, ``env``, ``stdin``, ``stdout``,
    ``stderr``, ``text``...); the command inherits them through the keeper. The returned process's
    PID leads the command's process group: pass it to :func:`stop` or :func:`stop_pid`.
    Raises :class:`FileNotFoundError` if ``cmd[0]`` cannot be found, as ``Popen`` would.
    """
    if "start_new_session" in popen or "preexec_fn" in popen:
        raise TypeError("spawn() chooses the session and the pre-exec hook itself")
    env = popen.get("env") or os.environ
    if shutil.which(cmd[0], path=env.get("PATH")) is None:  # type: ignore[union-attr]
        raise FileNotFoundError(f"no such executable: {cmd[0]}")
    owner = os.getpid() if owner is None else owner
    keeper = [sys.executable, "-I", "-S", str(_KEEPER), str(owner), f"{grace_s:g}", "--", *cmd]
    return subprocess.Popen(keeper, start_new_session=True, **popen)  # type: ignore[call-overload]


def run(cmd: list[str], *, timeout: float | None = None, **popen: object) -> subprocess.CompletedProcess:
    """Like :func:`subprocess.run` with ``capture_output=True``, through :func:`spawn`.

    Whatever happens (a timeout, an exception, Ctrl-C in the caller), the command's whole tree is
    stopped before this returns or raises. Raises :class:`subprocess.TimeoutExpired` on timeout.
    """
    popen.setdefault("stdout", subprocess.PIPE)
    popen.setdefault("stderr", subprocess.PIPE)
    proc = spawn(cmd, **popen)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    finally:
        stop(proc)
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)


def stop(proc: subprocess.Popen, *, grace_s: float = DEFAULT_GRACE_S) -> int | None:
    """Stop a process started by :func:`spawn` and everything it started; returns its exit code.

    SIGTERM to the keeper, which passes it on to the command (once: programs such as Airflow's
    read a second SIGTERM as "force"), waits up to ``grace_s`` and then kills whatever is left of
    the tree; SIGKILL to the group if the keeper itself does not answer. Safe to call on a process
    that already exited: its group may still hold helpers, which are killed.
    """
    if proc.poll() is None:
        _kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=grace_s + 2)  # the keeper's own grace, then its SIGKILL, come first
        except subprocess.TimeoutExpired:
            _signal_group(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    _signal_group(proc.pid, signal.SIGKILL)  # leftovers of a command that exited by itself
    return proc.returncode


def stop_pid(pid: int, *, grace_s: float = DEFAULT_GRACE_S) -> bool:
    """Stop a keeper started by :func:`spawn` in another process (e.g. another Airflow task), by PID.

    The caller checks first that ``pid`` is the keeper it means (PIDs are reused). Returns False
    if it was already gone.
    """
    if not _alive(pid):
        reap(pid)
        return False
    _kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s + 2
    while time.monotonic() < deadline:
        reap(pid)
        if not _alive(pid):
            break
        time.sleep(0.05)
    _signal_group(pid, signal.SIGKILL)
    for _ in range(100):
        reap(pid)
        if not _alive(pid):
            return True
        time.sleep(0.05)
    raise RuntimeError(f"process {pid} did not stop after SIGKILL")


def stop_all(
    procs: list[subprocess.Popen], *, grace_s: float = DEFAULT_GRACE_S, hurry: Callable[[], bool] | None = None
) -> None:
    """Stop several processes started by :func:`spawn` at once, as :func:`stop` does, with one shared
    grace period. ``hurry`` (a callable) cuts the grace short when it returns True (a second Ctrl-C)."""
    for proc in procs:
        if proc.poll() is None:
            _kill(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s + 2  # the keepers' own grace and SIGKILL come first
    while time.monotonic() < deadline and any(p.poll() is None for p in procs):
        if hurry is not None and hurry():
            break
        time.sleep(0.05)
    for proc in procs:
        _signal_group(proc.pid, signal.SIGKILL)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass  # unkillable (uninterruptible sleep): nothing more a parent can do


def sweep(root: int, *, reap_killed: bool = True) -> list[int]:
    """SIGKILL every live descendant of ``root`` (repeatedly: one may fork while its siblings die)
    and, with ``reap_killed``, reap those that are our children; returns the PIDs killed."""
    killed: list[int] = []
    for _ in range(20):
        left = descendants(root)
        if not left:
            break
        for pid in left:
            _kill(pid, signal.SIGKILL)
        killed += left
        time.sleep(0.02)
        for pid in left if reap_killed else ():
            reap(pid)
    return killed


def become_subreaper() -> None:
    """Make this process the reaper of its orphaned descendants (Linux; a no-op elsewhere), so
    that :func:`descendants` still finds them after their parent died."""
    if sys.platform.startswith("linux"):
        _prctl(PR_SET_CHILD_SUBREAPER, 1)


def _signal_group(pid: int, sig: int) -> None:
    """Signal the group led by ``pid`` (keepers lead their own); the process alone otherwise."""
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass  # gone already (the group may live on only as a zombie leader)


def reap(pid: int) -> None:
    """Collect ``pid`` if it is an exited child of this process (no zombie left); a no-op otherwise."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _alive(pid: int) -> bool:
    """True if ``pid`` runs and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        if Path("/proc/self").is_dir():
            return False
        try:  # no /proc (macOS)
            os.kill(pid, 0)
            return True
        except ProcessLookupError:
            return False
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def descendants(root: int) -> list[int]:
    """PIDs of every live descendant of ``root`` (read from ``/proc``), children before grandchildren."""
    parents: dict[int, list[int]] = {}
    proc = Path("/proc")
    if not proc.is_dir():
        return []  # no /proc (macOS): only the process groups are stopped
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[-1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if fields[0] not in ("Z", "X"):
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found: list[int] = []
    todo = [root]
    while todo:
        for child in parents.get(todo.pop(0), []):
            found.append(child)
            todo.append(child)
    return found


def _prctl(option: int, value: int) -> None:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}) failed")


# --- the keeper (this file run as a script) ---------------------------------------------------


class _Keeper:
    """Runs one command, and stops its whole tree when asked or when the owner exits."""

    def __init__(self, owner: int, grace_s: float, cmd: list[str]) -> None:
        self.owner = owner
        self.grace_s = grace_s
        self.cmd = cmd
        self.pid = os.getpid()
        self.child = 0
        self.status: int | None = None
        self.stop_reason = ""

    def main(self) -> int:
        # A parent may block signals (guichets run does, around dag.test()); the mask is inherited
        # through exec, and a command that cannot receive SIGTERM could not be stopped.
        signal.pthread_sigmask(signal.SIG_SETMASK, set())
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._on_signal)
        become_subreaper()
        try:
            owner_fd: int | None = os.pidfd_open(self.owner)
        except ProcessLookupError:
            return 1  # the owner is already gone: start nothing
        except (AttributeError, OSError):
            owner_fd = None  # no pidfd here: poll the owner's PID instead
        self.child = self._start()
        try:  # readable as soon as the command exits: no polling delay on the common path
            watched = [fd for fd in (owner_fd, os.pidfd_open(self.child)) if fd is not None]
        except (AttributeError, OSError):
            watched = [owner_fd] if owner_fd is not None else []
        while self.status is None and not self.stop_reason:
            if watched:
                ready = select.select(watched, [], [], 0.2)[0]
                if owner_fd is not None and owner_fd in ready:
                    self.stop_reason = "owner exited"
            else:
                time.sleep(0.2)
                if not _alive(self.owner):
                    self.stop_reason = "owner exited"
            self._reap_all()
        if self.status is None:
            self._stop_tree()
        else:
            self._sweep()  # helpers the command left behind
        return self._exit_code()

    def _start(self) -> int:
        pid = os.fork()
        if pid == 0:  # the command: dies with the keeper, whatever kills the keeper
            try:
                for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                    signal.signal(sig, signal.SIG_DFL)
                if sys.platform.startswith("linux"):
                    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
                if os.getppid() != self.pid:  # the keeper died before prctl took effect
                    os._exit(1)
                os.execvp(self.cmd[0], self.cmd)
            except BaseException as exc:  # noqa: BLE001 (report anything, never return into the keeper)
                os.write(2, f"cannot run {self.cmd[0]}: {exc}\n".encode())
            os._exit(127)
        return pid

    def _on_signal(self, signum: int, _frame: object) -> None:
        self.stop_reason = f"signal {signum}"

    def _reap_all(self) -> None:
        # As a subreaper we also inherit orphans: collect them all so that none stays a zombie.
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid == self.child:
                self.status = status

    def _stop_tree(self) -> None:
        """SIGTERM to the command (it stops its own helpers, as under ``airflow standalone``), then,
        once it has exited or after the grace period, SIGKILL to every descendant left."""
        _kill(self.child, signal.SIGTERM)
        deadline = time.monotonic() + self.grace_s
        while time.monotonic() < deadline:
            self._reap_all()
            if self.status is not None:
                break
            time.sleep(0.05)
        self._sweep()
        if self.status is None:
            _, self.status = os.waitpid(self.child, 0)

    def _sweep(self) -> None:
        sweep(self.pid, reap_killed=False)  # _reap_all keeps the command's own exit status
        self._reap_all()

    def _exit_code(self) -> int:
        status = self.status or 0
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            if sig not in (signal.SIGKILL, signal.SIGSTOP):  # those two cannot be caught anyway
                signal.signal(sig, signal.SIG_DFL)
            os.kill(os.getpid(), sig)  # die of the same signal, so the caller sees it
            return 128 + sig
        return os.waitstatus_to_exitcode(status)


def _kill(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


if __name__ == "__main__":
    # keeper: python -I -S children.py OWNER_PID GRACE_S -- CMD...
    sys.exit(_Keeper(int(sys.argv[1]), float(sys.argv[2]), sys.argv[4:]).main())
