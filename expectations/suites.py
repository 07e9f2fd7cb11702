"""The release gate's suites, declared as code: one :class:`TableSuite` per table.

A suite states the table's exact columns and their types, its key, required columns, value
ranges, allowed values and patterns, validity intervals, references to dimensions, and which
of its dates must not lie after a horizon; :meth:`TableSuite.expectations` turns that into GX
Core expectations. :class:`ReleaseCheck` objects compare a release with the previous one; each
has a name, so that a recorded override can waive it for one release version.

Two gates use these suites: :data:`RAW_SUITES` on the warehouse's observation log (the only
check against the wall clock: nothing observed in the future), and :data:`PUBLISHED_SUITES` on
a staged release's own parquet files (dates checked against the data's last observation).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pyarrow as pa

from expectations.published_schema import delta_columns, documented_columns, published_types
from scrapers.capture import ORIGINS, PARSE_STATUSES
from warehouse.load import CAPTURES, SCHEDULES, SLOTS, duckdb_types

MINUTES_PER_WEEK = 7 * 24 * 60
DAY_CODES = ("mo", "tu", "we", "th", "fr", "sa", "su")
# "HH:MM" local times; a slot may close at 24:00 (midnight at the end of the day), never open then.
OPENS_PATTERN = r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$"
CLOSES_PATTERN = r"^(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"
TIMESTAMP_TYPES = ("TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "TIMESTAMP WITH TIME ZONE")
DATE_TYPES = ("DATE",)
COUNTER_STATES = ("open", "appointment_only", "no_hours", "closed_temporary", "closed", "not_listed")
ACTIVE_STATES = ("open", "appointment_only")  # a counter people can go to, with or without an appointment
EVENT_TYPES = (
    "opened",
    "closed",
    "reopened",
    "temporarily_closed",
    "became_appointment_only",
    "walk_in_restored",
    "hours_reduced",
    "hours_increased",
    "days_open_cut",
    "replaced_by_partner_or_online",
)
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
    references: dict[str, str] = field(default_factory=dict)  # column -> "schema.table.column"
    min_rows: int = 1
    # column -> DuckDB type, or a tuple of accepted types; checked by the gate's schema batch.
    types: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)
    # Date and timestamp columns allowed after the horizon (month ends, reference calendars).
    horizon_exempt: tuple[str, ...] = ()

    def horizon_columns(self) -> tuple[str, ...]:
        """Date and timestamp columns (by their declared type) that must not lie after the horizon."""
        out = []
        for col in self.columns:
            accepted = self.types.get(col, ())
            accepted = (accepted,) if isinstance(accepted, str) else accepted
            if col not in self.horizon_exempt and any(t in TIMESTAMP_TYPES + DATE_TYPES for t in accepted):
                out.append(col)
        return tuple(out)

    def expectations(self, frames: Mapping, horizon=None) -> list:
        """GX expectation objects for this table.

        ``frames`` gives referenced tables' values; ``horizon`` (a naive UTC datetime) is the
        latest moment a date or timestamp column may hold.
        """
        import great_expectations.expectations as gxe

        out = [
            gxe.ExpectTableColumnsToMatchSet(column_set=list(self.columns), exact_match=True),
            gxe.ExpectTableRowCountToBeBetween(min_value=self.min_rows),
        ]
        if len(self.key) == 1:
            out.append(gxe.ExpectColumnValuesToBeUnique(column=self.key[0]))
        elif self.key:
            out.append(gxe.ExpectCompoundColumnsToBeUnique(column_list=list(self.key)))
        for col in dict.fromkeys(self.key + self.not_null):
            out.append(gxe.ExpectColumnValuesToNotBeNull(column=col))
        for col, (lo, hi) in self.ranges.items():
            out.append(gxe.ExpectColumnValuesToBeBetween(column=col, min_value=lo, max_value=hi))
        for col, values in self.value_sets.items():
            out.append(gxe.ExpectColumnValuesToBeInSet(column=col, value_set=list(values)))
        for col, regex in self.patterns.items():
            out.append(gxe.ExpectColumnValuesToMatchRegex(column=col, regex=regex))
        for start, end in self.intervals:
            out.append(
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A=end, column_B=start, or_equal=False, ignore_row_if="either_value_is_missing"
                )
            )
        for col, target in self.references.items():
            schema, table, ref_col = target.split(".")
            values = sorted(frames[f"{schema}.{table}"][ref_col].dropna().unique().tolist())
            out.append(gxe.ExpectColumnValuesToBeInSet(column=col, value_set=values))
        if horizon is not None:
            for col in self.horizon_columns():
                out.append(gxe.ExpectColumnValuesToBeBetween(column=col, max_value=horizon, meta={"horizon": True}))
        return out

    def referenced_tables(self) -> set[str]:
        """Tables whose values this suite's references need."""
        return {".".join(target.split(".")[:2]) for target in self.references.values()}


