"""The supervision rules (targets.engine.rules.evaluate): table-driven, plain dataclasses, no database."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from targets.engine import rules, schedule
from targets.engine.facts import ItemFacts, MilestoneFacts, ReportFacts, Status, Thresholds

D = Decimal
JAN1, DEC31 = dt.date(2023, 1, 1), dt.date(2023, 12, 31)
GREY, BLUE, GREEN, YELLOW, RED = Status.GREY, Status.BLUE, Status.GREEN, Status.YELLOW, Status.RED


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def report(as_of: str, value: str | None, period: str | None = None) -> ReportFacts:
    when = day(as_of)
    return ReportFacts(
        as_of=when, period=day(period) if period else when.replace(day=1), value=None if value is None else D(value)
    )


def month_end_reports(values: dict[int, str | None]) -> tuple[ReportFacts, ...]:
    """Reports of 2023 as of each month end: {month: value}."""
    return tuple(report(schedule.month_end(2023, month).isoformat(), value) for month, value in sorted(values.items()))


def goal(**changes) -> ItemFacts:
    """A calendar-year count goal, ≥ 120, linear 序时: 10 a month, 60 at the end of June."""
    facts = {
        "item_id": 49,
        "kind": "goal",
        "metric_kind": "count",
        "comparator": ">=",
        "target_value": D(120),
        "schedule_mode": "linear",
        "period_start": JAN1,
        "period_end": DEC31,
    }
    return ItemFacts(**{**facts, **changes})


MONTHLY_PLAN = tuple((schedule.month_end(2023, month), D(100 * month)) for month in range(2, 13))


def project(**changes) -> ItemFacts:
    """A project with an annual plan of 1200 (万元) and a monthly plan of 100 × month from February."""
    facts = {
        "item_id": 2001,
        "kind": "project",
        "metric_kind": None,
        "comparator": ">=",
        "target_value": D(1200),
        "schedule_mode": "checkpoints",
        "period_start": JAN1,
        "period_end": DEC31,
        "checkpoints": MONTHLY_PLAN,
        "expects_monthly_reports": True,
    }
    return ItemFacts(**{**facts, **changes})


def ranking(**changes) -> ItemFacts:
    """G04: urban income growth in the city's top 3 (a ranking, ≤ 3, manual)."""
    return goal(
        **{
            "item_id": 1004,
            "metric_kind": "ranking",
            "comparator": "<=",
            "target_value": D(3),
            "schedule_mode": "manual",
            **changes,
        }
    )


def g16(**changes) -> ItemFacts:
    """35 new starts on Zhejiang's start-rate curve, counted from the register (a roll-up)."""
    curve = schedule.start_rate_checkpoints(35, 2023)
    facts = {
        "item_id": 1016,
        "target_value": D(35),
        "schedule_mode": "checkpoints",
        "checkpoints": curve,
        "actual_from_rollup": True,
    }
    return goal(**{**facts, **changes})


def milestone(id: int, planned: str | None, actual: str | None = None, kind: str = "other") -> MilestoneFacts:
    return MilestoneFacts(
        id=id,
        kind=kind,
        title=f"节点{id}",
        planned_date=day(planned) if planned else None,
        actual_date=day(actual) if actual else None,
    )


def yes_no(*milestones: MilestoneFacts, **changes) -> ItemFacts:
    facts = {
        "item_id": 1023,
        "metric_kind": "milestone",
        "target_value": None,
        "schedule_mode": "milestones",
        "milestones": milestones,
    }
    return goal(**{**facts, **changes})


def codes(status) -> tuple[str, ...]:
    return tuple(reason.code for reason in status.reasons)


def value_code(status) -> str:
    return status.reasons[0].code


