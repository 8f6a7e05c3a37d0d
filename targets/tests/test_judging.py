"""How each kind of goal is judged on its own cadence (issue 10): table-driven, plain dataclasses, no database.

Every case the issue lists has a row here: quarterly statistics (G44), seasonal goals (G65), a
deadline count (G24), a year goal short at the end, stock floors (G71), "about" (G43), catching up
after missed reports, due-soon reminders, 入库's one/two-month rule, rankings indicative in-year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from targets.engine import judging, rules
from targets.engine.facts import ItemFacts, MilestoneFacts, ReportFacts, Status

D = Decimal
JAN1, DEC31 = dt.date(2023, 1, 1), dt.date(2023, 12, 31)
GREY, BLUE, GREEN, YELLOW, RED = Status.GREY, Status.BLUE, Status.GREEN, Status.YELLOW, Status.RED


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def report(as_of: str, value: str | None, period: str | None = None) -> ReportFacts:
    when = day(as_of)
    return ReportFacts(when, day(period) if period else when.replace(day=1), None if value is None else D(value))


def item(**changes) -> ItemFacts:
    facts = {
        "item_id": 1,
        "kind": "goal",
        "metric_kind": "count",
        "comparator": ">=",
        "target_value": D(200),
        "schedule_mode": "linear",
        "period_start": JAN1,
        "period_end": DEC31,
        "expects_monthly_reports": True,
        "judging_kind": "cumulative",
        "cadence": "monthly",
    }
    return ItemFacts(**{**facts, **changes})


def g44(*reports: ReportFacts) -> ItemFacts:
    """The financial zone's revenue: 400亿元 from quarterly statistics, published 20 days after the quarter."""
    return item(
        metric_kind="amount", target_value=D(4000000), cadence="quarterly", lag_days=20, curve="quarter_shares", reports=reports
    )


SEASON = ((day("2023-04-30"), D(20000)), (day("2023-07-31"), D(50000)))


def g65(*reports: ReportFacts) -> ItemFacts:
    """Grain orders over 5万亩 in two contract windows (end of April 40 %, end of July all)."""
    return item(
        metric_kind="area",
        target_value=D(50000),
        schedule_mode="checkpoints",
        checkpoints=SEASON,
        cadence="seasonal",
        curve="season_windows",
        reports=reports,
    )


def g24(value: str) -> ItemFacts:
    """38 starts by 31 March, from the register (live)."""
    return item(
        target_value=D(38),
        period_end=day("2023-03-31"),
        schedule_mode="checkpoints",
        checkpoints=((day("2023-03-31"), D(38)),),
        actual_from_rollup=True,
        rollup_value=D(value),
        expects_monthly_reports=False,
    )


def stock(*reports: ReportFacts) -> ItemFacts:
    """G71: 44,700 t of grain reserves held at every monthly check."""
    return item(metric_kind="tonnage", target_value=D(44700), schedule_mode="manual", judging_kind="stock", reports=reports)


def about(value: str, as_of: str = "2023-12-31") -> ItemFacts:
    """G43: about (约) 80 financial institutions, a level checked quarterly."""
    return item(
        comparator="~",
        target_value=D(80),
        schedule_mode="manual",
        judging_kind="level",
        cadence="quarterly",
        reports=(report(as_of, value),),
    )


def code(result) -> str:
    return result.reasons[0].code if result.reasons else ""


