"""warehouse.db: the one module that opens DuckDB, and DuckDB's single writer as the code meets it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from warehouse import db
from warehouse.settings import PROJECT_ROOT


def test_only_warehouse_db_opens_duckdb() -> None:
    """Every connection outside the tests goes through warehouse/db.py (one place for the lock rules)."""
    found = subprocess.run(
        ["git", "grep", "-l", "duckdb.connect", "--", ":!tests"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    if found.returncode not in (0, 1):  # not a git checkout (e.g. an installed copy): nothing to check
        pytest.skip(f"git grep failed: {found.stderr.strip()}")
    assert found.stdout.split() == ["warehouse/db.py"]


def test_writer_creates_its_folder_and_reader_reads(tmp_path: Path) -> None:
    path = tmp_path / "warehouse" / "w.duckdb"
    with db.writer(path) as con:
        con.execute("CREATE TABLE t AS SELECT 42 AS x")
    with db.reader(path) as con:
        assert con.execute("SELECT x FROM t").fetchall() == [(42,)]
        with pytest.raises(duckdb.InvalidInputException, match="read-only"):
            con.execute("CREATE TABLE u (x INT)")


def test_sandboxed_reader_has_no_file_access(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with db.writer(path) as con:
        con.execute("CREATE TABLE t AS SELECT 1 AS x")
    with db.reader(path, sandboxed=True) as con:
        con.execute("CREATE TEMP TABLE scratch AS SELECT 2 AS y")  # temporary tables stay allowed
        with pytest.raises(duckdb.Error):
            con.execute(f"COPY t TO '{tmp_path / 'out.csv'}'")
        with pytest.raises(duckdb.Error):
            con.execute("SET enable_external_access = true")
    assert not (tmp_path / "out.csv").exists()


# A separate process holds the writer until told to stop (DuckDB's lock is per process).
_HOLD_WRITER = """
import sys
from pathlib import Path
from warehouse import db
con = db.writer(Path(sys.argv[1]))
print("held", flush=True)
input()
con.close()
"""


def test_reader_refused_while_another_process_writes(tmp_path: Path) -> None:
    """DuckDB allows one read-write process per file and no reader beside it: the reader fails."""
    path = tmp_path / "w.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_WRITER, str(path)],
        cwd=PROJECT_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(duckdb.IOException, match="lock"):
            db.reader(path)
        with pytest.raises(duckdb.IOException, match="lock"):
            db.writer(path)
    finally:
        holder.communicate("\n", timeout=30)
    with db.reader(path) as con:  # the lock goes with the writer
        assert con.execute("SELECT 1").fetchone() == (1,)


def test_memory_is_a_fresh_engine() -> None:
    with db.memory() as a, db.memory() as b:
        a.execute("CREATE TABLE t AS SELECT 1 AS x")
        assert b.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 't'").fetchone() == (0,)
