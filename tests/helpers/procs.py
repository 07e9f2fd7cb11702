"""What is running, read from ``/proc``: the tests' evidence that a killed run leaves nothing behind.

No psutil: the command line, environment, open files and sockets of each process are read where
the kernel publishes them, so the tests see exactly what ``ps`` and ``ss`` would.
"""

from __future__ import annotations

import ipaddress
import os
import time
from pathlib import Path

import pytest

PROC = Path("/proc")

if not (PROC / "self" / "fd").is_dir():  # the process tests read Linux's /proc
    pytest.skip("needs Linux /proc", allow_module_level=True)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:  # gone meanwhile, or not ours to read
        return b""


def _alive(pid: int) -> bool:
    stat = _read(PROC / str(pid) / "stat").decode(errors="replace")
    return bool(stat) and stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def processes_mentioning(marker: str) -> dict[int, str]:
    """Live processes (zombies excluded) whose command line or environment contains ``marker``
    (e.g. a test's own data directory), except this one; ``{pid: command line}``."""
    found: dict[int, str] = {}
    needle = marker.encode()
    for entry in PROC.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        cmdline = _read(entry / "cmdline")
        if (needle in cmdline or needle in _read(entry / "environ")) and _alive(int(entry.name)):
            found[int(entry.name)] = cmdline.replace(b"\0", b" ").decode(errors="replace").strip()
    return found


def _start_time(pid: int) -> str:
    """The process's start time (field 22 of /proc/PID/stat): a PID plus its start time names one process."""
    stat = _read(PROC / str(pid) / "stat").decode(errors="replace")
    return stat.rsplit(")", 1)[-1].split()[19] if stat else ""


def process_tree(root: int) -> dict[tuple[int, str], str]:
    """``root`` and its live descendants now: ``{(pid, start time): command line}``.

    For processes that rewrite their title and environment (Airflow's API server uses
    setproctitle), where :func:`processes_mentioning` cannot see a marker.
    """
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            stat = _read(entry / "stat").decode(errors="replace")
            if stat:
                children.setdefault(int(stat.rsplit(")", 1)[-1].split()[1]), []).append(int(entry.name))
    tree, todo = {}, [root]
    while todo:
        pid = todo.pop()
        if _alive(pid):
            cmd = _read(PROC / str(pid) / "cmdline").replace(b"\0", b" ").decode(errors="replace").strip()
            tree[(pid, _start_time(pid))] = cmd
        todo += children.get(pid, [])
    return tree


def still_running(snapshot: dict[tuple[int, str], str]) -> dict[int, str]:
    """The processes of a :func:`process_tree` snapshot that are still alive (same PID, same start)."""
    return {pid: cmd for (pid, start), cmd in snapshot.items() if _alive(pid) and _start_time(pid) == start}


def wait_until_gone(marker: str, timeout: float) -> dict[int, str]:
    """Wait up to ``timeout`` seconds for every process mentioning ``marker`` to exit; returns those left."""
    deadline = time.monotonic() + timeout
    left = processes_mentioning(marker)
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = processes_mentioning(marker)
    return left


def ps(pids: dict[int, str]) -> str:
    """A ``ps``-like listing for assertion messages."""
    return "\n".join(f"{pid:>7} {cmd[:200]}" for pid, cmd in sorted(pids.items())) or "(none)"


def open_files(pid: int) -> set[str]:
    """The targets of a process's file descriptors (paths, ``socket:[inode]``...)."""
    targets = set()
    try:
        fds = list((PROC / str(pid) / "fd").iterdir())
    except OSError:
        return targets
    for fd in fds:
        try:
            targets.add(os.readlink(fd))
        except OSError:
            pass
    return targets


def _address(hex_addr: str) -> str:
    """An address of /proc/net/tcp{,6} (host byte order, 32-bit words) as text."""
    raw = bytes.fromhex(hex_addr)
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return str(ipaddress.ip_address(words))


def listening_sockets(pids: list[int]) -> list[tuple[str, int, int]]:
    """TCP sockets in LISTEN state held by ``pids``: ``(address, port, pid)``, from /proc/net/tcp{,6}."""
    listening: dict[str, tuple[str, int]] = {}
    for table in ("tcp", "tcp6"):
        for line in _read(PROC / "net" / table).decode().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":  # TCP_LISTEN
                addr, port = fields[1].split(":")
                listening[fields[9]] = (_address(addr), int(port, 16))
    found = []
    for pid in pids:
        for target in open_files(pid):
            if target.startswith("socket:[") and target[8:-1] in listening:
                found.append((*listening[target[8:-1]], pid))
    return sorted(set(found))


def is_loopback(address: str) -> bool:
    """True for 127.0.0.0/8, ::1 and IPv4-mapped loopback."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback
