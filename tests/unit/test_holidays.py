"""Belgian public holidays for any year (warehouse/holidays.py)."""

from datetime import date

import pytest

from warehouse.holidays import easter_sunday, holiday_rows, holidays


@pytest.mark.parametrize(
    ("year", "easter"),
    [(1961, date(1961, 4, 2)), (2008, date(2008, 3, 23)), (2019, date(2019, 4, 21)), (2024, date(2024, 3, 31)),
     (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)), (2038, date(2038, 4, 25)), (2285, date(2285, 3, 22))],
)  # fmt: skip
def test_easter_sunday(year, easter):
    assert easter_sunday(year) == easter


def test_2026_holidays_with_their_names():
    days = {h.key: h for h in holidays(2026)}
    assert [h.key for h in holidays(2026) if h.scope == "legal"] == [
        "new_year", "easter_monday", "labour_day", "ascension", "whit_monday", "national_day", "assumption",
        "all_saints", "armistice", "christmas",
    ]  # fmt: skip
    assert days["easter_monday"].date == date(2026, 4, 6)
    assert days["ascension"].date == date(2026, 5, 14)
    assert days["whit_monday"].date == date(2026, 5, 25)
    national = days["national_day"]
    assert (national.date, national.name("fr"), national.name("nl"), national.name("de")) == (
        date(2026, 7, 21), "Fête nationale", "Nationale feestdag", "Nationalfeiertag"
    )  # fmt: skip
    assert days["flemish_community"].scope == "community"


def test_two_holidays_can_share_a_date():
    # Ascension fell on Labour Day in 2008: both rows are kept; the calendar joins them.
    rows = [r for r in holiday_rows(2008, 2008) if r["holiday_date"] == date(2008, 5, 1)]
    assert sorted(r["holiday_key"] for r in rows) == ["ascension", "labour_day"]