def published_suite(table: str, **expectations) -> TableSuite:
    """The suite of a published table (``marts.x`` or ``delta.y``): its columns are the documented
    ones and its types the type contract (expectations/published_types.yaml)."""
    schema, name = table.split(".", 1)
    columns = documented_columns(name) if schema == "marts" else delta_columns(name)
    return TableSuite(table=table, columns=columns, types=published_types(table), **expectations)


@dataclass(frozen=True)
class ReleaseCheck:
    """A named comparison of a release with earlier ones, run as a GX expectation on one table.

    ``min_rows`` (optionally on rows matching a pandas ``row_condition``) or ``forbidden``
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
            row_condition="current_state.isin(" + repr(list(ACTIVE_STATES)) + ")",
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


def raw_suite(table: str, schema: pa.Schema, **expectations) -> TableSuite:
    """The suite of a raw table: its columns and types are the loader's (warehouse.load)."""
    types = duckdb_types(schema)
    return TableSuite(table=table, columns=tuple(types), types=types, **expectations)


RAW_CAPTURES = raw_suite(
    "raw.captures",
    CAPTURES,
    key=("capture_id",),
    not_null=("source_id", "url", "observed_at", "origin", "parse_status"),
    ranges={"http_status": (100, 599)},
    value_sets={"parse_status": PARSE_STATUSES, "origin": ORIGINS},
    references={"source_id": "raw.registry_sources.source_id"},
)
RAW_SCHEDULES = raw_suite(
    "raw.schedules",
    SCHEDULES,
    key=("capture_id", "schedule_seq"),
    not_null=("source_id", "observed_at", "match_rule", "channel"),
    ranges={
        "weekly_walkin_minutes": (0, MINUTES_PER_WEEK),
        "weekly_appointment_minutes": (0, MINUTES_PER_WEEK),
        "confidence": (0, 1),
    },
    value_sets={"channel": ("counter", "phone")},
    references={"capture_id": "raw.captures.capture_id"},
    min_rows=0,
)
RAW_SCHEDULE_SLOTS = raw_suite(
    "raw.schedule_slots",
    SLOTS,
    key=(),  # a slot is a fact of its schedule; two equal slots are harmless
    not_null=("capture_id", "schedule_seq", "day", "opens", "closes", "access"),
    value_sets={"day": DAY_CODES, "access": ("walk_in", "appointment")},
    patterns={"opens": OPENS_PATTERN, "closes": CLOSES_PATTERN},
    intervals=(("opens", "closes"),),  # "HH:MM" strings order like the times they name
    references={"capture_id": "raw.captures.capture_id"},
    min_rows=0,
)

# What the warehouse gate checks: the observation log, which is not published.
RAW_SUITES: tuple[TableSuite, ...] = (RAW_CAPTURES, RAW_SCHEDULES, RAW_SCHEDULE_SLOTS)

WEEKLY = (0, MINUTES_PER_WEEK)

