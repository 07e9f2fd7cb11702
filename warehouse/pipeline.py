"""The pipeline's stages as plain functions: the Airflow DAG and the CLI both call these.

fetch → archive → parse (``collect_source``) → load → dbt → validate → publish. Each stage
takes the :class:`~warehouse.settings.Settings` and returns something small and JSON-able
(paths, counts, versions), which is all that travels through Airflow's XCom.
"""

from __future__ import annotations

import logging
from pathlib import Path

from scrapers.registry import load_registry
from warehouse.settings import Settings

log = logging.getLogger(__name__)


def list_source_ids(settings: Settings) -> list[str]:
    """IDs of the registry's opening-hours sources, in registry order."""
    registry = load_registry(settings.registry)
    return [s.id for s in registry.sources if s.kind == "opening_hours"]


def start_sample_archive(settings: Settings) -> dict:
    """Build the sample web archive (deterministic) and serve it with pywb on 127.0.0.1."""
    from scrapers.archive_server import ArchiveServer, prepare_collection
    from scrapers.sample_web.build import build_sample_web

    warcs = build_sample_web(settings.sample_web_dir / "warc")
    root = prepare_collection(warcs, settings.sample_web_dir / "pywb")
    server = ArchiveServer.start(root)
    log.info("sample archive served at %s (pid %s)", server.base_url, server.pid)
    return server.server_info()


def stop_sample_archive(info: dict) -> None:
    """Stop a pywb server started by :func:`start_sample_archive` (possibly in another process)."""
    from scrapers.archive_server import stop_pid

    if info.get("pid"):
        stop_pid(int(info["pid"]))


def collect_source(settings: Settings, source_id: str, archive: dict | None) -> dict:
    """Collect one source: from the web archive described by ``archive``, else from the live web."""
    from scrapers.collect import WebArchive, collect_from_archive, collect_live
    from scrapers.fetch import Fetcher

    source = load_registry(settings.registry).source(source_id)
    if archive:
        # Our own local archive server: politeness limits are for other people's servers.
        web_archive = WebArchive(archive["cdx_url"], archive["base_url"], rate_per_s=50.0)
        # The sample archive runs on 127.0.0.1, which production fetchers refuse; say so explicitly.
        fetcher = Fetcher(allow_private=True, respect_robots=False)
        summary = collect_from_archive(source, web_archive, settings.data_dir, fetcher=fetcher)
    else:
        summary = collect_live(source, settings.data_dir)
    # Paths relative to the data dir keep XCom small and the run relocatable.
    summary["files"] = [str(Path(f).relative_to(settings.data_dir)) for f in summary["files"]]
    return summary


def load_stage(settings: Settings) -> dict[str, int]:
    """Load every collected capture and the registry into the warehouse (idempotent)."""
    from warehouse.load import load

    return load(settings.duckdb_path, settings.data_dir / "collected", load_registry(settings.registry))


def transform_stage(settings: Settings) -> str:
    """Run ``dbt build``; returns dbt's summary line."""
    from warehouse.transform import dbt_build

    return dbt_build(settings)


def validate_stage(settings: Settings) -> dict:
    """Run the GX release gate; raises ``ValidationFailed`` naming each failed expectation."""
    from expectations.gate import run_gate

    report = run_gate(settings.duckdb_path)
    return {"evaluated": report.evaluated, "failed": len(report.failures)}


def publish_stage(settings: Settings) -> dict:
    """Publish the marts as a release; returns its version and path."""
    from warehouse.publish import publish

    release = publish(settings.duckdb_path, settings.releases_dir)
    return {
        "version": release.version,
        "path": str(release.path),
        "created": release.created,
        "tables": release.tables,
        "duckdb": str(settings.duckdb_path),
    }
