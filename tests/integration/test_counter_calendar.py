"""fct_counter_calendar on the dbt fixture (tests/helpers/dbt_fixture.py): the normal week, a legal
holiday, a dated regime, a one-day notice and a monthly rule, each on the dates they name.

The rules are composed for this test (written into the fixture's last capture of CAPAC Liège):
the fixture's pages publish none.
"""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pytest

from tests.helpers.dbt_fixture import create_raw_fixture
from warehouse.settings import get_settings
from warehouse.transform import dbt_build

REGIMES = [{"kind": "period", "date_from": "2023-04-17", "date_to": "2023-04-21", "closed": True, "slots": []}]
EXCEPTIONS = [
    {"kind": "date", "date_from": "2023-04-24", "closed": False,
     "slots": [{"day": "mo", "opens": "10:00", "closes": "11:00", "access": "appointment"}]},
    {"kind": "monthly", "nth": [1], "closed": False,
     "slots": [{"day": "sa", "opens": "09:00", "closes": "12:00", "access": "walk_in"}]},
]  # fmt: skip


@pytest.fixture(scope="module")
def calendar(tmp_path_factory) -> dict[tuple[str, date], dict]:
    settings = get_settings(tmp_path_factory.mktemp("calendar"))
    create_raw_fixture(settings.duckdb_path)
    with duckdb.connect(str(settings.duckdb_path)) as con:
        con.execute(
            "UPDATE raw.schedules SET regimes = ?, exceptions = ? WHERE counter_id = 'capac-liege' AND capture_id = "
            "(SELECT capture_id FROM raw.schedules WHERE counter_id = 'capac-liege' ORDER BY observed_at DESC LIMIT 1)",
            [json.dumps(REGIMES), json.dumps(EXCEPTIONS)],
        )
        # Easter Monday 2023 (10 April) inside the calendar's weeks: the last successful capture
        # (the horizon) moves to 3 April.
        last_ok = "SELECT arg_max(capture_id, observed_at) FROM raw.captures WHERE parse_status = 'ok'"
        con.execute(
            f"UPDATE raw.captures SET observed_at = TIMESTAMP '2023-04-03 10:00' WHERE capture_id = ({last_ok})"
        )
    # Models only: the data tests of every mart run in test_dbt_project.
    dbt_build(
        settings, "--select", "+fct_counter_calendar", "--exclude", "resource_type:test", "resource_type:unit_test"
    )
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        cur = con.execute("SELECT * FROM marts.fct_counter_calendar")
        cols = [d[0] for d in cur.description]
        return {(r[1], r[2]): dict(zip(cols, r, strict=True)) for r in cur.fetchall()}


def test_the_calendar_covers_whole_weeks_from_the_horizon(calendar):
    dates = sorted({d for _, d in calendar})
    assert dates[0].isoweekday() == 1 and len(dates) == 8 * 7


def test_rules_decide_the_dates_they_name(calendar):
    liege = {d: row for (c, d), row in calendar.items() if c == "capac-liege"}
    assert liege[date(2023, 4, 3)]["day_status"] == "open" and liege[date(2023, 4, 3)]["hours_basis"] == "normal_week"
    notice = liege[date(2023, 4, 24)]  # the one-day notice replaces that Monday's hours
    assert (notice["appointment_hours"], notice["walk_in_hours"]) == ("10:00-11:00", None)
    assert notice["hours_basis"] == "exception:date"
    for day in range(17, 22):  # the dated regime closes the week
        row = liege[date(2023, 4, day)]
        assert (row["day_status"], row["closure_kind"], row["closure_reason"]) == ("closed", "regime", "regime:period")
    closed = liege[date(2023, 4, 10)]
    assert (closed["day_status"], closed["closure_kind"], closed["closure_reason"]) == (
        "closed", "public_holiday", "Lundi de Pâques"
    )  # fmt: skip
    first_saturday = liege[date(2023, 5, 6)]
    assert first_saturday["day_status"] == "open" and first_saturday["walk_in_hours"] == "09:00-12:00"
    assert liege[date(2023, 5, 13)]["day_status"] == "closed"  # the second Saturday: no rule, no hours


def test_unknown_is_never_closed(calendar):
    for row in calendar.values():
        if row["counter_state"] is None:
            assert row["day_status"] == "unknown" and row["closure_kind"] is None
