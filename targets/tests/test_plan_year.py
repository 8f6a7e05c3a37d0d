"""A whole plan year on PostgreSQL (issue 10): plan_2023 with a synthetic year of reports.

On its own curve and cadence, no goal or named project is ever yellow or red from 1 February to
15 January, every item gets its final verdict (met) and the daily job stops. The same year 20 %
behind from mid-year: every goal with a number is yellow or red by its next due date after June
and red at its final verdict.

Roll-up goals are switched to hand-reported figures here: their pools (G14's 240 projects …) are
computed from a register this test does not build; the rules judge a roll-up's value the same way.
Every day is judged through the engine (targets.engine.rules over the facts targets.engine.evaluation gathers);
the supervision run itself (snapshots, findings, verdicts, the daily job) runs on the dates where
a rule changes its answer: due dates, month ends, the deadline and the days after it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import F, Q

from targets.choices import ActualSource, JudgingKind, VerdictOutcome
from targets.engine import rules, supervision
from targets.engine.evaluation import gather
from targets.engine.facts import ItemFacts, Status
from targets.engine.schedule import lower_is_better, month_start
from targets.models import Milestone, Plan, ProgressReport, StatusSnapshot, SupervisionRun, Target, TrackedItem, Verdict

pytestmark = pytest.mark.django_db

MID_YEAR = dt.date(2023, 6, 30)
FIRST, LAST = dt.date(2023, 2, 1), dt.date(2024, 1, 15)
LAGGING = {Status.YELLOW, Status.RED}
BEHIND = Decimal("0.8")
STEP = Decimal("0.001")


def days(start: dt.date, end: dt.date):
    while start <= end:
        yield start
        start += dt.timedelta(days=1)


def synthetic(facts: ItemFacts, point_date: dt.date, behind: bool) -> Decimal | None:
    """The figure as of a statistics point on the item's own curve (20 % short after June if behind)."""
    kind = rules.kind_of(facts)
    late = behind and point_date > MID_YEAR
    lower = lower_is_better(facts.comparator)
    if kind == JudgingKind.INDICATIVE and facts.target_value is None:
        margin = Decimal(-1) if lower else Decimal(1)  # a relation reported as its margin
        return -margin if late else margin
    if facts.target_value is None:
        return None  # named projects: the plan gives no investment figure
    value = rules.expected_at(facts, point_date) if kind == JudgingKind.CUMULATIVE else facts.target_value
    if late:
        value = value / BEHIND if lower else value * BEHIND  # a ranking 25 % lower is 20 % behind
    elif facts.comparator == ">":
        value += STEP  # beating the number is the curve of a strict goal
    return value.quantize(STEP)


def load_year(behind: bool) -> tuple[Plan, dict[int, ItemFacts]]:
    call_command("loaddata", "plan_2023", verbosity=0)
    plan = Plan.objects.get(year=2023)
    Target.objects.filter(plan=plan, actual_source=ActualSource.ROLLUP).update(actual_source=ActualSource.REPORTED, rollup="")
    Milestone.objects.filter(item__plan=plan).update(actual_date=F("planned_date"))
    facts = {f.item_id: f for chunk in gather(plan, LAST) for f in chunk}
    reports = []
    for f in facts.values():
        if rules.value_rules_for(f) is None and not f.expects_monthly_reports:
            continue  # yes/no goals: their milestones are done on their dates
        for point in rules.calendar_of(f):
            reports.append(
                ProgressReport(
                    item_id=f.item_id, as_of=point.date, period=month_start(point.date), value=synthetic(f, point.date, behind)
                )
            )
    ProgressReport.objects.bulk_create(reports)
    return plan, {f.item_id: f for chunk in gather(plan, LAST) for f in chunk}


def change_dates(facts: dict[int, ItemFacts]) -> list[dt.date]:
    """Every date on which a rule can change its answer for some item (targets.engine.judging's calendar:
    statistics points, due dates and lag dates; deadlines, checkpoints and season-window edges,
    milestone dates), each with the day after, within the year judged."""
    one = dt.timedelta(days=1)
    turns: set[dt.date] = set()
    for f in facts.values():
        for point in rules.calendar_of(f):
            turns.update((point.date, point.due))
        turns.update(day for day, _expected in f.checkpoints)
        turns.update(m.planned_date for m in f.milestones if m.planned_date)
        turns.update(m.actual_date for m in f.milestones if m.actual_date)
        turns.add(f.period_end)
    return sorted(day for turn in turns for day in (turn, turn + one) if FIRST <= day <= LAST)


def numeric_goals(facts: dict[int, ItemFacts]) -> list[ItemFacts]:
    return [
        f
        for f in facts.values()
        if f.kind == "goal" and f.target_value is not None and rules.value_rules_for(f) is not None and f.period_end > MID_YEAR
    ]


