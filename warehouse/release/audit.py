"""The Data Package audit of a release, at any size: DuckDB over the files, Frictionless on a sample.

Frictionless validates a CSV row by row in Python (minutes per million rows), so it runs here on
the descriptor and on the first :data:`SAMPLE_ROWS` rows of each resource only. What it would
guarantee over every row is checked by DuckDB over the whole files instead:

* every resource's file exists, with the ``bytes`` and ``hash`` (SHA-256) the descriptor states;
* every CSV's header is exactly its schema's fields, in order;
* every CSV cell parses as its column's published type (the DuckDB types of ``metadata.json``,
  whose Table Schema types the descriptor states): a strict typed read of the whole file;
* every CSV holds exactly the rows of its parquet copy (count and an order-free hash of the rows,
  the parquet side passed through the CSV's formula neutralisation), so that what the gate
  checked on the parquet files holds for the CSV files too: types, values, and the primary and
  foreign keys the descriptor declares (the same ``TableSuite.key`` and ``references`` the gate
  checks, unique, never missing and resolving, on whole parquet files). They are not checked a
  second time on the CSV text: a key or reference the CSV broke would be a row the parquet copy
  does not have.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb

from warehouse import db
from warehouse.release.files import csv_cell
from warehouse.release.layout import DATAPACKAGE, METADATA, sha256

SAMPLE_ROWS = 1000  # rows of each resource Frictionless reads itself
PROBLEMS_PER_CHECK = 5


def validate_datapackage(release_dir: Path) -> list[str]:
    """Validate ``datapackage.json`` and its resources (see the module docstring); problems found."""
    descriptor = release_dir / DATAPACKAGE
    if not descriptor.is_file():
        return [f"{descriptor}: missing"]
    problems = _frictionless_sample(descriptor, release_dir)
    problems += check_resources(release_dir)
    return problems


def _frictionless_sample(descriptor: Path, release_dir: Path) -> list[str]:
    import frictionless  # heavy: only when verifying

    # Foreign keys are checked on whole files by DuckDB (a sample would miss rows they point to),
    # and left out of what Frictionless reads: for them it would load every referenced file whole,
    # row by row in Python, before reading the first row of the sample.
    try:
        package = json.loads(descriptor.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        return [f"{descriptor}: not readable as JSON: {exc}"]
    if not isinstance(package, dict):
        return [f"{descriptor}: not a Data Package descriptor (a JSON object)"]
    # Likewise the bytes and the hash: :func:`check_resources` checks them on whole files with
    # hashlib; Frictionless would stream every byte of every file through Python to recompute them.
    for res in package.get("resources") or []:
        if not isinstance(res, dict):
            continue
        res.pop("bytes", None)
        res.pop("hash", None)
        if isinstance(res.get("schema"), dict):
            res["schema"].pop("foreignKeys", None)
    report = frictionless.validate(package, basepath=str(release_dir), limit_rows=SAMPLE_ROWS)
    if report.valid:
        return []
    problems = []
    for task in report.tasks:
        for error in task.errors[:PROBLEMS_PER_CHECK]:
            problems.append(f"{release_dir / task.name if task.name else descriptor}: {error.message}")
    for error in report.errors[:PROBLEMS_PER_CHECK]:
        problems.append(f"{descriptor}: {error.message}")
    return problems or [f"{descriptor}: frictionless validation failed"]


def check_resources(release_dir: Path) -> list[str]:
    """The whole-file checks of every resource the Data Package lists (DuckDB; no row-by-row Python)."""
    descriptor = release_dir / DATAPACKAGE
    try:
        package = json.loads(descriptor.read_text("utf-8"))
        meta = json.loads((release_dir / METADATA).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        return [f"{release_dir}: cannot read {DATAPACKAGE} or {METADATA}: {exc}"]
    problems = []
    resources = package.get("resources") or []
    for res in resources:
        path = release_dir / str(res.get("path", ""))
        if not path.is_file():
            problems.append(f"{path}: listed in {DATAPACKAGE} but missing")
            continue
        if res.get("bytes") is not None and path.stat().st_size != res["bytes"]:
            problems.append(f"{path}: {path.stat().st_size} bytes, {DATAPACKAGE} says {res['bytes']}")
        if str(res.get("hash", "")).removeprefix("sha256:") != sha256(path):
            problems.append(f"{path}: SHA-256 does not match the hash in {DATAPACKAGE}")
    if problems:
        return problems
    tables = {t["csv"]: t for t in meta.get("tables", [])}
    with db.memory() as con:
        for res in resources:
            if "schema" not in res:
                continue
            table = tables.get(res["path"])
            if table is None:
                problems.append(f"{release_dir / res['path']}: a tabular resource {METADATA} does not list")
                continue
            problems += _check_table(con, release_dir, res, table)
    return problems


def _check_table(con: duckdb.DuckDBPyConnection, release_dir: Path, res: dict, table: dict) -> list[str]:
    csv_path = release_dir / res["path"]
    fields = [f["name"] for f in res["schema"]["fields"]]
    with csv_path.open(encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f), [])
    if header != fields:
        return [f"{csv_path}: header {header} is not the schema's fields {fields}"]
    types = {c["name"]: c["type"] for c in table["columns"]}
    if list(types) != fields:
        return [f"{csv_path}: {METADATA} columns {list(types)} are not the schema's fields {fields}"]
    columns = "{" + ", ".join(f"'{name}': '{dtype}'" for name, dtype in types.items()) + "}"
    parquet = f"read_parquet('{(release_dir / table['path']).as_posix()}')"
    as_csv = ", ".join(csv_cell(name, dtype) for name, dtype in types.items())
    typed_csv = (
        f"read_csv('{csv_path.as_posix()}', header = true, delim = ',', quote = '\"', escape = '\"', nullstr = '', "
        f"auto_detect = false, strict_mode = true, columns = {columns})"
    )
    try:
        # Streamed: the typed read and the row hash in one pass, nothing held in memory.
        got = con.execute(f"SELECT count(*), sum(hash(t)::HUGEINT) FROM {typed_csv} t").fetchone()
        want = con.execute(f"SELECT count(*), sum(hash(t)::HUGEINT) FROM (SELECT {as_csv} FROM {parquet}) t").fetchone()
    except duckdb.Error as exc:
        return [f"{csv_path}: not readable as its declared types: {str(exc).splitlines()[0]}"]
    if got != want:
        return [f"{csv_path}: {got[0]} rows that are not the {want[0]} rows of {table['path']}"]
    return []
