"""Build the dbt project on the fixture scenario of tests/helpers/dbt_fixture.py and check the marts.

One `dbt build` (models, data tests and unit tests) runs per test session into a temporary
DuckDB file, with its own target and log folders so that parallel runs never clash.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path

import duckdb
import pytest

from tests.helpers.dbt_fixture import create_raw_fixture

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_DIR = REPO_ROOT / "dbt"


def _dbt_executable() -> str | None:
    for candidate in (Path(sys.executable).parent / "dbt", REPO_ROOT / ".venv" / "bin" / "dbt"):
        if candidate.exists():
            return str(candidate)
    return shutil.which("dbt")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    dbt = _dbt_executable()
    if dbt is None:
        pytest.skip("dbt is not installed")
    tmp = tmp_path_factory.mktemp("dbt")
    db_path = create_raw_fixture(tmp / "guichets.duckdb")
    env = {
        **os.environ,
        "GUICHETS_DUCKDB": str(db_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    result = subprocess.run(
        [
            dbt,
            "build",
            "--project-dir",
            str(DBT_DIR),
            "--profiles-dir",
            str(DBT_DIR),
            "--target-path",
            str(tmp / "target"),
            "--log-path",
            str(tmp / "logs"),
            "--no-partial-parse",
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = [line for line in result.stdout.splitlines() if "Done. PASS=" in line]
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    con = duckdb.connect(str(db_path), read_only=True)
    yield con, summary[-1] if summary else ""
    con.close()


def _rows(con, sql: str, *params) -> list[dict]:
    rel = con.execute(sql, list(params))
    columns = [d[0] for d in rel.description]
    return [dict(zip(columns, row, strict=True)) for row in rel.fetchall()]


def test_build_passes_every_test(warehouse):
    _con, summary = warehouse
    assert "ERROR=0" in summary and "WARN=0" in summary and "SKIP=0" in summary, summary


def test_events_are_exactly_the_scenario(warehouse):
    con, _ = warehouse
    events = {
        (r["counter_id"], r["event_type"], r["event_date"])
        for r in _rows(con, "select counter_id, event_type, event_date from marts.fct_counter_events")
    }
    assert events == {
        ("capac-liege", "opened", date(2021, 3, 1)),
        ("capac-liege", "hours_reduced", date(2022, 3, 1)),
        ("capac-liege", "days_open_cut", date(2022, 3, 1)),
        ("capac-namur", "opened", date(2021, 3, 1)),
        ("capac-namur", "became_appointment_only", date(2022, 3, 1)),
        ("capac-namur", "walk_in_restored", date(2022, 9, 1)),
        ("capac-mons", "opened", date(2021, 3, 1)),
        ("capac-mons", "closed", date(2022, 3, 1)),
        ("ixelles-population", "opened", date(2021, 1, 15)),
        ("ixelles-population", "temporarily_closed", date(2022, 7, 15)),
        ("ixelles-population", "reopened", date(2023, 1, 15)),
    }


def test_closure_is_dated_at_first_absence_and_confirmed_by_the_second(warehouse):
    con, _ = warehouse
    [closed] = _rows(con, "select * from marts.fct_counter_events where event_type = 'closed'")
    assert closed["counter_id"] == "capac-mons"
    assert closed["event_at"] == datetime(2022, 3, 1, 9, 0)
    assert closed["confirmed_at"] == datetime(2022, 6, 1, 9, 0)
    assert closed["confirming_capture_id"] == "capac-offices@2022-06-01"
    assert closed["closure_basis"] == "confirmed_absence"
    assert closed["before_capture_id"] == "capac-offices@2021-12-01"
    assert closed["after_capture_id"] == "capac-offices@2022-03-01"
    [current] = _rows(con, "select * from marts.dim_counter where counter_id = 'capac-mons'")
    assert current["current_state"] == "closed"
    assert current["current_state_since"] == datetime(2022, 3, 1, 9, 0)
    assert current["last_seen_at"] == datetime(2021, 12, 1, 9, 0)


def test_failed_captures_change_nothing(warehouse):
    con, _ = warehouse
    # the 503 (2021-09-01), the no_data capture (2022-04-01) and the timeout (2023-02-15) are
    # not observations, so they neither end nor start any state
    failed = ("capac-offices@2021-09-01", "capac-offices@2022-04-01", "ixelles-population@2023-02-15")
    observed = _rows(
        con,
        "select capture_id from intermediate.int_counter_observations_classified where capture_id in (?, ?, ?)",
        *failed,
    )
    assert observed == []
    first_states = _rows(
        con,
        """select counter_id, state, valid_from, valid_to, observation_count
           from marts.fct_counter_history where state_seq = 1 and source_id = 'capac-offices'
           order by counter_id""",
    )
    for row in first_states:
        assert row["state"] == "open"
        assert row["valid_from"] == datetime(2021, 3, 1, 9, 0)
        assert row["valid_to"] == datetime(2022, 3, 1, 9, 0)
        assert row["observation_count"] == 3  # 2021-03, 2021-06 and 2021-12 collapse across the 503
    assert not _rows(con, "select * from marts.fct_counter_events where event_date in ('2021-09-01', '2022-04-01')")
    [ixelles] = _rows(con, "select * from marts.dim_counter where counter_id = 'ixelles-population'")
    assert ixelles["current_state"] == "open"  # the final timeout is unknown


def test_single_absence_is_not_a_closure(warehouse):
    con, _ = warehouse
    [first] = _rows(
        con,
        "select * from marts.fct_counter_history where counter_id = 'ixelles-population' and state_seq = 1",
    )
    assert first["state"] == "open"
    assert first["valid_to"] == datetime(2022, 7, 15, 10, 0)
    # On 2021-07-15 the page listed only an unregistered office: no registered counter was
    # recognised, so that capture is no evidence at all (possible rename or layout drift),
    # not even an unconfirmed absence.
    assert first["unconfirmed_absence_count"] == 0
    assert first["last_capture_id"] == "ixelles-population@2022-01-15"


def test_appointment_only_switch(warehouse):
    con, _ = warehouse
    [event] = _rows(con, "select * from marts.fct_counter_events where event_type = 'became_appointment_only'")
    assert event["counter_id"] == "capac-namur"
    assert (event["state_before"], event["state_after"]) == ("open", "appointment_only")
    assert event["weekly_walk_in_minutes_before"] == 1200
    assert event["weekly_walk_in_minutes_after"] == 0
    assert event["before_capture_id"] == "capac-offices@2021-12-01"
    assert event["after_capture_id"] == "capac-offices@2022-03-01"


def test_hours_reduction_has_the_right_delta(warehouse):
    con, _ = warehouse
    [event] = _rows(con, "select * from marts.fct_counter_events where event_type = 'hours_reduced'")
    assert event["counter_id"] == "capac-liege"
    assert (event["weekly_minutes_before"], event["weekly_minutes_after"]) == (1080, 540)
    assert event["delta_minutes"] == -540
    assert event["delta_share"] == pytest.approx(-0.5)
    assert (event["days_open_before"], event["days_open_after"]) == (5, 3)


def test_keys_are_deterministic(warehouse):
    con, _ = warehouse
    [row] = _rows(
        con,
        "select counter_state_id from marts.fct_counter_history where counter_id = 'capac-mons' and state = 'closed'",
    )
    assert row["counter_state_id"] == hashlib.md5(b"capac-mons|2022-03-01 09:00:00").hexdigest()


def test_monthly_states_run_to_the_data_horizon(warehouse):
    con, _ = warehouse
    spans = _rows(
        con,
        """select counter_id, min(month_start) as first_month, max(month_start) as last_month, count(*) as months
           from marts.fct_counter_states_monthly group by counter_id order by counter_id""",
    )
    assert {r["counter_id"]: (r["first_month"], r["last_month"]) for r in spans} == {
        "capac-liege": (date(2021, 3, 1), date(2023, 2, 1)),
        "capac-mons": (date(2021, 3, 1), date(2023, 2, 1)),
        "capac-namur": (date(2021, 3, 1), date(2023, 2, 1)),
        "ixelles-population": (date(2021, 1, 1), date(2023, 2, 1)),
    }
    mons = {
        r["month_start"]: r["state"]
        for r in _rows(
            con, "select month_start, state from marts.fct_counter_states_monthly where counter_id = 'capac-mons'"
        )
    }
    assert mons[date(2022, 2, 1)] == "open"
    assert mons[date(2022, 3, 1)] == "closed"


def test_source_coverage(warehouse):
    con, _ = warehouse
    coverage = {r["source_id"]: r for r in _rows(con, "select * from marts.fct_source_coverage")}
    capac = coverage["capac-offices"]
    assert (capac["captures_total"], capac["captures_successful"], capac["captures_failed"]) == (8, 6, 2)
    assert (capac["captures_http_error"], capac["captures_no_data"]) == (1, 1)
    ixelles = coverage["ixelles-population"]
    assert ixelles["last_capture_outcome"] == "fetch_error"
    assert ixelles["last_successful_observed_at"] == datetime(2023, 1, 15, 10, 0)
    assert coverage["finances-procedures"]["captures_total"] == 0


def test_downgrades_are_typed(warehouse):
    con, _ = warehouse
    rows = _rows(con, "select counter_id, event_type, downgrade_type from marts.fct_counter_events where is_downgrade")
    assert {(r["counter_id"], r["event_type"], r["downgrade_type"]) for r in rows} == {
        ("capac-liege", "hours_reduced", "hours_cut"),  # 1080 -> 540 minutes: a 50% cut
        ("capac-liege", "days_open_cut", "days_open_cut"),
        ("capac-namur", "became_appointment_only", "walk_in_to_appointment_only"),
    }


def test_municipalities_seed_is_statbel_2020(warehouse):
    con, _ = warehouse
    ((current, population, year),) = con.execute(
        "select count(*), sum(population), any_value(population_year) from marts.dim_municipality where is_current"
    ).fetchall()
    assert (current, population, year) == (581, 11_492_641, 2020)
    ended = con.execute("select count(*) from marts.dim_municipality where valid_to = date '2018-12-31'").fetchone()
    assert ended[0] > 0, "codes ended by the 2019 mergers keep their rows with a validity end"


def test_access_indicators_by_hand(warehouse):
    con, _ = warehouse
    cell = _rows(
        con,
        "select * from marts.fct_access_indicators where scope_type = 'region' and scope_id = 'wallonia' "
        "and counter_type = 'all' and month_start = date '2022-06-01'",
    )[0]
    # Liège open 540 min a week, Namur appointment-only, Mons closed (confirmed on 2022-06-01)
    assert (cell["counters_tracked"], cell["active_counters"], cell["walk_in_counters"]) == (3, 2, 1)
    assert (cell["appointment_only_counters"], cell["closed_counters"], cell["unknown_hours_counters"]) == (1, 1, 0)
    assert cell["walk_in_hours_per_week"] == 9.0 and cell["appointment_only_share"] == 0.5
    assert cell["population"] == 3_645_243  # Wallonia, 1 January 2020
    assert (cell["known_state_counters"], cell["has_totals"]) == (3, True)
    # CAPAC's offices (and `all` types) have no reference list: per capita would measure tracking
    assert (cell["walk_in_hours_per_10k"], cell["per_capita_status"]) == (None, "universe_not_enumerable")
    assert (cell["coverage_share"], cell["is_indicative"]) == (1.0, False)
    liege = _rows(
        con,
        "select walk_in_hours_per_10k, per_capita_status, population from marts.fct_access_indicators where "
        "scope_type = 'municipality' and scope_id = '62063' and counter_type = 'all' "
        "and month_start = date '2022-06-01'",
    )[0]
    assert liege == {
        "walk_in_hours_per_10k": None,
        "per_capita_status": "universe_not_enumerable",
        "population": 197_217,
    }


def _quantile_half_up(values: list[int], k: int) -> float:
    """Quantile 1/k of weekly minutes as hours: quantile_cont's interpolation, exact, 0.01 h half up."""
    values = sorted(values)
    floor, remainder = divmod(len(values) - 1, k)
    low, high = values[floor], values[floor + (remainder > 0)]
    minutes = Fraction(low) + Fraction(remainder, k) * (high - low)
    return float(int(minutes / 60 * 100 + Fraction(1, 2))) / 100


def test_hours_quantiles_are_exact_in_every_cell(warehouse):
    """The median and 10th percentile of every indicator cell, against an independent computation
    from the counter-months of its active counters (exact fractions, ties rounded up)."""
    con, _ = warehouse
    values: dict[tuple, list[int]] = {}
    for *cell, minutes in con.execute(
        "select s.scope_type, s.scope_id, s.counter_type, m.month_start, m.weekly_total_minutes "
        "from intermediate.int_counter_scopes s join intermediate.int_counter_months m using (counter_id) "
        "where m.state in (select state from main.counter_states where is_active) "
        "and m.weekly_total_minutes is not null"
    ).fetchall():
        values.setdefault(tuple(cell), []).append(int(minutes))
    cells = con.execute(
        "select scope_type, scope_id, counter_type, month_start, has_totals, median_weekly_hours, p10_weekly_hours "
        "from intermediate.int_access_indicator_cells"
    ).fetchall()
    checked = 0
    for *cell, has_totals, median, p10 in cells:
        minutes = values.get(tuple(cell))
        if minutes is None or not has_totals:  # no active counter, or too few known states: no figure
            assert (median, p10) == (None, None), cell
            continue
        assert (median, p10) == (_quantile_half_up(minutes, 2), _quantile_half_up(minutes, 10)), (cell, minutes)
        checked += 1
    assert checked > 50, checked


