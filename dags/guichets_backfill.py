"""Backfill from a web archive, over a date range: triggered by hand.

Lists every registered URL's captures through a Wayback-compatible CDX API, fetches each raw
capture (``id_``), and runs it through the same parsers with observed_at = capture time; then
load → dbt build → GX gate → publish, like the main pipeline. ``archive: sample`` backfills
from the bundled sample archive served locally (for demonstrations and tests).

The work is split into short units, one per group of hosts × date window (``window_months``,
12 by default; ``warehouse.work_units``): a restart loses at most one unit, and a unit retried
does not fetch again the captures it already holds. Collect tasks share the ``web_archive`` pool
and, per machine, one request budget per archive host (``scrapers.fetch.politeness``).
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Param, dag

from dags.guichets_tasks import DEFAULT_ARGS, collect_and_publish, on_failure
from warehouse.pools import WEB_ARCHIVE


@dag(
    dag_id="guichets_backfill",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    description="By hand: captures from a web archive over a date range, then the same load → release",
    default_args=DEFAULT_ARGS,
    on_failure_callback=on_failure,
    tags=["guichets", "backfill"],
    params={
        "archive": Param("wayback", enum=["wayback", "sample"], description="where the captures come from"),
        "date_from": Param("2015-01-01", type="string", format="date", description="first day (YYYY-MM-DD)"),
        "date_to": Param("2026-12-31", type="string", format="date", description="last day (YYYY-MM-DD)"),
        "window_months": Param(
            12, type="integer", minimum=1, description="months per work unit (a host group × a window)"
        ),
    },
    doc_md=__doc__,
)
def guichets_backfill():
    # Collect tasks ask a web archive: a pool over all runs, and the budget of scrapers.fetch.politeness.
    collect_and_publish(collect_pool=WEB_ARCHIVE)


guichets_backfill()
