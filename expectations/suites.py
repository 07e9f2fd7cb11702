"""The release gate's suites, declared as code: one :class:`TableSuite` per table.

A suite states the table's exact columns and their types, its key, required columns, value
ranges, allowed values and patterns, validity intervals, references to dimensions, and which
of its dates must not lie after a horizon; :meth:`TableSuite.expectations` turns that into GX
Core expectations. :class:`ReleaseCheck` objects compare a release with the previous one; each
has a name, so that a recorded override can waive it for one release version.

Two gates use these suites: :func:`raw_suites` on the warehouse's observation log (the only
check against the wall clock: nothing observed in the future), and :data:`PUBLISHED_SUITES` on
a staged release's own parquet files (dates checked against the data's last observation).

A published mart's key, required columns, allowed values, references, ranges, intervals and
orders are dbt's data tests, read from dbt's YAML, and the value rules its columns' names imply
(``dbt/dbt_project.yml``, :mod:`expectations.dbt_tests`); its suite here adds only
what dbt does not say: the exact columns and types, minimum row counts, the horizon and the dates
exempt from it, and the release-over-release checks. Closed lists come from :mod:`scrapers.vocabulary`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from expectations.dbt_tests import column_rules, dbt_tests
from expectations.published_schema import delta_columns, documented_columns, published_types
from scrapers.vocabulary import (
    ACCESS_MODES,
    ACTIVE_STATES,
    DAYS,
    EVENT_TYPE_NAMES,
    ORIGINS,
    PARSE_STATUSES,
    SCHEDULE_CHANNELS,
)

MINUTES_PER_WEEK = 7 * 24 * 60
# "HH:MM" local times; a slot may close at 24:00 (midnight at the end of the day), never open then.
OPENS_PATTERN = r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$"
CLOSES_PATTERN = r"^(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"
TIMESTAMP_TYPES = ("TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "TIMESTAMP WITH TIME ZONE")
DATE_TYPES = ("DATE",)
# Release over release: a count may not fall by more than this share unless an override says why.
MAX_DROP_SHARE = 0.20


@dataclass(frozen=True)
class TableSuite:
    """Expectations on one table (``schema.table``), in the warehouse or in a staged release."""

    table: str
    columns: tuple[str, ...]
    key: tuple[str, ...]  # () for a table without a key (each row is a fact of its parent)
    not_null: tuple[str, ...] = ()
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    value_sets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    patterns: dict[str, str] = field(default_factory=dict)  # column -> regular expression
    intervals: tuple[tuple[str, str], ...] = ()  # (from, to): from < to where both are set
    orders: tuple[tuple[str, str], ...] = ()  # (lesser, greater): lesser <= greater where both are set
    references: dict[str, str] = field(default_factory=dict)  # column -> "schema.table.column"
    unique: tuple[tuple[str, ...], ...] = ()  # unique columns or column sets besides the key
    # column -> pandas row condition: its value set or reference applies to these rows only.
    conditions: dict[str, str] = field(default_factory=dict)
    min_rows: int = 1
    # column -> DuckDB type, or a tuple of accepted types; checked by the gate's schema batch.
    types: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)
    # Date and timestamp columns allowed after the horizon (month ends, reference calendars).
    horizon_exempt: tuple[str, ...] = ()
    # SQL condition selecting the rows of load batches {batch} and later: a gate given a first new
    # batch checks only those rows' values on a large table (expectations.sql_checks.TableChecks).
    new_rows: str | None = None

    def horizon_columns(self) -> tuple[str, ...]:
        """Date and timestamp columns (by their declared type) that must not lie after the horizon."""
        out = []
        for col in self.columns:
            accepted = self.types.get(col, ())
            accepted = (accepted,) if isinstance(accepted, str) else accepted
            if col not in self.horizon_exempt and any(t in TIMESTAMP_TYPES + DATE_TYPES for t in accepted):
                out.append(col)
        return tuple(out)

    def expectations(self, horizon=None) -> list:
        """GX expectation objects for this table.

        A reference is an ``expect_column_values_to_be_in_set`` with an empty value set whose
        ``meta["reference"]`` names the target (``schema.table.column``): only the gate's SQL
        engine evaluates it, with an anti-join (:func:`expectations.sql_checks.is_reference`).
        ``horizon`` (a naive UTC datetime) is the latest moment a date or timestamp column may hold.
        """
        import great_expectations.expectations as gxe

        out = [
            gxe.ExpectTableColumnsToMatchSet(column_set=list(self.columns), exact_match=True),
            gxe.ExpectTableRowCountToBeBetween(min_value=self.min_rows),
        ]
        for columns in (self.key, *self.unique):
            if len(columns) == 1:
                out.append(gxe.ExpectColumnValuesToBeUnique(column=columns[0]))
            elif columns:
                out.append(gxe.ExpectCompoundColumnsToBeUnique(column_list=list(columns)))
        for col in dict.fromkeys(self.key + self.not_null):
            out.append(gxe.ExpectColumnValuesToNotBeNull(column=col))
        for col, (lo, hi) in self.ranges.items():
            out.append(gxe.ExpectColumnValuesToBeBetween(column=col, min_value=lo, max_value=hi))
        for col, values in self.value_sets.items():
            out.append(gxe.ExpectColumnValuesToBeInSet(column=col, value_set=list(values), **self._condition(col)))
        for col, regex in self.patterns.items():
            out.append(gxe.ExpectColumnValuesToMatchRegex(column=col, regex=regex))
        for pairs, or_equal in ((self.intervals, False), (self.orders, True)):
            for lesser, greater in pairs:
                out.append(
                    gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                        column_A=greater, column_B=lesser, or_equal=or_equal, ignore_row_if="either_value_is_missing"
                    )
                )
        for col, target in self.references.items():
            reference = {"column": col, "value_set": [], "meta": {"reference": target}, **self._condition(col)}
            out.append(gxe.ExpectColumnValuesToBeInSet(**reference))
        if horizon is not None:
            for col in self.horizon_columns():
                out.append(gxe.ExpectColumnValuesToBeBetween(column=col, max_value=horizon, meta={"horizon": True}))
        return out

    def _condition(self, column: str) -> dict:
        """GX arguments restricting a column's value check to the rows of its condition, if any."""
        if column not in self.conditions:
            return {}
        return {"row_condition": self.conditions[column], "condition_parser": "pandas"}

    def referenced_tables(self) -> set[str]:
        """Tables whose values this suite's references need."""
        return {".".join(target.split(".")[:2]) for target in self.references.values()}