class TestThresholds:
    """Judged on 6 July at 30 June: 60 of 120 expected. The boundary belongs to the better colour."""

    @pytest.mark.parametrize(
        ("actual", "thresholds", "status", "code", "ratio"),
        [
            ("60", Thresholds(), GREEN, "on_schedule", "1.00"),
            ("59.7", Thresholds(), GREEN, "on_schedule", "1.00"),  # 0.995 shows as 1.00 and is judged as shown
            ("59.4", Thresholds(), YELLOW, "behind_schedule", "0.99"),
            ("36", Thresholds(), YELLOW, "behind_schedule", "0.60"),
            ("35.4", Thresholds(), RED, "well_behind_schedule", "0.59"),
            ("0", Thresholds(), RED, "well_behind_schedule", "0.00"),
            ("100", Thresholds(), GREEN, "on_schedule", "1.67"),  # over-achievement without blue
            ("150", Thresholds(), GREEN, "target_met", "2.50"),
            ("72", Thresholds(blue=D("1.20")), BLUE, "ahead", "1.20"),
            ("71.4", Thresholds(blue=D("1.20")), GREEN, "on_schedule", "1.19"),
            ("120", Thresholds(blue=D("1.20")), BLUE, "target_met", "2.00"),
            ("54", Thresholds(green=D("0.90"), red=D("0.80")), GREEN, "on_schedule", "0.90"),
            ("53.4", Thresholds(green=D("0.90"), red=D("0.80")), YELLOW, "behind_schedule", "0.89"),
            ("48", Thresholds(green=D("0.90"), red=D("0.80")), YELLOW, "behind_schedule", "0.80"),
            ("47.4", Thresholds(green=D("0.90"), red=D("0.80")), RED, "well_behind_schedule", "0.79"),
        ],
        ids=[
            "r-1.00-green",
            "r-0.995-rounds-to-green",
            "r-0.99-yellow",
            "r-0.60-yellow",
            "r-0.59-red",
            "reported-zero-red",
            "over-achievement-green",
            "target-met-green",
            "r-at-blue-blue",
            "r-below-blue-green",
            "target-met-blue",
            "custom-green-boundary",
            "custom-below-green",
            "custom-red-boundary",
            "custom-below-red",
        ],
    )
    def test_ratio_bands(self, actual, thresholds, status, code, ratio):
        result = rules.evaluate(goal(reports=(report("2023-06-30", actual),), thresholds=thresholds), day("2023-07-06"))
        assert (result.status, result.value_status, value_code(result), result.ratio) == (status, status, code, D(ratio))
        assert (result.expected, result.actual, result.judged_on) == (D(60), D(actual), day("2023-06-30"))

    def test_gap_is_expected_minus_actual(self):
        result = rules.evaluate(goal(reports=(report("2023-06-30", "36"),)), day("2023-07-06"))
        assert result.gap == D("24.00")


