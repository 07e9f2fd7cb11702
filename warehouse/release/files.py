"""The data files of a release: parquet (zstd) and CSV per table, and a DuckDB database.

Every file is a pure function of the tables: rows are sorted (``ORDER BY ALL``; on the key alone
when the table begins with it, see :func:`export_parquet`), each file is written by one thread,
and nothing records when it was written, so the same tables give the same bytes. Several files
are written at once (:func:`export_tables`, :func:`write_copies`): one writer per core, at most
:data:`MAX_WRITERS`. Parquet and DuckDB keep every text exactly as read; CSV files also go to
spreadsheets, so a text cell a spreadsheet would run as a formula is neutralised there
(:func:`parquet_to_csv`). The DuckDB file is written in DuckDB's v1.0.0 storage format: readable
by DuckDB 1.0 and every later version (a DuckDB 2.0 default file is not readable before 2.0), and,
unlike the newer formats (which write random bytes into every file), byte-identical from one build
to the next once FSST string compression (randomly sampled) is turned off.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

from warehouse import db

# Oldest storage format DuckDB 2.0 writes; DuckDB >= 1.0 reads it (checked with 1.0.0 and 2.0.1; the
# package registry's DuckDB CLI, duckdb-cli 1.5.6, opens it in tests/test_release.py). From v1.4.0
# on, every file carries random bytes and rebuilds differ.
DUCKDB_STORAGE_VERSION = "v1.0.0"
DUCKDB_READABLE_BY = (
    "DuckDB 1.0.0 or later (storage format v1.0.0; tested with DuckDB 1.0.0, the DuckDB CLI 1.5.6 and DuckDB 2.0.1)"
)
# ISO 8601 with a space, as DuckDB writes it: "2023-02-01 08:00:00" (Frictionless reads it as a datetime).
CSV_OPTIONS = "HEADER true, DELIMITER ',', QUOTE '\"', ESCAPE '\"', NULLSTR ''"
# A text cell starting with one of these is a formula to a spreadsheet (OWASP: CSV injection).
FORMULA_CHARS = "=+-@\t\r"
FORMULA_START = "^[" + re.escape(FORMULA_CHARS) + "]"  # the same rule as a regular expression
PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # a column name a CSV header writes unquoted
# zstd level of the parquet files. At national scale, level 1 wrote the five largest tables in 6.1 s
# against 8.3 s at DuckDB's default (3), and 394 MB against 398 MB: as small, a quarter less CPU.
ZSTD_LEVEL = 1
# Files written at once: each sort and write holds a table's rows in memory (about 1 GiB for the
# national captures), so more writers than this would trade memory for little time.
MAX_WRITERS = 4


def writers() -> int:
    """How many files are written at once: one per core, at most :data:`MAX_WRITERS`."""
    return max(1, min(os.cpu_count() or 1, MAX_WRITERS))


def _deterministic(con: duckdb.DuckDBPyConnection) -> None:
    # One thread per query: the writers then emit row groups and blocks in one order only. The
    # setting is the database's, shared by its cursors: changed only when it differs, never
    # under another thread's running query.
    if con.execute("SELECT current_setting('threads')").fetchone()[0] != 1:
        con.execute("SET threads = 1")
    if not con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]:
        con.execute("SET preserve_insertion_order = true")


def export_tables(
    con: duckdb.DuckDBPyConnection,
    tables: Mapping[str, Path],
    *,
    illustrative: bool,
    keys: Mapping[str, tuple[str, ...]] | None = None,
) -> dict[str, int]:
    """Write each table of ``con`` to its parquet file (``tables``: name -> path), :func:`writers` at once; row counts.

    ``keys``: each table's primary key (see :func:`export_parquet`). Most rows first, so that the
    writers finish together (DuckDB's estimate for a table; a count for a view, of which it has no
    estimate: four of the five largest marts are views over incremental tables); each writes
    through its own cursor (DuckDB runs one query per cursor, in parallel). The order changes no
    file's bytes.
    """
    _deterministic(con)
    sizes = dict(con.execute("SELECT schema_name || '.' || table_name, estimated_size FROM duckdb_tables()").fetchall())
    for view in set(tables) - set(sizes):
        sizes[view] = con.execute(f"SELECT count(*) FROM {view}").fetchone()[0]

    def one(table: str) -> int:
        with con.cursor() as cur:
            return export_parquet(cur, table, tables[table], illustrative=illustrative, key=(keys or {}).get(table, ()))

    with ThreadPoolExecutor(writers()) as pool:
        done = {t: pool.submit(one, t) for t in sorted(tables, key=lambda t: (-(sizes.get(t) or 0), t))}
    return {t: done[t].result() for t in tables}


def write_copies(
    parquets: Mapping[str, Path],
    csvs: Mapping[str, Path],
    duckdb_out: Path,
    docs: Mapping[str, tuple[str, Mapping[str, str]]],
) -> None:
    """The CSV copy of each table's parquet file (``csvs``: table -> CSV path) and the DuckDB database of them all.

    :func:`writers` files at once. The database is one long job: it starts first, and the CSV
    files share the other writers.
    """

    def csv_copy(table: str) -> None:
        with db.memory() as con:
            parquet_to_csv(con, parquets[table], csvs[table])

    with ThreadPoolExecutor(writers()) as pool:
        jobs = [pool.submit(write_duckdb, duckdb_out, parquets, docs)]
        jobs += [pool.submit(csv_copy, t) for t in sorted(csvs, key=lambda t: (-parquets[t].stat().st_size, t))]
    for job in jobs:
        job.result()


def export_parquet(
    con: duckdb.DuckDBPyConnection, table: str, out: Path, *, illustrative: bool, key: tuple[str, ...] = ()
) -> int:
    """Write ``table`` (sorted) to a zstd parquet file; returns its row count.

    Rows are in ``ORDER BY ALL`` order. When the table's first columns are its primary ``key``,
    the sort reads the key only: the same order, and the same bytes, as long as the key is unique,
    which the release gate checks before anything is published (sorting a national table by every
    column, URLs and texts included, took a quarter more time).

    HUGEINT columns (DuckDB's 128-bit result of ``sum``) are published as BIGINT: parquet would
    store them as floating point, and no reader of CSV or parquet needs 128 bits for minutes
    per week. A value too large for BIGINT fails the cast, and the build, loudly.
    """
    schema, name = table.split(".", 1)
    cols = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [schema, name],
    ).fetchall()
    select = ", ".join(f'CAST("{c}" AS BIGINT) AS "{c}"' if t == "HUGEINT" else f'"{c}"' for c, t in cols)
    leading = key and tuple(c for c, _t in cols[: len(key)]) == tuple(key)
    order = ", ".join(f'"{c}"' for c in key) if leading else "ALL"
    return write_query_parquet(con, f"SELECT {select} FROM {table}", out, illustrative=illustrative, order=order)


def parquet_to_csv(con: duckdb.DuckDBPyConnection, parquet: Path, csv: Path) -> None:
    """The same rows, in the same order, as CSV with a header (empty field = null), UTF-8 with a BOM.

    A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    single quote in front (OWASP's rule against CSV injection): a spreadsheet would otherwise run
    a scraped ``=HYPERLINK(...)`` as a formula. Text columns only: a negative number stays a
    number. The BOM makes spreadsheets read the file as UTF-8 (accents intact).

    DuckDB writes the BOM itself, as the start of the first column's name in the header: the file
    is written once (adding it in front afterwards copied every byte again, a fifth of the CPU
    time of a national release's CSV files). That needs a first column name the header does not
    quote: every published column is a plain SQL name.
    """
    _deterministic(con)
    source = f"read_parquet('{parquet.as_posix()}')"
    columns = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    first = columns[0][0]
    if not PLAIN_NAME.fullmatch(first):
        raise ValueError(f"{parquet}: first column {first!r} is not a plain name (letters, digits, underscores)")
    select = ", ".join(csv_cell(name, dtype) for name, dtype, *_ in columns)
    header = f'"{codecs.BOM_UTF8.decode()}{first}"'
    con.execute(
        f'COPY (SELECT * RENAME ("{first}" AS {header}) FROM (SELECT {select} FROM {source})) '
        f"TO '{csv.as_posix()}' (FORMAT csv, {CSV_OPTIONS})"
    )


def csv_cell(column: str, dtype: str) -> str:
    """The SELECT item of one column in a CSV file: text neutralised, anything else as it is."""
    if dtype != "VARCHAR":
        return f'"{column}"'
    quote = "''''"  # SQL for a string holding one single quote
    # ord(): the first character's code point (NULL for NULL, -1 for ''); a regular expression
    # over every text cell of a national table cost twice as much.
    starts = ", ".join(str(ord(c)) for c in FORMULA_CHARS)
    return f'CASE WHEN ord("{column}") IN ({starts}) THEN {quote} || "{column}" ELSE "{column}" END AS "{column}"'


def write_query_parquet(
    con: duckdb.DuckDBPyConnection, sql: str, out: Path, *, illustrative: bool, order: str = "ALL"
) -> int:
    """Write the rows of ``sql`` sorted (``ORDER BY {order}``) to a zstd parquet file; returns the row count."""
    _deterministic(con)
    kv = "{illustrative: 'true'}" if illustrative else "{illustrative: 'false'}"
    out.parent.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"COPY (SELECT * FROM ({sql}) ORDER BY {order}) TO '{out.as_posix()}' "
        f"(FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL {ZSTD_LEVEL}, KV_METADATA {kv})"
    )
    return con.execute(f"SELECT count(*) FROM read_parquet('{out.as_posix()}')").fetchone()[0]


def write_duckdb(out: Path, tables: Mapping[str, Path], docs: Mapping[str, tuple[str, Mapping[str, str]]]) -> None:
    """A DuckDB database of the release's tables, with table and column comments.

    ``tables`` maps ``schema.table`` to its parquet file, written under the same schema name as
    in the warehouse (``marts.dim_counter`` is ``marts.dim_counter`` in both, so the same SQL runs
    on either); ``docs`` maps the same names to (table description, {column: description}).
    """
    out.unlink(missing_ok=True)
    with db.memory() as con:
        _deterministic(con)
        # FSST string compression trains its symbol table on a random sample: rebuilds would differ.
        con.execute("SET disabled_compression_methods = 'fsst'")
        con.execute(f"ATTACH '{out.as_posix()}' AS rel (STORAGE_VERSION '{DUCKDB_STORAGE_VERSION}')")
        for table, path in sorted(tables.items()):
            schema, name = table.split(".", 1)
            con.execute(f"CREATE SCHEMA IF NOT EXISTS rel.{schema}")
            target = f"rel.{schema}.{name}"
            con.execute(f"CREATE TABLE {target} AS SELECT * FROM read_parquet('{path.as_posix()}')")
            description, columns = docs.get(table, ("", {}))
            if description:
                con.execute(f"COMMENT ON TABLE {target} IS {_sql_str(description)}")
            for column, text in columns.items():
                if text:
                    con.execute(f'COMMENT ON COLUMN {target}."{column}" IS {_sql_str(text)}')
        con.execute("CHECKPOINT rel")
        con.execute("DETACH rel")


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
