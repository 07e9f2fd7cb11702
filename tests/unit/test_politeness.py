"""The politeness budget is shared by processes: N processes together keep one host's rate."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from scrapers.fetch.politeness import SharedHostRateLimiter

RATE = 20.0  # requests/s: 50 ms apart


def _reserve(directory: str, n: int, out) -> None:
    limiter = SharedHostRateLimiter(Path(directory))
    out.put([(limiter.wait("web.archive.org", RATE), time.monotonic())[1] for _ in range(n)])


def test_processes_share_one_host_budget(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_reserve, args=(str(tmp_path), 6, out)) for _ in range(3)]
    for p in procs:
        p.start()
    times = sorted(t for _ in procs for t in out.get(timeout=30))
    for p in procs:
        p.join(timeout=10)
    assert len(times) == 18
    # Each process alone would take 5 intervals for its 6 requests; sharing the budget, the 18
    # take 17 (a busy machine may wake a sleeper late, never early).
    assert times[-1] - times[0] >= 17 / RATE - 0.01


def test_a_deferral_holds_every_process(tmp_path: Path) -> None:
    SharedHostRateLimiter(tmp_path).defer("web.archive.org", 0.4)  # a 429's Retry-After, seen by one
    started = time.monotonic()
    assert SharedHostRateLimiter(tmp_path).wait("web.archive.org", RATE)  # another process's limiter
    assert time.monotonic() - started >= 0.35


def test_other_hosts_are_not_held(tmp_path: Path) -> None:
    limiter = SharedHostRateLimiter(tmp_path)
    limiter.defer("web.archive.org", 5.0)
    started = time.monotonic()
    assert limiter.wait("archive.example", RATE)
    assert time.monotonic() - started < 0.5


def test_a_deadline_before_the_slot_reserves_nothing(tmp_path: Path) -> None:
    limiter = SharedHostRateLimiter(tmp_path)
    limiter.defer("web.archive.org", 5.0)
    assert limiter.wait("web.archive.org", RATE, until=time.monotonic() + 1.0) is False


def _oversleep(seconds: float) -> None:
    """A busy machine's sleep: the thread wakes 80 ms after it asked to."""
    _real_sleep(seconds + 0.08)


_real_sleep = time.sleep


def test_a_late_wake_keeps_a_whole_interval_after_the_real_start(tmp_path: Path, monkeypatch) -> None:
    # Both limiters: the one of a process and the one shared by processes.
    from scrapers.fetch.client import HostRateLimiter

    for limiter in (HostRateLimiter(), SharedHostRateLimiter(tmp_path)):
        assert limiter.wait("slow.example", RATE)
        monkeypatch.setattr(time, "sleep", _oversleep)
        assert limiter.wait("slow.example", RATE)  # slept for its slot, woke 80 ms late
        late_start = time.monotonic()
        monkeypatch.setattr(time, "sleep", _real_sleep)
        assert limiter.wait("slow.example", RATE)
        assert time.monotonic() - late_start >= 1 / RATE - 0.002  # not 50 ms after the planned slot