class TestPeriodAndStatisticsCalendar:
    @pytest.mark.parametrize(
        ("as_of", "status", "code", "judged_on"),
        [
            ("2022-12-31", GREY, "before_period", None),
            ("2023-01-01", GREY, "before_first_statistics", None),
            ("2023-02-27", GREY, "before_first_statistics", None),  # January's 5 is visible, but not judged
            ("2023-02-28", GREEN, "on_schedule", "2023-02-28"),  # 20 of 20
        ],
        ids=["day-before-period", "first-day", "feb-27-grey", "feb-28-judged"],
    )
    def test_first_statistics_point(self, as_of, status, code, judged_on):
        facts = goal(reports=(report("2023-01-31", "5"), report("2023-02-28", "20")))
        result = rules.evaluate(facts, day(as_of))
        assert (result.status, value_code(result)) == (status, code)
        assert result.judged_on == (day(judged_on) if judged_on else None)

    def test_a_target_met_needs_no_statistics_point(self):
        result = rules.evaluate(goal(reports=(report("2023-01-31", "120"),)), day("2023-02-10"))
        assert (result.status, value_code(result), result.judged_on) == (GREEN, "target_met", None)

    @pytest.mark.parametrize(
        "make",
        [
            lambda **kw: goal(metric_kind="amount", target_value=D(4_000_000), **kw),
            lambda **kw: goal(metric_kind="count", **kw),
            lambda **kw: project(**kw),
        ],
        ids=["amount-goal", "count-goal", "project"],
    )
    def test_every_monthly_cumulative_item_waits_for_february(self, make):
        facts = make(reports=(report("2023-01-31", "1"),))
        assert value_code(rules.evaluate(facts, day("2023-02-27"))) == "before_first_statistics"
        assert rules.evaluate(facts, day("2023-02-27")).value_status == GREY

    @pytest.mark.parametrize(
        ("as_of", "rollup", "status", "code"),
        [
            ("2023-02-27", "2", GREY, "before_first_statistics"),
            ("2023-02-28", "8", GREEN, "on_schedule"),  # 8 of 7.17 expected
            ("2023-03-31", "11", GREEN, "on_schedule"),
            ("2023-12-31", "35", GREEN, "target_met"),
        ],
        ids=["rollup-feb-27", "rollup-feb-28-live", "rollup-q1", "rollup-year-end"],
    )
    def test_rollups_are_live(self, as_of, rollup, status, code):
        result = rules.evaluate(g16(rollup_value=D(rollup)), day(as_of))
        assert (result.status, value_code(result)) == (status, code)

    @pytest.mark.parametrize(
        ("reports", "as_of", "status", "judged_on", "expected", "ratio"),
        [
            ({11: "110", 12: "120"}, "2023-12-31", GREEN, "2023-12-31", "120", "1.00"),
            ({11: "110", 12: "110"}, "2023-12-31", YELLOW, "2023-12-31", "120", "0.92"),
            ({11: "110"}, "2023-12-31", GREEN, "2023-11-30", "110", "1.00"),  # December is not due yet
            ({11: "110"}, "2024-01-05", GREEN, "2023-11-30", "110", "1.00"),
            # The deadline has passed with the target missed: the final verdict is red (issue 10).
            ({11: "110"}, "2024-01-06", RED, "2023-12-31", "120", "0.92"),
            ({11: "110"}, "2024-06-30", RED, "2023-12-31", "120", "0.92"),
        ],
        ids=[
            "last-day-met",
            "last-day-short",
            "last-day-december-not-due",
            "jan-5-december-still-on-time",
            "jan-6-judged-at-year-end",
            "long-after-period",
        ],
    )
    def test_last_day_and_after(self, reports, as_of, status, judged_on, expected, ratio):
        result = rules.evaluate(goal(reports=month_end_reports(reports)), day(as_of))
        assert (result.status, result.judged_on, result.expected, result.ratio) == (status, day(judged_on), D(expected), D(ratio))

    @pytest.mark.parametrize(
        ("reports", "as_of", "status", "judged_on", "ratio"),
        [
            ({5: "50"}, "2023-07-03", GREEN, "2023-05-31", "1.00"),
            ({5: "50"}, "2023-07-05", GREEN, "2023-05-31", "1.00"),
            ({5: "50"}, "2023-07-06", YELLOW, "2023-06-30", "0.83"),
            ({5: "50", 6: "58"}, "2023-07-03", YELLOW, "2023-06-30", "0.97"),
        ],
        ids=["july-3-june-not-expected", "july-5-june-still-on-time", "july-6-june-expected", "july-3-june-report-in"],
    )
    def test_judgement_on_3_july_vs_6_july(self, reports, as_of, status, judged_on, ratio):
        result = rules.evaluate(goal(reports=month_end_reports(reports)), day(as_of))
        assert (result.status, result.judged_on, result.ratio) == (status, day(judged_on), D(ratio))

    @pytest.mark.parametrize(
        ("thresholds", "actual", "expected", "ratio", "status"),
        [
            (Thresholds(), "59.51", "60.00", "0.99", YELLOW),  # 6/12 of 120
            (Thresholds(day_precise=True), "59.51", "59.51", "1.00", GREEN),  # 181/365 of 120
        ],
        ids=["monthly", "day-precise"],
    )
    def test_linear_monthly_vs_day_precise(self, thresholds, actual, expected, ratio, status):
        result = rules.evaluate(goal(reports=(report("2023-06-30", actual),), thresholds=thresholds), day("2023-07-06"))
        assert (result.expected, result.ratio, result.status) == (D(expected), D(ratio), status)


class TestActualValue:
    @pytest.mark.parametrize(
        ("reports", "as_of", "actual", "status"),
        [
            ((report("2023-05-31", "55"), report("2023-06-30", "48")), "2023-07-06", "48", YELLOW),
            ((report("2023-06-30", "60"), report("2023-07-31", "10")), "2023-07-06", "60", GREEN),
            ((report("2023-06-30", "60"), report("2023-07-31", "10")), "2023-08-06", "10", RED),
            ((report("2023-05-31", "50"), report("2023-06-30", None)), "2023-07-06", "50", YELLOW),
        ],
        ids=[
            "correction-lowers-latest-wins",
            "report-after-as-of-ignored",
            "later-report-seen-later",
            "report-without-value-skipped",
        ],
    )
    def test_latest_report_on_or_before_as_of(self, reports, as_of, actual, status):
        result = rules.evaluate(goal(reports=reports), day(as_of))
        assert (result.actual, result.status) == (D(actual), status)

    def test_reports_outside_the_period_are_ignored(self):
        result = rules.evaluate(goal(reports=(report("2022-12-31", "100"),)), day("2023-03-06"))
        assert (result.actual, result.status, value_code(result)) == (None, RED, "no_data")