def published_suite(table: str, *, min_rows: int = 1, horizon_exempt: tuple[str, ...] = ()) -> TableSuite:
    """The suite of a published mart (``marts.x``): its columns are the documented ones, its types
    the type contract (expectations/published_types.yaml), its key, required columns, value sets,
    references, ranges and intervals dbt's tests; only the row count and the dates exempt from the
    horizon are the gate's own."""
    name = table.split(".", 1)[1]
    tests = dbt_tests(name)
    return TableSuite(
        table=table,
        columns=documented_columns(name),
        types=published_types(table),
        key=tests.key,
        unique=tests.unique,
        not_null=tests.not_null,
        ranges=dict(tests.ranges),
        value_sets=dict(tests.value_sets),
        intervals=tests.intervals,
        orders=tests.orders,
        references=dict(tests.references),
        conditions=dict(tests.conditions),
        min_rows=min_rows,
        horizon_exempt=horizon_exempt,
    )


def delta_suite(table: str, **expectations) -> TableSuite:
    """The suite of a delta table a release computes (``delta.x``): not a dbt model, so it says everything
    but the value rules its columns' names imply (dbt_project.yml's, as for the marts)."""
    columns = delta_columns(table.split(".", 1)[1])
    rules = column_rules(columns)
    return TableSuite(table=table, columns=columns, types=published_types(table), ranges=rules.ranges,
                      intervals=rules.intervals, orders=rules.orders, **expectations)  # fmt: skip


@dataclass(frozen=True)
class ReleaseCheck:
    """A named comparison of a release with earlier ones, run as a GX expectation on one table.

    ``min_rows`` (optionally on rows matching a ``row_condition`` that pandas and DuckDB both read) or ``forbidden``
    values of ``column``. A failure refuses the release unless an override for ``name`` and
    the release's version is recorded.
    """

    name: str
    table: str
    description: str
    min_rows: int | None = None
    row_condition: str | None = None
    column: str | None = None
    forbidden: tuple[str, ...] = ()

    def expectation(self):
        """The GX expectation; its ``meta`` carries the check's name for waivers and reports."""
        import great_expectations.expectations as gxe

        meta = {"check": self.name, "description": self.description}
        if self.column is not None:
            return gxe.ExpectColumnValuesToNotBeInSet(column=self.column, value_set=list(self.forbidden), meta=meta)
        if self.row_condition:
            return gxe.ExpectTableRowCountToBeBetween(
                min_value=self.min_rows, row_condition=self.row_condition, condition_parser="pandas", meta=meta
            )
        return gxe.ExpectTableRowCountToBeBetween(min_value=self.min_rows, meta=meta)


