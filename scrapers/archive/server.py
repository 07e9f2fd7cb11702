"""A local Wayback-compatible archive server: pywb's ``wayback`` on 127.0.0.1.

pywb monkeypatches the whole process with gevent when imported, so it is never imported here:
``wb-manager`` and ``wayback`` from the same virtualenv run as subprocesses, started by
:mod:`scrapers.children`. The server runs in its own session (process group) and belongs to the
run, not to the task that started it (:func:`scrapers.children.run_owner`): it outlives that
task, can be stopped from another process by its identity (:func:`stop_server`: machine, PID and
the process's start time, so a reused PID is never signalled), which is how the Airflow setup and
teardown tasks share it through XCom (:meth:`ArchiveServer.server_info`), and stops by itself when
the run's process exits, even when it is killed with ``kill -9``.

Once started it answers like web.archive.org for our purposes:
``{base_url}/cdx?url=...&output=json`` lists captures (one JSON object per line) and
``{base_url}/{timestamp}id_/{url}`` replays a capture with its archived status and headers.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from scrapers import children

BIN_DIR = Path(sys.executable).parent
HOST = "127.0.0.1"
LOG_NAME = "wayback.log"
# pywb reads ./config.yaml over its defaults; writing one keeps the settings we rely on explicit
# (Memento headers tell the fetcher that a replayed 5xx is an archived fact, not a failure).
CONFIG_YAML = """\
# Written by scrapers.archive.server; rewritten by prepare_collection().
enable_memento: true
"""


class ArchiveServerError(RuntimeError):
    """pywb could not be prepared or started; the message says why (with the log tail)."""


def _bin(name: str) -> str:
    path = BIN_DIR / name
    if not path.exists():
        raise ArchiveServerError(f"{path} not found: is pywb installed in this virtualenv ({sys.executable})?")
    return str(path)


def prepare_collection(warc_files: list[Path], root: Path, collection: str = "sample") -> Path:
    """(Re)create the pywb working directory ``root`` holding one collection of ``warc_files``.

    Runs ``wb-manager init`` and ``wb-manager add`` in ``root``: the WARCs are copied to
    ``root/collections/<collection>/archive`` and indexed into ``indexes/index.cdxj``. Any earlier
    copy of that collection is removed first, so re-running rebuilds it cleanly. Returns ``root``.
    """
    root = Path(root).resolve()
    warcs = sorted(Path(w).resolve() for w in warc_files)
    if not warcs:
        raise ArchiveServerError("prepare_collection: no WARC files given")
    missing = [str(w) for w in warcs if not w.is_file()]
    if missing:
        raise ArchiveServerError(f"prepare_collection: WARC files not found: {missing}")
    root.mkdir(parents=True, exist_ok=True)
    coll_dir = root / "collections" / collection
    if coll_dir.exists():
        shutil.rmtree(coll_dir)
    (root / "config.yaml").write_text(CONFIG_YAML, encoding="utf-8")
    _run([_bin("wb-manager"), "init", collection], cwd=root)
    _run([_bin("wb-manager"), "add", collection, *map(str, warcs)], cwd=root)
    index = coll_dir / "indexes" / "index.cdxj"
    if not index.is_file() or index.stat().st_size == 0:
        raise ArchiveServerError(f"wb-manager wrote no index at {index}")
    return root


def _run(cmd: list[str], cwd: Path) -> None:
    proc = children.run(cmd, cwd=cwd, text=True)
    if proc.returncode != 0:
        raise ArchiveServerError(
            f"{' '.join(cmd[:3])} failed with exit code {proc.returncode} in {cwd}:\n{_tail(proc.stderr)}"
        )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _tail(text: str, lines: int = 30) -> str:
    return "\n".join(text.splitlines()[-lines:])


@dataclass
class ArchiveServer:
    """A running ``wayback`` process serving one collection on 127.0.0.1."""

    root: Path
    collection: str
    port: int
    pid: int
    log_path: Path
    _proc: subprocess.Popen | None = field(default=None, repr=False, compare=False)

    @classmethod
    def start(
        cls, root: Path, collection: str = "sample", *, timeout_s: float = 60.0, owner: int | None = None
    ) -> ArchiveServer:
        """Start ``wayback`` on a free 127.0.0.1 port and wait until its CDX endpoint answers.

        The server stops by itself when ``owner`` exits (default: the run's owner,
        :func:`scrapers.children.run_owner`). Raises :class:`ArchiveServerError` with the end of
        the server log if it exits or does not answer within ``timeout_s``.
        """
        root = Path(root).resolve()
        if not (root / "collections" / collection / "indexes").is_dir():
            raise ArchiveServerError(f"no pywb collection {collection!r} under {root}: run prepare_collection first")
        owner = children.run_owner() if owner is None else owner
        last_error = ""
        # Another process may take the port between _free_port() and wayback's bind: retry then.
        for _attempt in range(3):
            server = cls._spawn(root, collection, _free_port(), owner)
            try:
                server._wait_ready(timeout_s)
                return server
            except ArchiveServerError as exc:
                server.stop()
                last_error = str(exc)
                if "Address already in use" not in last_error:
                    raise
        raise ArchiveServerError(last_error)

    @classmethod
    def _spawn(cls, root: Path, collection: str, port: int, owner: int) -> ArchiveServer:
        log_path = root / LOG_NAME
        with log_path.open("ab") as log:
            # Own session and process group (survives the starting task, stopped as a group),
            # and a keeper that stops it when the run's owner exits.
            proc = children.spawn(
                [_bin("wayback"), "-p", str(port), "-b", HOST, "-d", str(root)],
                owner=owner,
                cwd=root,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        return cls(root=root, collection=collection, port=port, pid=proc.pid, log_path=log_path, _proc=proc)

    def _wait_ready(self, timeout_s: float) -> None:
        probe = f"{self.cdx_url}?url={quote('https://example.invalid/', safe='')}&limit=1"
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise ArchiveServerError(
                    f"wayback exited with code {self._proc.returncode} before answering on port {self.port}; "
                    f"log {self.log_path}:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(probe, timeout=2) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise ArchiveServerError(
            f"wayback (pid {self.pid}) did not answer {probe} within {timeout_s:.0f}s; "
            f"log {self.log_path}:\n{self.log_tail()}"
        )

    @property
    def base_url(self) -> str:
        """Collection URL, e.g. ``http://127.0.0.1:PORT/sample``."""
        return f"http://{HOST}:{self.port}/{self.collection}"

    @property
    def cdx_url(self) -> str:
        """CDX endpoint, e.g. ``http://127.0.0.1:PORT/sample/cdx``."""
        return f"{self.base_url}/cdx"

    def replay_url(self, timestamp: str, url: str) -> str:
        """Raw (``id_``) replay URL of one capture."""
        return f"{self.base_url}/{timestamp}id_/{url}"

    def server_info(self) -> dict:
        """JSON-able description for XCom: enough for another process to use or stop the server."""
        return {
            "pid": self.pid,
            # With the PID, these identify the process itself: a PID alone may be reused.
            "machine": socket.gethostname(),
            "started": _start_ticks(self.pid),
            "port": self.port,
            "base_url": self.base_url,
            "cdx_url": self.cdx_url,
            "collection": self.collection,
            "root": str(self.root),
            "log": str(self.log_path),
        }

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the server log."""
        try:
            return _tail(self.log_path.read_text(encoding="utf-8", errors="replace"), lines)
        except FileNotFoundError:
            return "(no log)"

    def stop(self, timeout_s: float = 15.0) -> None:
        """Terminate the server's process group and wait for it (SIGKILL after ``timeout_s``)."""
        if self._proc is None:
            stop_pid(self.pid, timeout_s=timeout_s)
            return
        children.stop(self._proc, grace_s=timeout_s)
        self._proc = None

    def __enter__(self) -> ArchiveServer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def _is_wayback(pid: int) -> bool:
    """True if ``pid`` is alive (not a zombie) and runs pywb's ``wayback``."""
    proc = Path(f"/proc/{pid}")
    if proc.is_dir():
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (FileNotFoundError, ProcessLookupError):
            return False
        state = stat.rsplit(")", 1)[-1].split()[0]
        return state not in ("Z", "X") and "wayback" in cmdline
    if sys.platform.startswith("linux"):
        return False
    try:  # no /proc (macOS): trust the PID we were given
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def _start_ticks(pid: int) -> int | None:
    """When ``pid`` started (clock ticks after boot, ``/proc/PID/stat`` field 22); None if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return int(stat.rsplit(")", 1)[-1].split()[19])


def stop_server(info: dict, timeout_s: float = 15.0) -> bool:
    """Stop the server described by :meth:`ArchiveServer.server_info`, from any process.

    Signals it only if it is that very process: on this machine, with that PID *and* that start
    time (a PID reused since, by anything, is left alone). Returns True if it was stopped, False if
    it was already gone. On another machine (a remote worker) nothing is signalled: the server
    stops with the run that owns it.
    """
    if info.get("machine") not in (None, socket.gethostname()):
        return False
    pid = int(info["pid"])
    if info.get("started") is not None and _start_ticks(pid) != info["started"]:
        children.reap(pid)
        return False
    return stop_pid(pid, timeout_s=timeout_s)


def stop_pid(pid: int, timeout_s: float = 15.0) -> bool:
    """Stop a ``wayback`` server started elsewhere (e.g. by another Airflow task), by PID.

    Refuses to signal a PID that is not a running ``wayback`` process (the PID may have been
    reused). Returns True if a server was stopped, False if it was already gone.
    """
    if not _is_wayback(pid):
        children.reap(pid)  # our own exited child must not stay a zombie
        return False
    try:
        return children.stop_pid(pid, grace_s=timeout_s)
    except RuntimeError as exc:
        raise ArchiveServerError(f"wayback {exc}") from exc
