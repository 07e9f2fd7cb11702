"""The Airflow pools the DAGs use, created by every way of running them (without importing
Airflow until :func:`ensure_pools` is called, so the DAG files and tests read the names for free).

- ``duckdb_writer`` (1 slot): DuckDB allows one read-write process per file, and Airflow runs
  each task in its own process. Every task that opens the warehouse, or builds and publishes a
  release from it, takes this slot, in both DAGs: two runs triggered together take turns.
- ``web_archive`` (4 slots): how many backfill collect tasks, over all runs and workers, may ask a
  web archive at once. The *rate* they ask at is the politeness budget shared by the processes of
  a machine (:mod:`scrapers.fetch.politeness`); the pool keeps tasks from holding worker slots only to
  wait on that budget, and bounds the load when workers on several machines each have their own.
"""

from __future__ import annotations

DUCKDB_WRITER = "duckdb_writer"
WEB_ARCHIVE = "web_archive"

# name -> (slots, description shown in the UI)
POOLS: dict[str, tuple[int, str]] = {
    DUCKDB_WRITER: (1, "DuckDB's single writer: load, dbt build, gate, release (both DAGs)"),
    WEB_ARCHIVE: (4, "Backfill collect tasks asking a web archive at once (the rate is scrapers.fetch.politeness)"),
}


def ensure_pools() -> None:
    """Create or resize the pools in the configured Airflow metadata database (idempotent)."""
    from airflow.models.pool import Pool

    for name, (slots, description) in POOLS.items():
        Pool.create_or_update_pool(name, slots, description, include_deferred=False)