class TestNothingToJudge:
    @pytest.mark.parametrize(
        ("facts", "as_of", "status", "code", "ratio", "gap"),
        [
            (goal(), "2023-03-05", GREY, "before_first_statistics", None, None),
            (goal(), "2023-03-06", RED, "no_data", "0.00", "20.00"),  # overdue: a missing figure counts as 0
            (goal(reports=(report("2023-02-28", None),)), "2023-03-01", GREY, "no_data", None, None),
            (goal(comparator="<="), "2023-03-06", RED, "no_data", None, None),
            # Checkpoint mode without rows follows 序时 (issue 10: a path is never silently missing).
            (goal(schedule_mode="checkpoints"), "2023-07-06", RED, "no_data", "0.00", "60.00"),
            (goal(target_value=None), "2023-07-06", GREY, "no_schedule", None, None),
            (
                goal(schedule_mode="checkpoints", checkpoints=((day("2023-03-31"), D(0)), (day("2023-06-30"), D(10)))),
                "2023-03-06",
                GREY,
                "not_expected_yet",
                None,
                "0.00",
            ),
            (project(target_value=None, checkpoints=()), "2023-07-06", GREY, "no_schedule", None, None),
        ],
        ids=[
            "no-report-not-due",
            "no-report-overdue-red",
            "report-in-without-value",
            "lower-is-better-overdue-red",
            "checkpoint-goal-without-rows",
            "linear-without-target",
            "nothing-expected-yet",
            "named-project-without-plan",
        ],
    )
    def test_grey_and_missing(self, facts, as_of, status, code, ratio, gap):
        result = rules.evaluate(facts, day(as_of))
        assert (result.value_status, value_code(result)) == (status, code)
        assert result.ratio == (D(ratio) if ratio else None)
        assert result.gap == (D(gap) if gap else None)
        assert result.actual is None or code == "not_expected_yet"


class TestSchedules:
    @pytest.mark.parametrize(
        ("facts", "actual", "expected", "status"),
        [
            (project(), "600", "600", GREEN),  # the monthly plan: 100 × 6
            (project(checkpoints=tuple((d, v * 2 if d.month < 7 else v) for d, v in MONTHLY_PLAN)), "600", "1200", RED),
            (project(checkpoints=()), "600", "600", GREEN),  # no monthly plan: 序时 of the annual plan
            (
                goal(
                    schedule_mode="checkpoints",
                    target_value=D(44700),
                    checkpoints=tuple((schedule.month_end(2023, m), D(44700)) for m in range(1, 13)),
                ),
                "40000",
                "44700",
                YELLOW,
            ),
        ],
        ids=["project-monthly-plan", "project-front-loaded-plan", "project-without-monthly-plan-is-linear", "stock-level-below"],
    )
    def test_expected_from_the_schedule(self, facts, actual, expected, status):
        result = rules.evaluate(replace(facts, reports=(report("2023-06-30", actual),)), day("2023-07-06"))
        assert (result.expected, result.value_status) == (D(expected), status)

    @pytest.mark.parametrize(
        ("as_of", "rollup", "status", "code", "expected", "forecast"),
        [
            ("2023-03-31", "11", GREEN, "on_schedule", "11", "35.00"),
            ("2023-04-06", "8", YELLOW, "behind_schedule", "11", "24.01"),  # 8 ÷ 11.66 planned on 6 April × 35
            ("2023-04-29", "11", YELLOW, "forecast_miss", "11", "27.13"),  # no start since March
            ("2023-07-01", "21", GREEN, "on_schedule", "21", "34.83"),
            ("2023-11-15", "34", YELLOW, "behind_schedule", "35", "34.00"),
        ],
        ids=["q1-on-curve", "april-behind", "april-stalled-early-warning", "h1-on-curve", "after-october"],
    )
    def test_start_rate_curve(self, as_of, rollup, status, code, expected, forecast):
        result = rules.evaluate(g16(rollup_value=D(rollup)), day(as_of))
        assert (result.status, value_code(result), result.expected, result.forecast) == (status, code, D(expected), D(forecast))


class TestLowerIsBetter:
    """A cumulative cap: ≤ 1200 tonnes over the year (600 by the end of June). r = expected ÷ actual."""

    @pytest.mark.parametrize(
        ("actual", "status", "code", "ratio", "gap"),
        [
            ("600", GREEN, "on_schedule", "1.00", "0.00"),
            ("500", GREEN, "on_schedule", "1.20", "-100.00"),
            ("750", YELLOW, "behind_schedule", "0.80", "150.00"),
            ("1000", YELLOW, "behind_schedule", "0.60", "400.00"),
            ("1010", RED, "well_behind_schedule", "0.59", "410.00"),
            ("0", GREEN, "on_schedule", None, "-600.00"),
        ],
        ids=["on-path", "under-path", "above-path-yellow", "at-red-boundary", "below-red", "nothing-used"],
    )
    def test_cap(self, actual, status, code, ratio, gap):
        facts = goal(metric_kind="tonnage", comparator="<=", target_value=D(1200), reports=(report("2023-06-30", actual),))
        result = rules.evaluate(facts, day("2023-07-06"))
        assert (result.value_status, value_code(result), result.gap) == (status, code, D(gap))
        assert result.ratio == (D(ratio) if ratio else None)

    def test_forecast_over_the_cap_warns(self):
        facts = goal(comparator="<=", target_value=D(1200), reports=month_end_reports({2: "100", 6: "600"}))
        result = rules.evaluate(facts, day("2023-07-06"))
        assert (result.status, value_code(result), result.ratio, result.forecast) == (
            YELLOW,
            "forecast_miss",
            D("1.00"),
            D("1354.10"),
        )


