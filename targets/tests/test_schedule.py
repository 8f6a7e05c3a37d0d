"""The statistics calendar and expected values (targets.engine.schedule): pure functions, no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from targets.engine import judging, schedule
from targets.engine.facts import Thresholds

D = Decimal
JAN1, DEC31 = dt.date(2023, 1, 1), dt.date(2023, 12, 31)
G16_CURVE = schedule.start_rate_checkpoints(35, 2023)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


class TestCalendar:
    @pytest.mark.parametrize(
        ("year", "month", "expected"),
        [
            (2023, 2, "2023-02-28"),
            (2024, 2, "2024-02-29"),
            (2023, 4, "2023-04-30"),
            (2023, 12, "2023-12-31"),
        ],
        ids=["february", "leap-february", "april", "december"],
    )
    def test_month_end(self, year, month, expected):
        assert schedule.month_end(year, month) == day(expected)

    @pytest.mark.parametrize(
        ("start", "months", "expected"),
        [
            ("2023-03-31", 3, "2023-06-30"),
            ("2023-01-31", 3, "2023-04-30"),
            ("2023-05-31", 3, "2023-08-31"),
            ("2023-01-31", 1, "2023-02-28"),
            ("2023-11-30", 3, "2024-02-29"),
            ("2023-12-15", 1, "2024-01-15"),
            ("2023-03-31", -1, "2023-02-28"),
        ],
        ids=[
            "clamped-to-june-30",
            "clamped-to-april-30",
            "31-to-31",
            "into-february",
            "into-leap-year",
            "across-year",
            "backwards",
        ],
    )
    def test_add_months_clamps_to_the_month_end(self, start, months, expected):
        assert schedule.add_months(day(start), months) == day(expected)

    @pytest.mark.parametrize(
        ("as_of", "first_month", "expected"),
        [
            ("2023-01-01", 2, None),
            ("2023-01-31", 2, None),
            ("2023-02-27", 2, None),
            ("2023-02-28", 2, "2023-02-28"),
            ("2023-03-01", 2, "2023-02-28"),
            ("2023-06-29", 2, "2023-05-31"),
            ("2023-06-30", 2, "2023-06-30"),
            ("2023-07-03", 2, "2023-06-30"),
            ("2023-12-31", 2, "2023-12-31"),
            ("2024-02-28", 2, None),
            ("2024-02-29", 2, "2024-02-29"),
            ("2023-03-30", 3, None),
            ("2023-03-31", 3, "2023-03-31"),
        ],
        ids=[
            "new-year",
            "january-end-is-no-point",
            "feb-27-none",
            "feb-28-first-point",
            "march-1",
            "day-before-june-end",
            "june-end",
            "july-3",
            "year-end",
            "leap-feb-28-none",
            "leap-feb-29",
            "first-month-march-before",
            "first-month-march-on",
        ],
    )
    def test_statistics_point(self, as_of, first_month, expected):
        assert schedule.statistics_point(day(as_of), first_month) == (day(expected) if expected else None)

    @pytest.mark.parametrize(
        ("month", "due_day", "expected"),
        [
            ("2023-06-01", 5, "2023-07-05"),
            ("2023-06-17", 5, "2023-07-05"),
            ("2023-12-01", 5, "2024-01-05"),
            ("2023-01-01", 31, "2023-02-28"),
        ],
        ids=["june", "any-day-of-june", "december-into-next-year", "due-day-clamped"],
    )
    def test_report_due_date(self, month, due_day, expected):
        assert schedule.report_due_date(day(month), due_day) == day(expected)

    @pytest.mark.parametrize(
        ("start", "end", "expected"),
        [
            ("2023-01-01", "2023-12-31", [f"2023-{m:02d}-01" for m in range(2, 13)]),
            ("2023-06-20", "2024-02-10", [*(f"2023-{m:02d}-01" for m in range(6, 13)), "2024-02-01"]),
            ("2023-01-01", "2023-01-31", []),
        ],
        ids=["calendar-year-feb-to-dec", "across-years-skips-january", "january-only"],
    )
    def test_statistics_months(self, start, end, expected):
        assert judging.statistics_months(day(start), day(end)) == [day(m) for m in expected]


class TestJudgementDate:
    """The latest statistics point whose figure is overdue-if-missing (after the 5th) or already in."""

    @pytest.mark.parametrize(
        ("as_of", "reported", "live", "expected"),
        [
            ("2022-12-31", [], False, None),
            ("2023-02-27", ["2023-02-01"], False, None),
            ("2023-02-28", [], False, None),
            ("2023-02-28", ["2023-02-01"], False, "2023-02-28"),
            ("2023-03-05", [], False, None),
            ("2023-03-06", [], False, "2023-02-28"),
            ("2023-07-03", [], False, "2023-05-31"),
            ("2023-07-03", ["2023-06-01"], False, "2023-06-30"),
            ("2023-07-05", [], False, "2023-05-31"),
            ("2023-07-06", [], False, "2023-06-30"),
            ("2023-06-30", ["2023-06-01"], False, "2023-06-30"),
            ("2023-06-29", ["2023-06-01"], False, "2023-05-31"),
            ("2023-02-27", [], True, None),
            ("2023-02-28", [], True, "2023-02-28"),
            ("2023-07-03", [], True, "2023-06-30"),
            ("2024-01-05", [], False, "2023-11-30"),
            ("2024-01-06", [], False, "2023-12-31"),
            ("2024-03-01", [], False, "2023-12-31"),
            ("2024-03-01", [], True, "2023-12-31"),
        ],
        ids=[
            "before-period",
            "feb-27-nothing-even-if-reported",
            "feb-28-not-due-not-in",
            "feb-28-report-in",
            "march-5-still-on-time",
            "march-6-overdue",
            "july-3-june-not-expected",
            "july-3-june-report-in",
            "july-5-last-day-on-time",
            "july-6-june-expected",
            "june-30-report-in",
            "june-29-june-not-ended",
            "live-feb-27",
            "live-feb-28",
            "live-july-3",
            "after-period-december-still-on-time",
            "after-period-december-due",
            "long-after-period",
            "live-after-period",
        ],
    )
    def test_calendar_year(self, as_of, reported, live, expected):
        result = judging.judgement_date(day(as_of), JAN1, DEC31, Thresholds(), {day(m) for m in reported}, live=live)
        assert result == (day(expected) if expected else None)

    @pytest.mark.parametrize(
        ("start", "end", "as_of", "expected"),
        [
            ("2023-06-20", "2023-12-31", "2023-07-05", None),
            ("2023-06-20", "2023-12-31", "2023-07-06", "2023-06-30"),
            ("2023-01-01", "2023-03-15", "2023-03-20", "2023-02-28"),
            ("2023-01-01", "2023-03-15", "2023-04-06", "2023-03-15"),
            ("2023-06-01", "2024-12-31", "2024-02-20", "2023-12-31"),
            ("2023-06-01", "2024-12-31", "2024-03-06", "2024-02-29"),
        ],
        ids=[
            "mid-month-start-first-month-not-due",
            "mid-month-start-first-month-due",
            "mid-month-end-before-its-due-date",
            "mid-month-end-is-the-last-point",
            "multi-year-skips-january",
            "multi-year-february",
        ],
    )
    def test_other_periods(self, start, end, as_of, expected):
        result = judging.judgement_date(day(as_of), day(start), day(end), Thresholds())
        assert result == (day(expected) if expected else None)

    @pytest.mark.parametrize(
        ("thresholds", "as_of", "expected"),
        [
            (Thresholds(first_statistics_month=3), "2023-03-10", None),
            (Thresholds(first_statistics_month=3), "2023-04-06", "2023-03-31"),
            (Thresholds(report_due_day=10), "2023-07-10", "2023-05-31"),
            (Thresholds(report_due_day=10), "2023-07-11", "2023-06-30"),
        ],
        ids=["first-month-march-none", "first-month-march-judged", "due-day-10-on-time", "due-day-10-overdue"],
    )
    def test_thresholds(self, thresholds, as_of, expected):
        result = judging.judgement_date(day(as_of), JAN1, DEC31, thresholds)
        assert result == (day(expected) if expected else None)


class TestLinear:
    @pytest.mark.parametrize(
        ("at", "monthly", "day_precise"),
        [
            ("2022-12-31", "0.00", "0.00"),
            ("2023-01-01", "0.00", "0.55"),  # first day: 1 of 365 days, no whole month yet
            ("2023-01-30", "0.00", "16.44"),
            ("2023-01-31", "16.67", "16.99"),
            ("2023-02-28", "33.33", "32.33"),
            ("2023-06-29", "83.33", "98.63"),
            ("2023-06-30", "100.00", "99.18"),  # 6/12; 181/365
            ("2023-12-30", "183.33", "199.45"),
            ("2023-12-31", "200.00", "200.00"),  # last day: the whole target
            ("2024-01-15", "200.00", "200.00"),
        ],
        ids=[
            "before-period",
            "first-day",
            "jan-30",
            "jan-31",
            "feb-28",
            "june-29",
            "june-30",
            "dec-30",
            "last-day",
            "after-period",
        ],
    )
    def test_calendar_year(self, at, monthly, day_precise):
        assert schedule.expected_linear(D(200), JAN1, DEC31, day(at)) == D(monthly)
        assert schedule.expected_linear(D(200), JAN1, DEC31, day(at), day_precise=True) == D(day_precise)

    @pytest.mark.parametrize(
        ("start", "end", "at", "expected"),
        [
            ("2023-06-20", "2023-12-31", "2023-06-29", "0.00"),
            ("2023-06-20", "2023-12-31", "2023-06-30", "10.00"),  # the partial June is 1 of 7 months
            ("2023-06-20", "2023-12-31", "2023-09-30", "40.00"),
            ("2023-01-01", "2023-03-15", "2023-02-28", "46.67"),  # 2 of 3 months
            ("2023-01-01", "2023-03-15", "2023-03-15", "70.00"),
        ],
        ids=[
            "mid-month-start-before-month-end",
            "mid-month-start-month-end",
            "mid-month-start-q3",
            "mid-month-end-feb",
            "mid-month-end-last-day",
        ],
    )
    def test_periods_not_on_month_boundaries(self, start, end, at, expected):
        assert schedule.expected_linear(D(70), day(start), day(end), day(at)) == D(expected)


class TestCheckpoints:
    @pytest.mark.parametrize(
        ("at", "expected"),
        [
            ("2022-12-31", "0.00"),
            ("2023-01-01", "0.00"),
            ("2023-02-28", "7.17"),  # 11 × 58/89
            ("2023-03-31", "11.00"),
            ("2023-05-15", "15.95"),  # 11 + 10 × 45/91
            ("2023-06-30", "21.00"),
            ("2023-09-30", "30.00"),
            ("2023-10-31", "35.00"),
            ("2023-12-31", "35.00"),
        ],
        ids=[
            "before-period",
            "period-start",
            "interpolated-feb",
            "on-q1",
            "interpolated-may",
            "on-h1",
            "on-q3",
            "on-last",
            "after-last",
        ],
    )
    def test_g16_curve(self, at, expected):
        assert schedule.expected_from_checkpoints(G16_CURVE, JAN1, day(at)) == D(expected)

    def test_no_checkpoints_no_schedule(self):
        assert schedule.expected_from_checkpoints((), JAN1, day("2023-06-30")) is None

    def test_a_checkpoint_on_the_period_start(self):
        points = ((JAN1, D(44700)), (day("2023-01-31"), D(44700)))
        assert schedule.expected_from_checkpoints(points, JAN1, JAN1) == D("44700.00")
        assert schedule.expected_from_checkpoints(points, JAN1, day("2023-01-15")) == D("44700.00")


class TestStartRateCurve:
    @pytest.mark.parametrize(
        ("total", "strict", "counts"),
        [
            (35, False, (11, 21, 30, 35)),  # the plan_2023 fixture's G16 curve
            (35, True, (11, 22, 30, 35)),  # 60% of 35 is exactly 21: strictly more is 22
            (20, False, (6, 12, 17, 20)),
            (20, True, (6, 13, 18, 20)),
            (38, False, (12, 23, 33, 38)),
            (38, True, (12, 23, 33, 38)),  # no share falls on a whole count
            (D(40), False, (12, 24, 34, 40)),
        ],
        ids=["35", "35-strict", "20", "20-strict", "38", "38-strict", "40-decimal"],
    )
    def test_counts_rounded_up(self, total, strict, counts):
        points = schedule.start_rate_checkpoints(total, 2023, strict=strict)
        assert [p[0] for p in points] == [day("2023-03-31"), day("2023-06-30"), day("2023-09-30"), day("2023-10-31")]
        assert tuple(p[1] for p in points) == tuple(D(c) for c in counts)


class TestRatio:
    @pytest.mark.parametrize(
        ("actual", "expected", "comparator", "result"),
        [
            ("60", "60", ">=", "1.00"),
            ("59.7", "60", ">=", "1.00"),  # 0.995 rounds half up
            ("59.4", "60", ">=", "0.99"),
            ("59.1", "60", ">=", "0.99"),  # 0.985: half up, not half even (0.98)
            ("36", "60", ">=", "0.60"),
            ("35.7", "60", ">=", "0.60"),  # 0.595
            ("35.4", "60", ">=", "0.59"),
            ("150", "60", ">", "2.50"),
            ("50", "60", "=", "0.83"),
            ("50", "60", "~", "0.83"),
            ("5", "3", "<=", "0.60"),  # a ranking of 5 against 3: lower is better
            ("2", "3", "<", "1.50"),
            ("750", "600", "<=", "0.80"),
            ("0", "60", ">=", "0.00"),
        ],
        ids=[
            "on-path",
            "rounds-up-to-1",
            "0.99",
            "half-up-not-half-even",
            "0.60",
            "rounds-up-to-0.60",
            "0.59",
            "over-achievement",
            "equals-as-gte",
            "approx-as-gte",
            "ranking-behind",
            "ranking-ahead",
            "cap-over-path",
            "nothing-done",
        ],
    )
    def test_ratio(self, actual, expected, comparator, result):
        assert schedule.ratio(D(actual), D(expected), comparator) == D(result)

    @pytest.mark.parametrize(
        ("actual", "expected", "comparator"),
        [
            (None, D(60), ">="),
            (D(60), None, ">="),
            (D(60), D(0), ">="),
            (D(0), D(3), "<="),
        ],
        ids=["no-actual", "no-expected", "nothing-expected", "lower-is-better-at-zero"],
    )
    def test_no_ratio(self, actual, expected, comparator):
        assert schedule.ratio(actual, expected, comparator) is None


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("98.392", "98.392"),  # the plan's own number, three decimals
        ("100.000", "100.000"),  # as the database returns a three-decimal column
        ("100.00", "100.00"),
        ("100", "100.00"),
        ("12.3", "12.30"),
        ("-5.125", "-5.125"),
        ("1E+2", "100.00"),
        ("1.2E-2", "0.012"),
        ("0", "0.00"),
    ],
)
def test_exact_keeps_the_numbers_own_decimals(text, kept):
    value = Decimal(text)
    assert schedule.more_than_cents(value) is (value.as_tuple().exponent < -2)
    assert str(schedule.exact(value)) == kept
