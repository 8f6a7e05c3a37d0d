"""The supervision rules (督办规则): one item's facts on a date -> its traffic lights and why.

evaluate(facts, as_of) is pure: no database, no clock; reports dated after ``as_of`` are ignored.
An item has up to three component lights and an overall light, the worst of them. How a goal is
judged (its kind, cadence, curve, tolerance) is data on the goal, read through targets.engine.judging;
docs/judging.md is the reader's version of this module.

Value, by the item's judging kind (targets.engine.judging.kind_of; projects are cumulative):
- Cumulative with a deadline (CUMULATIVE_RULES): judged at the judgement point of the item's
  cadence (targets.engine.judging: the latest statistics point whose figure is in or overdue; none before
  the first one can exist; roll-ups are live). The actual is the latest report on or before as_of
  with a value (a later cumulative figure covers the missed ones; a correction that lowers it still
  wins), or the roll-up's value. r = actual ÷ expected (expected ÷ actual for ≤/< goals), 2 decimals.
  First matching row: grey before the period; green (blue) once the target is met; red when the
  final verdict is due and the target is missed (target_missed_at_deadline); grey before the first
  point, with no schedule, with nothing expected yet, or with no figure while none is overdue; red
  with no figure once one is overdue (counts as 0); green for a lower-is-better item at 0; yellow on
  forecast_miss; blue/green/yellow/red by r ("about" goals green from 1 − tolerance). A boundary
  belongs to the better colour. gap = expected − actual (positive means behind).
- Stock levels (STOCK_RULES): red whenever the latest check is below the required level (and at the
  final verdict when any check was), otherwise green; no yellow.
- Levels to reach (FULL_TARGET_RULES): green (blue) once met, yellow while not, red at the final verdict.
- Rankings, growth rates and relative goals (RELATION_RULES): grey until a figure; in-year green
  when the relation holds, yellow (indicative) when not; at the final verdict, on the published
  figure, green or red (red too when it is overdue). A relative goal with no number is reported as
  its margin over its reference, compared with 0.
- Yes/no goals and milestone schedules have no value light: their milestones judge them.
- Comparators: ">" is strict (beat the record); "=" counts an excess as fine (judged as ≥); "~" is
  met from the goal's tolerance (default 5 %) below the number; "≤"/"<" are lower-is-better.

Milestones (each, first match wins): green when done on or before the date (late or not); green
with a reminder (提醒, not a light) when due within ``due_soon_days``; green when not yet due; red
when undone after the item's period end; red when overdue ``milestone_red_months`` calendar months
or more (statistics entry 入库: one month; from the planned date, clamped to the month end: planned
31 March + 3 months -> red from 30 June); yellow when overdue less than that.

Reporting (items that owe reports on their cadence): every statistics point whose due date has
passed needs a report for a month of its window. A missed figure covered by a later report (for
cumulative, level and indicative items) is a reporting lapse (报送不及时): recorded, no light.
Uncovered: one, yellow; two or more, red; none, green; grey while nothing is due.

Final verdict (ItemStatus.final, targets.engine.judging.is_final): the deadline (period end) has passed and
the last due figure is in or overdue; the run records it (targets.engine.supervision.write_verdicts).

Forecast: the period-end value projected from the figures so far. Items with checkpoints scale the
latest figure by the plan's shape (latest ÷ planned at its date × the plan's last value); other
items use an ordinary least-squares line of value over days since the period start through the
reported figures (one figure: the line through 0 at the period start). A roll-up contributes its
value on the date as its one figure.

Override: staff may set the overall light with a reason; the computed components stay visible.
"""

# Over 400 lines: the rule tables and the judging steps that read them are one specification, read top to bottom.

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from ..choices import Curve, JudgingKind, MilestoneKind, ScheduleMode
from . import judging, schedule
from .comparisons import forecast, forecast_misses, relation_holds, signed_gap
from .facts import (
    APPROX_TOLERANCE,  # noqa: F401 - targets.engine.evaluation reads rules.APPROX_TOLERANCE
    ItemFacts,
    ItemStatus,
    MilestoneFacts,
    Reason,
    ReportFacts,
    Status,
    Thresholds,
    worse,
)
from .judging import Point
from .schedule import ZERO, lower_is_better