def test_a_cell_with_most_counters_unknown_has_no_totals(warehouse):
    con, _ = warehouse
    # January 2021: Ixelles is known (open, 22.5 h); the three CAPAC offices are not observed yet
    cell = _rows(
        con,
        "select * from marts.fct_access_indicators where scope_type = 'belgium' and counter_type = 'all' "
        "and month_start = date '2021-01-01'",
    )[0]
    assert (cell["counters_tracked"], cell["known_state_counters"], cell["not_yet_observed_counters"]) == (4, 1, 3)
    assert (cell["known_state_share"], cell["has_totals"]) == (0.25, False)
    # never the partial sum of the known counter (22.5 h), never 0
    for column in ("active_counters", "closed_counters", "walk_in_hours_per_week", "median_weekly_hours",
                   "appointment_only_share", "walk_in_hours_per_10k", "communes_without_counter"):  # fmt: skip
        assert cell[column] is None, column
    assert cell["per_capita_status"] == "not_enough_known_states"
    later = _rows(
        con,
        "select has_totals, walk_in_hours_per_week from marts.fct_access_indicators where scope_type = 'belgium' "
        "and counter_type = 'all' and month_start = date '2021-04-01'",
    )[0]
    assert later == {"has_totals": True, "walk_in_hours_per_week": 68.5}


