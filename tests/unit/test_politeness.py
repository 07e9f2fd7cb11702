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
    limiter = SharedHostRateLimiter(tmp_path)
    assert limiter.wait("slow.example", RATE)
    monkeypatch.setattr(time, "sleep", _oversleep)
    assert limiter.wait("slow.example", RATE)  # slept for its slot, woke 80 ms late
    late_start = time.monotonic()
    monkeypatch.setattr(time, "sleep", _real_sleep)
    assert limiter.wait("slow.example", RATE)
    assert time.monotonic() - late_start >= 1 / RATE - 0.002  # not 50 ms after the planned slot


def test_the_shared_slot_counts_from_each_write(tmp_path: Path) -> None:
    from scrapers.fetch.client import write_gap

    limiter = SharedHostRateLimiter(tmp_path)
    assert limiter.wait("slow.example", RATE)
    _real_sleep(0.08)  # held 80 ms between its turn and its write
    limiter.before_write("slow.example")
    limiter.sent("slow.example", 1 / RATE, new_connection=False)
    written = time.monotonic()
    assert SharedHostRateLimiter(tmp_path).wait("slow.example", RATE)  # another process's next turn
    assert time.monotonic() - written >= write_gap(1 / RATE, False) - 0.002


def test_a_late_write_holds_the_next_write_not_the_next_turns() -> None:
    """The per-process limiter: a request held between its turn and its write (a busy machine)
    delays the next write by a whole gap, and no later turn: lateness does not add up."""
    from scrapers.fetch.client import ACCEPT_JITTER_S, SEND_JITTER_S, HostRateLimiter

    limiter = HostRateLimiter()
    started = time.monotonic()
    assert limiter.wait("slow.example", RATE)
    _real_sleep(0.08)  # held 80 ms: the write comes after the next turn (50 ms)
    limiter.before_write("slow.example")
    limiter.sent("slow.example", 1 / RATE, new_connection=True)
    written = time.monotonic()
    assert limiter.wait("slow.example", RATE)
    assert time.monotonic() - written < 0.03  # its turn had come: not moved by the late write
    limiter.before_write("slow.example")
    second = time.monotonic()
    # A new connection's request: the gap has the accept margin too.
    assert second - written >= 1 / RATE + SEND_JITTER_S + ACCEPT_JITTER_S - 0.002
    limiter.sent("slow.example", 1 / RATE, new_connection=False)
    assert limiter.wait("slow.example", RATE)
    # The third turn keeps the cadence of the turns (3 x 50 ms from the first), not of the writes.
    assert time.monotonic() - started < second - started + 0.03
    limiter.before_write("slow.example")
    assert time.monotonic() - second >= 1 / RATE + SEND_JITTER_S - 0.002