def release_over_release_checks(
    previous_version: str,
    previous_rows: Mapping[str, int],
    previous_active_counters: int,
    retired_counter_ids: Iterable[str],
) -> tuple[ReleaseCheck, ...]:
    """The checks of a new release against the previous one (and every earlier one).

    * ``active_counters_drop``: active counters (dim_counter rows whose current_state is open
      or appointment_only) may not drop by more than :data:`MAX_DROP_SHARE`;
    * ``row_count_drop.<table>``: nor may any published table's row count;
    * ``counter_id_reused``: a counter ID retired in an earlier release never comes back.
    """
    keep = 1 - MAX_DROP_SHARE
    checks = [
        ReleaseCheck(
            name="active_counters_drop",
            table="marts.dim_counter",
            description=(
                f"active counters (current_state in {list(ACTIVE_STATES)}) at least {keep:.0%} of the "
                f"{previous_active_counters} of release {previous_version}"
            ),
            min_rows=math.ceil(previous_active_counters * keep - 1e-9),
            # A condition pandas and DuckDB read alike (GX on small tables, SQL on large ones).
            row_condition=" or ".join(f"current_state == '{state}'" for state in ACTIVE_STATES),
        )
    ]
    for table, rows in sorted(previous_rows.items()):
        checks.append(
            ReleaseCheck(
                name=f"row_count_drop.{table.split('.', 1)[1]}",
                table=table,
                description=f"rows at least {keep:.0%} of the {rows} of release {previous_version}",
                min_rows=math.ceil(rows * keep - 1e-9),
            )
        )
    retired = tuple(sorted(set(retired_counter_ids)))
    checks.append(
        ReleaseCheck(
            name="counter_id_reused",
            table="marts.dim_counter",
            description=f"no counter_id retired before release {previous_version} comes back ({len(retired)} retired)",
            column="counter_id",
            forbidden=retired,
        )
    )
    return tuple(checks)


def raw_suites(types: Mapping[str, Mapping[str, str]]) -> tuple[TableSuite, ...]:
    """What the warehouse gate checks: the observation log, which is not published.

    ``types`` gives each raw table's columns and DuckDB types, as the loader writes them
    (``warehouse.stages.raw_gate_suites`` passes them): the gate does not import the loader.
    """

    def suite(table: str, **expectations) -> TableSuite:
        return TableSuite(table=table, columns=tuple(types[table]), types=dict(types[table]), **expectations)

    # A schedule or slot belongs to the load batch of its capture (the loader writes them together).
    of_new_captures = "capture_id IN (SELECT capture_id FROM raw.captures WHERE load_batch >= {batch})"

    return (
        suite(
            "raw.captures",
            key=("capture_id",),
            not_null=("source_id", "url", "observed_at", "origin", "parse_status"),
            ranges={"http_status": (100, 599)},
            value_sets={"parse_status": PARSE_STATUSES, "origin": ORIGINS},
            references={"source_id": "raw.registry_sources.source_id"},
            new_rows="load_batch >= {batch}",
        ),
        suite(
            "raw.schedules",
            key=("capture_id", "schedule_seq"),
            not_null=("source_id", "observed_at", "match_rule", "channel"),
            ranges={
                "weekly_walk_in_minutes": (0, MINUTES_PER_WEEK),
                "weekly_appointment_minutes": (0, MINUTES_PER_WEEK),
                "confidence": (0, 1),
            },
            value_sets={"channel": SCHEDULE_CHANNELS},
            references={"capture_id": "raw.captures.capture_id"},
            min_rows=0,
            new_rows=of_new_captures,
        ),
        suite(
            "raw.schedule_slots",
            key=(),  # a slot is a fact of its schedule; two equal slots are harmless
            not_null=("capture_id", "schedule_seq", "day", "opens", "closes", "access"),
            value_sets={"day": DAYS, "access": ACCESS_MODES},
            patterns={"opens": OPENS_PATTERN, "closes": CLOSES_PATTERN},
            intervals=(("opens", "closes"),),  # "HH:MM" strings order like the times they name
            references={"capture_id": "raw.captures.capture_id"},
            min_rows=0,
            new_rows=of_new_captures,
        ),
    )