class TestCalendars:
    @pytest.mark.parametrize(
        ("cadence", "lag", "window_ends", "dates", "first_due"),
        [
            ("monthly", None, (), ["2023-02-28", "2023-03-31", "2023-12-31"], "2023-03-05"),
            ("quarterly", 20, (), ["2023-03-31", "2023-06-30", "2023-09-30", "2023-12-31"], "2023-04-20"),
            ("quarterly", None, (), ["2023-03-31", "2023-06-30", "2023-09-30", "2023-12-31"], "2023-04-05"),
            ("seasonal", None, (day("2023-04-30"), day("2023-07-31")), ["2023-04-30", "2023-07-31"], "2023-05-05"),
            ("annual", 90, (), ["2023-12-31"], "2024-03-30"),
            ("event", None, (), ["2023-12-31"], "2024-01-05"),
        ],
        ids=["monthly", "quarterly-lag", "quarterly-default", "seasonal", "annual", "event"],
    )
    def test_points(self, cadence, lag, window_ends, dates, first_due):
        calendar = judging.points(cadence, JAN1, DEC31, 5, lag, window_ends)
        shown = [p.date.isoformat() for p in calendar]
        assert shown[: len(dates) - 1] == dates[:-1]
        assert shown[-1] == dates[-1]
        assert calendar[0].due == day(first_due)

    def test_a_quarterly_figure_may_carry_any_month_of_its_quarter(self):
        q1 = judging.points("quarterly", JAN1, DEC31, 5, 20)[0]
        assert (q1.reported({day("2023-02-01")}), q1.reported({day("2023-04-01")})) == (True, False)

    def test_a_monthly_window_is_its_own_month(self):
        february = judging.points("monthly", JAN1, DEC31)[0]
        assert (february.reported({day("2023-01-01")}), february.reported({day("2023-02-01")})) == (False, True)

    @pytest.mark.parametrize(
        ("kind", "source", "mode", "cadence", "owes"),
        [
            ("project", None, "checkpoints", "", True),
            ("goal", "reported", "linear", "", True),
            ("goal", "rollup", "linear", "", False),
            ("goal", "reported", "manual", "", False),  # derived: a level without a cadence owes nothing
            ("goal", "reported", "manual", "quarterly", True),  # set: a level checked quarterly owes its figure
            ("goal", "reported", "linear", "event", False),
        ],
    )
    def test_who_owes_reports(self, kind, source, mode, cadence, owes):
        assert judging.owes_reports(kind, "count", source, mode, cadence) is owes


class TestQuarterlyStatistics:
    """G44 was red on 03-06 (a monthly figure "missing") and in May with Q1 on track (April "missing")."""

    @pytest.mark.parametrize(
        ("reports", "as_of", "status", "value_status", "reporting_status"),
        [
            ((), "2023-03-06", GREY, GREY, GREY),  # nothing can exist yet
            ((), "2023-04-20", GREY, GREY, GREY),  # Q1 is due on 04-20
            ((), "2023-04-21", RED, RED, YELLOW),  # Q1 overdue: counts as 0
            ((report("2023-03-31", "1000000"),), "2023-05-10", GREEN, GREEN, GREEN),  # April is no point
            ((report("2023-03-31", "1000000"),), "2023-07-20", GREEN, GREEN, GREEN),
            ((report("2023-03-31", "1000000"),), "2023-07-21", RED, RED, YELLOW),  # Q2 overdue: 100 of 200 expected
            ((report("2023-03-31", "1000000"), report("2023-06-30", "2000000")), "2023-08-31", GREEN, GREEN, GREEN),
        ],
        ids=["march-6", "q1-due-day", "q1-overdue", "may-q1-on-track", "q2-due-day", "q2-overdue", "h1-on-track"],
    )
    def test_g44(self, reports, as_of, status, value_status, reporting_status):
        result = rules.evaluate(g44(*reports), day(as_of))
        assert (result.status, result.value_status, result.reporting_status) == (status, value_status, reporting_status)


class TestSeasonalWindows:
    """G65 was red in April with no report, and green at 80 % of the 5万亩 at year end."""

    @pytest.mark.parametrize(
        ("reports", "as_of", "status", "reason", "final"),
        [
            ((), "2023-04-20", GREY, "before_first_statistics", False),
            ((), "2023-05-05", GREY, "before_first_statistics", False),
            ((), "2023-05-06", RED, "no_data", False),
            ((report("2023-04-30", "20000"),), "2023-06-30", GREEN, "on_schedule", False),  # no monthly duty
            ((report("2023-04-30", "20000"), report("2023-07-31", "40000")), "2023-12-31", YELLOW, "behind_schedule", False),
            (
                (report("2023-04-30", "20000"), report("2023-07-31", "40000")),
                "2024-01-06",
                RED,
                "target_missed_at_deadline",
                True,
            ),
            ((report("2023-04-30", "20000"), report("2023-07-31", "50000")), "2024-01-06", GREEN, "target_met", True),
        ],
        ids=["april", "first-due-day", "first-overdue", "june-on-track", "year-end-80-percent", "final-80-percent", "final-met"],
    )
    def test_g65(self, reports, as_of, status, reason, final):
        result = rules.evaluate(g65(*reports), day(as_of))
        assert (result.status, code(result), result.final) == (status, reason, final)


