"""The release gate's suites, declared as code: one :class:`TableSuite` per table.

A suite states the table's exact columns, its key, required columns, value ranges, allowed
values, validity intervals and references to dimensions; :meth:`TableSuite.expectations`
turns that into GX Core expectations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MINUTES_PER_WEEK = 7 * 24 * 60
COUNTER_STATES = ["open", "appointment_only", "closed_temporary", "closed", "absent_unconfirmed"]


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

# Extended with the marts' suites once the dbt models exist (see RELEASE_SUITES below).
RELEASE_SUITES: tuple[TableSuite, ...] = (RAW_CAPTURES,)
