"""The guichets pipeline: collect → load → dbt build → GX gate → publish.

In ``sample`` mode a setup task builds the bundled sample web archive and serves it with pywb
on 127.0.0.1; collection reads it through the Wayback-compatible CDX and ``id_`` replay API
exactly as it reads web.archive.org, and a teardown task stops the server. In ``live`` mode
the registry's pages are fetched from the web.

Collect tasks are mapped over groups of whole hosts (``warehouse.work_units``: at most 256,
whatever the number of hosts) and never open DuckDB; the warehouse stages run one after
another, in the one-slot pool ``duckdb_writer`` shared with the backfill (docs/deploy.md).

Scheduled weekly (Monday 04:00 UTC) and paused on creation; a scheduled run collects live. A
failed task or run is notified (``warehouse.alerts``: ``<data>/alerts/failures.jsonl`` and
``GUICHETS_ALERT_WEBHOOK``).
"""

from __future__ import annotations

import os
from datetime import datetime

from airflow.sdk import Param, dag

from dags.guichets_tasks import DEFAULT_ARGS, collect_and_publish, on_failure

WEEKLY = "0 4 * * 1"  # Monday 04:00 UTC


def pipeline_schedule() -> str | None:
    """``GUICHETS_PIPELINE_SCHEDULE`` (a cron expression, weekly by default), or None for ``none``.

    Unpausing the DAG starts a live run at once (``catchup=False`` still runs the latest slot): a
    deployment that only runs the sample (a demonstration, the deployment tests) turns the
    schedule off, or the live run's captures land beside the sample's in the same data directory
    and the gate rightly refuses both (their sources are not in one registry).
    """
    value = os.environ.get("GUICHETS_PIPELINE_SCHEDULE", WEEKLY).strip()
    return None if value.lower() in ("", "none") else value


@dag(
    dag_id="guichets_pipeline",
    # Weekly, Monday 04:00 UTC: a scheduled run collects live. Paused on creation: a deployment
    # starts it by unpausing the DAG.
    schedule=pipeline_schedule(),
    is_paused_upon_creation=True,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    description="Weekly: collect (sample archive or live) → load → dbt → gate → release",
    default_args=DEFAULT_ARGS,
    on_failure_callback=on_failure,
    tags=["guichets"],
    params={"mode": Param("sample", enum=["sample", "live"], description="sample: bundled archive; live: the web")},
    doc_md=__doc__,
)
def guichets_pipeline():
    collect_and_publish()


guichets_pipeline()
