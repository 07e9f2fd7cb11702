"""The guichets pipeline: collect → load → dbt build → GX gate → publish.

Thin by design: every task calls one stage function of ``warehouse.pipeline``. In ``sample``
mode a setup task builds the bundled sample web archive and serves it with pywb on
127.0.0.1, collection reads it through the Wayback-compatible CDX and ``id_`` replay API
exactly as it reads web.archive.org, and a teardown task stops the server.

Collect tasks are mapped one per source and never open DuckDB; the warehouse stages run one
after another and ``max_active_runs=1`` keeps two runs from fighting over DuckDB's single
writer.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Param, dag, get_current_context, setup, task, teardown


def _settings():
    from warehouse.settings import get_settings

    return get_settings()


@dag(
    dag_id="guichets_pipeline",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["guichets"],
    params={
        "mode": Param("sample", enum=["sample", "live"], description="sample: bundled archive; live: the web"),
    },
    doc_md=__doc__,
)
def guichets_pipeline():
    @setup
    @task
    def start_archive() -> dict:
        from warehouse.pipeline import start_sample_archive

        if get_current_context()["params"]["mode"] != "sample":
            return {}
        return start_sample_archive(_settings())

    @task
    def list_sources() -> list[str]:
        from warehouse.pipeline import list_source_ids

        return list_source_ids(_settings())

    @task(max_active_tis_per_dagrun=4)
    def collect(source_id: str, archive: dict) -> dict:
        from warehouse.pipeline import collect_source

        return collect_source(_settings(), source_id, archive or None)

    @teardown
    @task
    def stop_archive(archive: dict) -> None:
        from warehouse.pipeline import stop_sample_archive

        stop_sample_archive(archive)

    @task
    def load(summaries: list[dict]) -> dict:
        from warehouse.pipeline import load_stage

        # Index by length: iterating a lazy XCom sequence probes one past the end and logs an error.
        collected = sum(summaries[i]["captures"] for i in range(len(summaries)))
        return {"collected": collected, "tables": load_stage(_settings())}

    @task
    def dbt_build(_loaded: dict) -> str:
        from warehouse.pipeline import transform_stage

        return transform_stage(_settings())

    @task
    def validate(_built: str) -> dict:
        from warehouse.pipeline import validate_stage

        return validate_stage(_settings())

    @task
    def publish(_validated: dict) -> dict:
        from warehouse.pipeline import publish_stage

        return publish_stage(_settings())

    archive = start_archive()
    summaries = collect.partial(archive=archive).expand(source_id=list_sources())
    stopped = stop_archive(archive)
    summaries >> stopped.as_teardown(setups=archive)
    publish(validate(dbt_build(load(summaries))))


guichets_pipeline()
