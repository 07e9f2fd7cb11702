"""Work units that fit Airflow: host groups for collection, (host group × date window) for backfills.

Airflow caps a mapped task at 1,024 items (``[core] max_map_length``), and Belgium alone has about
950 hosts; a Europe-wide registry has tens of thousands. So collection is not mapped one task per
host but over at most :data:`MAX_GROUPS` groups of whole hosts (a host is never split: its rate
limiter must see all its requests), balanced by number of sources. A backfill multiplies each
group by date windows, so that a unit is short and a restart loses at most one unit (and not even
that: captures already held are not fetched again, ``scrapers.collect.collect_from_archive``).

Pure functions of their inputs, no Airflow: the DAG's ``plan_batches`` task calls them.
"""

from __future__ import annotations

import heapq
from datetime import date, timedelta

# Airflow's default cap on one mapped task (``[core] max_map_length``).
AIRFLOW_MAX_MAP_LENGTH = 1024
# Groups of hosts for one collection: well under the cap, and enough to keep 8 workers busy.
MAX_GROUPS = 256
# Units of one backfill (groups × windows), under the cap.
MAX_UNITS = 1000


def host_groups(batches: list[list[str]], max_groups: int = MAX_GROUPS) -> list[list[str]]:
    """Pack per-host batches of source IDs into at most ``max_groups`` groups of whole hosts.

    Largest host first into the least loaded group (longest-processing-time rule): groups end up
    with about the same number of sources. With no more hosts than ``max_groups``, each host is its
    own group, in the given order. Deterministic for a given input.
    """
    if max_groups < 1:
        raise ValueError(f"max_groups must be at least 1, not {max_groups}")
    if len(batches) <= max_groups:
        return [list(b) for b in batches]
    heap: list[tuple[int, int]] = [(0, i) for i in range(max_groups)]  # (sources, group index)
    groups: list[list[str]] = [[] for _ in range(max_groups)]
    for batch in sorted(batches, key=lambda b: (-len(b), b)):
        load, i = heapq.heappop(heap)
        groups[i].extend(batch)
        heapq.heappush(heap, (load + len(batch), i))
    return [g for g in groups if g]


def date_windows(start: date, end: date, months: int = 12) -> list[tuple[str, str]]:
    """``[start, end]`` cut into consecutive windows of ``months`` calendar months (ISO dates,
    both ends included; the last window ends at ``end``)."""
    if months < 1:
        raise ValueError(f"months must be at least 1, not {months}")
    windows = []
    lo = start
    while lo <= end:
        month = lo.month - 1 + months
        nxt = date(lo.year + month // 12, month % 12 + 1, 1)
        hi = min(end, nxt - timedelta(days=1))
        windows.append((lo.isoformat(), hi.isoformat()))
        lo = hi + timedelta(days=1)
    return windows


def backfill_units(batches: list[list[str]], windows: list[tuple[str, str]], max_units: int = MAX_UNITS) -> list[dict]:
    """One unit per (host group, date window), at most ``max_units``: the more windows, the fewer
    (larger) groups. Units of one window come together, oldest window first."""
    if not windows:
        return []
    if len(windows) > max_units:
        raise ValueError(f"{len(windows)} date windows exceed {max_units} units: choose longer windows")
    groups = host_groups(batches, max(1, min(MAX_GROUPS, max_units // len(windows))))
    return [{"sources": g, "date_from": lo, "date_to": hi} for lo, hi in windows for g in groups]