class TestDeadlines:
    @pytest.mark.parametrize(
        ("value", "as_of", "status", "reason", "final"),
        [
            ("30", "2023-03-31", YELLOW, "behind_schedule", False),
            ("30", "2023-04-01", RED, "target_missed_at_deadline", True),  # a roll-up's figure is always in
            ("30", "2023-12-31", RED, "target_missed_at_deadline", True),
            ("38", "2023-04-01", GREEN, "target_met", True),
        ],
        ids=["deadline-day", "day-after", "rest-of-the-year", "met"],
    )
    def test_g24_38_starts_by_march(self, value, as_of, status, reason, final):
        result = rules.evaluate(g24(value), day(as_of))
        assert (result.status, code(result), result.final) == (status, reason, final)

    @pytest.mark.parametrize(
        ("as_of", "status", "final"),
        [("2023-12-31", YELLOW, False), ("2024-01-05", YELLOW, False), ("2024-01-06", RED, True), ("2024-06-30", RED, True)],
    )
    def test_a_year_goal_at_150_of_200(self, as_of, status, final):
        """Was yellow for good: the December figure (due 01-05) decides, or its absence once overdue."""
        result = rules.evaluate(item(reports=(report("2023-11-30", "150"),)), day(as_of))
        assert (result.status, result.final) == (status, final)

    def test_the_december_figure_in_early_gives_the_verdict_at_once(self):
        result = rules.evaluate(item(reports=(report("2023-12-31", "150"),)), day("2024-01-02"))
        assert (result.status, code(result), result.final) == (RED, "target_missed_at_deadline", True)

    @pytest.mark.parametrize(
        ("reports", "as_of", "status", "reason"),
        [
            ((), "2023-06-30", GREY, "before_first_statistics"),
            ((report("2023-05-10", "12"),), "2023-06-30", GREEN, "target_met"),
            ((report("2023-05-10", "8"),), "2023-12-31", GREY, "before_first_statistics"),  # nothing due before the deadline
            ((report("2023-05-10", "8"),), "2024-01-06", RED, "target_missed_at_deadline"),
        ],
        ids=["nothing", "met-early", "short-in-year", "short-at-the-end"],
    )
    def test_an_event_goal_with_the_deadline_curve(self, reports, as_of, status, reason):
        facts = item(target_value=D(12), cadence="event", curve="deadline", expects_monthly_reports=False, reports=reports)
        result = rules.evaluate(facts, day(as_of))
        assert (result.status, code(result)) == (status, reason)


class TestStockFloors:
    @pytest.mark.parametrize(
        ("reports", "as_of", "status", "reason"),
        [
            ((report("2023-02-28", "44700"),), "2023-03-10", GREEN, "floor_held"),
            ((report("2023-02-28", "44000"),), "2023-03-10", RED, "floor_breached"),  # was yellow
            ((report("2023-02-28", "44000"), report("2023-03-31", "45000")), "2023-04-10", GREEN, "floor_held"),
            ((), "2023-03-06", RED, "no_data"),
            ((), "2023-03-05", GREY, "before_first_statistics"),
        ],
        ids=["held", "below-is-red", "restored", "check-overdue", "not-due"],
    )
    def test_in_year(self, reports, as_of, status, reason):
        result = rules.evaluate(stock(*reports), day(as_of))
        assert (result.value_status, code(result)) == (status, reason)

    def test_one_breach_misses_the_year(self):
        reports = tuple(
            report(f"2023-{m:02d}-{28 if m == 2 else 30 if m in (4, 6, 9, 11) else 31}", "45000") for m in range(2, 13)
        )
        dipped = tuple(r if r.as_of.month != 6 else ReportFacts(r.as_of, r.period, D("44000")) for r in reports)
        held, missed = rules.evaluate(stock(*reports), day("2024-01-06")), rules.evaluate(stock(*dipped), day("2024-01-06"))
        assert (held.status, held.final) == (GREEN, True)
        assert (missed.status, code(missed), missed.reasons[0].params["dates"]) == (RED, "floor_breached", (day("2023-06-30"),))

    def test_a_missed_check_is_not_covered_by_a_later_one(self):
        result = rules.evaluate(stock(report("2023-03-31", "45000")), day("2023-04-10"))
        assert (result.reporting_status, result.missing_periods, result.lapsed_periods) == (YELLOW, (day("2023-02-01"),), ())