DIM_ADMINISTRATION = published_suite(
    "marts.dim_administration",
    key=("administration_id",),
    not_null=("administration_level", "region"),
    value_sets={"region": ("federal", "brussels", "wallonia", "flanders", "german_community")},
)
DIM_COUNTER = published_suite(
    "marts.dim_counter",
    key=("counter_id",),
    not_null=("source_id", "administration_id", "current_state"),
    ranges={"current_weekly_walk_in_minutes": WEEKLY, "current_weekly_appointment_minutes": WEEKLY},
    value_sets={"current_state": (*COUNTER_STATES, "unobserved")},
    references={"administration_id": "marts.dim_administration.administration_id"},
)
FCT_COUNTER_HISTORY = published_suite(
    "marts.fct_counter_history",
    key=("counter_state_id",),
    not_null=("counter_id", "state", "valid_from", "first_capture_id", "is_current"),
    ranges={
        "weekly_walk_in_minutes": WEEKLY,
        "weekly_appointment_minutes": WEEKLY,
        "weekly_total_minutes": WEEKLY,
        "days_open": (0, 7),
    },
    value_sets={"state": COUNTER_STATES},
    intervals=(("valid_from", "valid_to"),),
    references={"counter_id": "marts.dim_counter.counter_id"},
)
FCT_COUNTER_EVENTS = published_suite(
    "marts.fct_counter_events",
    key=("event_id",),
    not_null=("counter_id", "event_type", "event_at", "event_date", "after_capture_id"),
    value_sets={"event_type": EVENT_TYPES},
    references={"counter_id": "marts.dim_counter.counter_id"},
)
FCT_COUNTER_STATE_MONTHLY = published_suite(
    "marts.fct_counter_state_monthly",
    horizon_exempt=("month_end",),  # the end of the last month may lie after the last observation
    key=("counter_month_id",),
    not_null=("counter_id", "month_end", "state"),
    ranges={"weekly_walk_in_minutes": WEEKLY, "weekly_appointment_minutes": WEEKLY},
    value_sets={"state": COUNTER_STATES},
    references={"counter_id": "marts.dim_counter.counter_id"},
)
FCT_SOURCE_COVERAGE = published_suite(
    "marts.fct_source_coverage",
    key=("source_id",),
    ranges={"success_share": (0, 1)},
)

DIM_MUNICIPALITY = published_suite(
    "marts.dim_municipality",
    horizon_exempt=("valid_from", "valid_to", "population_date"),  # Statbel's calendar, not observations
    key=("nis_code", "valid_from"),
    not_null=("name_fr", "name_nl", "region", "valid_from", "is_current"),
    ranges={"nis_code": (10000, 99999), "population": (0, 2_000_000)},
    value_sets={"region": ("flanders", "wallonia", "brussels")},
    intervals=(("valid_from", "valid_to"),),
    min_rows=581,
)
SCOPES = ("belgium", "region", "municipality", "administration")
FCT_ACCESS_INDICATORS = published_suite(
    "marts.fct_access_indicators",
    horizon_exempt=("month_end",),  # the end of the last month may lie after the last observation
    key=("indicator_cell_id",),
    not_null=(
        "scope_type",
        "scope_id",
        "counter_type",
        "month_start",
        "counters_tracked",
        "coverage_share",
        "is_indicative",
        "reference_week",
    ),  # fmt: skip
    ranges={
        "appointment_only_share": (0, 1),
        "appointment_hours_share": (0, 1),
        "coverage_share": (0, 1),
        "unknown_hours_share": (0, 1),
        "walk_in_hours_per_week": (0, MINUTES_PER_WEEK / 60 * 1_000_000),
        "median_weekly_hours": (0, MINUTES_PER_WEEK / 60),
    },
    value_sets={"scope_type": SCOPES},
)

FCT_COUNTER_MATCH_REVIEW = published_suite(
    "marts.fct_counter_match_review",
    key=("review_id",),
    not_null=("source_id", "match_rule", "capture_count", "last_capture_id"),
    value_sets={"match_rule": ("unmatched", "ambiguous")},
    min_rows=0,
)

CHANNEL_STATUSES = ("available", "not_available", "not_stated")
PROCEDURE_CHANNELS = ("online", "online_digital_identity", "counter_walk_in", "counter_appointment", "phone", "post",
                      "intermediary")  # fmt: skip