class TestRelations:
    """Rankings, growth rates and relative goals: grey until reported, then the relation decides; in-year
    a failing relation is indicative (yellow, issue 10), the published figure decides (red)."""

    @pytest.mark.parametrize(
        ("facts", "actual", "status", "code"),
        [
            (ranking(), None, GREY, "no_data"),
            (ranking(), "5", YELLOW, "indicative_fails"),
            (ranking(), "4", YELLOW, "indicative_fails"),
            (ranking(), "3", GREEN, "relation_holds"),
            (ranking(), "1", GREEN, "relation_holds"),
            (ranking(schedule_mode="linear"), "5", YELLOW, "indicative_fails"),  # a ranking is never a ratio
            (goal(metric_kind="growth_rate", target_value=D(7), schedule_mode="manual"), "6.9", YELLOW, "indicative_fails"),
            (goal(metric_kind="growth_rate", target_value=D(7), schedule_mode="manual"), "7", GREEN, "relation_holds"),
            (
                goal(metric_kind="growth_rate", comparator=">", target_value=None, schedule_mode="manual"),
                "0.5",
                GREEN,
                "relation_holds",
            ),
            (
                goal(metric_kind="growth_rate", comparator=">", target_value=None, schedule_mode="manual"),
                "0",
                YELLOW,
                "indicative_fails",
            ),
            (
                goal(metric_kind="percentage", comparator=">=", target_value=None, schedule_mode="manual"),
                "0",
                GREEN,
                "relation_holds",
            ),
            (
                goal(metric_kind="ranking", comparator="<", target_value=None, schedule_mode="manual"),
                "-1",
                GREEN,
                "relation_holds",
            ),
            (
                goal(metric_kind="ranking", comparator="<", target_value=None, schedule_mode="manual"),
                "0",
                YELLOW,
                "indicative_fails",
            ),
        ],
        ids=[
            "ranking-no-data",
            "ranking-5-of-top-3",
            "ranking-4-of-top-3",
            "ranking-exactly-3",
            "ranking-first",
            "ranking-with-a-schedule",
            "growth-below",
            "growth-exactly",
            "faster-than-average",
            "as-fast-is-not-faster",
            "in-sync",
            "rank-gained",
            "rank-kept-is-no-gain",
        ],
    )
    def test_relation(self, facts, actual, status, code):
        reports = (report("2023-06-30", actual),) if actual else ()
        result = rules.evaluate(replace(facts, reports=reports), day("2023-08-15"))
        assert (result.status, value_code(result)) == (status, code)
        assert result.judged_on == (day("2023-06-30") if actual else None)

    @pytest.mark.parametrize(
        ("reports", "as_of", "status", "code", "final"),
        [
            ((report("2023-09-30", "5"),), "2023-12-31", YELLOW, "indicative_fails", False),
            ((report("2023-09-30", "5"),), "2024-01-05", YELLOW, "indicative_fails", False),  # December's figure still on time
            ((report("2023-09-30", "5"),), "2024-01-06", RED, "relation_fails", True),  # the published figure is overdue
            ((report("2023-09-30", "5"), report("2024-01-03", "3", "2023-12-01")), "2024-01-03", GREEN, "relation_holds", True),
            ((report("2023-09-30", "2"), report("2024-01-03", "4", "2023-12-01")), "2024-01-03", RED, "relation_fails", True),
            ((), "2024-01-06", RED, "no_data", True),
        ],
        ids=["in-year", "before-due", "published-overdue", "published-holds", "published-fails", "never-reported"],
    )
    def test_final_on_the_published_figure(self, reports, as_of, status, code, final):
        result = rules.evaluate(ranking(reports=reports), day(as_of))
        assert (result.status, value_code(result), result.final) == (status, code, final)

    def test_before_the_period(self):
        result = rules.evaluate(ranking(reports=(report("2022-12-31", "1"),)), day("2022-12-31"))
        assert (result.status, value_code(result)) == (GREY, "before_period")


