"""A politeness budget per host shared by every process on the machine (Airflow tasks included).

:class:`scrapers.fetch.client.HostRateLimiter` spaces one process's requests to a host; but a backfill
runs several collect tasks at once, each in its own process, all asking the same web archive
(web.archive.org's CDX endpoint allows about 24 requests a minute per client and blocks clients
that keep getting 429). :class:`SharedHostRateLimiter` has the same interface and keeps the
host's next free slot in a small file under a directory every process sees (``<data>/politeness``):
each reservation takes an exclusive ``flock`` on that file, reads the slot, moves it one interval
on and releases the lock, so N processes together send no more than one process would. A
``Retry-After`` (:meth:`~SharedHostRateLimiter.defer`) pushes the slot back for all of them.

Times are ``time.monotonic()`` values, which Linux shares between the processes of one machine
(they count from boot). Across machines (remote workers) the Airflow pool ``web_archive`` bounds
how many tasks ask the archive at once; see docs/deploy.md.
"""

from __future__ import annotations

import fcntl
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scrapers.fetch.client import write_gap

# web.archive.org's CDX API: about 24 requests a minute per client (its documented-by-experience
# limit; 429s beyond it, then a block). Shared by every task asking it.
WAYBACK_RATE_PER_S = 24 / 60
# A wake-up later than this after its slot moves the host's next slot (see SharedHostRateLimiter.wait).
LATE_WAKE_S = 0.001


def _slot_file(directory: Path, host: str) -> Path:
    """One file per host; the name keeps the host readable and safe as a file name."""
    return directory / (re.sub(r"[^A-Za-z0-9._-]", "_", host) + ".next")


class SharedHostRateLimiter:
    """:class:`scrapers.fetch.client.HostRateLimiter`'s interface, with the next slot of each host in a
    file under ``directory`` shared by every process (and thread) that uses the same directory.

    Its guarantee is kept on the slot alone: a late wake, and each write (:meth:`sent`), move the
    next slot a whole interval on, for every process. A gate checked at the write, as the
    per-process limiter has, would need the file lock held across other processes' writes; the
    web archives this limiter serves are asked a few times a minute, where the slower pace of
    a busy machine costs nothing that matters.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def _locked(self, host: str) -> Iterator[list[float]]:
        """The host's next free slot (a one-item list to update), under an exclusive file lock."""
        path = _slot_file(self.directory, host)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            raw = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
            try:
                slot = [float(raw)]
            except ValueError:  # a new file (or one from before a reboot, below)
                slot = [0.0]
            if slot[0] > time.monotonic() + 3600:
                slot[0] = 0.0  # written before a reboot (monotonic restarts at boot): stale
            before = slot[0]
            yield slot
            if slot[0] != before:
                data = repr(slot[0]).encode("ascii")
                os.ftruncate(fd, 0)
                os.pwrite(fd, data, 0)
        finally:
            os.close(fd)  # releases the lock

    def wait(self, host: str, rate_per_s: float, until: float | None = None) -> bool:
        """Block until a request to ``host`` is allowed for this machine, and reserve that slot.

        Returns False at once, reserving nothing, if the slot would come at or after ``until`` (a
        ``time.monotonic()`` value).
        """
        interval = 1.0 / rate_per_s
        with self._locked(host) as slot:
            now = time.monotonic()
            start = max(now, slot[0])
            if until is not None and start >= until:
                return False
            slot[0] = start + interval
        if start > now:
            time.sleep(start - now)
        if (late := time.monotonic() - start) > LATE_WAKE_S:
            with self._locked(host) as slot:  # woken late: a whole interval after the real start
                slot[0] = max(slot[0], start + late + interval)
        return True

    def before_write(self, host: str) -> None:
        """Nothing to wait for at the write: the slot already counts from the previous write."""

    def sent(self, host: str, interval: float, new_connection: bool) -> None:
        """A request to ``host`` has just been written: no process's next slot comes sooner than
        :func:`~scrapers.fetch.client.write_gap` from now."""
        self.defer(host, write_gap(interval, new_connection))

    def defer(self, host: str, seconds: float) -> None:
        """Push the host's next slot back for every process (after a response, or a 429/503)."""
        with self._locked(host) as slot:
            slot[0] = max(slot[0], time.monotonic() + seconds)