# Reason codes (stable: rendered in Chinese elsewhere, stored with findings).
BEFORE_PERIOD = "before_period"
BEFORE_FIRST_STATISTICS = "before_first_statistics"
NO_SCHEDULE = "no_schedule"
NOT_EXPECTED_YET = "not_expected_yet"
NO_DATA = "no_data"
TARGET_MET = "target_met"
TARGET_NOT_MET_YET = "target_not_met_yet"
TARGET_MISSED = "target_missed"
AHEAD = "ahead"
ON_SCHEDULE = "on_schedule"
BEHIND_SCHEDULE = "behind_schedule"
WELL_BEHIND_SCHEDULE = "well_behind_schedule"
FORECAST_MISS = "forecast_miss"
RELATION_HOLDS = "relation_holds"
RELATION_FAILS = "relation_fails"
NO_MILESTONE_DATE = "no_milestone_date"
MILESTONE_DUE_SOON = "milestone_due_soon"
MILESTONE_OVERDUE = "milestone_overdue"
MILESTONE_LONG_OVERDUE = "milestone_long_overdue"
MILESTONE_PAST_PERIOD = "milestone_past_period"
REPORT_MISSING = "report_missing"
REPORTS_MISSING = "reports_missing"
REPORTING_LAPSE = "reporting_lapse"
OVERRIDE = "override"
FLOOR_HELD = "floor_held"
FLOOR_BREACHED = "floor_breached"
INDICATIVE_FAILS = "indicative_fails"
TARGET_MISSED_AT_DEADLINE = "target_missed_at_deadline"

# Statistics-entry (入库) milestones turn red a month after their date (银川: yellow one month after
# the start, red after two; the planned 入库 date is the start + 1 month); others after the plan's
# milestone_red_months.
MILESTONE_RED_MONTHS_BY_KIND = {MilestoneKind.STATS_ENTRY: 1}
# Milestones whose miss opens a finding (应开工未开工, 应完工未完工, 应入库未入库).
FINDING_MILESTONE_KINDS = frozenset({MilestoneKind.START, MilestoneKind.COMPLETION, MilestoneKind.STATS_ENTRY})


# --- the value rules, as data ----------------------------------------------------------------------


@dataclass(slots=True)
class ValueContext:
    """What the value rules look at, computed once per evaluation."""

    as_of: dt.date
    period_start: dt.date
    period_end: dt.date
    thresholds: Thresholds
    actual: Decimal | None = None
    expected: Decimal | None = None
    r: Decimal | None = None
    judged_on: dt.date | None = None
    overdue: bool = False
    target_met: bool = False
    lower_is_better: bool = False
    forecast_misses: bool = False
    final: bool = False  # the deadline has passed and the last due figure is in or overdue
    green_at: Decimal | None = None  # the green ratio; lowered by the tolerance for "about" goals
    breached_on: tuple[dt.date, ...] = ()  # stock checks below the required level


@dataclass(frozen=True, slots=True)
class Rule:
    """When ``when`` holds, the value light is ``status`` for reason ``code``. First match wins."""

    code: str
    status: Status
    when: Callable[[ValueContext], bool]


def always(_context: ValueContext) -> bool:
    return True


def _r_at_least(threshold: str) -> Callable[[ValueContext], bool]:
    return lambda c: c.r is not None and c.r >= getattr(c.thresholds, threshold)


def _r_green(c: ValueContext) -> bool:
    return c.r is not None and c.r >= (c.green_at if c.green_at is not None else c.thresholds.green)