class TestFullTarget:
    """Manual goals with a number (register sizes, shares): no path, so met or not yet met."""

    @pytest.mark.parametrize(
        ("facts", "as_of", "status", "code"),
        [
            (goal(schedule_mode="manual", target_value=D(240), actual_from_rollup=True), "2023-07-06", GREY, "no_data"),
            (
                goal(schedule_mode="manual", target_value=D(240), actual_from_rollup=True, rollup_value=D(230)),
                "2023-07-06",
                YELLOW,
                "target_not_met_yet",
            ),
            (
                goal(schedule_mode="manual", target_value=D(240), actual_from_rollup=True, rollup_value=D(240)),
                "2023-07-06",
                GREEN,
                "target_met",
            ),
            (
                goal(
                    schedule_mode="manual",
                    target_value=D(240),
                    actual_from_rollup=True,
                    rollup_value=D(240),
                    thresholds=Thresholds(blue=D("1.2")),
                ),
                "2023-07-06",
                BLUE,
                "target_met",
            ),
            (
                goal(schedule_mode="manual", target_value=D(240), actual_from_rollup=True, rollup_value=D(230)),
                "2023-12-31",
                YELLOW,
                "target_not_met_yet",
            ),
            (
                goal(schedule_mode="manual", target_value=D(240), actual_from_rollup=True, rollup_value=D(230)),
                "2024-01-01",
                RED,
                "target_missed",
            ),
            (
                goal(schedule_mode="manual", comparator="~", target_value=D(80), reports=(report("2023-06-30", "76"),)),
                "2023-07-06",
                GREEN,
                "target_met",
            ),
            (
                goal(schedule_mode="manual", comparator="~", target_value=D(80), reports=(report("2023-06-30", "75.9"),)),
                "2023-07-06",
                YELLOW,
                "target_not_met_yet",
            ),
            (
                goal(schedule_mode="manual", comparator=">", target_value=D(22400), reports=(report("2023-06-30", "22400"),)),
                "2023-07-06",
                YELLOW,
                "target_not_met_yet",
            ),
        ],
        ids=[
            "no-figure",
            "not-met-yet",
            "met",
            "met-blue",
            "last-day-not-met-yet",
            "period-over-missed",
            "approx-within-5-percent",
            "approx-beyond-5-percent",
            "beat-the-record-strictly",
        ],
    )
    def test_full_target(self, facts, as_of, status, code):
        result = rules.evaluate(facts, day(as_of))
        assert (result.status, value_code(result)) == (status, code)


