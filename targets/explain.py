"""How a goal is judged, in plain words: the goal page and `manage.py explain_plan` print these lines.

Everything here is read from the goal's judging data and the rule homes (targets.engine.judging,
targets.engine.rules, the plan's thresholds), so the text cannot drift from what the engine does.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from . import formatting
from .choices import ActualSource, Cadence, Curve, JudgingKind, ScheduleMode
from .engine import judging


def _day(value: dt.date) -> str:
    return value.isoformat()


def _pct(share: Decimal) -> str:
    return formatting.percent(share * 100)


def explain(
    goal, checkpoints: list[tuple[dt.date, Decimal]], milestones: list[tuple[str, dt.date | None]], as_of=None
) -> list[str]:
    """The lines of "how this goal is judged" for a Target (with its plan), its checkpoint rows and
    its milestones as (title, planned date); ``as_of`` sets "the next figure is due" (default: none)."""
    plan = goal.plan
    kind = judging.kind_of(goal.judging_kind, goal.metric_kind, goal.schedule_mode, goal.target_value)
    cadence = judging.cadence_of(goal.cadence)
    rollup = goal.actual_source == ActualSource.ROLLUP
    owes = judging.owes_reports(goal.kind, goal.metric_kind, goal.actual_source, goal.schedule_mode, goal.cadence)
    window_ends = tuple(day for day, _v in checkpoints) if cadence == Cadence.SEASONAL else ()
    calendar = judging.points(
        cadence, goal.period_start, goal.period_end, plan.report_due_day, goal.publication_lag_days, window_ends
    )
    target = formatting.goal_target(goal)
    lines = [
        _("Judged as: %(kind)s; target %(target)s; deadline %(end)s.")
        % {
            "kind": goal.get_judging_kind_display() if goal.judging_kind else _label(JudgingKind, kind),
            "target": target,
            "end": _day(goal.period_end),
        }
    ]
    if goal.comparator == "~":
        lines.append(_("“About”: met from %(tolerance)s below the number.") % {"tolerance": _pct(goal.tolerance)})

    # When figures come in.
    if kind == JudgingKind.YES_NO:
        lines.append(_("No figure to report: the milestones judge the goal."))
    elif rollup:
        lines.append(
            _("The value is computed from the project register (%(rollup)s) every day; no report is owed.")
            % {"rollup": goal.get_rollup_display()}
        )
    elif cadence == Cadence.MONTHLY and kind == JudgingKind.STOCK:
        lines.append(
            _("Figures: a check at every month end from February, each due by day %(day)s of the next month.")
            % {"day": plan.report_due_day}
        )
    elif cadence == Cadence.MONTHLY:
        lines.append(
            _(
                "Figures: monthly, cumulative since January; each month's figure is due by day %(day)s of the next month. January is reported with February (first due %(first)s)."
            )
            % {"day": plan.report_due_day, "first": _day(calendar[0].due)}
        )
    elif cadence == Cadence.QUARTERLY:
        lines.append(
            _("Figures: quarterly (%(points)s), each due %(lag)s.")
            % {"points": ", ".join(p.date.strftime("%m-%d") for p in calendar), "lag": _lag(goal, plan)}
        )
    elif cadence == Cadence.SEASONAL:
        lines.append(
            _("Figures: at the end of each season window (%(points)s), each due %(lag)s.")
            % {"points": ", ".join(p.date.strftime("%m-%d") for p in calendar), "lag": _lag(goal, plan)}
        )
    elif cadence == Cadence.ANNUAL:
        lines.append(
            _("Figures: the published figure for the period, due %(due)s; in-year figures are indicative.")
            % {"due": _day(calendar[-1].due)}
        )
    else:
        lines.append(_("Figures: reported when the event happens; no periodic report is owed."))

    # What is expected, and what makes it yellow and red.
    green, red = plan.threshold_green, plan.threshold_red
    if kind == JudgingKind.CUMULATIVE:
        lines.append(_curve_line(goal, checkpoints))
        lines.append(
            _(
                "Yellow: behind the expected value at the latest figure (below %(green)s of it, at least %(red)s); red: below %(red)s, or no figure once one is overdue."
            )
            % {"green": _pct(green), "red": _pct(red)}
        )
        lines.append(_("At the deadline: met (green) if the figure reaches the target, otherwise missed (red)."))
    elif kind == JudgingKind.STOCK:
        lines.append(
            _("Stock level: every check must be at or above %(target)s. Red whenever a check is below it; no yellow.")
            % {"target": formatting.goal_amount(goal, goal.target_value)}
        )
        lines.append(_("At the end: met only if no check of the period was below the level."))
    elif kind == JudgingKind.LEVEL:
        lines.append(
            _(
                "No path: the latest figure itself is compared with the target. Yellow while below it; red if still below at the deadline."
            )
        )
    elif kind == JudgingKind.INDICATIVE:
        lines.append(_("In-year figures are indicative: green when they meet the target, yellow when not (never red)."))
        lines.append(_("Final verdict on the published figure: green if it meets the target, red if not or if it is overdue."))
    else:
        dated = [(title, planned) for title, planned in milestones if planned]
        if dated:
            lines.append(_("Milestones: %(list)s.") % {"list": "; ".join(f"{title} {_day(planned)}" for title, planned in dated)})
        else:
            lines.append(_("No milestone has a date yet: grey until the bureau sets one."))
        lines.append(
            _(
                "A reminder (not a light) %(days)s days before a milestone's date. Yellow once it is overdue; red from %(months)s months overdue or undone at the period end."
            )
            % {"days": plan.due_soon_days, "months": plan.milestone_red_months}
        )
    if owes:
        lines.append(
            _(
                "Missing reports: one overdue, yellow; two or more, red. A later cumulative figure covers the months before it: they stay on record as reports not filed on time (报送不及时) but no longer colour the goal."
            )
            if kind in judging.COVERED_BY_LATER_FIGURE
            else _("Missing reports: one overdue, yellow; two or more, red (a missed check is not covered by a later one).")
        )
    day_after = goal.period_end + dt.timedelta(days=1)
    if kind == JudgingKind.YES_NO and not any(planned for _title, planned in milestones):
        lines.append(_("Final verdict (年终评价): none while no milestone has a date (not judged)."))
        return lines
    final_due = max(calendar[-1].due, day_after) if kind != JudgingKind.YES_NO and not rollup else day_after
    lines.append(
        _(
            "Final verdict (年终评价): made once the deadline has passed and the last figure is in or overdue (at the latest %(due)s)."
        )
        % {"due": _day(final_due)}
    )
    if as_of is not None and owes:
        upcoming = next((p for p in calendar if p.due >= as_of), None)
        if upcoming is not None:
            lines.append(
                _("Next figure due: %(due)s (as of %(point)s).") % {"due": _day(upcoming.due), "point": _day(upcoming.date)}
            )
    return lines


def _label(choices, value: str) -> str:
    return str(choices(value).label)


def _lag(goal, plan) -> str:
    if goal.publication_lag_days is not None:
        return _("%(days)s days after its date") % {"days": goal.publication_lag_days}
    return _("by day %(day)s of the next month") % {"day": plan.report_due_day}


def _curve_line(goal, checkpoints) -> str:
    if goal.curve == Curve.DEADLINE:
        return _("Expected: the full target by the deadline; nothing is expected before it.")
    if goal.schedule_mode == ScheduleMode.CHECKPOINTS and checkpoints:
        name = goal.get_curve_display() if goal.curve else _("Plan checkpoints")
        rows = ", ".join(f"{day.strftime('%m-%d')} {formatting.goal_amount(goal, value)}" for day, value in checkpoints)
        return _("Expected: %(name)s: %(rows)s (straight between them).") % {"name": name, "rows": rows}
    if goal.curve == Curve.QUARTER_SHARES:
        return _("Expected: a quarter of the target per quarter (序时 at the quarter ends).")
    return _("Expected: time-proportional (序时): the target × elapsed months ÷ months in the period.")


def explain_goals(plan, as_of=None) -> list[tuple[object, list[str]]]:
    """(goal, lines) for every goal of the plan, in code order (three queries)."""
    from .models import Checkpoint, Milestone, Target

    goals = list(Target.objects.filter(plan=plan).select_related("plan").order_by("code"))
    checkpoints: dict[int, list] = {}
    for item_id, day, value in (
        Checkpoint.objects.filter(item__plan=plan).order_by("item_id", "date").values_list("item_id", "date", "expected_value")
    ):
        checkpoints.setdefault(item_id, []).append((day, value))
    milestones: dict[int, list] = {}
    for item_id, title, planned in (
        Milestone.objects.filter(item__plan=plan)
        .order_by("item_id", "planned_date", "pk")
        .values_list("item_id", "title", "planned_date")
    ):
        milestones.setdefault(item_id, []).append((title, planned))
    return [(goal, explain(goal, checkpoints.get(goal.pk, []), milestones.get(goal.pk, []), as_of)) for goal in goals]