CUMULATIVE_RULES: tuple[Rule, ...] = (
    Rule(BEFORE_PERIOD, Status.GREY, lambda c: c.as_of < c.period_start),
    Rule(TARGET_MET, Status.BLUE, lambda c: c.target_met and c.thresholds.blue is not None),
    Rule(TARGET_MET, Status.GREEN, lambda c: c.target_met),
    Rule(TARGET_MISSED_AT_DEADLINE, Status.RED, lambda c: c.final and c.expected is not None),
    Rule(BEFORE_FIRST_STATISTICS, Status.GREY, lambda c: c.judged_on is None),
    Rule(NO_SCHEDULE, Status.GREY, lambda c: c.expected is None),
    Rule(NOT_EXPECTED_YET, Status.GREY, lambda c: c.expected == 0),
    Rule(NO_DATA, Status.GREY, lambda c: c.actual is None and not c.overdue),
    Rule(NO_DATA, Status.RED, lambda c: c.actual is None),  # overdue: counts as 0
    Rule(ON_SCHEDULE, Status.GREEN, lambda c: c.lower_is_better and c.actual == 0),
    Rule(FORECAST_MISS, Status.YELLOW, lambda c: c.forecast_misses and c.r >= c.thresholds.green),
    Rule(AHEAD, Status.BLUE, lambda c: c.thresholds.blue is not None and c.r >= c.thresholds.blue),
    Rule(ON_SCHEDULE, Status.GREEN, _r_green),
    Rule(BEHIND_SCHEDULE, Status.YELLOW, _r_at_least("red")),
    Rule(WELL_BEHIND_SCHEDULE, Status.RED, always),
)

# Rankings, growth rates and relative goals: indicative in-year, judged finally on the published
# figure (the last window's, or none once it is overdue).
RELATION_RULES: tuple[Rule, ...] = (
    Rule(BEFORE_PERIOD, Status.GREY, lambda c: c.as_of < c.period_start),
    Rule(NO_DATA, Status.RED, lambda c: c.actual is None and c.final),
    Rule(NO_DATA, Status.GREY, lambda c: c.actual is None),
    Rule(RELATION_HOLDS, Status.GREEN, lambda c: c.target_met),
    Rule(RELATION_FAILS, Status.RED, lambda c: c.final),
    Rule(INDICATIVE_FAILS, Status.YELLOW, always),
)

# Levels to reach (shares, register sizes, year-end figures): no path; behind until met, missed at
# the deadline.
FULL_TARGET_RULES: tuple[Rule, ...] = (
    Rule(BEFORE_PERIOD, Status.GREY, lambda c: c.as_of < c.period_start),
    Rule(NO_DATA, Status.RED, lambda c: c.actual is None and c.final),
    Rule(NO_DATA, Status.GREY, lambda c: c.actual is None),
    Rule(TARGET_MET, Status.BLUE, lambda c: c.target_met and c.thresholds.blue is not None),
    Rule(TARGET_MET, Status.GREEN, lambda c: c.target_met),
    Rule(TARGET_MISSED, Status.RED, lambda c: c.final or c.as_of > c.period_end),
    Rule(TARGET_NOT_MET_YET, Status.YELLOW, always),
)

# Stock levels that must hold at every check (reserves): red whenever a check is below; missed at
# the end when any check of the period was.
STOCK_RULES: tuple[Rule, ...] = (
    Rule(BEFORE_PERIOD, Status.GREY, lambda c: c.as_of < c.period_start),
    Rule(BEFORE_FIRST_STATISTICS, Status.GREY, lambda c: c.judged_on is None),
    Rule(NO_DATA, Status.RED, lambda c: c.actual is None and (c.overdue or c.final)),
    Rule(NO_DATA, Status.GREY, lambda c: c.actual is None),
    Rule(FLOOR_BREACHED, Status.RED, lambda c: not c.target_met or (c.final and bool(c.breached_on))),
    Rule(FLOOR_HELD, Status.GREEN, always),
)

RULES_BY_KIND = {
    JudgingKind.CUMULATIVE: CUMULATIVE_RULES,
    JudgingKind.STOCK: STOCK_RULES,
    JudgingKind.LEVEL: FULL_TARGET_RULES,
    JudgingKind.INDICATIVE: RELATION_RULES,
    JudgingKind.YES_NO: None,
}