# The marts: dbt's YAML states their keys, required columns, value sets, references, ranges and
# intervals (expectations.dbt_tests); what follows is only what dbt does not say.
MONTH_END_EXEMPT = ("month_end",)  # the end of the last month may lie after the last observation
DIM_ADMINISTRATION = published_suite("marts.dim_administration")
DIM_COUNTER = published_suite("marts.dim_counter")
FCT_COUNTER_HISTORY = published_suite("marts.fct_counter_history")
FCT_COUNTER_EVENTS = published_suite("marts.fct_counter_events")
FCT_COUNTER_STATES_MONTHLY = published_suite("marts.fct_counter_states_monthly", horizon_exempt=MONTH_END_EXEMPT)
FCT_SOURCE_COVERAGE = published_suite("marts.fct_source_coverage")
DIM_MUNICIPALITY = published_suite(
    "marts.dim_municipality",
    horizon_exempt=("valid_from", "valid_to", "population_date"),  # Statbel's calendar, not observations
    min_rows=581,  # every Belgian commune code since 2019
)
FCT_ACCESS_INDICATORS = published_suite("marts.fct_access_indicators", horizon_exempt=MONTH_END_EXEMPT)
FCT_ACCESS_CHANGES = published_suite("marts.fct_access_changes", min_rows=0)
FCT_SCOPE_COMPLETENESS = published_suite("marts.fct_scope_completeness")
FCT_COUNTER_MATCH_REVIEW = published_suite("marts.fct_counter_match_review", min_rows=0)
# Dates ahead of the data horizon by design: the calendar looks forward from the last observation.
FCT_COUNTER_CALENDAR = published_suite("marts.fct_counter_calendar", horizon_exempt=("calendar_date",))
DIM_HELP_POINT = published_suite("marts.dim_help_point", min_rows=0)
DIM_PROCEDURE = published_suite("marts.dim_procedure", min_rows=15)  # the taxonomy's procedures
FCT_PROCEDURE_CHANNEL_HISTORY = published_suite("marts.fct_procedure_channel_history", min_rows=0)
FCT_PROCEDURE_EVENTS = published_suite("marts.fct_procedure_events", min_rows=0)
FCT_PROCEDURE_STATES_MONTHLY = published_suite(
    "marts.fct_procedure_states_monthly", horizon_exempt=MONTH_END_EXEMPT, min_rows=0
)
FCT_PROCEDURE_INDICATORS = published_suite(
    "marts.fct_procedure_indicators", horizon_exempt=MONTH_END_EXEMPT, min_rows=0
)
FCT_CHANNEL_GUARANTEE = published_suite("marts.fct_channel_guarantee", horizon_exempt=MONTH_END_EXEMPT, min_rows=0)
FCT_PROCEDURE_MATCH_REVIEW = published_suite("marts.fct_procedure_match_review", min_rows=0)
CAPTURES = published_suite("marts.captures")  # the evidence: every *_capture_id resolves here

# The delta tables a release computes against the previous one (warehouse.release.changes).
DELTA_COUNTER_CHANGES = delta_suite(
    "delta.counter_changes",
    key=("change", "event_id"),
    not_null=("counter_id", "event_type", "event_date", "state_after"),
    value_sets={"change": ("created", "closed", "downgraded"), "event_type": EVENT_TYPE_NAMES},
    references={"counter_id": "marts.dim_counter.counter_id", "event_id": "marts.fct_counter_events.event_id"},
    min_rows=0,
)
DELTA_COUNTER_IDS = delta_suite(
    "delta.counter_ids",
    key=("counter_id",),
    not_null=("change",),
    value_sets={"change": ("created", "retired", "resurrected")},
    min_rows=0,
)

# What gates a release, on the staged release's own files: every published table.
PUBLISHED_SUITES: tuple[TableSuite, ...] = (
    DIM_ADMINISTRATION,
    DIM_COUNTER,
    FCT_COUNTER_HISTORY,
    FCT_COUNTER_EVENTS,
    FCT_COUNTER_STATES_MONTHLY,
    FCT_SOURCE_COVERAGE,
    DIM_MUNICIPALITY,
    FCT_ACCESS_INDICATORS,
    FCT_ACCESS_CHANGES,
    FCT_SCOPE_COMPLETENESS,
    FCT_COUNTER_MATCH_REVIEW,
    FCT_COUNTER_CALENDAR,
    DIM_HELP_POINT,
    DIM_PROCEDURE,
    FCT_PROCEDURE_CHANNEL_HISTORY,
    FCT_PROCEDURE_EVENTS,
    FCT_PROCEDURE_STATES_MONTHLY,
    FCT_PROCEDURE_INDICATORS,
    FCT_CHANNEL_GUARANTEE,
    FCT_PROCEDURE_MATCH_REVIEW,
    CAPTURES,
    DELTA_COUNTER_CHANGES,
    DELTA_COUNTER_IDS,
)


def suite_for(table: str, suites: Iterable[TableSuite] = PUBLISHED_SUITES) -> TableSuite:
    """The suite of a table; a published table without one is an error (nothing ungated is published)."""
    for suite in suites:
        if suite.table == table:
            return suite
    raise KeyError(f"no release suite declares {table}: add one to expectations/suites.py before publishing it")
