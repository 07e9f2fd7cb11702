"""The release gate's suites, declared as code: one :class:`TableSuite` per table.

A suite states the table's exact columns, its key, required columns, value ranges, allowed
values, validity intervals and references to dimensions; :meth:`TableSuite.expectations`
turns that into GX Core expectations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

MINUTES_PER_WEEK = 7 * 24 * 60
MARTS_YAML = Path(__file__).resolve().parent.parent / "dbt" / "models" / "marts" / "_marts__models.yml"
COUNTER_STATES = ("open", "appointment_only", "no_hours", "closed_temporary", "closed", "not_listed")
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


@cache
def documented_columns(model: str) -> tuple[str, ...]:
    """The columns dbt's YAML documents for a mart: the published schema must be exactly these."""
    models = yaml.safe_load(MARTS_YAML.read_text(encoding="utf-8"))["models"]
    for m in models:
        if m["name"] == model:
            return tuple(c["name"] for c in m["columns"])
    raise KeyError(f"model {model!r} is not documented in {MARTS_YAML}")


@dataclass(frozen=True)
class TableSuite:
    """Expectations on one warehouse table (``schema.table``)."""

    table: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    not_null: tuple[str, ...] = ()
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    value_sets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    intervals: tuple[tuple[str, str], ...] = ()  # (from, to): from < to where to is set
    references: dict[str, str] = field(default_factory=dict)  # column -> "schema.table.column"
    min_rows: int = 1

    def expectations(self, frames: dict) -> list:
        """GX expectation objects for this table; ``frames`` gives referenced tables' values."""
        import great_expectations.expectations as gxe

        out = [
            gxe.ExpectTableColumnsToMatchSet(column_set=list(self.columns), exact_match=True),
            gxe.ExpectTableRowCountToBeBetween(min_value=self.min_rows),
        ]
        if len(self.key) == 1:
            out.append(gxe.ExpectColumnValuesToBeUnique(column=self.key[0]))
        else:
            out.append(gxe.ExpectCompoundColumnsToBeUnique(column_list=list(self.key)))
        for col in dict.fromkeys(self.key + self.not_null):
            out.append(gxe.ExpectColumnValuesToNotBeNull(column=col))
        for col, (lo, hi) in self.ranges.items():
            out.append(gxe.ExpectColumnValuesToBeBetween(column=col, min_value=lo, max_value=hi))
        for col, values in self.value_sets.items():
            out.append(gxe.ExpectColumnValuesToBeInSet(column=col, value_set=list(values)))
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
        return out


RAW_CAPTURES = TableSuite(
    table="raw.captures",
    columns=(
        "capture_id",
        "source_id",
        "url",
        "fetch_url",
        "final_url",
        "observed_at",
        "fetched_at",
        "origin",
        "http_status",
        "error_class",
        "redirect_location",
        "content_type",
        "content_length",
        "content_sha256",
        "elapsed_ms",
        "warc_file",
        "warc_record_id",
        "parser",
        "parse_status",
        "parse_message",
        "etag",
        "last_modified",
        "record_sha256",
        "load_batch",
    ),
    key=("capture_id",),
    not_null=("source_id", "url", "observed_at", "origin", "parse_status"),
    ranges={"http_status": (100, 599)},
    value_sets={
        "parse_status": ("ok", "no_data", "parse_error", "not_parsed"),
        "origin": ("web_archive", "live"),
    },
    references={"source_id": "raw.registry_sources.source_id"},
)

WEEKLY = (0, MINUTES_PER_WEEK)

