"""What the website shows, gathered from one release: communes, counters, events, coverage, procedures.

Everything comes from the release's tables (:class:`~warehouse.site.release_data.ReleaseData`);
a table or column the release does not publish yet leaves its part empty (``None``), and the pages
say "not published yet" rather than show anything made up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from warehouse.site.postcodes import postcodes_by_commune
from warehouse.site.release_data import ReleaseData

COUNTER_COLUMNS = [
    "counter_id",
    "counter_name",
    "counter_address",
    "nis_code",
    "source_id",
    "administration_id",
    "administration_name_fr",
    "administration_name_nl",
    "administration_level",
    "current_state",
    "current_state_since",
    "current_weekly_walk_in_minutes",
    "current_weekly_appointment_minutes",
    "last_observed_at",
    "latest_capture_id",
    # Published by the registry's newer fields when the release has them (else None).
    "postcode",
    "address",
    "phone",
    "booking_url",
]
EVENT_COLUMNS = [
    "event_id",
    "counter_id",
    "event_type",
    "event_date",
    "closure_basis",
    "closure_reason",
    "weekly_minutes_before",
    "weekly_minutes_after",
    "after_capture_id",
]
# The counter calendar (one row per counter and date of the coming weeks), when published.
CALENDAR_TABLE = "fct_counter_calendar"
CALENDAR_COLUMNS = [
    "counter_id", "calendar_date", "day_status", "closure_kind", "closure_reason", "is_legal_holiday",
    "holiday_name_fr", "holiday_name_nl", "holiday_name_de", "holiday_name_en", "walk_in_hours",
    "appointment_hours", "basis_capture_id",
]  # fmt: skip
# Per procedure, the counters where a person can get help with it, when published.
HELP_TABLE = "dim_help_point"


@dataclass
class SiteData:
    """The release's content, indexed the way the pages read it."""

    version: str
    data_as_of: str
    illustrative: bool
    communes: dict[str, dict]  # current NIS code -> dim_municipality row (+ "postcodes")
    counters: list[dict]
    events: list[dict]
    captures: dict[str, dict]
    hours: dict[str, str | None]  # counter_id -> published hours of its current state
    coverage: dict[str, dict]  # source_id -> fct_source_coverage row
    trend: dict[str, list[dict]] | None  # NIS code -> chained like-for-like rows, None when not published
    administrations: dict[str, dict]
    procedures: dict[str, dict]
    channels: list[dict]  # current procedure channel states
    transitions: list[dict]
    calendar: dict[str, list[dict]] | None  # counter_id -> dates, None when not published
    help_points: list[dict] | None  # dim_help_point rows, None when not published
    postcodes_left_out: int = 0
    published: dict[str, bool] = field(default_factory=dict)  # optional parts: published or not

    def counters_in(self, nis: str) -> list[dict]:
        """The counters registered in a commune, by name."""
        return [c for c in self.counters if c["nis_code"] == nis]

    def counters_of(self, administration_id: str) -> list[dict]:
        """The counters of an administration, by name."""
        return [c for c in self.counters if c["administration_id"] == administration_id]


def nis(value: object) -> str | None:
    """A NIS code as its five digits (the marts store it as an integer: 1 is ``00001``)."""
    if value is None or value == "":
        return None
    return str(value).strip().zfill(5)


def _with_nis(rows: list[dict]) -> list[dict]:
    return [{**r, "nis_code": nis(r["nis_code"])} for r in rows]


def chain_since_first_observation(rows: list[dict]) -> list[dict]:
    """Month-on-month like-for-like changes (``fct_access_changes``, ``previous_month``) chained
    from the first month compared on a non-empty panel: each row gains ``cumulative_change``.

    Every link is computed on the counters known at both of its month ends, so a counter first
    observed later never reads as more access; a month with an empty panel adds nothing (its
    change is unknown, shown as such, and the chain goes on from the next known link).
    """
    out = []
    total = 0.0
    for r in rows:
        if not out and not r["panel_counters"]:
            continue
        if r["panel_counters"] and r["walk_in_hours_change"] is not None:
            total += r["walk_in_hours_change"]
        out.append({**r, "cumulative_change": round(total, 2)})
    return out


