"""Tasks shared by the guichets DAGs: thin wrappers over ``warehouse.stages``.

Heavy imports stay inside the tasks (the DAG processor parses this file often). Tasks pass
paths, IDs and counts through XCom, never page bodies.
"""

from __future__ import annotations

from airflow.sdk import get_current_context, task


def _settings():
    from warehouse.settings import get_settings

    params = get_current_context()["params"]
    source = params.get("archive") or params.get("mode")
    return get_settings(mode="sample" if source == "sample" else "live")


@task
def start_archive() -> dict:
    """Where collection reads from: the local sample archive (started here), the Wayback Machine, or {} for live."""
    from scrapers.collect import WAYBACK
    from warehouse.stages import start_sample_archive

    params = get_current_context()["params"]
    source = params.get("archive") or params.get("mode")
    if source == "sample":
        return start_sample_archive(_settings())
    if source == "wayback":
        return dict(WAYBACK)
    return {}


@task
def stop_archive(archive: dict) -> None:
    """Stop the sample archive server, whatever happened to the collection."""
    from warehouse.stages import stop_sample_archive

    stop_sample_archive(archive)


@task
def plan_batches() -> list[list[str]]:
    """Sources grouped by host: one mapped collect task per host."""
    from warehouse.stages import plan_host_batches

    return plan_host_batches(_settings())


@task(max_active_tis_per_dagrun=8)
def collect(source_ids: list[str], archive: dict) -> dict:
    """Collect one host's sources, from the archive in ``archive`` (or live if it is empty)."""
    from warehouse.stages import collect_batch

    params = get_current_context()["params"]
    return collect_batch(
        _settings(),
        source_ids,
        archive or None,
        date_from=params.get("date_from") or None,
        date_to=params.get("date_to") or None,
    )


@task
def load(summaries) -> dict:
    """Load every collected capture into DuckDB (idempotent)."""
    from warehouse.stages import load_stage

    # Index by length: iterating a lazy XCom sequence probes one past the end and logs an error.
    collected = sum(summaries[i]["captures"] for i in range(len(summaries)))
    return {"collected": collected, "tables": load_stage(_settings())}


@task
def dbt_build(_loaded: dict) -> str:
    """One ``dbt build`` (models, tests, unit tests) against the warehouse."""
    from warehouse.stages import transform_stage

    return transform_stage(_settings())


@task
def validate(_built: str) -> dict:
    """The GX gate on the observation log: a failure stops the run here, and nothing is published."""
    from warehouse.stages import validate_stage

    return validate_stage(_settings())


@task
def stage_release(_validated: dict) -> dict:
    """Write: build the release in a staging directory (nothing published yet)."""
    from warehouse.stages import write_stage

    return write_stage(_settings())


@task
def audit_release(staged: dict) -> dict:
    """Audit: the GX gate on the staged release's files; a failure stops the run and publishes nothing."""
    from warehouse.stages import audit_stage

    return audit_stage(_settings(), staged)


@task
def publish(staged: dict, _audited: dict) -> dict:
    """Publish: rename the audited release into place atomically and move ``latest``."""
    from warehouse.stages import publish_stage

    return publish_stage(_settings(), staged)


def collect_and_publish() -> None:
    """Wire the whole flow: archive setup → collect per host → teardown; load → dbt → gate → stage → audit → publish."""
    archive = start_archive()
    summaries = collect.partial(archive=archive).expand(source_ids=plan_batches())
    # as_teardown (not the @teardown decorator: these tasks are shared by two DAGs) makes the
    # server stop whatever happens to collection.
    summaries >> stop_archive(archive).as_teardown(setups=archive)
    staged = stage_release(validate(dbt_build(load(summaries))))
    publish(staged, audit_release(staged))