def first_match(rules: tuple[Rule, ...], context: ValueContext) -> Rule:
    for rule in rules:
        if rule.when(context):
            return rule
    raise AssertionError("every rule table ends with a catch-all row")


# --- helpers --------------------------------------------------------------------------------------


def kind_of(facts: ItemFacts) -> str:
    return judging.kind_of(facts.judging_kind, facts.metric_kind, facts.schedule_mode, facts.target_value)


def value_rules_for(facts: ItemFacts, kind: str | None = None) -> tuple[Rule, ...] | None:
    """Which table judges the item's value; None for items judged by milestones only."""
    if facts.schedule_mode == ScheduleMode.MILESTONES:
        return None
    rules = RULES_BY_KIND[kind or kind_of(facts)]
    if rules is FULL_TARGET_RULES and facts.target_value is None:
        return RELATION_RULES  # a level with no number: a relation to its reference
    return rules


def calendar_of(facts: ItemFacts) -> tuple[Point, ...]:
    """The item's statistics points on its cadence (targets.engine.judging.points)."""
    window_ends = tuple(day for day, _value in facts.checkpoints) if facts.cadence == "seasonal" else ()
    thresholds = facts.thresholds
    return judging.points(
        facts.cadence,
        facts.period_start,
        facts.period_end,
        thresholds.report_due_day,
        facts.lag_days,
        window_ends,
        thresholds.first_statistics_month,
    )


class Visible:
    """The item's reports as seen on as_of, gathered in one pass over facts.reports."""

    __slots__ = ("latest", "periods", "points")

    def __init__(self, facts: ItemFacts, as_of: dt.date) -> None:
        first_month, last_month = facts.period_start, facts.period_end
        if first_month.day != 1:
            first_month = first_month.replace(day=1)
        periods: set[dt.date] = set()
        points: list[ReportFacts] = []
        for report in facts.reports:
            if report.as_of > as_of:
                break  # sorted by as_of: the rest are later still
            if first_month <= report.period <= last_month:
                periods.add(report.period)
                if report.value is not None:
                    points.append(report)
        self.periods = periods
        self.points = points  # reports with a value, by as_of
        self.latest = points[-1] if points else None  # the latest wins, even when a correction lowers it


# --- components -----------------------------------------------------------------------------------


@dataclass(slots=True)
class ValueResult:
    status: Status = Status.GREY
    reasons: tuple[Reason, ...] = ()
    expected: Decimal | None = None
    actual: Decimal | None = None
    ratio: Decimal | None = None
    gap: Decimal | None = None
    forecast: Decimal | None = None
    judged_on: dt.date | None = None


NOT_APPLICABLE = ValueResult()


def expected_at(facts: ItemFacts, day: dt.date) -> Decimal | None:
    """The plan's expected cumulative value on a day: checkpoints, else 序时; with the deadline
    curve nothing before the deadline and the target from it. An item in checkpoint mode without
    checkpoint rows follows 序时 (domain.md 3.2): a path is never silently missing."""
    if facts.schedule_mode == ScheduleMode.CHECKPOINTS and facts.checkpoints:
        return schedule.expected_from_checkpoints(facts.checkpoints, facts.period_start, day)
    if facts.target_value is None:
        return None
    if facts.curve == Curve.DEADLINE:
        return schedule.exact(facts.target_value) if day >= facts.period_end else schedule.ZERO_CENTS
    return schedule.expected_linear(facts.target_value, facts.period_start, facts.period_end, day, facts.thresholds.day_precise)


