"""The guichets pipeline: collect → load → dbt build → GX gate → publish.

In ``sample`` mode a setup task builds the bundled sample web archive and serves it with pywb
on 127.0.0.1; collection reads it through the Wayback-compatible CDX and ``id_`` replay API
exactly as it reads web.archive.org, and a teardown task stops the server. In ``live`` mode
the registry's pages are fetched from the web.

Collect tasks are mapped over groups of whole hosts (``warehouse.work_units``: at most 256,
whatever the number of hosts) and never open DuckDB; the warehouse stages run one after
another, in the one-slot pool ``duckdb_writer`` shared with the backfill (docs/deploy.md).
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Param, dag

from dags.guichets_tasks import collect_and_publish


@dag(
    dag_id="guichets_pipeline",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["guichets"],
    params={"mode": Param("sample", enum=["sample", "live"], description="sample: bundled archive; live: the web")},
    doc_md=__doc__,
)
def guichets_pipeline():
    collect_and_publish()


guichets_pipeline()
