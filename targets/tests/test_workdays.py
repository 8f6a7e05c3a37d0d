"""Working days on the PRC calendar (targets.engine.workdays), checked against real 2023–2026 dates."""

from __future__ import annotations

import datetime as dt

import pytest

from targets.engine import workdays


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2023-01-02", False),  # New Year's Day in lieu (Monday)
        ("2023-01-28", True),  # Saturday made up for the Spring Festival
        ("2023-04-23", True),  # Sunday made up for Labour Day
        ("2023-05-06", True),  # Saturday made up for Labour Day
        ("2023-06-25", True),  # Sunday made up for the Dragon Boat Festival
        ("2023-09-29", False),  # Mid-autumn Festival (Friday)
        ("2023-10-02", False),  # National Day holiday (Monday)
        ("2023-10-06", False),  # National Day holiday (Friday)
        ("2023-10-07", True),  # Saturday made up for National Day
        ("2023-10-08", True),  # Sunday made up for National Day
        ("2023-10-09", True),  # an ordinary Monday
        ("2023-10-14", False),  # an ordinary Saturday
        ("2024-02-04", True),  # Sunday made up for the Spring Festival
        ("2024-02-09", True),  # New Year's Eve 2024 was a working Friday
        ("2024-02-12", False),  # Spring Festival (Monday)
        ("2024-02-17", False),  # Spring Festival, last day (Saturday)
        ("2024-02-18", True),  # Sunday made up for the Spring Festival
        ("2025-01-26", True),  # Sunday made up for the Spring Festival
        ("2025-10-11", True),  # Saturday made up for National Day
        ("2026-01-04", True),  # Sunday made up for New Year's Day
        ("2026-02-16", False),  # Spring Festival 2026 (Monday)
        ("2026-10-01", False),  # National Day 2026
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_is_workday(date, expected):
    assert workdays.is_workday(day(date)) is expected


@pytest.mark.parametrize(
    ("date", "overrides", "expected"),
    [
        ("2023-10-09", {day("2023-10-09"): False}, False),  # a local day off on a Monday
        ("2023-10-02", {day("2023-10-02"): True}, True),  # working through a holiday
        ("2023-10-07", {day("2023-10-08"): False}, True),  # an override for another day changes nothing
    ],
    ids=["declared-off", "declared-on", "other-day"],
)
def test_overrides_win(date, overrides, expected):
    assert workdays.is_workday(day(date), overrides) is expected


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2027-01-04", True),  # Monday
        ("2027-01-09", False),  # Saturday
        ("2003-12-31", True),  # Wednesday, before the package's first year
    ],
    ids=["2027-monday", "2027-saturday", "2003-wednesday"],
)
def test_years_the_package_does_not_know_fall_back_to_monday_to_friday(date, expected):
    assert workdays.is_workday(day(date)) is expected


def test_overrides_apply_outside_the_package_years_too():
    assert workdays.is_workday(day("2027-01-04"), {day("2027-01-04"): False}) is False


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2023-09-28", 1, "2023-10-07"),  # over the Mid-autumn and National Day holidays
        ("2023-09-28", 2, "2023-10-08"),
        ("2023-09-28", 3, "2023-10-09"),
        ("2024-02-08", 1, "2024-02-09"),
        ("2024-02-08", 2, "2024-02-18"),  # over the Spring Festival to its make-up Sunday
        ("2023-06-30", 5, "2023-07-07"),
        ("2023-10-09", -1, "2023-10-08"),
        ("2023-10-07", -1, "2023-09-28"),
        ("2023-10-07", 0, "2023-10-07"),  # a working day stays
        ("2023-10-01", 0, "2023-10-07"),  # a holiday rolls forward
    ],
    ids=[
        "over-national-day",
        "second-make-up-day",
        "third",
        "eve-of-spring-festival",
        "over-spring-festival",
        "ordinary-week",
        "back-one",
        "back-over-national-day",
        "zero-on-a-workday",
        "zero-on-a-holiday",
    ],
)
def test_add_workdays(start, n, expected):
    assert workdays.add_workdays(day(start), n) == day(expected)


def test_add_workdays_with_a_local_day_off():
    assert workdays.add_workdays(day("2023-07-03"), 1, {day("2023-07-04"): False}) == day("2023-07-05")


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("2023-09-28", "2023-10-09", 3),  # 7 Oct, 8 Oct, 9 Oct
        ("2023-10-01", "2023-10-31", 19),  # 7 and 8 October, then 17 weekdays
        ("2024-02-01", "2024-02-29", 17),  # 2, 4 (made up), 5–9, 18 (made up), 19–23, 26–29
        ("2023-06-30", "2023-06-30", 0),
        ("2023-10-09", "2023-09-28", -3),
        ("2026-12-31", "2027-01-08", 6),  # 2027 by Monday to Friday: 1 Jan counts
    ],
    ids=["over-national-day", "october-2023", "february-2024", "same-day", "reversed", "into-an-unknown-year"],
)
def test_workdays_between(a, b, expected):
    assert workdays.workdays_between(day(a), day(b)) == expected


@pytest.mark.parametrize(
    ("start", "n"), [("2023-09-28", 3), ("2024-02-08", 7), ("2025-12-30", 20)], ids=["2023", "2024", "2025-2026"]
)
def test_workdays_between_inverts_add_workdays(start, n):
    assert workdays.workdays_between(day(start), workdays.add_workdays(day(start), n)) == n


@pytest.mark.parametrize(
    ("year", "month", "n", "expected"),
    [
        (2023, 10, 1, "2023-10-07"),  # 1–6 October are holidays
        (2023, 10, 3, "2023-10-09"),
        (2024, 2, 3, "2024-02-04"),  # 1 and 2 February, then the make-up Sunday
        (2024, 2, 8, "2024-02-09"),
        (2024, 2, 9, "2024-02-18"),  # 10–17 February are holidays; 18 February was made up
        (2023, 6, -1, "2023-06-30"),
        (2023, 9, -1, "2023-09-28"),  # 29–30 September are holidays
        (2023, 1, 1, "2023-01-03"),
    ],
    ids=[
        "oct-2023-first",
        "oct-2023-third",
        "feb-2024-third-is-a-sunday",
        "feb-2024-eighth",
        "feb-2024-ninth-after-the-holiday",
        "june-last",
        "sept-2023-last",
        "jan-2023-first",
    ],
)
def test_nth_workday_of_month(year, month, n, expected):
    assert workdays.nth_workday_of_month(year, month, n) == day(expected)


def test_nth_workday_of_month_with_overrides():
    assert workdays.nth_workday_of_month(2023, 10, 1, {day("2023-10-07"): False}) == day("2023-10-08")


@pytest.mark.parametrize("n", [0, 30], ids=["zero", "more-than-the-month-has"])
def test_nth_workday_of_month_rejects(n):
    with pytest.raises(ValueError, match="working day"):
        workdays.nth_workday_of_month(2023, 10, n)