def load_site_data(release: ReleaseData) -> SiteData:
    """Read everything the website shows from ``release``."""
    municipalities = release.rows(
        "dim_municipality",
        [
            "nis_code",
            "is_current",
            "name_fr",
            "name_nl",
            "name_de",
            "province_fr",
            "province_nl",
            "region",
            "is_german_speaking",
            "population",
            "population_year",
            "valid_from",
        ],
        order="nis_code, valid_from",
    )
    municipalities = _with_nis(municipalities)
    counters = _with_nis(release.rows("dim_counter", COUNTER_COLUMNS, order="counter_name, counter_id"))
    extra = [(str(c["postcode"]), c["nis_code"]) for c in counters if c["postcode"] and c["nis_code"]]
    postcodes, left_out = postcodes_by_commune((m["nis_code"] for m in municipalities if m["is_current"]), extra)
    communes = {}
    for m in municipalities:
        if m["is_current"]:
            communes[m["nis_code"]] = {**m, "postcodes": postcodes.get(m["nis_code"], [])}
    captures = {
        r["capture_id"]: r
        for r in release.rows("captures", ["capture_id", "page_url", "observed_at", "replay_url", "warc_file"])
    }
    hours = {
        r["counter_id"]: r["published_hours"]
        for r in release.rows("fct_counter_history", ["counter_id", "published_hours"], where="is_current")
    }
    coverage = {
        r["source_id"]: r
        for r in release.rows(
            "fct_source_coverage",
            [
                "source_id",
                "administration_id",
                "captures_total",
                "success_share",
                "last_successful_observed_at",
                "last_capture_outcome",
                "layout_drift_flag",
            ],
            order="source_id",
        )
    }
    trend = None
    if release.has("fct_access_changes", "scope_type", "comparison"):
        trend = {}
        for r in release.rows(
            "fct_access_changes",
            [
                "scope_id",
                "month_start",
                "base_month_start",
                "panel_counters",
                "walk_in_hours_per_week",
                "walk_in_hours_change",
                "is_indicative",
            ],
            where="scope_type = 'municipality' AND counter_type = 'all' AND comparison = 'previous_month'",
            order="scope_id, month_start",
        ):
            trend.setdefault(nis(r["scope_id"]), []).append(r)
        trend = {code: chain_since_first_observation(rows) for code, rows in trend.items()}
    help_points = None
    if release.has(HELP_TABLE, "procedure_key", "counter_id"):
        help_points = release.rows(
            HELP_TABLE, ["procedure_key", "help_kind", "counter_id", "help_note"], order="procedure_key, counter_id"
        )
    calendar = None
    if release.has(CALENDAR_TABLE, "counter_id", "calendar_date", "day_status"):
        calendar = {}
        for r in release.rows(CALENDAR_TABLE, CALENDAR_COLUMNS, order="counter_id, calendar_date"):
            calendar.setdefault(r["counter_id"], []).append(r)
    administrations = {
        r["administration_id"]: r
        for r in _with_nis(
            release.rows(
                "dim_administration",
                [
                    "administration_id",
                    "administration_name_fr",
                    "administration_name_nl",
                    "administration_level",
                    "region",
                    "nis_code",
                    "counter_count",
                ],
                order="administration_id",
            )
        )
    }
    procedures = {
        r["procedure_key"]: r
        for r in release.rows(
            "dim_procedure",
            ["procedure_key", "procedure_label_fr", "procedure_label_nl", "procedure_label_de", "procedure_label_en"],
            order="procedure_key",
        )
    }
    channels = release.rows(
        "fct_procedure_channel_history",
        [
            "procedure_key",
            "administration_id",
            "source_id",
            "procedure_title",
            "online_status",
            "online_digital_identity_status",
            "counter_walk_in_status",
            "counter_appointment_status",
            "phone_status",
            "post_status",
            "intermediary_status",
            "is_online_only",
            "valid_from",
            "last_capture_id",
        ],
        where="is_current",
        order="procedure_key, administration_id, source_id",
    )
    columns = ["procedure_key", "administration_id", "event_type", "event_date", "after_capture_id"]
    transitions = release.rows("fct_procedure_events", columns, order="procedure_key, event_date, administration_id")
    return SiteData(
        version=release.version,
        data_as_of=release.meta.get("data_as_of", ""),
        illustrative=release.illustrative,
        communes=communes,
        counters=counters,
        events=release.rows("fct_counter_events", EVENT_COLUMNS, order="event_date DESC, counter_id, event_id"),
        captures=captures,
        hours=hours,
        coverage=coverage,
        trend=trend,
        administrations=administrations,
        procedures=procedures,
        channels=channels,
        transitions=transitions,
        calendar=calendar,
        help_points=help_points,
        postcodes_left_out=left_out,
        published={
            "phone": release.has("dim_counter", "phone"),
            "booking_url": release.has("dim_counter", "booking_url"),
            "postcode": release.has("dim_counter", "postcode"),
        },
    )