class TestAbout:
    @pytest.mark.parametrize(
        ("value", "tolerance", "as_of", "status"),
        [
            ("77", "0.05", "2024-01-06", GREEN),  # was red: 77 ≥ 80 × 0.95
            ("76", "0.05", "2024-01-06", GREEN),
            ("75", "0.05", "2024-01-06", RED),
            ("75", "0.10", "2024-01-06", GREEN),  # the tolerance is the goal's
            ("75", "0.05", "2023-12-31", YELLOW),
        ],
    )
    def test_g43(self, value, tolerance, as_of, status):
        facts = about(value)
        facts = replace(facts, tolerance=D(tolerance))
        assert rules.evaluate(facts, day(as_of)).status == status

    def test_a_cumulative_about_goal_is_green_within_the_tolerance_of_the_path(self):
        facts = item(comparator="~", target_value=D(120), reports=(report("2023-06-30", "58"),))
        assert rules.evaluate(facts, day("2023-07-06")).value_status == GREEN  # 58 / 60 = 0.97 ≥ 0.95


class TestCatchingUp:
    """Missed February-May, then 190/200 on 07-15: red until then, not after; the lapse stays on record."""

    def facts(self):
        return item(reports=(report("2023-07-15", "190", "2023-07-01"),))

    @pytest.mark.parametrize(
        ("as_of", "status", "missing", "lapsed"),
        [
            ("2023-07-14", RED, ["02", "03", "04", "05", "06"], []),
            ("2023-07-15", GREEN, [], ["02", "03", "04", "05", "06"]),
            ("2023-09-06", YELLOW, ["08"], ["02", "03", "04", "05", "06"]),  # a new miss counts again
        ],
        ids=["before", "caught-up", "next-miss-counts"],
    )
    def test_a_later_cumulative_report(self, as_of, status, missing, lapsed):
        result = rules.evaluate(self.facts(), day(as_of))

        def month(m: str) -> dt.date:
            return day(f"2023-{m}-01")

        assert result.status == status
        assert (result.missing_periods, result.lapsed_periods) == (tuple(map(month, missing)), tuple(map(month, lapsed)))
        if lapsed:
            assert "reporting_lapse" in [r.code for r in result.reasons]


def milestone(planned: str, kind: str = "other", actual: str | None = None) -> MilestoneFacts:
    return MilestoneFacts(7, kind, "节点", day(planned), day(actual) if actual else None)


class TestMilestones:
    @pytest.mark.parametrize(
        ("kind", "as_of", "status", "reason"),
        [
            ("other", "2023-06-16", GREEN, "milestone_due_soon"),  # a reminder, not a light
            ("other", "2023-07-01", YELLOW, "milestone_overdue"),
            ("stats_entry", "2023-07-29", YELLOW, "milestone_overdue"),
            ("stats_entry", "2023-07-30", RED, "milestone_long_overdue"),  # 入库: red a month after its date
            ("start", "2023-07-30", YELLOW, "milestone_overdue"),  # others: three months
        ],
    )
    def test_reminders_and_statistics_entry(self, kind, as_of, status, reason):
        facts = item(
            metric_kind="milestone",
            target_value=None,
            schedule_mode="milestones",
            judging_kind="yes_no",
            expects_monthly_reports=False,
            milestones=(milestone("2023-06-30", kind),),
        )
        result = rules.evaluate(facts, day(as_of))
        assert (result.status, code(result)) == (status, reason)

    @pytest.mark.parametrize(("actual", "status", "final"), [("2023-12-20", GREEN, True), (None, RED, True)])
    def test_yes_no_final(self, actual, status, final):
        facts = item(
            metric_kind="milestone",
            target_value=None,
            schedule_mode="milestones",
            judging_kind="yes_no",
            expects_monthly_reports=False,
            milestones=(milestone("2023-12-31", actual=actual),),
        )
        result = rules.evaluate(facts, day("2024-01-01"))
        assert (result.status, result.final) == (status, final)


class TestLevels:
    @pytest.mark.parametrize(
        ("value", "as_of", "status", "final"),
        [
            ("60", "2023-06-30", YELLOW, False),
            ("70", "2023-06-30", GREEN, False),
            ("60", "2024-01-06", RED, True),
            ("70", "2024-01-06", GREEN, True),
        ],
    )
    def test_a_share_checked_quarterly(self, value, as_of, status, final):
        facts = item(
            metric_kind="percentage",
            target_value=D(70),
            schedule_mode="manual",
            judging_kind="level",
            cadence="quarterly",
            lag_days=20,
            reports=(report("2023-06-30", value),),
        )
        reports = facts.reports + ((report("2023-12-31", value),) if as_of > "2024" else ())
        result = rules.evaluate(replace(facts, reports=reports), day(as_of))
        assert (result.value_status, result.final) == (status, final)
