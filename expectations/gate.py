"""Run the release gate: GX Core checkpoints over tables read from the DuckDB warehouse.

GX 1.24 has no DuckDB data source (and its SQLAlchemy route to DuckDB is broken), so each
table is read read-only into a pandas DataFrame and validated through GX's pandas data
source. This is the only module that calls GX.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from expectations.suites import RELEASE_SUITES, TableSuite

log = logging.getLogger(__name__)


@dataclass
class ExpectationFailure:
    """One failed expectation, precise enough to act on."""

    table: str
    expectation: str
    column: str | None
    detail: str

    def __str__(self) -> str:
        col = f".{self.column}" if self.column else ""
        return f"{self.table}{col}: {self.expectation} failed: {self.detail}"


@dataclass
class GateReport:
    """Outcome of a gate run over several tables."""

    evaluated: int = 0
    failures: list[ExpectationFailure] = field(default_factory=list)

    @property
    def success(self) -> bool:
        """True when every expectation on every table passed."""
        return not self.failures


class ValidationFailed(RuntimeError):
    """The gate refused the data; the message lists every failed expectation."""

    def __init__(self, report: GateReport) -> None:
        self.report = report
        lines = [str(f) for f in report.failures]
        super().__init__(f"{len(lines)} of {report.evaluated} expectations failed:\n" + "\n".join(lines))


def run_gate(db_path: Path, suites: tuple[TableSuite, ...] = RELEASE_SUITES) -> GateReport:
    """Validate ``suites`` against the warehouse; raise :class:`ValidationFailed` on any failure."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx  # heavy import: only when the gate runs
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # keep task logs readable
    source = context.data_sources.add_pandas("guichets_warehouse")
    report = GateReport()
    with duckdb.connect(str(db_path), read_only=True) as con:
        frames = {s.table: _read(con, s.table) for s in suites}
        for suite_spec in suites:
            for ref_table in {r.split(".")[0] + "." + r.split(".")[1] for r in suite_spec.references.values()}:
                if ref_table not in frames:
                    frames[ref_table] = _read(con, ref_table)
    for suite_spec in suites:
        df = frames[suite_spec.table]
        asset = source.add_dataframe_asset(suite_spec.table)
        batch = asset.add_batch_definition_whole_dataframe(f"{suite_spec.table}__whole")
        suite = context.suites.add(gx.ExpectationSuite(name=f"{suite_spec.table}__suite"))
        for expectation in suite_spec.expectations(frames):
            suite.add_expectation(expectation)
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{suite_spec.table}__release", data=batch, suite=suite)
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=f"{suite_spec.table}__gate",
                validation_definitions=[definition],
                result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5},
            )
        )
        result = checkpoint.run(batch_parameters={"dataframe": df})
        for run in result.run_results.values():
            for r in run.results:
                report.evaluated += 1
                if not r.success:
                    report.failures.append(_failure(suite_spec.table, r))
    if not report.success:
        raise ValidationFailed(report)
    return report


def _read(con: duckdb.DuckDBPyConnection, table: str):
    try:
        return con.execute(f"SELECT * FROM {table}").df()
    except duckdb.CatalogException as exc:
        raise RuntimeError(f"table {table} is missing from the warehouse: {exc}") from exc


def _failure(table: str, r) -> ExpectationFailure:
    cfg = r.expectation_config
    kwargs = {k: v for k, v in cfg.kwargs.items() if k not in ("batch_id", "value_set")}
    res = r.result or {}
    if r.exception_info and r.exception_info.get("raised_exception"):
        detail = f"error: {r.exception_info.get('exception_message')}"
    elif "partial_unexpected_list" in res:
        detail = (
            f"{res.get('unexpected_count')} unexpected of {res.get('element_count')} rows; "
            f"sample offending values: {res.get('partial_unexpected_list')}"
        )
    else:
        detail = f"observed {res.get('observed_value')!r}; expected {kwargs}"
    return ExpectationFailure(table, cfg.type, kwargs.get("column") or kwargs.get("column_A"), detail)
