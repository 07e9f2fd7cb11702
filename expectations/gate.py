"""Run a release gate: GX Core checkpoints over tables of the DuckDB warehouse or of a staged release.

GX 1.24 has no DuckDB data source (and its SQLAlchemy route to DuckDB is broken), so a table
is read into a pandas DataFrame through DuckDB (from the warehouse file, read-only, or from a
release's parquet files through views) and validated through GX's pandas data source: one
ExpectationSuite, ValidationDefinition and Checkpoint per table, plus one batch holding every
column's type (``information_schema.columns``). This is the only module that runs GX.

GX runs on bounded batches only: a table of more than :data:`GX_MAX_ROWS` rows (the national
observation log holds tens of millions) is checked where it lies, by DuckDB SQL, with the same
expectation objects and the same failure reports (:mod:`expectations.sql_checks`); its results
are in the gate's report and the release's ``validation/results.json``, but not in
GX's Data Docs, which only render what GX itself validated. References to another table are
checked the same way (an anti-join) for every table: GX would need the referenced keys as a value
set, unbounded at national scale.

Data Docs can be built into a directory (a release's ``validation/``); GX stamps the render
time and random ids into its HTML, which are normalised away so that the release holds no
wall-clock value and rebuilding it gives the same bytes.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from expectations.sql_checks import ROW, SAMPLE, TableChecks, is_reference
from expectations.suites import ReleaseCheck, TableSuite
from warehouse import db

log = logging.getLogger(__name__)
SCHEMA_BATCH = "information_schema.columns"
PARTIAL_UNEXPECTED = SAMPLE  # sample offending values reported per failed expectation
# Larger tables are checked by DuckDB SQL (expectations.sql_checks): GX's pandas engine would hold
# the whole table in memory (tens of GiB for the national observation log) and scan it once per expectation.
GX_MAX_ROWS = 200_000


@dataclass
class ExpectationFailure:
    """One failed expectation, precise enough to act on."""

    table: str
    expectation: str
    column: str | None
    detail: str
    check: str | None = None  # the release-over-release check, when it is one

    def __str__(self) -> str:
        col = f".{self.column}" if self.column else ""
        name = f" [{self.check}]" if self.check else ""
        return f"{self.table}{col}: {self.expectation}{name} failed: {self.detail}"


@dataclass
class GateReport:
    """Outcome of a gate run over several tables."""

    evaluated: int = 0
    failures: list[ExpectationFailure] = field(default_factory=list)
    # Failures of release-over-release checks waived by a recorded override: (failure, override).
    waived: list[tuple[ExpectationFailure, dict]] = field(default_factory=list)
    # One JSON-able record per expectation, in a stable order (for the release's validation/).
    results: list[dict] = field(default_factory=list)

    @property
    def success(self) -> bool:
        """True when every expectation on every table passed (or was waived by an override)."""
        return not self.failures


class ValidationFailed(RuntimeError):
    """The gate refused the data; the message lists every failed expectation."""

    def __init__(self, report: GateReport, where: str = "") -> None:
        self.report = report
        lines = [str(f) for f in report.failures]
        head = f"{len(lines)} of {report.evaluated} expectations failed" + (f" ({where})" if where else "")
        super().__init__(head + ":\n" + "\n".join(lines))


def run_gate(
    source: Path | Mapping[str, Path],
    suites: Iterable[TableSuite],
    *,
    horizon: datetime | None = None,
    checks: Iterable[ReleaseCheck] = (),
    overrides: Mapping[str, dict] | None = None,
    docs_dir: Path | None = None,
    run_name: str | None = None,
    run_time: datetime | None = None,
    gx_max_rows: int | None = None,
    from_batch: int | None = None,
) -> GateReport:
    """Validate ``suites`` (and release-over-release ``checks``); raise :class:`ValidationFailed` on any failure.

    ``source`` is a DuckDB file (tables ``schema.table``) or a mapping ``schema.table`` ->
    parquet file. ``horizon`` is the latest moment a date column may hold; ``overrides`` maps a
    check name to the recorded override that waives it. With ``docs_dir``, GX Data Docs are
    built there (run ``run_name`` at ``run_time``), whether the gate passes or not. A table of
    more than ``gx_max_rows`` (default :data:`GX_MAX_ROWS`) rows is checked by DuckDB SQL where it lies
    (:mod:`expectations.sql_checks`, same expectations, same reports) instead of GX on pandas.
    With ``from_batch``, such a table's row-level expectations read only the rows of load batches
    ``from_batch`` and later (its suite's ``new_rows``); keys, references and counts read it whole.
    """
    suites = tuple(suites)
    checks = tuple(checks)
    overrides = dict(overrides or {})
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx  # heavy import: only when the gate runs
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # keep task logs readable
    if docs_dir is not None:
        _add_docs_site(context, docs_dir)
    data_source = context.data_sources.add_pandas("guichets")
    run_id = RunIdentifier(run_name=run_name, run_time=run_time) if run_name else None
    report = GateReport()

    def collect(table: str, results) -> None:
        for r in results:
            report.evaluated += 1
            report.results.append(_record(table, r))
            if r.success:
                continue
            for failure in _failures(table, r):
                if failure.check and failure.check in overrides:
                    report.waived.append((failure, overrides[failure.check]))
                else:
                    report.failures.append(failure)

    def run_gx(table: str, frame, expectations: list, key: tuple[str, ...]) -> None:
        # Given whole: a suite saved first re-serializes itself at every added expectation (quadratic).
        suite = context.suites.add(gx.ExpectationSuite(name=table, expectations=expectations))
        batch = data_source.add_dataframe_asset(table).add_batch_definition_whole_dataframe(f"{table}__whole")
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{table}__release", data=batch, suite=suite)
        )
        partial = 100 if table == SCHEMA_BATCH else PARTIAL_UNEXPECTED  # every wrong type, not a sample
        result_format = {"result_format": "SUMMARY", "partial_unexpected_count": partial}
        if key and set(key) <= set(frame.columns):
            # Each offending value is reported with its row's key, so that a failure names the row.
            result_format["unexpected_index_column_names"] = list(key)
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(name=f"{table}__gate", validation_definitions=[definition], result_format=result_format)
        )
        result = checkpoint.run(batch_parameters={"dataframe": frame}, run_id=run_id)
        for run in result.run_results.values():
            collect(table, run.results)

    con, relations = _connect(source, suites)
    try:
        for spec in suites:
            rows = _count(con, spec.table)
            small = rows <= (GX_MAX_ROWS if gx_max_rows is None else gx_max_rows)
            expectations = spec.expectations(horizon=horizon)
            expectations += [c.expectation() for c in checks if c.table == spec.table]
            if small:
                # References are anti-joins in DuckDB whatever the table's size: as GX value sets they
                # would list the referenced keys (a national release's capture ids), which GX
                # re-serializes at every step of every expectation (minutes per table).
                in_gx = [e for e in expectations if not is_reference(e)]
                run_gx(spec.table, _read(con, spec.table), in_gx, spec.key)
                sql_part = [e for e in expectations if is_reference(e)]
                new_rows = None
            else:
                sql_part = expectations
                new_rows = (
                    spec.new_rows.format(batch=int(from_batch)) if from_batch is not None and spec.new_rows else None
                )
            if sql_part:
                sql = TableChecks(con, spec.table, spec.key, relations[spec.table], new_rows)
                collect(spec.table, sql.evaluate([e.configuration for e in sql_part]))
        typed = [s for s in suites if s.types]
        if typed:
            run_gx(SCHEMA_BATCH, _column_types(con, typed), [_types_expectation(typed)], ())
    finally:
        con.close()
    if docs_dir is not None:
        context.build_data_docs(site_names=["release"])
        _normalise_docs(docs_dir, run_time)
    if not report.success:
        raise ValidationFailed(report, where=str(source if isinstance(source, Path) else "staged release files"))
    return report


def _connect(
    source: Path | Mapping[str, Path], suites: tuple[TableSuite, ...]
) -> tuple[duckdb.DuckDBPyConnection, dict[str, str]]:
    """A connection where every table is readable by name, and each suite's table as a relation
    with a row-order column (:data:`expectations.sql_checks.ROW`) for the SQL checks' samples."""
    if isinstance(source, Path):
        con = db.reader(source)
        relations = {}
        for spec in suites:
            try:  # a table has a rowid; a view (or a missing table) is numbered in scan order
                con.execute(f"SELECT rowid FROM {spec.table} LIMIT 0")
                relations[spec.table] = f"(SELECT rowid AS {ROW}, * FROM {spec.table})"
            except duckdb.Error:
                relations[spec.table] = f"(SELECT row_number() OVER () AS {ROW}, * FROM {spec.table})"
        return con, relations
    # Views over the staged parquet files: the gate reads exactly what will be published.
    con = db.memory()
    relations = {}
    for table, path in sorted(source.items()):
        schema = table.split(".")[0]
        parquet = f"read_parquet('{Path(path).as_posix()}', file_row_number = true)"
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        con.execute(f"CREATE VIEW {table} AS SELECT * EXCLUDE (file_row_number) FROM {parquet}")
        relations[table] = f"(SELECT file_row_number AS {ROW}, * EXCLUDE (file_row_number) FROM {parquet})"
    return con, relations


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    except duckdb.CatalogException as exc:
        raise RuntimeError(f"table {table} is missing: {exc}") from exc


def _read(con: duckdb.DuckDBPyConnection, table: str):
    import numpy as np
    import pandas as pd

    try:
        frame = con.execute(f"SELECT * FROM {table}").df()
    except duckdb.CatalogException as exc:
        raise RuntimeError(f"table {table} is missing: {exc}") from exc
    # DuckDB hands timestamps and dates over in microseconds; GX compares a datetime column with
    # its bounds vectorised only in nanoseconds, and otherwise one value at a time in Python (3 s of
    # a national release's gate). Same values; one outside the nanosecond range (after 2262) stays
    # in microseconds, and is still checked, value by value.
    for name in frame.columns:
        dtype = frame[name].dtype
        if isinstance(dtype, np.dtype) and dtype.kind == "M" and dtype != np.dtype("datetime64[ns]"):
            try:
                frame[name] = frame[name].astype("datetime64[ns]")
            except (OverflowError, pd.errors.OutOfBoundsDatetime):
                pass
    return frame


def _column_types(con: duckdb.DuckDBPyConnection, suites: list[TableSuite]):
    """Every column of the typed suites' tables with its DuckDB type, declared or not: an undeclared
    one fails (a schema change must be deliberate)."""
    import pandas as pd

    rows = []
    for spec in suites:
        described = con.execute(f"DESCRIBE SELECT * FROM {spec.table}").fetchall()
        rows += [(f"{spec.table}.{name}", dtype) for name, dtype, *_ in described]
    return pd.DataFrame(rows, columns=["column_path", "data_type"])


def _types_expectation(suites: list[TableSuite]):
    """Every (table.column, type) pair must be one the suites declare."""
    import great_expectations.expectations as gxe

    pairs = []
    for spec in suites:
        for col, accepted in spec.types.items():
            for dtype in (accepted,) if isinstance(accepted, str) else accepted:
                pairs.append((f"{spec.table}.{col}", dtype))
    return gxe.ExpectColumnPairValuesToBeInSet(
        column_A="column_path", column_B="data_type", value_pairs_set=sorted(pairs)
    )


def _failures(table: str, r) -> list[ExpectationFailure]:
    cfg = r.expectation_config
    kwargs = {k: v for k, v in cfg.kwargs.items() if k not in ("batch_id", "value_set", "value_pairs_set")}
    res = r.result or {}
    check = (cfg.meta or {}).get("check")
    if table == SCHEMA_BATCH and res.get("partial_unexpected_list"):
        declared = {}
        for path, dtype in cfg.kwargs.get("value_pairs_set") or []:
            declared.setdefault(path, []).append(dtype)
        out = []
        for path, dtype in res["partial_unexpected_list"]:
            schema, name, column = path.split(".", 2)
            expected = " or ".join(declared.get(path, [])) or "no declared type (expectations/published_types.yaml)"
            out.append(
                ExpectationFailure(f"{schema}.{name}", "column type", column, f"type {dtype}, expected {expected}")
            )
        return out
    if r.exception_info and r.exception_info.get("raised_exception"):
        detail = f"error: {r.exception_info.get('exception_message')}"
    elif "partial_unexpected_list" in res:
        detail = (
            f"{res.get('unexpected_count')} unexpected of {res.get('element_count')} rows; "
            f"sample offending values: {[_plain(v) for v in res.get('partial_unexpected_list') or []]}"
        )
        if "max_value" in kwargs and (cfg.meta or {}).get("horizon"):
            detail += f" (after the horizon {_plain(kwargs['max_value'])})"
        rows = _offending_rows(res)
        if rows:
            detail += f" in rows {rows}"
        if "column_A" in kwargs:
            detail += f" (expected {kwargs['column_B']} {'<=' if kwargs.get('or_equal') else '<'} {kwargs['column_A']})"
    else:
        expected = {k: _plain(v) for k, v in kwargs.items() if k not in ("row_condition", "condition_parser")}
        detail = f"observed {_plain(res.get('observed_value'))!r}; expected {expected}"
        if check:
            detail += f" ({cfg.meta.get('description')})"
    column = kwargs.get("column") or kwargs.get("column_A")
    if "column_list" in kwargs:
        column = ",".join(kwargs["column_list"])
    return [ExpectationFailure(table, cfg.type, column, detail, check)]


def _offending_rows(res: dict) -> list[str]:
    """The keys of the sample's offending rows ("counter_id=capac-liege"), when GX reported them."""
    names = res.get("unexpected_index_column_names") or []
    rows = []
    for entry in res.get("partial_unexpected_index_list") or []:
        if isinstance(entry, dict) and names:
            rows.append(", ".join(f"{n}={_plain(entry.get(n))}" for n in names))
    return rows


def _record(table: str, r) -> dict:
    """A stable, JSON-able summary of one expectation's outcome."""
    cfg = r.expectation_config
    kwargs = cfg.kwargs
    res = r.result or {}
    record = {
        "table": table,
        "expectation": cfg.type,
        "column": kwargs.get("column") or kwargs.get("column_A") or (",".join(kwargs.get("column_list") or []) or None),
        "success": bool(r.success),
    }
    if (cfg.meta or {}).get("check"):
        record["check"] = cfg.meta["check"]
    if "observed_value" in res:
        record["observed_value"] = _plain(res["observed_value"])
    if "unexpected_count" in res:
        record["unexpected_count"] = res["unexpected_count"]
    if not r.success and res.get("partial_unexpected_list"):
        record["sample_unexpected"] = [_plain(v) for v in res["partial_unexpected_list"]]
        if _offending_rows(res):
            record["sample_rows"] = _offending_rows(res)
    return record


def _plain(value):
    """JSON-able, readable form of a value GX reports (timestamps as ISO text, tuples as lists)."""
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars (a datetime64 becomes a datetime, read again)
        return _plain(value.item())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _add_docs_site(context, docs_dir: Path) -> None:
    shutil.rmtree(docs_dir, ignore_errors=True)
    for name in list(context.get_config().data_docs_sites or {}):
        context.delete_data_docs_site(name)  # the ephemeral context's default site writes to a temp dir
    context.add_data_docs_site(
        "release",
        {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
        },
    )


_RENDER_STAMP = re.compile(r"\?d=\d{8}T\d{6}\.\d{6}Z")
_STAMP = re.compile(r"\d{8}T\d{6}\.\d{6}Z")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _numbering():
    """A regex replacement giving each distinct match a counter in order of appearance: id1, id2..."""
    ids: dict[str, str] = {}
    return lambda m: ids.setdefault(m.group(0), f"id{len(ids) + 1}")


def _normalise_docs(docs_dir: Path, run_time: datetime | None) -> None:
    """Make GX's Data Docs a pure function of the validation: no render or load times, no random ids.

    GX adds a cache-busting render time to the logo URL, the batch's load time (``ge_load_time``)
    and random collapse-widget ids; these become the run time and per-page counters. Static files
    no page uses (screenshots, fonts of the authoring UI) are dropped to keep releases small.
    """
    run_stamp = f"{run_time:%Y%m%dT%H%M%S.%fZ}" if run_time else "00000000T000000.000000Z"
    for page in sorted(docs_dir.rglob("*.html")):
        text = page.read_text("utf-8")
        text = _RENDER_STAMP.sub("", text)
        text = _STAMP.sub(run_stamp, text)
        text = _UUID.sub(_numbering(), text)
        page.write_text(text, "utf-8")
    used = {"favicon.ico"}
    for path in sorted((docs_dir / "static").rglob("*"), reverse=True):
        if path.is_file() and path.name not in used:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