DIM_ADMINISTRATION = TableSuite(
    table="marts.dim_administration",
    columns=documented_columns("dim_administration"),
    key=("administration_id",),
    not_null=("administration_level", "region"),
    value_sets={"region": ("federal", "brussels", "wallonia", "flanders", "german_community")},
)
DIM_COUNTER = TableSuite(
    table="marts.dim_counter",
    columns=documented_columns("dim_counter"),
    key=("counter_id",),
    not_null=("source_id", "administration_id", "current_state"),
    ranges={"current_weekly_walk_in_minutes": WEEKLY, "current_weekly_appointment_minutes": WEEKLY},
    value_sets={"current_state": (*COUNTER_STATES, "unobserved")},
    references={"administration_id": "marts.dim_administration.administration_id"},
)
FCT_COUNTER_HISTORY = TableSuite(
    table="marts.fct_counter_history",
    columns=documented_columns("fct_counter_history"),
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
FCT_COUNTER_EVENTS = TableSuite(
    table="marts.fct_counter_events",
    columns=documented_columns("fct_counter_events"),
    key=("event_id",),
    not_null=("counter_id", "event_type", "event_at", "event_date", "after_capture_id"),
    value_sets={"event_type": EVENT_TYPES},
    references={"counter_id": "marts.dim_counter.counter_id"},
)
FCT_COUNTER_STATE_MONTHLY = TableSuite(
    table="marts.fct_counter_state_monthly",
    columns=documented_columns("fct_counter_state_monthly"),
    key=("counter_month_id",),
    not_null=("counter_id", "month_end", "state"),
    ranges={"weekly_walk_in_minutes": WEEKLY, "weekly_appointment_minutes": WEEKLY},
    value_sets={"state": COUNTER_STATES},
    references={"counter_id": "marts.dim_counter.counter_id"},
)
FCT_SOURCE_COVERAGE = TableSuite(
    table="marts.fct_source_coverage",
    columns=documented_columns("fct_source_coverage"),
    key=("source_id",),
    ranges={"success_share": (0, 1)},
)

DIM_MUNICIPALITY = TableSuite(
    table="marts.dim_municipality",
    columns=documented_columns("dim_municipality"),
    key=("nis_code", "valid_from"),
    not_null=("name_fr", "name_nl", "region", "valid_from", "is_current"),
    ranges={"nis_code": (10000, 99999), "population": (0, 2_000_000)},
    value_sets={"region": ("flanders", "wallonia", "brussels")},
    intervals=(("valid_from", "valid_to"),),
    min_rows=581,
)
SCOPES = ("belgium", "region", "municipality", "administration")
FCT_ACCESS_INDICATORS = TableSuite(
    table="marts.fct_access_indicators",
    columns=documented_columns("fct_access_indicators"),
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

FCT_COUNTER_MATCH_REVIEW = TableSuite(
    table="marts.fct_counter_match_review",
    columns=documented_columns("fct_counter_match_review"),
    key=("review_id",),
    not_null=("source_id", "match_rule", "capture_count", "last_capture_id"),
    value_sets={"match_rule": ("unmatched", "ambiguous")},
    min_rows=0,
)

CHANNEL_STATUSES = ("available", "not_available", "not_stated")
PROCEDURE_CHANNELS = ("online", "online_digital_identity", "counter_walk_in", "counter_appointment", "phone", "post",
                      "intermediary")  # fmt: skip
DIM_PROCEDURE = TableSuite(
    table="marts.dim_procedure",
    columns=documented_columns("dim_procedure"),
    key=("procedure_key",),
    not_null=("procedure_label_fr", "procedure_label_nl"),
    min_rows=15,
)
FCT_PROCEDURE_CHANNEL_HISTORY = TableSuite(
    table="marts.fct_procedure_channel_history",
    columns=documented_columns("fct_procedure_channel_history"),
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
FCT_PROCEDURE_TRANSITIONS = TableSuite(
    table="marts.fct_procedure_transitions",
    columns=documented_columns("fct_procedure_transitions"),
    key=("transition_id",),
    not_null=("procedure_track_id", "transition_type", "transition_at", "before_capture_id", "after_capture_id"),
    value_sets={
        "transition_type": ("became_online_only", "digital_identity_required", "counter_removed", "counter_restored")
    },  # fmt: skip
    min_rows=0,
)
FCT_PROCEDURE_STATES_MONTHLY = TableSuite(
    table="marts.fct_procedure_states_monthly",
    columns=documented_columns("fct_procedure_states_monthly"),
    key=("procedure_month_id",),
    not_null=("procedure_track_id", "month_start", "procedure_state_id"),
    min_rows=0,
)
FCT_PROCEDURE_INDICATORS = TableSuite(
    table="marts.fct_procedure_indicators",
    columns=documented_columns("fct_procedure_indicators"),
    key=("procedure_indicator_id",),
    not_null=("administration_id", "month_start", "tracked_procedures"),
    ranges={"online_only_share": (0, 1), "digital_identity_share": (0, 1), "three_channel_share": (0, 1)},
    min_rows=0,
)
FCT_CHANNEL_GUARANTEE = TableSuite(
    table="marts.fct_channel_guarantee",
    columns=documented_columns("fct_channel_guarantee"),
    key=("guarantee_id",),
    not_null=("administration_id", "month_start", "guarantee_status", "scope_note"),
    value_sets={"guarantee_status": ("compliant", "partial", "none", "not_stated")},
    min_rows=0,
)
FCT_PROCEDURE_MATCH_REVIEW = TableSuite(
    table="marts.fct_procedure_match_review",
    columns=documented_columns("fct_procedure_match_review"),
    key=("review_id",),
    not_null=("source_id", "procedure_title", "last_capture_id"),
    min_rows=0,
)

# What gates a release: the raw observation log and every published table.
RELEASE_SUITES: tuple[TableSuite, ...] = (
    RAW_CAPTURES,
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
)
