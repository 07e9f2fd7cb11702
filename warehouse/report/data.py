"""Read a release (its parquet files and metadata.json) into what the trend report shows.

Everything comes from the published tables, read with DuckDB straight from the parquet files:
the report says nothing a reader of the release could not recompute. Only the evidence
references (capture ID → archived page) come from the collection log when it is at hand
(see :mod:`warehouse.report.evidence`). Nothing here depends on the wall clock.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from scrapers.vocabulary import CLOSURE_EVENTS, MUNICIPALITY_REGIONS
from warehouse.report.evidence import Evidence, EvidenceIndex

REQUIRED_TABLES = (
    "dim_administration",
    "dim_counter",
    "dim_municipality",
    "dim_procedure",
    "fct_access_changes",
    "fct_access_indicators",
    "fct_channel_guarantee",
    "fct_counter_events",
    "fct_procedure_indicators",
    "fct_procedure_events",
    "fct_source_coverage",
)
# The dbt vars (dbt/dbt_project.yml) the methodology states.
THRESHOLDS = ("closure_confirmations", "downgrade_hours_cut_share", "coverage_freshness_days", "coverage_threshold")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
# The regions of the indicators (the regions communes belong to), in alphabetical order for the charts.
REGIONS = tuple(sorted(MUNICIPALITY_REGIONS))


class ReportError(RuntimeError):
    """The release cannot be reported on; the message says what is missing and where."""


@dataclass(frozen=True)
class Change:
    """A like-for-like change of a headline (fct_access_changes): on the counters known at both dates."""

    comparison: str  # year_earlier | series_start
    base_month: date
    value: float | None
    panel_counters: int
    is_indicative: bool


@dataclass(frozen=True)
class Headline:
    """One headline figure at the headline month, with what it is compared to and its coverage."""

    key: str
    value: float | None
    kind: str  # count | hours | ratio | share
    previous: float | None  # twelve months earlier
    first: float | None  # first month of the data
    coverage_share: float | None
    sources_fresh: int | None
    sources_tracked: int | None
    is_indicative: bool
    extra: dict = field(default_factory=dict)
    # like-for-like changes (access headlines): replace previous/first, which compare levels
    changes: tuple[Change, ...] = ()
    # why value is None, a key of the strings' headline.none_reasons (None: plainly not available)
    none_reason: str | None = None


@dataclass
class ReportData:
    """What one report shows, language-neutral (render.py localises it)."""

    release_dir: Path
    meta: dict
    thresholds: dict
    horizon: datetime | None
    headline_month: date
    previous_month: date | None
    first_month: date
    reference_week: str | None
    headlines: list[Headline]
    region_series: list[dict]
    belgium_series: list[dict]
    administration_series: list[dict]
    procedure_series: list[dict]
    closures: list[dict]
    downgrades: list[dict]
    transitions: list[dict]
    guarantee: list[dict]
    sources: list[dict]
    administrations: dict[str, dict]
    procedures: dict[str, dict]
    evidence_source: str | None

    @property
    def version(self) -> str:
        """The release version (directory name when metadata.json lacks it)."""
        return str(self.meta.get("version") or self.release_dir.name)

    @property
    def illustrative(self) -> bool:
        """True for a release built from the bundled (invented) sample."""
        return bool(self.meta.get("illustrative"))


def load_report_data(release_dir: Path, db_path: Path | None = None, project_dir: Path | None = None) -> ReportData:
    """Read ``release_dir`` (``metadata.json`` + ``data/*.parquet``); ``db_path`` resolves evidence."""
    from warehouse import db

    release_dir = Path(release_dir).resolve()
    meta_path = release_dir / "metadata.json"
    if not meta_path.is_file():
        raise ReportError(f"{release_dir}: not a release (no metadata.json)")
    try:
        meta = json.loads(meta_path.read_text("utf-8"))
    except ValueError as exc:
        raise ReportError(f"{meta_path}: not valid JSON: {exc}") from exc
    missing = [t for t in REQUIRED_TABLES if not (release_dir / "data" / f"{t}.parquet").is_file()]
    if missing:
        raise ReportError(f"{release_dir}: release lacks {', '.join(f'data/{t}.parquet' for t in missing)}")
    thresholds = read_thresholds(project_dir)
    con = db.memory()
    try:
        for path in sorted((release_dir / "data").glob("*.parquet")):
            if not _IDENTIFIER.match(path.stem):
                continue  # not a table of ours; never spliced into SQL
            # Views over the files: the report reads exactly what is published.
            literal = str(path).replace("'", "''")
            con.execute(f"CREATE VIEW {path.stem} AS SELECT * FROM read_parquet('{literal}')")
        return _read(con, release_dir, meta, thresholds, db_path)
    finally:
        con.close()


def read_thresholds(project_dir: Path | None = None) -> dict:
    """The thresholds the marts were built with (dbt vars), so the methodology states them."""
    from warehouse.transform import dbt_vars

    declared = dbt_vars(project_dir) if project_dir else dbt_vars()
    missing = [k for k in THRESHOLDS if k not in declared]
    if missing:
        raise ReportError(f"dbt_project.yml declares no var {', '.join(missing)}: the methodology needs them")
    return {k: declared[k] for k in THRESHOLDS}


def _rows(con, sql: str, params: list | tuple = ()) -> list[dict[str, Any]]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _read(con, release_dir: Path, meta: dict, thresholds: dict, db_path: Path | None) -> ReportData:
    horizon = con.execute("SELECT max(data_last_observed_at) FROM fct_source_coverage").fetchone()[0]
    months = [r[0] for r in con.execute("SELECT DISTINCT month_start FROM fct_access_indicators ORDER BY 1").fetchall()]
    if not months:
        raise ReportError(f"{release_dir}: fct_access_indicators is empty; nothing to report")
    # The headline month is the last one whose end the data has passed: a state "at month end"
    # needs observations up to that end.
    complete = [m for m in months if horizon is None or _month_end(m) <= horizon.date()]
    headline_month = complete[-1] if complete else months[-1]
    previous_month = date(headline_month.year - 1, headline_month.month, 1)
    previous_month = previous_month if previous_month in months else None
    first_month = months[0]
    last_month = headline_month

    belgium = _rows(
        con,
        "SELECT * FROM fct_access_indicators WHERE scope_type = 'belgium' AND counter_type = 'all' "
        "AND month_start <= ? ORDER BY month_start",
        [last_month],
    )
    by_month = {r["month_start"]: r for r in belgium}
    regions = _rows(
        con,
        "SELECT * FROM fct_access_indicators WHERE scope_type = 'region' AND counter_type = 'all' "
        "AND month_start <= ? ORDER BY scope_id, month_start",
        [last_month],
    )
    administrations_series = _rows(
        con,
        "SELECT * FROM fct_access_indicators WHERE scope_type = 'administration' AND month_start <= ? "
        "ORDER BY scope_id, month_start",
        [last_month],
    )
    administrations = {r["administration_id"]: r for r in _rows(con, "SELECT * FROM dim_administration ORDER BY 1")}
    procedures = {r["procedure_key"]: r for r in _rows(con, "SELECT * FROM dim_procedure ORDER BY 1")}
    procedure_series = _rows(
        con, "SELECT * FROM fct_procedure_indicators WHERE month_start <= ? ORDER BY 2, 3", [last_month]
    )
    guarantee = _rows(
        con,
        "SELECT * FROM fct_channel_guarantee WHERE month_start = ? ORDER BY is_legal_scope DESC, administration_id",
        [headline_month],
    )
    sources = _rows(
        con,
        """
        SELECT s.*, date_diff('day', s.last_successful_observed_at, s.data_last_observed_at) AS days_behind
        FROM fct_source_coverage s ORDER BY s.source_kind, s.source_id
        """,
    )
    events = _rows(
        con,
        """
        WITH commune AS (
            -- The name in force last (a code that ended keeps the name it had).
            SELECT nis_code, arg_max(name_fr, coalesce(valid_to, DATE '9999-12-31')) AS name_fr,
                   arg_max(name_nl, coalesce(valid_to, DATE '9999-12-31')) AS name_nl
            FROM dim_municipality GROUP BY nis_code
        )
        SELECT e.*, c.counter_name, c.counter_address, c.administration_id, c.region, c.nis_code,
               m.name_fr AS commune_fr, m.name_nl AS commune_nl
        FROM fct_counter_events e
        LEFT JOIN dim_counter c USING (counter_id)
        LEFT JOIN commune m ON m.nis_code = c.nis_code
        ORDER BY e.event_at, e.counter_id, e.event_type
        """,
    )
    transitions = _rows(con, "SELECT * FROM fct_procedure_events ORDER BY event_at, administration_id, 1")

    wanted = {
        e[k]
        for e in events + transitions
        for k in ("before_capture_id", "after_capture_id", "confirming_capture_id")
        if e.get(k)
    }
    evidence = EvidenceIndex.from_duckdb(db_path, wanted)
    for e in events:
        e["evidence_before"] = evidence.get(e["before_capture_id"], e["previous_observed_at"])
        e["evidence_after"] = evidence.get(e["after_capture_id"], e["event_at"])
        e["evidence_confirming"] = (
            evidence.get(e["confirming_capture_id"], e["confirmed_at"])
            if e["confirming_capture_id"] and e["confirming_capture_id"] != e["after_capture_id"]
            else None
        )
    for t in transitions:
        t["evidence_before"] = evidence.get(t["before_capture_id"], t["previous_observed_at"])
        t["evidence_after"] = evidence.get(t["after_capture_id"], t["event_at"])

    current = by_month.get(headline_month, {})
    changes = _rows(
        con,
        "SELECT * FROM fct_access_changes WHERE scope_type = 'belgium' AND counter_type = 'all' "
        "AND month_start = ? AND comparison IN ('year_earlier', 'series_start') ORDER BY comparison DESC",
        [headline_month],
    )
    headlines = _access_headlines(current, changes)
    headlines += _procedure_headlines(
        procedure_series, guarantee, sources, administrations, headline_month, previous_month, thresholds
    )
    return ReportData(
        release_dir=release_dir,
        meta=meta,
        thresholds=thresholds,
        horizon=horizon,
        headline_month=headline_month,
        previous_month=previous_month,
        first_month=first_month,
        reference_week=current.get("reference_week"),
        headlines=headlines,
        region_series=regions,
        belgium_series=belgium,
        administration_series=administrations_series,
        procedure_series=procedure_series,
        closures=[e for e in events if e["event_type"] in CLOSURE_EVENTS],
        downgrades=[e for e in events if e["is_downgrade"]],
        transitions=transitions,
        guarantee=guarantee,
        sources=sources,
        administrations=administrations,
        procedures=procedures,
        evidence_source=evidence.source,
    )


def _month_end(month_start: date) -> date:
    nxt = date(month_start.year + (month_start.month == 12), month_start.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def _access_headlines(cell: dict, changes: list[dict]) -> list[Headline]:
    """Headlines read from the Belgium-wide cell (all counter types) of fct_access_indicators.

    Their comparisons are like-for-like (fct_access_changes, on the counters known at both dates):
    two levels of fct_access_indicators count different counters, so they are never compared.
    """
    spec = (  # headline, its column, its kind, its like-for-like change column
        ("active_counters", "active_counters", "count", "active_counters_change"),
        ("closed_counters", "closed_counters", "count", None),
        ("walk_in_hours_per_week", "walk_in_hours_per_week", "hours", "walk_in_hours_change"),
        ("walk_in_hours_per_10k", "walk_in_hours_per_10k", "ratio", None),
        ("appointment_only_share", "appointment_only_share", "share", None),
        ("out_of_hours_share", None, "share", None),
    )
    out = []
    for key, column, kind, change_column in spec:
        if key == "out_of_hours_share":
            active = cell.get("active_counters")
            value = cell["out_of_hours_counters"] / active if active else None
        else:
            value = cell.get(column)
        reason = None
        if value is None:
            if not cell.get("has_totals"):
                reason = "not_enough_known_states"
            elif key == "walk_in_hours_per_10k" and cell.get("per_capita_status") != "published":
                reason = cell.get("per_capita_status")
        out.append(
            Headline(
                key=key,
                value=value,
                kind=kind,
                previous=None,
                first=None,
                coverage_share=cell.get("coverage_share"),
                sources_fresh=cell.get("sources_fresh"),
                sources_tracked=cell.get("sources_tracked"),
                is_indicative=bool(cell.get("is_indicative", True)),
                extra={"population": cell.get("population"), "active_counters": cell.get("active_counters")},
                changes=tuple(
                    Change(
                        c["comparison"],
                        c["base_month_start"],
                        c[change_column],
                        c["panel_counters"],
                        bool(c["is_indicative"]),
                    )
                    for c in changes
                )
                if change_column
                else (),
                none_reason=reason,
            )
        )
    return out


def _procedure_headlines(
    series: list[dict],
    guarantee: list[dict],
    sources: list[dict],
    administrations: dict,
    month: date,
    previous: date | None,
    thresholds: dict,
) -> list[Headline]:
    """Online-only and digital-identity shares over every tracked procedure; the Brussels guarantee.

    fct_procedure_indicators carries no coverage column, so coverage is that of the procedure
    catalogues: the share with a successful capture no more than coverage_freshness_days before
    the month's end, read from each source's last successful capture (fct_source_coverage).
    """
    since = _month_end(month) - timedelta(days=int(thresholds["coverage_freshness_days"]))

    def coverage_of(administration_ids: set[str] | None) -> dict:
        catalogues = [
            s
            for s in sources
            if s["source_kind"] == "procedures"
            and (administration_ids is None or s["administration_id"] in administration_ids)
        ]
        fresh = sum(
            1
            for s in catalogues
            if s["last_successful_observed_at"] is not None and s["last_successful_observed_at"].date() >= since
        )
        share = fresh / len(catalogues) if catalogues else None
        return {
            "coverage_share": share,
            "sources_fresh": fresh,
            "sources_tracked": len(catalogues),
            "is_indicative": share is None or share < float(thresholds["coverage_threshold"]),
        }

    def share(m: date | None, numerator: str) -> float | None:
        rows = [r for r in series if r["month_start"] == m]
        tracked = sum(r["tracked_procedures"] or 0 for r in rows)
        return sum(r[numerator] or 0 for r in rows) / tracked if tracked else None

    first = min((r["month_start"] for r in series), default=None)
    brussels = [g for g in guarantee if g["is_legal_scope"]]
    compliant = sum(g["guarantee_status"] == "compliant" for g in brussels)
    tracked = sum(g["tracked_procedures"] or 0 for g in brussels)
    all_three = sum(g["all_three_procedures"] or 0 for g in brussels)
    everywhere = coverage_of(None)
    return [
        Headline(
            "online_only_share",
            share(month, "online_only_procedures"),
            "share",
            share(previous, "online_only_procedures"),
            share(first, "online_only_procedures"),
            extra={"tracked": sum(r["tracked_procedures"] or 0 for r in series if r["month_start"] == month)},
            **everywhere,
        ),
        Headline(
            "digital_identity_share",
            share(month, "digital_identity_procedures"),
            "share",
            share(previous, "digital_identity_procedures"),
            share(first, "digital_identity_procedures"),
            **everywhere,
        ),
        Headline(
            "brussels_guarantee",
            all_three / tracked if tracked else None,
            "share",
            None,
            None,
            extra={"authorities": len(brussels), "compliant": compliant, "tracked": tracked, "all_three": all_three},
            **coverage_of({g["administration_id"] for g in brussels}),
        ),
    ]


def evidence_of(event: dict) -> list[tuple[str, Evidence]]:
    """The (role, evidence) pairs of an event or transition, in the order the report lists them."""
    pairs = [("before", event.get("evidence_before")), ("after", event.get("evidence_after"))]
    pairs.append(("confirming", event.get("evidence_confirming")))
    return [(role, ev) for role, ev in pairs if ev is not None]