def judge_cumulative(
    facts: ItemFacts, as_of: dt.date, visible: Visible, calendar: tuple[Point, ...] = (), final: bool = False
) -> ValueResult:
    thresholds = facts.thresholds
    calendar = calendar or calendar_of(facts)
    comparator = facts.comparator
    lower = lower_is_better(comparator)
    if facts.actual_from_rollup:
        actual = facts.rollup_value
        series = [(min(as_of, facts.period_end), actual)] if actual is not None else []
    else:
        actual = visible.latest.value if visible.latest else None
        series = [(report.as_of, report.value) for report in visible.points]
    point = judging.judgement_point(as_of, calendar, visible.periods, live=facts.actual_from_rollup)
    judged_on = point.date if point else None
    expected = expected_at(facts, judged_on) if judged_on else None
    overdue = point is not None and as_of > point.due
    # The full target: the number, else the plan's last checkpoint.
    target = facts.target_value
    if target is None and facts.checkpoints and facts.schedule_mode == ScheduleMode.CHECKPOINTS:
        target = facts.checkpoints[-1][1]
    holds = actual is not None and target is not None and relation_holds(actual, target, comparator, facts.tolerance)
    # ≤/< goals are judged along their path in-year, against the number at the end.
    target_met = holds and (not lower or final)
    r = schedule.ratio(actual, expected, comparator)
    if actual is None and overdue and not lower and expected:
        r = schedule.ZERO_CENTS  # a missing figure counts as 0
    projected = forecast(facts, series)
    context = ValueContext(
        actual=actual,
        as_of=as_of,
        expected=expected,
        final=final,
        forecast_misses=forecast_misses(projected, target, comparator, thresholds.forecast_margin),
        green_at=thresholds.green * (1 - facts.tolerance) if comparator == "~" else None,
        judged_on=judged_on,
        lower_is_better=lower,
        overdue=overdue,
        period_end=facts.period_end,
        period_start=facts.period_start,
        r=r,
        target_met=target_met,
        thresholds=thresholds,
    )
    rule = first_match(CUMULATIVE_RULES, context)
    gap = signed_gap(expected, ZERO if actual is None and overdue and not lower else actual, comparator)
    params = {"expected": expected, "actual": actual, "ratio": r, "judged_on": judged_on}
    if rule.code == FORECAST_MISS:
        params = {**params, "forecast": projected, "target": target, "margin": thresholds.forecast_margin}
    elif rule.code in (TARGET_MET, TARGET_MISSED_AT_DEADLINE):
        params = {**params, "target": target}
    elif rule.code == NO_DATA and overdue:
        params = {**params, "due": point.due}
    elif rule.code == BEFORE_PERIOD:
        params = {"period_start": facts.period_start}
    return ValueResult(rule.status, (Reason(rule.code, params),), expected, actual, r, gap, projected, judged_on)


def judge_against_target(
    facts: ItemFacts, as_of: dt.date, visible: Visible, rules: tuple[Rule, ...], final: bool = False
) -> ValueResult:
    """Relations (rankings, growth rates, relative goals) and levels to reach."""
    if facts.actual_from_rollup:
        actual, figure_date = facts.rollup_value, min(as_of, facts.period_end)
    elif visible.latest:
        actual, figure_date = visible.latest.value, visible.latest.as_of
    else:
        actual, figure_date = None, None
    target = facts.target_value
    reference = ZERO if target is None else target
    context = ValueContext(
        actual=actual,
        as_of=as_of,
        period_end=facts.period_end,
        period_start=facts.period_start,
        target_met=actual is not None and relation_holds(actual, reference, facts.comparator, facts.tolerance),
        thresholds=facts.thresholds,
        final=final,
    )
    rule = first_match(rules, context)
    r = schedule.ratio(actual, target, facts.comparator)
    params = {"actual": actual, "target": target, "comparator": facts.comparator, "ratio": r}
    if rule.code == BEFORE_PERIOD:
        params = {"period_start": facts.period_start}
    judged_on = figure_date if actual is not None else None
    gap = signed_gap(target, actual, facts.comparator)
    return ValueResult(rule.status, (Reason(rule.code, params),), target, actual, r, gap, None, judged_on)


