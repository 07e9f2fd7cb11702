"""Tasks shared by the guichets DAGs: thin wrappers over ``warehouse.stages``.

Heavy imports stay inside the tasks (the DAG processor parses this file often). Tasks pass
paths, IDs and counts through XCom, never page bodies.

Every task from ``load`` to ``publish`` opens the warehouse or builds the release from it: they
run in the one-slot pool ``duckdb_writer`` (``warehouse.pools``), shared by both DAGs, with
priorities rising along the chain, so that a run that has started it goes on before another
run's ``load`` takes the slot.
"""

from __future__ import annotations

import os

from airflow.sdk import get_current_context, task

from warehouse.pools import DUCKDB_WRITER


def _writer(step: int) -> dict:
    """Task arguments of the ``step``-th task of the warehouse chain (1 = load).

    ``GUICHETS_WAREHOUSE_QUEUE`` routes them to the workers of that queue: with workers on several
    machines, only the one holding the DuckDB file listens to it (``airflow edge worker --queues``).
    """
    queue = os.environ.get("GUICHETS_WAREHOUSE_QUEUE", "").strip()
    return {
        "pool": DUCKDB_WRITER,
        "priority_weight": 10 * step,
        "weight_rule": "absolute",
        **({"queue": queue} if queue else {}),
    }


def on_failure(context) -> None:
    """``on_failure_callback`` of every task and of both DAGs: ``warehouse.alerts.notify_failure``."""
    from warehouse.alerts import notify_failure

    notify_failure(context)


# Every task's arguments: failures are notified (docs/deploy.md).
DEFAULT_ARGS = {"on_failure_callback": on_failure}


def _source() -> str:
    """Where this run collects from: ``archive`` (backfill) or ``mode`` (pipeline); a scheduled
    pipeline run (the weekly one) always collects live."""
    context = get_current_context()
    params = context["params"]
    if str(getattr(context.get("dag_run"), "run_type", "")) in ("scheduled", "DagRunType.SCHEDULED"):
        return params.get("archive") or "live"
    return params.get("archive") or params.get("mode")


def _settings():
    from warehouse.settings import get_settings

    return get_settings(mode="sample" if _source() == "sample" else "live")


@task
def start_archive() -> dict:
    """Where collection reads from: the local sample archive (started here), the Wayback Machine, or {} for live."""
    from scrapers.collect import WAYBACK
    from warehouse.stages import start_sample_archive

    context = get_current_context()
    source = _source()
    if source == "sample":
        # The run's own folder: both DAGs' runs may build their sample archive at the same time.
        return start_sample_archive(_settings(), f"{context['dag'].dag_id}-{context['run_id']}")
    if source == "wayback":
        return dict(WAYBACK)
    return {}


@task
def stop_archive(archive: dict) -> None:
    """Stop the sample archive server, whatever happened to the collection."""
    from warehouse.stages import stop_sample_archive

    stop_sample_archive(archive)


@task
def plan_batches() -> list[dict]:
    """The collection's work units (``warehouse.work_units``): groups of whole hosts, and for a
    backfill each group × date window; never more than Airflow maps."""
    from warehouse.stages import plan_units

    params = get_current_context()["params"]
    return plan_units(
        _settings(),
        date_from=params.get("date_from") or None,
        date_to=params.get("date_to") or None,
        window_months=params.get("window_months"),
    )


@task(max_active_tis_per_dagrun=8, retries=2)
def collect(unit: dict, archive: dict) -> dict:
    """Collect one unit (a group of hosts' sources, and a date window for a backfill) from the
    archive in ``archive`` (or live if it is empty). A retry resumes: held captures are kept."""
    from warehouse.stages import collect_batch

    return collect_batch(
        _settings(), unit["sources"], archive or None, date_from=unit.get("date_from"), date_to=unit.get("date_to")
    )


@task(**_writer(1))
def load(summaries) -> dict:
    """Load every collected capture into DuckDB (idempotent); captures collected on another machine
    come through the object store."""
    from warehouse.stages import load_stage

    # Index by length: iterating a lazy XCom sequence probes one past the end and logs an error.
    done = [summaries[i] for i in range(len(summaries))]
    files = [f for s in done for f in s["files"]]  # fetched from the object store if collected elsewhere
    return {"collected": sum(s["captures"] for s in done), "tables": load_stage(_settings(), files)}


@task(**_writer(2))
def dbt_build(_loaded: dict) -> str:
    """One ``dbt build`` (models, tests, unit tests) against the warehouse."""
    from warehouse.stages import transform_stage

    return transform_stage(_settings())


@task(**_writer(3))
def validate(_built: str) -> dict:
    """The GX gate on the observation log: a failure stops the run here, and nothing is published."""
    from warehouse.stages import validate_stage

    return validate_stage(_settings())


@task(**_writer(4))
def stage_release(_validated: dict) -> dict:
    """Write: build the release in a staging directory (nothing published yet)."""
    from warehouse.stages import write_stage

    return write_stage(_settings())


@task(**_writer(5))
def audit_release(staged: dict) -> dict:
    """Audit: the GX gate on the staged release's files; a failure stops the run and publishes nothing."""
    from warehouse.stages import audit_stage

    return audit_stage(_settings(), staged)


@task(**_writer(6))
def publish(staged: dict, _audited: dict) -> dict:
    """Publish: rename the audited release into place atomically and move ``latest``."""
    from warehouse.stages import publish_stage

    return publish_stage(_settings(), staged)


def collect_and_publish(collect_pool: str | None = None) -> None:
    """Wire the flow: archive setup → collect per work unit → teardown; load → dbt → gate → stage → audit → publish.

    ``collect_pool`` puts the collect tasks in a pool (the backfill's ``web_archive``).
    """
    archive = start_archive()
    collector = collect.override(pool=collect_pool) if collect_pool else collect
    summaries = collector.partial(archive=archive).expand(unit=plan_batches())
    # as_teardown (not the @teardown decorator: these tasks are shared by two DAGs) makes the
    # server stop whatever happens to collection.
    summaries >> stop_archive(archive).as_teardown(setups=archive)
    staged = stage_release(validate(dbt_build(load(summaries))))
    publish(staged, audit_release(staged))
