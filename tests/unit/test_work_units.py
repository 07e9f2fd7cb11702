"""Work units under Airflow's mapping cap, whatever the number of hosts (composed registries of
synthetic hosts; no Airflow import)."""

from __future__ import annotations

from datetime import date

import pytest

from warehouse.work_units import AIRFLOW_MAX_MAP_LENGTH, MAX_GROUPS, backfill_units, date_windows, host_groups


def synthetic_batches(hosts: int) -> list[list[str]]:
    """Composed: ``hosts`` hosts with 1 to 7 sources each, as host_batches() returns them."""
    return [[f"h{h:05d}-s{s}" for s in range(1 + h % 7)] for h in range(hosts)]


def test_two_thousand_hosts_are_planned_under_the_cap() -> None:
    batches = synthetic_batches(2_500)
    groups = host_groups(batches)
    assert len(groups) == MAX_GROUPS < AIRFLOW_MAX_MAP_LENGTH
    # Every source exactly once, and a host is never split between groups (its limiter sees all).
    assert sorted(s for g in groups for s in g) == sorted(s for b in batches for s in b)
    group_of = {s: i for i, g in enumerate(groups) for s in g}
    assert all(len({group_of[s] for s in b}) == 1 for b in batches)
    # Balanced: no group has more than the average plus one host's worth of sources.
    sizes = [len(g) for g in groups]
    assert max(sizes) - min(sizes) <= 7


def test_few_hosts_keep_one_group_each_in_order() -> None:
    batches = synthetic_batches(20)
    assert host_groups(batches) == batches


def test_the_plan_is_deterministic() -> None:
    batches = synthetic_batches(3_000)
    assert host_groups(batches) == host_groups(list(batches))


def test_date_windows_cover_the_range_without_gap_or_overlap() -> None:
    windows = date_windows(date(2015, 3, 10), date(2026, 12, 31), months=12)
    assert windows[0] == ("2015-03-10", "2016-02-29")
    assert windows[-1][1] == "2026-12-31"
    for (_, hi), (lo, _) in zip(windows, windows[1:], strict=False):
        assert date.fromisoformat(lo).toordinal() == date.fromisoformat(hi).toordinal() + 1
    assert date_windows(date(2021, 1, 1), date(2021, 12, 31), months=240) == [("2021-01-01", "2021-12-31")]


def test_a_backfill_of_two_thousand_hosts_over_twelve_years_stays_under_the_cap() -> None:
    batches = synthetic_batches(2_000)
    windows = date_windows(date(2015, 1, 1), date(2026, 12, 31), months=6)
    units = backfill_units(batches, windows)
    assert len(windows) == 24
    assert len(units) <= AIRFLOW_MAX_MAP_LENGTH
    # Each window covers every source once.
    for lo, hi in windows:
        in_window = [s for u in units if (u["date_from"], u["date_to"]) == (lo, hi) for s in u["sources"]]
        assert sorted(in_window) == sorted(s for b in batches for s in b)


def test_too_many_windows_are_refused() -> None:
    windows = date_windows(date(1990, 1, 1), date(2026, 12, 31), months=1)
    with pytest.raises(ValueError, match="choose longer windows"):
        backfill_units(synthetic_batches(10), windows, max_units=100)