def test_months_before_a_counters_first_observation_are_not_yet_observed(warehouse):
    con, _ = warehouse
    # CAPAC Liège is first observed in March 2021: no monthly state before, and its commune's
    # cells are unknown, not 0
    first = con.execute(
        "select min(month_start) from marts.fct_counter_states_monthly where counter_id = 'capac-liege'"
    ).fetchone()[0]
    assert first == date(2021, 3, 1)
    rows = _rows(
        con,
        "select month_start, not_yet_observed_counters, active_counters, walk_in_hours_per_week, closed_counters "
        "from marts.fct_access_indicators where scope_type = 'municipality' and scope_id = '62063' "
        "and counter_type = 'all' and month_start <= date '2021-03-01' order by month_start",
    )
    assert [r["not_yet_observed_counters"] for r in rows] == [1, 1, 0]
    assert [r["walk_in_hours_per_week"] for r in rows] == [None, None, 18.0]
    assert [r["active_counters"] for r in rows] == [None, None, 1]
    assert [r["closed_counters"] for r in rows] == [None, None, 0]


def test_like_for_like_changes_use_the_constant_panel(warehouse):
    con, _ = warehouse
    changes = {
        (r["month_start"], r["comparison"]): r
        for r in _rows(
            con,
            "select * from marts.fct_access_changes where scope_type = 'belgium' and counter_type = 'all' "
            "and month_start in (date '2021-04-01', date '2022-03-01')",
        )
    }
    # April 2021 against January 2021: only Ixelles was known in January; on that panel of one
    # counter nothing changed (22.5 h both times), while the levels went from NULL to 68.5 h as
    # the three CAPAC offices became known.
    start = changes[(date(2021, 4, 1), "series_start")]
    assert (start["base_month_start"], start["panel_counters"], start["panel_share"]) == (date(2021, 1, 1), 1, 0.25)
    assert (start["base_walk_in_hours_per_week"], start["walk_in_hours_per_week"]) == (22.5, 22.5)
    assert (start["walk_in_hours_change"], start["active_counters_change"], start["is_indicative"]) == (0.0, 0, True)
    # March 2022 against February 2022, all four known both times, by hand: Liège 18 -> 9 h,
    # Namur 20 -> 0 h (appointment only), Mons 8 -> 0 h (closed), Ixelles 22.5 -> 22.5 h
    month = changes[(date(2022, 3, 1), "previous_month")]
    assert (month["panel_counters"], month["is_indicative"]) == (4, False)
    assert month["walk_in_hours_change"] == (9 - 18) + (0 - 20) + (0 - 8) + (22.5 - 22.5)
    assert (month["base_active_counters"], month["active_counters"], month["active_counters_change"]) == (4, 3, -1)
    assert month["appointment_only_counters_change"] == 1
    assert month["walk_in_hours_change_share"] == round(-37.0 / 68.5, 4)
    # no comparison without its base month in the series
    assert (date(2021, 4, 1), "year_earlier") not in changes