class TestMilestones:
    @pytest.mark.parametrize(
        ("planned", "actual", "as_of", "status", "code", "days"),
        [
            ("2023-06-30", None, "2023-06-15", GREEN, None, None),  # 15 days ahead
            ("2023-06-30", None, "2023-06-16", GREEN, "milestone_due_soon", 14),
            ("2023-06-30", None, "2023-06-30", GREEN, "milestone_due_soon", 0),
            ("2023-06-30", None, "2023-07-01", YELLOW, "milestone_overdue", 1),
            ("2023-03-31", None, "2023-06-29", YELLOW, "milestone_overdue", 90),
            ("2023-03-31", None, "2023-06-30", RED, "milestone_long_overdue", 91),  # 31 March + 3 months = 30 June
            ("2023-01-31", None, "2023-04-29", YELLOW, "milestone_overdue", 88),
            ("2023-01-31", None, "2023-04-30", RED, "milestone_long_overdue", 89),
            ("2023-05-31", None, "2023-08-30", YELLOW, "milestone_overdue", 91),
            ("2023-05-31", None, "2023-08-31", RED, "milestone_long_overdue", 92),
            ("2023-12-20", None, "2024-01-02", RED, "milestone_past_period", 13),
            ("2023-12-31", None, "2024-01-01", RED, "milestone_past_period", 1),
            ("2023-05-31", "2023-06-01", "2023-05-31", GREEN, "milestone_due_soon", 0),  # not done yet on the day
            ("2023-05-31", "2023-06-01", "2023-06-01", GREEN, None, None),  # done a day late: green from then on
            ("2023-05-31", "2023-06-01", "2024-06-01", GREEN, None, None),
            ("2023-06-30", "2023-06-25", "2023-06-20", GREEN, "milestone_due_soon", 10),
            ("2023-06-30", "2023-06-10", "2023-06-20", GREEN, None, None),  # done early
        ],
        ids=[
            "15-days-ahead-green",
            "14-days-ahead-due-soon",
            "due-today",
            "one-day-overdue",
            "90-days-yellow",
            "3-months-91-days-red",
            "88-days-yellow",
            "3-months-89-days-red",
            "91-days-yellow",
            "3-months-92-days-red",
            "past-period-end",
            "day-after-period-end",
            "done-tomorrow",
            "done-a-day-late",
            "done-late-stays-green",
            "done-after-as-of-is-undone",
            "done-early",
        ],
    )
    def test_one_milestone(self, planned, actual, as_of, status, code, days):
        result = rules.evaluate(yes_no(milestone(7, planned, actual)), day(as_of))
        assert (result.milestone_status, result.status, result.value_status) == (status, status, GREY)
        if code is None:
            assert result.reasons == ()
        else:
            assert codes(result) == (code,)
            assert result.reasons[0].params["days"] == days

    @pytest.mark.parametrize(
        ("thresholds", "as_of", "status", "reminder"),
        [
            (Thresholds(due_soon_days=7), "2023-06-22", GREEN, False),
            (Thresholds(due_soon_days=7), "2023-06-23", GREEN, True),  # a reminder (提醒), not a light (issue 10)
            (Thresholds(milestone_red_months=1), "2023-07-29", YELLOW, False),
            (Thresholds(milestone_red_months=1), "2023-07-30", RED, False),
        ],
        ids=["due-soon-7-days-8-ahead", "due-soon-7-days-7-ahead", "red-after-1-month-day-before", "red-after-1-month"],
    )
    def test_thresholds(self, thresholds, as_of, status, reminder):
        result = rules.evaluate(yes_no(milestone(7, "2023-06-30"), thresholds=thresholds), day(as_of))
        assert result.milestone_status == status
        assert ("milestone_due_soon" in codes(result)) == reminder

    def test_overdue_and_missed_lists(self):
        facts = project(
            milestones=(
                milestone(1, "2023-03-31", kind="start"),
                milestone(2, "2023-04-15", kind="other"),
                milestone(3, "2023-05-31", "2023-06-10", kind="completion"),
                milestone(4, "2023-06-30", kind="stats_entry"),
                milestone(5, None, kind="planning_permit"),
                milestone(6, "2023-09-30", kind="completion"),
            ),
            reports=month_end_reports({m: str(100 * m) for m in range(2, 7)}),
        )
        result = rules.evaluate(facts, day("2023-07-06"))
        assert result.milestone_status == RED
        assert result.overdue_milestones == ((1, 97), (2, 82), (4, 6))
        assert result.missed_milestones == (1, 4)
        assert codes(result) == ("on_schedule", "milestone_long_overdue", "milestone_overdue", "milestone_overdue")
        assert result.status == RED

    @pytest.mark.parametrize(
        "facts",
        [yes_no(), yes_no(milestone(1, None))],
        ids=["no-milestones", "milestone-without-date"],
    )
    def test_yes_no_goal_without_dates_is_grey(self, facts):
        result = rules.evaluate(facts, day("2023-07-06"))
        assert (result.status, result.milestone_status, codes(result)) == (GREY, GREY, ("no_milestone_date",))

    def test_a_project_without_milestones_has_no_milestone_reason(self):
        result = rules.evaluate(project(reports=month_end_reports({m: str(100 * m) for m in range(2, 7)})), day("2023-07-06"))
        assert (result.milestone_status, codes(result)) == (GREY, ("on_schedule",))


class TestReporting:
    @pytest.mark.parametrize(
        ("months", "as_of", "status", "missing"),
        [
            ([], "2023-03-05", GREY, []),
            ([], "2023-03-06", YELLOW, ["2023-02-01"]),
            ([1], "2023-03-06", YELLOW, ["2023-02-01"]),  # January is not February
            ([2], "2023-03-06", GREEN, []),
            ([], "2023-04-05", YELLOW, ["2023-02-01"]),
            ([], "2023-04-06", RED, ["2023-02-01", "2023-03-01"]),
            ([3], "2023-04-06", GREEN, []),  # February is covered by March's cumulative figure: a lapse (issue 10)
            ([2, 3], "2023-04-06", GREEN, []),
            (list(range(2, 12)), "2024-01-05", GREEN, []),
            (list(range(2, 12)), "2024-01-06", YELLOW, ["2023-12-01"]),
            (list(range(2, 13)), "2024-06-30", GREEN, []),
        ],
        ids=[
            "on-the-5th-not-overdue",
            "on-the-6th-overdue",
            "january-report-does-not-count",
            "february-in",
            "one-missing-yellow",
            "two-missing-red",
            "gap-in-the-series",
            "all-in",
            "december-on-time",
            "december-missing",
            "after-the-period-nothing-more",
        ],
    )
    def test_monthly_reports(self, months, as_of, status, missing):
        facts = project(reports=month_end_reports({m: str(100 * m) for m in months}))
        result = rules.evaluate(facts, day(as_of))
        assert result.reporting_status == status
        assert result.missing_periods == tuple(day(m) for m in missing)
        reporting_codes = [code for code in codes(result) if code.startswith("reports_") or code == "report_missing"]
        assert reporting_codes == ({YELLOW: ["report_missing"], RED: ["reports_missing"]}.get(status, []))

    def test_a_report_dated_after_as_of_does_not_count(self):
        facts = project(reports=(report("2023-03-08", "200", period="2023-02-01"),))
        assert rules.evaluate(facts, day("2023-03-06")).missing_periods == (day("2023-02-01"),)
        assert rules.evaluate(facts, day("2023-03-08")).reporting_status == GREEN

    def test_items_without_the_duty_are_grey(self):
        assert rules.evaluate(goal(), day("2023-07-06")).reporting_status == GREY