def test_a_year_on_the_curve_is_never_yellow_or_red(require_postgres):
    plan, facts = load_year(behind=False)
    assert len(facts) == 76 + 42
    lagging = [
        (day, f.item_id, s.status, [r.code for r in s.reasons])
        for day in days(FIRST, LAST)
        for f in facts.values()
        if (s := rules.evaluate(f, day)).status in LAGGING
    ]
    assert lagging == []

    # The supervision run on every date a rule turns: points, due and lag dates, deadlines, window
    # edges, milestone dates and the day after each.
    turns = change_dates(facts)
    assert len(turns) > 40
    assert {dt.date(2023, 3, 6), dt.date(2023, 4, 21), dt.date(2024, 1, 1)} <= set(turns)
    for day in turns:
        if day > dt.date(2024, 1, 1) and plan not in supervision.plans_for(day):
            break  # every verdict made (checked below)
        (summary,) = supervision.supervise_plans(day)
        assert summary.counts.get("red", 0) + summary.counts.get("yellow", 0) == 0, (day, summary.line())
    verdicts = Verdict.objects.filter(plan=plan)
    assert verdicts.count() == TrackedItem.objects.filter(plan=plan).count()
    # G76 (适时启动, conditional on prices) has no milestone date, so nothing to judge; named projects
    # without a milestone or an investment figure neither.
    undated = Q(kind="project", milestones__isnull=True) | Q(code="2023-G76")
    not_judged = set(verdicts.filter(outcome=VerdictOutcome.NOT_JUDGED).values_list("item_id", flat=True))
    assert not_judged == set(TrackedItem.objects.filter(undated, plan=plan).values_list("pk", flat=True))
    assert set(verdicts.filter(item__kind="goal").exclude(item_id__in=not_judged).values_list("outcome", flat=True)) == {
        VerdictOutcome.MET
    }
    assert set(verdicts.exclude(item_id__in=not_judged).values_list("outcome", flat=True)) == {VerdictOutcome.MET}
    assert Verdict.objects.get(item__code="2023-G53").actual == Decimal("98.392")

    # Every verdict made: the daily job stops, and says what to type instead.
    assert supervision.plans_for(dt.date(2024, 1, 2)) == []
    assert "--plan 2023" in supervision.nothing_to_do_hint(dt.date(2024, 1, 2))
    (summary,) = supervision.supervise_plans(dt.date(2024, 6, 1), 2023)
    assert summary.dates == [dt.date(2024, 1, 1)]  # never after its final verdicts
    assert not SupervisionRun.objects.filter(plan=plan, as_of__gt=dt.date(2024, 1, 1)).exists()


def test_a_year_20_percent_behind_from_mid_year(require_postgres):
    plan, facts = load_year(behind=True)
    goals = numeric_goals(facts)
    assert len(goals) > 30
    late_by_due_date = []
    for f in goals:
        point = next(p for p in rules.calendar_of(f) if p.date > MID_YEAR)
        status = rules.evaluate(f, point.due).status
        if status not in LAGGING:
            late_by_due_date.append((f.item_id, point.due, status))
    assert late_by_due_date == []

    # The supervision run agrees on each goal's next due date after mid-year (its snapshot); annual
    # figures, due after the year, are checked by the final verdicts below.
    next_due = {f.item_id: next(p for p in rules.calendar_of(f) if p.date > MID_YEAR).due for f in goals}
    next_due = {item_id: day for item_id, day in next_due.items() if day < dt.date(2023, 12, 31)}
    assert len(next_due) > 20
    for day in sorted(set(next_due.values())):
        supervision.supervise(plan, day)
    snapshots = {
        item_id: status
        for item_id, day, status in StatusSnapshot.objects.filter(item_id__in=list(next_due)).values_list(
            "item_id", "date", "status"
        )
        if day == next_due[item_id]
    }
    assert {item_id: snapshots.get(item_id) for item_id in next_due if snapshots.get(item_id) not in ("red", "yellow")} == {}

    # The daily job evaluates the plan after its period until every verdict is made.
    assert plan in supervision.plans_for(dt.date(2023, 12, 31))
    supervision.supervise_plans(dt.date(2023, 12, 31))
    assert plan in supervision.plans_for(dt.date(2024, 1, 6))
    supervision.supervise_plans(dt.date(2024, 1, 6))
    outcomes = dict(Verdict.objects.filter(item_id__in=[f.item_id for f in goals]).values_list("item_id", "outcome"))
    statuses = dict(Verdict.objects.filter(item_id__in=[f.item_id for f in goals]).values_list("item_id", "status"))
    assert {outcomes.get(f.item_id) for f in goals} == {VerdictOutcome.MISSED}
    assert {statuses.get(f.item_id) for f in goals} == {"red"}


def test_catching_up_clears_red_and_records_the_lapse(require_postgres):
    """Missed February-May, then a cumulative 190/200 on 07-15: the red finding becomes ready to
    close, and the missed reports become one reporting-lapse finding (报送不及时), raised once."""
    from targets import findings
    from targets.choices import OPEN_FINDING_STATES, FindingCause
    from targets.models import Finding
    from targets.tests.factories import ProgressReportFactory, TargetFactory

    goal = TargetFactory(target_value=Decimal("200"), cadence="monthly", judging_kind="cumulative")
    ProgressReportFactory(item=goal, as_of=dt.date(2023, 2, 28), value=Decimal("40"))
    supervision.supervise_plans(dt.date(2023, 6, 6))
    red = Finding.objects.get(item=goal, cause=FindingCause.RED)
    assert not red.ready_to_close
    findings.confirm(red, None)  # confirmed by staff: a draft would be withdrawn when the item recovers

    ProgressReportFactory(item=goal, as_of=dt.date(2023, 7, 15), value=Decimal("190"))
    for day in (dt.date(2023, 7, 15), dt.date(2023, 7, 16), dt.date(2023, 7, 31)):
        supervision.supervise_plans(day)
    red.refresh_from_db()
    assert red.ready_to_close
    lapses = Finding.objects.filter(item=goal, cause=FindingCause.REPORTING_LAPSE, state__in=OPEN_FINDING_STATES)
    assert lapses.count() == 1
    assert "2023-03, 2023-04, 2023-05, 2023-06" in lapses.get().description
