"""What dbt's YAML already says about each mart, read for the release gate.

The marts' keys, required columns, allowed values, references, ranges and validity intervals are
declared once, as dbt data tests in ``dbt/models/marts/_marts__models.yml``; the release gate
re-checks them on the staged release's own parquet files from here, so that a rule is written in
one place. :func:`dbt_tests` translates the tests GX can re-check on one table:

==============================  =============================================================
dbt test                        in the gate
==============================  =============================================================
``unique``, ``not_null``        the key (the column that has both) and the required columns
``unique_combination_of_...``   the key when no single column is one, else a unique set
``accepted_values``             an allowed value set
``relationships`` to a seed     an allowed value set: the seed's column (``dbt/seeds/*.csv``)
``relationships`` to a mart     a reference to the published table (also a Data Package foreign key)
``within_range``                a range
``valid_interval``              an interval (lower < upper where both are set)
``column_rules``                the value rules of ``dbt/dbt_project.yml`` (below)
==============================  =============================================================

What a column may hold follows from what it means, and its name says it (``*_share`` is a share,
``*weekly_*minutes*`` minutes in a week, ``*days_open*`` days of a week, ``*_count`` a count...):
the vars ``column_ranges`` (the first rule whose pattern fits the whole name gives the range) and
``column_orders`` (pairs lesser <= greater, or < when ``strict``, such as valid_from < valid_to or a
part and its whole) of ``dbt/dbt_project.yml`` are the one table of those rules. dbt's
``column_rules`` test applies them to a mart; :func:`column_rules` gives them to the gate for any
published table's columns.

The ``config.where`` of an accepted_values or relationships test becomes the expectation's row
condition, evaluated by pandas: it must be an expression both DuckDB and ``DataFrame.query`` read
(``state != 'x'``, not ``state <> 'x'``). Relationships to models that are not published (the
staging captures), other tests restricted by a ``where``, and cross-row tests
(``expression_is_true``, ``no_overlapping_intervals``, ``exactly_one_current_row``) stay dbt's
alone: the release's files cannot answer them, or the warehouse already did.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cache

import yaml

from expectations.published_schema import MARTS_YAML, documented_columns, marts_models

SEEDS_DIR = MARTS_YAML.parents[2] / "seeds"
DBT_PROJECT = MARTS_YAML.parents[2] / "dbt_project.yml"
_REF = re.compile(r"""^ref\(\s*['"]([a-z0-9_]+)['"]\s*\)$""")


class DbtTestError(ValueError):
    """A dbt test the gate should re-check but cannot read; the message names model, column and test."""


@dataclass(frozen=True)
class DbtTests:
    """The dbt tests of one mart, in the gate's terms (see the module docstring)."""

    key: tuple[str, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()  # unique columns or sets other than the key
    not_null: tuple[str, ...] = ()
    value_sets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)  # column -> "marts.table.column"
    conditions: dict[str, str] = field(default_factory=dict)  # column -> row condition of its value set
    ranges: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    intervals: tuple[tuple[str, str], ...] = ()
    orders: tuple[tuple[str, str], ...] = ()  # (lesser, greater): lesser <= greater where both are set


@dataclass(frozen=True)
class ColumnRules:
    """The value rules of ``dbt_project.yml`` that fit one table's columns."""

    ranges: dict[str, tuple[float | None, float | None]]  # column -> (min, max); None is no bound
    meanings: dict[str, str]  # column -> the meaning its range comes from
    intervals: tuple[tuple[str, str], ...]  # strict orders: lower < upper
    orders: tuple[tuple[str, str], ...]  # lesser <= greater


@cache
def _rule_tables() -> tuple[tuple[dict, ...], tuple[dict, ...]]:
    with DBT_PROJECT.open(encoding="utf-8") as f:
        variables = yaml.safe_load(f)["vars"]
    return tuple(variables["column_ranges"]), tuple(variables["column_orders"])


def column_rules(columns: tuple[str, ...] | list[str]) -> ColumnRules:
    """The ranges and orders of ``dbt_project.yml`` (vars column_ranges, column_orders) for these columns."""
    range_rules, order_rules = _rule_tables()
    ranges: dict[str, tuple[float | None, float | None]] = {}
    meanings: dict[str, str] = {}
    for col in columns:
        rule = next((r for r in range_rules if re.fullmatch(r["columns"], col)), None)
        if rule is not None:
            ranges[col] = (rule.get("min"), rule.get("max"))
            meanings[col] = rule["meaning"]
    pairs = [(o["lesser"], o["greater"], bool(o.get("strict"))) for o in order_rules]
    present = [(lo, hi, strict) for lo, hi, strict in pairs if lo in columns and hi in columns]
    return ColumnRules(
        ranges=ranges,
        meanings=meanings,
        intervals=tuple((lo, hi) for lo, hi, strict in present if strict),
        orders=tuple((lo, hi) for lo, hi, strict in present if not strict),
    )


def _tests(entries) -> list[tuple[str, dict, dict]]:
    """(test name, arguments, config) of each entry of a ``data_tests`` list."""
    out = []
    for entry in entries or ():
        if isinstance(entry, str):
            out.append((entry, {}, {}))
            continue
        ((name, spec),) = entry.items()
        spec = dict(spec or {})
        config = dict(spec.pop("config", None) or {})
        # dbt 1.10+ nests a test's arguments under `arguments`; older YAML puts them beside `config`.
        out.append((name, dict(spec.get("arguments", spec)), config))
    return out


@cache
def seed_values(seed: str, column: str) -> tuple[str, ...]:
    """The values of one column of a dbt seed, in file order."""
    path = SEEDS_DIR / f"{seed}.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return tuple(row[column] for row in csv.DictReader(f))


@cache
def dbt_tests(model: str) -> DbtTests:
    """The dbt tests of mart ``model`` that the gate re-checks on the release's files."""
    models = marts_models()
    if model not in models:
        raise KeyError(f"{model!r} is not a model of {MARTS_YAML}")
    spec = models[model]
    published = set(models)
    seeds = {p.stem for p in SEEDS_DIR.glob("*.csv")}
    uniques: list[tuple[str, ...]] = []
    not_null: list[str] = []
    value_sets: dict[str, tuple[str, ...]] = {}
    references: dict[str, str] = {}
    conditions: dict[str, str] = {}
    ranges: dict[str, tuple[float, float]] = {}
    intervals: list[tuple[str, str]] = []
    orders: list[tuple[str, str]] = []

    def value_test(column: str, where: str | None) -> None:
        if column in value_sets or column in references:
            raise DbtTestError(f"{model}.{column}: more than one accepted_values/relationships test")
        if where:
            conditions[column] = where

    for name, args, _config in _tests(spec.get("data_tests")):
        if name == "unique_combination_of_columns":
            uniques.append(tuple(args["combination_of_columns"]))
        elif name == "valid_interval":
            intervals.append((args["lower_column"], args["upper_column"]))
        elif name == "column_rules":
            rules = column_rules(documented_columns(model))
            ranges.update(rules.ranges)
            intervals.extend(rules.intervals)
            orders.extend(rules.orders)
    for column in spec["columns"]:
        col = column["name"]
        for name, args, config in _tests(column.get("data_tests")):
            where = config.get("where")
            if name in ("unique", "not_null", "within_range") and where:
                continue  # a rule on some rows only ("confirmed_at is set when closed"): dbt's alone
            if name == "unique":
                uniques.append((col,))
            elif name == "not_null":
                not_null.append(col)
            elif name == "within_range":
                ranges[col] = (args["min_value"], args["max_value"])
            elif name == "accepted_values":
                value_test(col, where)
                value_sets[col] = tuple(str(v) for v in args["values"])
            elif name == "relationships":
                match = _REF.match(str(args["to"]).strip())
                if match is None:
                    raise DbtTestError(f"{model}.{col}: relationships to {args['to']!r}: expected ref('<name>')")
                target = match.group(1)
                if target in seeds:
                    value_test(col, where)
                    value_sets[col] = seed_values(target, args["field"])
                elif target in published:
                    value_test(col, where)
                    references[col] = f"marts.{target}.{args['field']}"
                # else: a model the release does not publish; dbt checks it on the warehouse.
    # The key: the first single column that is unique and not null, else the first unique set.
    key = next(((c,) for (c, *rest) in uniques if not rest and c in not_null), uniques[0] if uniques else ())
    return DbtTests(
        key=key,
        unique=tuple(u for u in uniques if u != key),
        not_null=tuple(c for c in not_null if c not in key),
        value_sets=value_sets,
        references=references,
        conditions=conditions,
        ranges=ranges,
        intervals=tuple(dict.fromkeys(intervals)),
        orders=tuple(orders),
    )