DIM_PROCEDURE = published_suite(
    "marts.dim_procedure",
    key=("procedure_key",),
    not_null=("procedure_label_fr", "procedure_label_nl"),
    min_rows=15,
)
FCT_PROCEDURE_CHANNEL_HISTORY = published_suite(
    "marts.fct_procedure_channel_history",
    key=("procedure_state_id",),
    not_null=("procedure_track_id", "administration_id", "procedure_key", "valid_from", "first_capture_id"),
    value_sets={f"{c}_status": CHANNEL_STATUSES for c in PROCEDURE_CHANNELS}
    | {"three_channel_status": ("all_three", "some", "none", "not_stated")},
    intervals=(("valid_from", "valid_to"),),
    references={
        "procedure_key": "marts.dim_procedure.procedure_key",
        "administration_id": "marts.dim_administration.administration_id",
    },  # fmt: skip
    min_rows=0,
)
FCT_PROCEDURE_TRANSITIONS = published_suite(
    "marts.fct_procedure_transitions",
    key=("transition_id",),
    not_null=("procedure_track_id", "transition_type", "transition_at", "before_capture_id", "after_capture_id"),
    value_sets={
        "transition_type": ("became_online_only", "digital_identity_required", "counter_removed", "counter_restored")
    },  # fmt: skip
    min_rows=0,
)
FCT_PROCEDURE_STATES_MONTHLY = published_suite(
    "marts.fct_procedure_states_monthly",
    horizon_exempt=("month_end",),  # the end of the last month may lie after the last observation
    key=("procedure_month_id",),
    not_null=("procedure_track_id", "month_start", "procedure_state_id"),
    min_rows=0,
)
FCT_PROCEDURE_INDICATORS = published_suite(
    "marts.fct_procedure_indicators",
    horizon_exempt=("month_end",),  # the end of the last month may lie after the last observation
    key=("procedure_indicator_id",),
    not_null=("administration_id", "month_start", "tracked_procedures"),
    ranges={"online_only_share": (0, 1), "digital_identity_share": (0, 1), "three_channel_share": (0, 1)},
    min_rows=0,
)
FCT_CHANNEL_GUARANTEE = published_suite(
    "marts.fct_channel_guarantee",
    horizon_exempt=("month_end",),  # the end of the last month may lie after the last observation
    key=("guarantee_id",),
    not_null=("administration_id", "month_start", "guarantee_status", "scope_note"),
    value_sets={"guarantee_status": ("compliant", "partial", "none", "not_stated")},
    min_rows=0,
)
FCT_PROCEDURE_MATCH_REVIEW = published_suite(
    "marts.fct_procedure_match_review",
    key=("review_id",),
    not_null=("source_id", "procedure_title", "last_capture_id"),
    min_rows=0,
)

DELTA_COUNTER_CHANGES = published_suite(
    "delta.counter_changes",
    key=("change", "event_id"),
    not_null=("counter_id", "event_type", "event_date", "state_after"),
    value_sets={"change": ("created", "closed", "downgraded"), "event_type": EVENT_TYPES},
    references={"counter_id": "marts.dim_counter.counter_id", "event_id": "marts.fct_counter_events.event_id"},
    min_rows=0,
)
DELTA_COUNTER_IDS = published_suite(
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
    FCT_COUNTER_STATE_MONTHLY,
    FCT_SOURCE_COVERAGE,
    DIM_MUNICIPALITY,
    FCT_ACCESS_INDICATORS,
    FCT_COUNTER_MATCH_REVIEW,
    DIM_PROCEDURE,
    FCT_PROCEDURE_CHANNEL_HISTORY,
    FCT_PROCEDURE_TRANSITIONS,
    FCT_PROCEDURE_STATES_MONTHLY,
    FCT_PROCEDURE_INDICATORS,
    FCT_CHANNEL_GUARANTEE,
    FCT_PROCEDURE_MATCH_REVIEW,
    DELTA_COUNTER_CHANGES,
    DELTA_COUNTER_IDS,
)


def suite_for(table: str, suites: Iterable[TableSuite] = PUBLISHED_SUITES) -> TableSuite:
    """The suite of a table; a published table without one is an error (nothing ungated is published)."""
    for suite in suites:
        if suite.table == table:
            return suite
    raise KeyError(f"no release suite declares {table}: add one to expectations/suites.py before publishing it")
