"""The gate's GX expectations evaluated by DuckDB SQL, where the table is: for tables too large for pandas.

GX 1.24 validates pandas DataFrames only (it has no DuckDB data source), so a table of tens of
millions of rows would have to be read whole into memory. For such a table (:mod:`expectations.gate`
decides which), each expectation of its suite is translated into one SQL predicate over the table
("this row is unexpected") and counted by one query reading only the columns it names; uniqueness
and references are a GROUP BY and an anti-join. The outcome is returned in GX's own result shape
(``expectation_config``, ``success``, ``result`` with ``element_count``, ``unexpected_count``,
``partial_unexpected_list`` and the offending rows' keys in ``partial_unexpected_index_list``,
``observed_value``), so that the gate reports a failure in the same words whichever engine found it.

Semantics follow GX's pandas engine: missing values are ignored by value checks (not by
``not_null``), ``ignore_row_if='either_value_is_missing'`` for column pairs, a row condition
restricts the rows counted, a regex is searched (not anchored unless the pattern is), uniqueness
counts every row whose value occurs more than once. Samples are the first offending rows in the
table's order (``rowid``, or the parquet file's row number).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb

SAMPLE = 5  # offending values reported per failed expectation (gate.PARTIAL_UNEXPECTED)
ROW = "__gate_row"  # the row-order column the gate's relation carries
# New rows up to this many are copied once into a temporary table that every row-level
# expectation then reads: a week's 110,000 new slots of the national log, instead of one semi-join
# over its 48 M slots per expectation (0.1 s each, 2 s of the weekly gate). More rows (a gate that
# has not passed for months) are read where they lie, as a full check reads them.
NEW_ROWS_COPIED = 2_000_000


@dataclass
class SqlResult:
    """One expectation's outcome, shaped like GX's ``ExpectationValidationResult``."""

    expectation_config: Any
    success: bool
    result: dict = field(default_factory=dict)
    exception_info: dict | None = None


def quote(name: str) -> str:
    """A SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def literal(value) -> str:
    """A SQL literal for a value of an expectation's arguments."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


def is_reference(expectation) -> bool:
    """Whether an expectation (or its configuration) is a reference to another table's column: an
    ``expect_column_values_to_be_in_set`` whose ``meta["reference"]`` names the target, checked
    here with an anti-join and never by GX (see :meth:`expectations.suites.TableSuite.expectations`)."""
    return "reference" in (expectation.meta or {})


def row_condition(kwargs: dict) -> str | None:
    """The SQL of an expectation's row condition: the gate's conditions read the same in pandas and DuckDB."""
    cond = kwargs.get("row_condition")
    if isinstance(cond, dict):
        cond = cond.get("pass_through_filter")
    return cond or None


def _between(col: str, kwargs: dict) -> str:
    parts = []
    if kwargs.get("min_value") is not None:
        parts.append(f"{col} < {literal(kwargs['min_value'])}")
    if kwargs.get("max_value") is not None:
        parts.append(f"{col} > {literal(kwargs['max_value'])}")
    return " OR ".join(parts) or "false"


def _in_list(values) -> str:
    return "(" + ", ".join(literal(v) for v in values) + ")" if values else "(NULL)"


def unexpected_predicate(cfg) -> tuple[str, str] | None:
    """(counted rows, unexpected rows) predicates of a row-level expectation, or None if it is not one."""
    kw = cfg.kwargs
    kind = cfg.type
    if kind == "expect_column_values_to_not_be_null":
        return "true", f"{quote(kw['column'])} IS NULL"
    if kind in ("expect_column_pair_values_a_to_be_greater_than_b",):
        a, b = quote(kw["column_A"]), quote(kw["column_B"])
        op = "<" if kw.get("or_equal") else "<="
        return f"{a} IS NOT NULL AND {b} IS NOT NULL", f"{a} {op} {b}"
    col = quote(kw.get("column", ""))
    present = f"{col} IS NOT NULL"
    if kind == "expect_column_values_to_be_between":
        return present, _between(col, kw)
    if kind == "expect_column_values_to_be_in_set" and not is_reference(cfg):
        return present, f"{col} NOT IN {_in_list(kw['value_set'])}"
    if kind == "expect_column_values_to_not_be_in_set":
        return present, f"{col} IN {_in_list(kw['value_set'])}"
    if kind == "expect_column_values_to_match_regex":
        return present, f"NOT regexp_matches(CAST({col} AS VARCHAR), {literal(kw['regex'])})"
    return None


class TableChecks:
    """Evaluates GX expectation configurations on one table or view of a DuckDB connection."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, table: str, key: tuple[str, ...], relation: str,
        new_rows: str | None = None,
    ) -> None:  # fmt: skip
        """``relation`` is a SQL relation over ``table`` with a row-order column named :data:`ROW`.

        With ``new_rows`` (a SQL condition on the table's rows), the row-level expectations (values,
        patterns, ranges, pairs) read only the rows it selects: rows already checked keep their
        verdict. Keys, references and the row count always read the whole table (a new row can
        duplicate an old one; an old row can lose what it refers to).
        """
        self.con = con
        self.table = table
        self.key = key
        self.relation = relation
        self.rows = con.execute(f"SELECT count(*) FROM {relation}").fetchone()[0]
        self.scanned, self.scanned_rows = relation, self.rows
        if new_rows is None:
            return
        self.scanned = f"(SELECT * FROM {relation} WHERE {new_rows})"
        self.scanned_rows, first = con.execute(f"SELECT count(*), min({ROW}) FROM {self.scanned}").fetchone()
        if self.scanned_rows <= NEW_ROWS_COPIED:
            # Rows are appended batch after batch: the copy reads the table from the first new row
            # on (DuckDB skips the row groups before it), not every column of every row. A temporary
            # table is the connection's own, even on a read-only warehouse.
            copy = quote("gate_new_rows." + table)
            tail = f"{ROW} >= {first} AND ({new_rows})" if first is not None else "false"
            con.execute(f"CREATE OR REPLACE TEMP TABLE {copy} AS SELECT * FROM {relation} WHERE {tail}")
            self.scanned = copy

    def evaluate(self, configs: list) -> list[SqlResult]:
        """Every expectation's result, in the order given."""
        results: dict[int, SqlResult] = {}
        scan: list[tuple[int, str, str, str | None]] = []
        for i, cfg in enumerate(configs):
            predicates = unexpected_predicate(cfg)
            if predicates is not None:
                scan.append((i, *predicates, row_condition(cfg.kwargs)))
        results.update(self._scan(configs, scan))
        for i, cfg in enumerate(configs):
            if i in results:
                continue
            try:
                results[i] = self._one(cfg)
            except duckdb.Error as exc:
                results[i] = SqlResult(cfg, False, {}, {"raised_exception": True, "exception_message": str(exc)})
        return [results[i] for i in range(len(configs))]

    def _scan(self, configs: list, scan: list) -> dict[int, SqlResult]:
        # One query per expectation: DuckDB then reads only the one or two columns it needs (a
        # single scan computing every predicate reads them all, and was slower on the national log).
        out = {}
        for i, counted, unexpected, cond in scan:
            where = f"({counted})" + (f" AND ({cond})" if cond else "")
            try:
                n, bad, rows = self.con.execute(
                    f"SELECT count(*), count(*) FILTER (WHERE {unexpected}), "
                    f"coalesce(min({ROW}, {SAMPLE}) FILTER (WHERE {unexpected}), []) "
                    f"FROM {self.scanned} WHERE {where}"
                ).fetchone()
            except duckdb.Error as exc:  # a missing column or another type: this expectation fails, not the gate
                out[i] = SqlResult(configs[i], False, {}, {"raised_exception": True, "exception_message": str(exc)})
                continue
            out[i] = self._row_result(configs[i], n, bad, rows, self.scanned_rows)
        return out

    def _row_result(self, cfg, counted: int, bad: int, rows: list, elements: int | None = None) -> SqlResult:
        kw = cfg.kwargs
        elements = self.rows if elements is None else elements
        result = {"element_count": elements, "unexpected_count": bad, "missing_count": elements - counted}
        if cfg.type == "expect_column_values_to_not_be_null":
            result["missing_count"] = 0
        result["unexpected_percent"] = 100.0 * bad / counted if counted else None
        if "column_list" in kw:
            columns = list(kw["column_list"])
        elif "column_A" in kw:
            columns = [kw["column_A"], kw["column_B"]]
        else:
            columns = [kw["column"]]
        result["partial_unexpected_list"], index = self._sample(rows, columns, dicts="column_list" in kw)
        if self.key and index:
            result["unexpected_index_column_names"] = list(self.key)
            result["partial_unexpected_index_list"] = index
        return SqlResult(cfg, bad == 0, result)

    def _sample(self, rows: list, columns: list[str], dicts: bool = False) -> tuple[list, list[dict]]:
        """The values of ``columns`` (a tuple for a pair, a dict for a column list) and key of rows ``rows``."""
        if not rows:
            return [], []
        key = [c for c in self.key if c not in columns]
        wanted = columns + key
        found = self.con.execute(
            f"SELECT {', '.join(quote(c) for c in wanted)} FROM {self.relation} "
            f"WHERE {ROW} IN {_in_list(sorted(rows))} ORDER BY {ROW}"
        ).fetchall()
        values, index = [], []
        for row in found:
            named = dict(zip(wanted, (_pandas_like(v) for v in row), strict=True))
            if dicts:
                values.append({c: named[c] for c in columns})
            elif len(columns) == 2:
                values.append((named[columns[0]], named[columns[1]]))
            else:
                values.append(named[columns[0]])
            index.append({c: named[c] for c in (*self.key, *columns) if c in named})
        return values, index

    def _one(self, cfg) -> SqlResult:
        kw = cfg.kwargs
        kind = cfg.type
        if kind == "expect_table_row_count_to_be_between":
            cond = row_condition(kw)
            where = f" WHERE {cond}" if cond else ""
            n = self.con.execute(f"SELECT count(*) FROM {self.relation}{where}").fetchone()[0]
            ok = (kw.get("min_value") is None or n >= kw["min_value"]) and (
                kw.get("max_value") is None or n <= kw["max_value"]
            )
            return SqlResult(cfg, ok, {"observed_value": n})
        if kind == "expect_table_columns_to_match_set":
            described = self.con.execute(f"DESCRIBE SELECT * FROM {self.table}").fetchall()
            observed = [name for name, *_ in described]
            ok = set(observed) == set(kw["column_set"]) if kw.get("exact_match", True) else True
            ok = ok and set(kw["column_set"]) <= set(observed)
            return SqlResult(cfg, ok, {"observed_value": observed})
        if kind in ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"):
            return self._unique(cfg, list(kw.get("column_list") or [kw["column"]]))
        if kind == "expect_column_values_to_be_in_set" and is_reference(cfg):
            return self._reference(cfg, kw["column"], cfg.meta["reference"])
        raise NotImplementedError(f"the SQL gate cannot evaluate {kind}")

    def _unique(self, cfg, columns: list[str]) -> SqlResult:
        cols = ", ".join(quote(c) for c in columns)
        # GX ignores a row whose values are all missing (single column: a missing value).
        present = " OR ".join(f"{quote(c)} IS NOT NULL" for c in columns)
        dup = (
            f"SELECT {cols}, count(*) AS n, min({ROW}) AS first_row FROM {self.relation} WHERE {present} "
            f"GROUP BY ALL HAVING count(*) > 1"
        )
        counted, bad, rows = self.con.execute(
            f"SELECT (SELECT count(*) FROM {self.relation} WHERE {present}), coalesce(sum(n), 0), "
            f"coalesce(min(first_row, {SAMPLE}), []) FROM ({dup})"
        ).fetchone()
        return self._row_result(cfg, counted, int(bad), rows)

    def _reference(self, cfg, column: str, target: str) -> SqlResult:
        schema, table, ref = target.split(".")
        col = quote(column)
        cond = row_condition(cfg.kwargs)
        where = f"{col} IS NOT NULL" + (f" AND ({cond})" if cond else "")
        # The condition is applied before the join, where the table's own columns are the only ones in scope.
        rows_in_scope = f"(SELECT {col} AS v, {ROW} FROM {self.relation} WHERE {where})"
        counted, bad, rows = self.con.execute(
            f"SELECT (SELECT count(*) FROM {rows_in_scope}), count(*), coalesce(min(t.{ROW}, {SAMPLE}), []) "
            f"FROM {rows_in_scope} t ANTI JOIN {schema}.{table} r ON t.v = r.{quote(ref)}"
        ).fetchone()
        return self._row_result(cfg, counted, bad, rows)


def _pandas_like(value):
    """A value as GX's pandas engine reports it: a DATE read by pandas is a timestamp at midnight."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value