def test_per_capita_only_where_the_tracked_universe_is_complete(warehouse):
    con, _ = warehouse
    cells = {
        (r["scope_type"], r["scope_id"]): r
        for r in _rows(
            con,
            "select * from marts.fct_access_indicators where counter_type = 'commune' "
            "and month_start = date '2022-06-01'",
        )
    }
    # Brussels has 19 communes; only Ixelles' commune counter is tracked
    brussels = cells[("region", "brussels")]
    assert (brussels["communes_in_scope"], brussels["communes_tracked"]) == (19, 1)
    assert (brussels["walk_in_hours_per_10k"], brussels["active_counters_per_10k"]) == (None, None)
    assert brussels["per_capita_status"] == "scope_incomplete" and brussels["walk_in_hours_per_week"] == 22.5
    # Ixelles itself: its commune's counters are the whole universe
    ixelles = cells[("municipality", "21009")]
    assert (ixelles["communes_in_scope"], ixelles["communes_tracked"]) == (1, 1)
    assert ixelles["per_capita_status"] == "published"
    assert ixelles["walk_in_hours_per_10k"] == round(22.5 / 87_632 * 10_000, 4)
    completeness = _rows(
        con,
        "select * from marts.fct_scope_completeness where scope_type = 'region' and scope_id = 'brussels' "
        "and counter_type = 'commune'",
    )[0]
    assert (completeness["is_complete"], completeness["incompleteness_reason"]) == (False, "scope_incomplete")


def test_a_stale_source_makes_its_cells_indicative(warehouse):
    con, _ = warehouse
    # Ixelles' last successful capture before 2022-06-30 is 2022-01-15: older than 92 days
    cell = _rows(
        con,
        "select coverage_share, is_indicative, oldest_last_success_age_days from marts.fct_access_indicators "
        "where scope_type = 'municipality' and scope_id = '21009' and counter_type = 'all' "
        "and month_start = date '2022-06-01'",
    )[0]
    assert cell == {"coverage_share": 0.0, "is_indicative": True, "oldest_last_success_age_days": 166}


def test_source_freshness_flags_a_stale_observation_log(tmp_path):
    dbt = _dbt_executable()
    if dbt is None:
        pytest.skip("dbt is not installed")
    db_path = create_raw_fixture(tmp_path / "fresh.duckdb")
    env = {**os.environ, "GUICHETS_DUCKDB": str(db_path), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    subprocess.run(
        [dbt, "source", "freshness", "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    import json

    results = json.loads((tmp_path / "target" / "sources.json").read_text())["results"]
    statuses = {r["unique_id"].split(".")[-1]: r["status"] for r in results}
    # the fixture's last capture is from 2023: far more than 45 days ago
    assert statuses == {"captures": "error"}


def test_procedure_transitions_are_exactly_the_scenario(warehouse):
    con, _ = warehouse
    rows = _rows(con, "select procedure_key, event_type, event_date from marts.fct_procedure_events")
    assert {(r["procedure_key"], r["event_type"], r["event_date"]) for r in rows} == {
        ("household-composition-certificate", "became_online_only", date(2022, 2, 1)),
        ("household-composition-certificate", "counter_removed", date(2022, 2, 1)),
        ("household-composition-certificate", "counter_restored", date(2023, 2, 1)),
        ("personal-income-tax-return", "digital_identity_required", date(2022, 2, 1)),
    }  # the 2023 rewording of the tax return and the 503 of 2022-08-01 change nothing


def test_procedure_indicators_and_the_three_channel_guarantee(warehouse):
    con, _ = warehouse
    cell = _rows(
        con,
        "select i.tracked_procedures, i.online_only_share, i.digital_identity_share, g.guarantee_status, "
        "g.is_legal_scope from marts.fct_procedure_indicators i join marts.fct_channel_guarantee g "
        "using (administration_id, month_start) where administration_id = 'commune-ixelles' "
        "and month_start = date '2022-06-01'",
    )[0]
    assert cell == {
        "tracked_procedures": 2,
        "online_only_share": 0.5,  # the household composition certificate
        "digital_identity_share": 0.5,  # the tax return: only with itsme online
        "guarantee_status": "partial",  # no procedure publishes counter, telephone and post
        "is_legal_scope": True,  # Ixelles is in Brussels
    }
    review = _rows(con, "select procedure_title, capture_count from marts.fct_procedure_match_review")
    assert review == [{"procedure_title": "Permis de stationnement riverain", "capture_count": 4}]
