"""The one place that opens DuckDB: a writer, a read-only reader, an in-memory engine.

DuckDB allows one read-write process per database file, and no reader while it writes. So only
the pipeline's steps that run one after another (load, then dbt in its own process, then
validate, then publish) open the working database with :func:`writer`; everything else reads
with :func:`reader` (``read_only=True``), or works on files through :func:`memory`. Mapped
collect tasks never open DuckDB: they write WARC and capture files.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

# Read-only and sandboxed: no file or network access from SQL (no COPY TO, ATTACH, read_csv of
# other files, extension downloads), settings locked so that SQL cannot lift it. Temporary
# tables in memory stay allowed. For SQL that users type (``guichets sql``, ``status --db``).
SANDBOX: dict[str, object] = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "lock_configuration": True,
}


def _quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    # A connection's own setting (DuckDB refuses it in the config; cursors start without bars): a
    # long query would print progress bars into a task's log, where stdout is not a terminal.
    con.execute("SET enable_progress_bar = false")
    return con


# The storage format of a database file this module creates: DuckDB 2.0's default cannot be read
# by the DuckDB CLI of the package registry (duckdb-cli 1.5.6); a file keeps the format it was
# created in, whoever writes it later (dbt included). Releases have their own: release/files.py.
WAREHOUSE_STORAGE_VERSION = "v1.5.0"


def writer(path: Path) -> duckdb.DuckDBPyConnection:
    """The read-write connection to the database file ``path``, its folder created if missing.

    A new file is created in :data:`WAREHOUSE_STORAGE_VERSION`'s format. Raises
    ``duckdb.IOException`` when another process holds the file (DuckDB's single writer) and
    ``OSError`` when the folder cannot be created (named by ``settings.storage_problem``).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    return _quiet(duckdb.connect(str(path), config={"storage_compatibility_version": WAREHOUSE_STORAGE_VERSION}))


def reader(path: Path, *, sandboxed: bool = False) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the database file ``path`` (``sandboxed``: see :data:`SANDBOX`).

    Raises ``duckdb.Error`` when the file is missing, not a DuckDB file, or held by a writer.
    """
    if sandboxed:
        # locked as it opens (someone's typed SQL, in a terminal: the bars may stay)
        return duckdb.connect(str(path), read_only=True, config=dict(SANDBOX))
    return _quiet(duckdb.connect(str(path), read_only=True))


def memory() -> duckdb.DuckDBPyConnection:
    """A fresh in-memory DuckDB: the engine for reading and writing parquet, CSV and releases."""
    return _quiet(duckdb.connect())