def judge_stock(facts: ItemFacts, as_of: dt.date, visible: Visible, calendar: tuple[Point, ...], final: bool) -> ValueResult:
    """A stock level (reserves) against the required level at every check: the latest check judges
    the light; the final verdict looks at every check of the period."""
    point = judging.judgement_point(as_of, calendar, visible.periods, live=facts.actual_from_rollup)
    judged_on = point.date if point else None
    required = facts.target_value
    if facts.schedule_mode == ScheduleMode.CHECKPOINTS and facts.checkpoints and judged_on:
        required = schedule.expected_from_checkpoints(facts.checkpoints, facts.period_start, judged_on)
    actual = facts.rollup_value if facts.actual_from_rollup else (visible.latest.value if visible.latest else None)
    breached = tuple(
        report.as_of for report in visible.points if required is not None and not relation_holds(report.value, required, ">=")
    )
    context = ValueContext(
        actual=actual,
        as_of=as_of,
        breached_on=breached,
        final=final,
        judged_on=judged_on,
        overdue=point is not None and as_of > point.due,
        period_end=facts.period_end,
        period_start=facts.period_start,
        target_met=actual is not None and required is not None and relation_holds(actual, required, facts.comparator),
        thresholds=facts.thresholds,
    )
    rule = first_match(STOCK_RULES, context)
    params = {"actual": actual, "target": required, "judged_on": judged_on}
    if rule.code == FLOOR_BREACHED:
        params["dates"] = breached or (judged_on,)
    elif rule.code == BEFORE_PERIOD:
        params = {"period_start": facts.period_start}
    elif rule.code == NO_DATA and point is not None:
        params["due"] = point.due
    gap = signed_gap(required, actual, facts.comparator) if actual is not None else None
    r = schedule.ratio(actual, required, facts.comparator)
    return ValueResult(rule.status, (Reason(rule.code, params),), required, actual, r, gap, None, judged_on)


def milestone_light(
    milestone: MilestoneFacts, as_of: dt.date, period_end: dt.date, thresholds: Thresholds
) -> tuple[Status, str | None]:
    """One dated milestone's light and reason code (None when green)."""
    if milestone.actual_date is not None and milestone.actual_date <= as_of:
        return Status.GREEN, None  # done, on time or late
    planned = milestone.planned_date
    if as_of <= planned:
        if judging.due_soon(planned, as_of, thresholds.due_soon_days):
            return Status.GREEN, MILESTONE_DUE_SOON  # a reminder (提醒), not a light: yellow means late
        return Status.GREEN, None
    if as_of > period_end:
        return Status.RED, MILESTONE_PAST_PERIOD
    red_months = MILESTONE_RED_MONTHS_BY_KIND.get(milestone.kind, thresholds.milestone_red_months)
    if as_of >= schedule.add_months(planned, red_months):
        return Status.RED, MILESTONE_LONG_OVERDUE
    return Status.YELLOW, MILESTONE_OVERDUE


def judge_milestones(
    facts: ItemFacts, as_of: dt.date, milestones_only: bool
) -> tuple[Status, tuple[Reason, ...], tuple[tuple[int, int], ...], tuple[int, ...]]:
    """(light, reasons, overdue (id, days), missed ids) of the item's dated milestones."""
    status = Status.GREY
    reasons: list[Reason] = []
    overdue: list[tuple[int, int]] = []
    missed: list[int] = []
    for milestone in facts.milestones:
        if milestone.planned_date is None:
            continue
        light, code = milestone_light(milestone, as_of, facts.period_end, facts.thresholds)
        status = worse(status, light)
        if code is None:
            continue
        days = (as_of - milestone.planned_date).days
        if code == MILESTONE_DUE_SOON:
            params = {"milestone": milestone.id, "title": milestone.title, "planned": milestone.planned_date, "days": -days}
        else:
            params = {"milestone": milestone.id, "title": milestone.title, "planned": milestone.planned_date, "days": days}
            overdue.append((milestone.id, days))
            if milestone.kind in FINDING_MILESTONE_KINDS:
                missed.append(milestone.id)
        reasons.append(Reason(code, params))
    if status == Status.GREY and milestones_only:
        reasons.append(Reason(NO_MILESTONE_DATE, {}))
    return status, tuple(reasons), tuple(overdue), tuple(missed)