class TestForecast:
    @pytest.mark.parametrize(
        ("reports", "thresholds", "status", "code", "forecast"),
        [
            ({2: "45", 3: "52", 4: "56", 5: "58", 6: "60"}, Thresholds(), YELLOW, "forecast_miss", "83.11"),
            ({2: "20", 3: "30", 4: "40", 5: "50", 6: "60"}, Thresholds(), GREEN, "on_schedule", "120.26"),
            ({2: "70", 3: "71", 4: "72", 5: "74", 6: "75"}, Thresholds(blue=D("1.2")), YELLOW, "forecast_miss", "82.84"),
            ({6: "60"}, Thresholds(), GREEN, "on_schedule", "120.99"),  # one figure: the line through 0 at the start
            ({2: "45", 3: "52", 4: "56", 5: "58", 6: "60"}, Thresholds(forecast_margin=D("0.35")), GREEN, "on_schedule", "83.11"),
        ],
        ids=["stalling-early-warning", "steady-green", "blue-but-stalling", "single-report", "wider-margin"],
    )
    def test_early_warning(self, reports, thresholds, status, code, forecast):
        result = rules.evaluate(goal(reports=month_end_reports(reports), thresholds=thresholds), day("2023-07-06"))
        assert (result.status, value_code(result), result.forecast) == (status, code, D(forecast))

    @pytest.mark.parametrize(
        ("projected", "target", "comparator", "misses"),
        [
            ("108", "120", ">=", False),  # exactly 10% short is not more than the margin
            ("107.99", "120", ">=", True),
            ("1320", "1200", "<=", False),
            ("1320.01", "1200", "<=", True),
        ],
        ids=["at-margin", "beyond-margin", "cap-at-margin", "cap-beyond-margin"],
    )
    def test_margin_boundary(self, projected, target, comparator, misses):
        assert rules.forecast_misses(D(projected), D(target), comparator, D("0.10")) is misses

    def test_the_latest_figure_at_the_period_end_is_the_forecast(self):
        result = rules.evaluate(goal(reports=month_end_reports({6: "60", 12: "110"})), day("2024-01-10"))
        assert result.forecast == D("110.00")


class TestOverallAndOverride:
    def test_the_worst_component_wins(self):
        facts = project(
            reports=month_end_reports({2: "200", 3: "300", 4: "400"}),  # May and June are missing
            milestones=(milestone(1, "2023-07-01"),),  # 5 days overdue
        )
        result = rules.evaluate(facts, day("2023-07-06"))
        assert (result.value_status, result.milestone_status, result.reporting_status, result.status) == (
            YELLOW,
            YELLOW,
            RED,
            RED,
        )

    def test_a_milestone_lights_an_item_whose_value_is_not_judged_yet(self):
        result = rules.evaluate(project(milestones=(milestone(1, "2023-02-01"),)), day("2023-02-10"))
        assert (result.value_status, result.milestone_status, result.status) == (GREY, YELLOW, YELLOW)

    @pytest.mark.parametrize(
        ("facts", "override", "status", "computed"),
        [
            (goal(), ("green", "数据延迟，已核实进度正常"), GREEN, RED),
            (goal(reports=(report("2023-06-30", "60"),)), ("red", "现场督查发现进度虚报"), RED, GREEN),
        ],
        ids=["red-set-green", "green-set-red"],
    )
    def test_override(self, facts, override, status, computed):
        result = rules.evaluate(replace(facts, override=override), day("2023-07-06"))
        assert (result.status, result.overridden, result.value_status) == (status, True, computed)
        assert result.reasons[0].code == "override"
        assert result.reasons[0].params["text"] == override[1]
        assert result.reasons[0].params["computed"] == computed
        assert len(result.reasons) > 1  # the computed reasons stay

    def test_not_overridden(self):
        assert rules.evaluate(goal(), day("2023-07-06")).overridden is False
