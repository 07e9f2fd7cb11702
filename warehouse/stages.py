"""The pipeline's stages as plain functions: the Airflow DAG and the CLI both call these.

fetch → archive → parse (``collect_source``) → load → dbt → validate → publish. Each stage
takes the :class:`~warehouse.settings.Settings` and returns something small and JSON-able
(paths, counts, versions), which is all that travels through Airflow's XCom.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from scrapers.registry import load_registry
from warehouse.settings import Settings

log = logging.getLogger(__name__)


def plan_host_batches(settings: Settings) -> list[list[str]]:
    """Source IDs (opening hours and procedure catalogues) grouped by host, one batch per host
    (sorted, deterministic).

    Collect tasks are mapped over these batches, not over sources: each host is then fetched by
    one process whose rate limiter sees all its requests, while different hosts run in parallel
    (and Airflow's 1,024-item cap on mapped tasks is far away).
    """
    from scrapers.collect import host_batches

    return [[s.id for s in batch] for batch in host_batches(load_registry(settings.registry).sources)]


def plan_units(
    settings: Settings,
    *,
    date_from: str | None = None,
    date_to: str | None = None,
    window_months: int | None = None,
) -> list[dict]:
    """The collection's work units (``warehouse.work_units``): ``{"sources": [...]}`` per group of
    whole hosts; for a backfill (``date_from`` and ``date_to``) one unit per group and date window
    of ``window_months`` (12 by default), with the window's ``date_from`` and ``date_to``."""
    from datetime import date

    from warehouse.work_units import backfill_units, date_windows, host_groups

    if date_from and date_to and date_from > date_to:
        raise ValueError(f"date_from {date_from} is after date_to {date_to}: nothing to backfill")
    batches = plan_host_batches(settings)
    if not (date_from and date_to):
        return [{"sources": group} for group in host_groups(batches)]
    windows = date_windows(date.fromisoformat(date_from), date.fromisoformat(date_to), int(window_months or 12))
    return backfill_units(batches, windows)


def start_sample_archive(settings: Settings, run_id: str = "run") -> dict:
    """Build the sample web archive (deterministic) in the run's own folder and serve it with pywb
    on 127.0.0.1.

    Each run builds under ``<sample_web>/runs/<run_id>/``: runs of both DAGs triggered together
    never build or serve from the same folder.
    """
    from scrapers.archive.server import ArchiveServer, prepare_collection
    from scrapers.sample_web.build import build_sample_web

    run_dir = settings.sample_run_dir(run_id)
    shutil.rmtree(run_dir, ignore_errors=True)  # a retried setup starts afresh
    warcs = build_sample_web(settings.sample_run_warc_dir(run_id))
    root = prepare_collection(warcs, settings.sample_run_pywb_dir(run_id))
    server = ArchiveServer.start(root)
    log.info("sample archive served at %s (pid %s)", server.base_url, server.pid)
    # The archive's name is what captures record (``archive``): its address changes at every start.
    return {**server.server_info(), "name": server.collection, "local": True, "run_dir": str(run_dir)}


def stop_sample_archive(info: dict) -> None:
    """Stop a pywb server started by :func:`start_sample_archive` (possibly in another process:
    identified by machine, PID and start time, never by PID alone) and remove its run folder."""
    from scrapers.archive.server import stop_server

    if info.get("pid"):
        stop_server(info)
    if info.get("run_dir"):
        shutil.rmtree(info["run_dir"], ignore_errors=True)


def collect_batch(
    settings: Settings,
    source_ids: list[str],
    archive: dict | None,
    *,
    date_from: str | None = None,
    date_to: str | None = None,
) -> dict:
    """Collect a batch of sources sharing a host: from a web archive if ``archive`` is given, else live.

    ``archive`` is ``{"cdx_url", "base_url", "name"}`` (plus ``"local": True`` for the sample server
    on 127.0.0.1, which production fetchers refuse). Returns counts (``fetched``: captures requested
    from the network; ``held``: archive captures already collected, not requested again) and the
    capture files, relative to the data directory.
    """
    from datetime import date

    from scrapers.collect import WebArchive, archive_name_for, collect_from_archive, collect_many
    from scrapers.fetch.client import Fetcher
    from scrapers.fetch.netguard import host_key
    from scrapers.fetch.politeness import WAYBACK_RATE_PER_S, SharedHostRateLimiter
    from warehouse.object_store import push_captures

    registry = load_registry(settings.registry)
    summaries = []
    if archive:
        local = bool(archive.get("local"))
        # Our own local archive needs no politeness; other people's archives get their budget,
        # shared by every task and process of this machine (scrapers.fetch.politeness).
        web_archive = WebArchive(
            archive["cdx_url"],
            archive["base_url"],
            rate_per_s=50.0 if local else float(archive.get("rate_per_s") or WAYBACK_RATE_PER_S),
            page_size=archive.get("page_size"),
            name=archive.get("name") or archive_name_for(archive["cdx_url"]),
        )
        allowed = {host_key(archive["cdx_url"])} if local else False
        fetcher = Fetcher(allow_private=allowed, respect_robots=False)
        fetcher.limiter = SharedHostRateLimiter(settings.politeness_dir)
        start = date.fromisoformat(date_from) if date_from else None
        end = date.fromisoformat(date_to) if date_to else None
        for sid in source_ids:
            summaries.append(
                collect_from_archive(
                    registry.source(sid), web_archive, settings.data_dir, fetcher=fetcher, date_from=start, date_to=end
                )
            )
    else:
        # One host's batch, run by collect_many under the host deadline: a stalled host ends in time.
        summaries = collect_many(
            [registry.source(sid) for sid in source_ids], settings.data_dir, max_workers=settings.collect_threads
        )
    # Paths relative to the data dir keep XCom small and the run relocatable.
    files = sorted(str(Path(f).relative_to(settings.data_dir)) for s in summaries for f in s["files"])
    totals = {
        k: sum(s[k] for s in summaries) for k in ("captures", "parsed", "not_parsed", "failed", "fetched", "held")
    }
    return {"sources": source_ids, **totals, "files": files, "stored": push_captures(settings.data_dir, files)}


def load_stage(settings: Settings, capture_files: list[str] | None = None) -> dict[str, int]:
    """Load every collected capture and the registry into the warehouse (idempotent).

    ``capture_files`` (relative to the data directory): the run's collect tasks' files, fetched
    first from the object store when this machine does not hold them (collected elsewhere)."""
    from warehouse.load import load
    from warehouse.object_store import pull_captures

    pull_captures(settings.data_dir, capture_files or [])
    return load(settings.duckdb_path, settings.collected_dir, load_registry(settings.registry))


def transform_stage(settings: Settings, *, full_refresh: bool = False, full_tests: bool = False) -> str:
    """Run ``dbt build`` (incremental unless ``full_refresh``); returns dbt's summary line and the
    data tests' scope (new load batches, or every row: ``warehouse.test_scope``)."""
    from warehouse.transform import pipeline_build

    return pipeline_build(settings, full_refresh=full_refresh, full_tests=full_tests)


def validate_stage(settings: Settings) -> dict:
    """Gate the warehouse's observation log (not published): :func:`gate_warehouse` on the settings' warehouse."""
    return gate_warehouse(settings.duckdb_path)


def gate_warehouse(db_path: Path) -> dict:
    """Gate the observation log of the warehouse ``db_path``; raises ``ValidationFailed`` naming each failure.

    The published tables are gated later, on the staged release's own files (:func:`audit_stage`).
    This is the only check against the wall clock: nothing may have been observed in the future.
    On the large raw tables, values are checked in the load batches the gate has not passed yet
    (every row on its first run and about monthly: ``warehouse.test_scope``); the scope is
    recorded only when the gate passes, so a refused week is checked again.
    """
    from datetime import UTC, datetime

    from expectations.gate import run_gate
    from warehouse import test_scope

    now = datetime.now(UTC).replace(tzinfo=None)  # raw timestamps are naive UTC
    scope = test_scope.plan(db_path, now=now, runs=test_scope.GATE_RUNS_TABLE)
    report = run_gate(db_path, raw_gate_suites(), horizon=now, from_batch=scope.from_batch)
    test_scope.record(db_path, scope, now=now, runs=test_scope.GATE_RUNS_TABLE)
    return {"evaluated": report.evaluated, "failed": len(report.failures), "rows_checked": scope.reason}


def raw_gate_suites() -> tuple:
    """The warehouse gate's suites (``expectations.suites.raw_suites``) with the loader's column types.

    The types are handed to the gate from here so that ``expectations`` never imports ``warehouse``
    (``warehouse`` runs the gate; the gate does not know the warehouse).
    """
    from expectations.suites import raw_suites
    from warehouse.load import CAPTURES, SCHEDULES, SLOTS, duckdb_types

    schemas = {"raw.captures": CAPTURES, "raw.schedules": SCHEDULES, "raw.schedule_slots": SLOTS}
    return raw_suites({table: duckdb_types(schema) for table, schema in schemas.items()})


def write_stage(settings: Settings) -> dict:
    """Write-audit-publish, step 1: build the release in a staging directory; returns it (JSON-able)."""
    from warehouse.release.publish import stage_release

    return stage_release(
        settings.duckdb_path, settings.releases_dir, base_url=settings.release_base_url, warc_dir=settings.warc_dir
    ).to_dict()


def audit_stage(settings: Settings, staged: dict) -> dict:
    """Step 2: validate the staged release's files; raises ``ReleaseRefused`` (nothing is published)."""
    from warehouse.release.publish import StagedRelease, audit_release

    return audit_release(StagedRelease.from_dict(staged), settings.release_overrides)


def publish_stage(settings: Settings, staged: dict | None = None) -> dict:
    """Step 3: rename the audited release into place and move ``latest``; returns its version and path.

    Without ``staged``, runs all three steps (stage, audit, publish) at once. The release's
    static website is then built into ``<release>/site/`` (derived from the published files, so
    outside the release's checksums, like its reports).
    """
    from warehouse.release.layout import SITE_DIR
    from warehouse.release.publish import StagedRelease, publish, publish_release
    from warehouse.site import build_site

    if staged is None:
        release = publish(
            settings.duckdb_path, settings.releases_dir, settings.release_overrides, base_url=settings.release_base_url
        )
    else:
        release = publish_release(StagedRelease.from_dict(staged))
    site = build_site(release.path, release.path / SITE_DIR)
    from warehouse.object_store import store_run

    # On object storage too when one is configured (GUICHETS_STORAGE_URL); a no-op by default.
    stored = store_run(settings.data_dir, settings.warc_dir, settings.collected_dir, release.path)
    return {
        "version": release.version,
        "path": str(release.path),
        "created": release.created,
        "tables": release.tables,
        "duckdb": str(settings.duckdb_path),
        "site": str(site.path / "index.html"),
        "stored": stored,
    }