def judge_reporting(
    facts: ItemFacts, as_of: dt.date, reported: set[dt.date], calendar: tuple[Point, ...] | None = None, kind: str | None = None
) -> tuple[Status, tuple[Reason, ...], tuple[dt.date, ...], tuple[dt.date, ...]]:
    """(light, reasons, missing months, lapsed months) of the reporting duty on the item's cadence.

    Every statistics point whose figure is overdue needs a report for a month of its window
    (January goes with February). A missed figure that a later report covers (the later figure is
    cumulative) is a reporting lapse (报送不及时): on record, but no light. The others count: one
    overdue and uncovered, yellow; two or more, red; grey while nothing is due yet.
    """
    if not facts.expects_monthly_reports:
        return Status.GREY, (), (), ()
    calendar = calendar if calendar is not None else calendar_of(facts)
    covers = (kind or kind_of(facts)) in judging.COVERED_BY_LATER_FIGURE
    latest = max(reported) if reported else None
    due_any = False
    missing: list[dt.date] = []
    lapsed: list[dt.date] = []
    for point in calendar:
        if as_of <= point.due:
            break  # this figure and the later ones are not due yet
        due_any = True
        if point.reported(reported):
            continue
        if covers and latest is not None and latest > point.last:
            lapsed.append(point.last)
        else:
            missing.append(point.last)
    if not due_any:
        return Status.GREY, (), (), ()
    reasons: list[Reason] = []
    if lapsed:
        reasons.append(Reason(REPORTING_LAPSE, {"periods": tuple(lapsed), "count": len(lapsed)}))
    if not missing:
        return Status.GREEN, tuple(reasons), (), tuple(lapsed)
    if len(missing) == 1:
        reasons.insert(0, Reason(REPORT_MISSING, {"periods": tuple(missing)}))
        return Status.YELLOW, tuple(reasons), tuple(missing), tuple(lapsed)
    reasons.insert(0, Reason(REPORTS_MISSING, {"periods": tuple(missing), "count": len(missing)}))
    return Status.RED, tuple(reasons), tuple(missing), tuple(lapsed)


# --- the whole item -------------------------------------------------------------------------------


def evaluate(facts: ItemFacts, as_of: dt.date) -> ItemStatus:
    """The item's lights on ``as_of`` (see the module docstring for the rules)."""
    visible = Visible(facts, as_of)
    kind = kind_of(facts)
    rules = value_rules_for(facts, kind)
    calendar = calendar_of(facts)
    final = judging.is_final(
        as_of, facts.period_end, calendar, visible.periods, needs_figure=rules is not None, live=facts.actual_from_rollup
    )
    if rules is None:
        value = NOT_APPLICABLE
    elif rules is CUMULATIVE_RULES:
        value = judge_cumulative(facts, as_of, visible, calendar, final)
    elif rules is STOCK_RULES:
        value = judge_stock(facts, as_of, visible, calendar, final)
    else:
        value = judge_against_target(facts, as_of, visible, rules, final)
    milestone_status, milestone_reasons, overdue, missed = judge_milestones(facts, as_of, rules is None)
    reporting_status, reporting_reasons, missing, lapsed = judge_reporting(facts, as_of, visible.periods, calendar, kind)

    status = worse(value.status, milestone_status, reporting_status)
    reasons = value.reasons + milestone_reasons + reporting_reasons
    overridden = facts.override is not None
    if overridden:
        override_status, text = facts.override
        status = Status(override_status)
        reasons = (
            Reason(
                OVERRIDE, {"status": status, "text": text, "computed": worse(value.status, milestone_status, reporting_status)}
            ),
            *reasons,
        )
    return ItemStatus(
        item_id=facts.item_id,
        as_of=as_of,
        status=status,
        expected=value.expected,
        actual=value.actual,
        ratio=value.ratio,
        gap=value.gap,
        forecast=value.forecast,
        judged_on=value.judged_on,
        value_status=value.status,
        milestone_status=milestone_status,
        reporting_status=reporting_status,
        overridden=overridden,
        reasons=reasons,
        overdue_milestones=overdue,
        missed_milestones=missed,
        missing_periods=missing,
        lapsed_periods=lapsed,
        final=final,
    )
