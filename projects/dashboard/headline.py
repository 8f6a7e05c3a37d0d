"""Headline numbers of the plan against its goals, each with its colour as of the month end.

The goals and their actual values are targets.headlines.headlines() at the month end; the colour is
the goal's StatusSnapshot at the latest supervision run on or before it (never re-derived here).
With filters set, each roll-up goal also shows the same roll-up over the selected projects only.
The register card sets completed investment against the register's annual plan and 序时 (the share
of the plan period elapsed at the month end).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from targets import formatting, periods
from targets import rollups as engine
from targets.choices import ActualSource, Rollup
from targets.documents.spreadsheets import one_decimal
from targets.engine.schedule import month_end
from targets.figures_cache import cached
from targets.headlines import completion_percent, headlines
from targets.models import Checkpoint, Plan

from .. import rollups
from . import filters as dashboard_filters
from .filters import Filters
from .status import run_date

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class HeadlineRow:
    pk: int
    code: str
    title: str
    modality: str
    target_text: str
    actual: Decimal | None
    actual_text: str
    percent: Decimal | None
    status: str | None  # None: no supervision run by the month end
    expected_text: str  # what the schedule expected by the judgement date (the snapshot's figure)
    selection: Decimal | None  # the roll-up over the selected projects (filters set, roll-up goals only)
    selection_text: str
    unit: str  # the unit figures are shown in (亿元 for goals the plan states in 亿元)
    show_in_yi: bool
    curve: list[CurvePoint]  # the start-rate curve of the new-starts goal


@dataclass(frozen=True)
class CurvePoint:
    date: dt.date
    expected: Decimal
    share: Decimal | None  # % of the goal's target
    due: bool  # on or before the month end


@dataclass(frozen=True)
class RegisterFigures:
    completed: Decimal  # 万元
    annual_plan: Decimal  # 万元
    completion: Decimal | None  # % of the annual plan
    elapsed: Decimal  # 序时: % of the plan period elapsed at the month end
    gap_points: Decimal | None  # completion − elapsed, in percentage points


@dataclass(frozen=True)
class HeadlineSection:
    run_date: dt.date | None
    rows: list[HeadlineRow]
    register: RegisterFigures
    narrowed: bool


def elapsed_percent(plan: Plan, as_of: dt.date) -> Decimal:
    """序时进度: months of the plan period whose last day has passed by as_of ÷ its months (a month elapses on its last day)."""
    months = dashboard_filters.plan_months(plan)
    if not months:
        return Decimal(0)
    elapsed = sum(1 for month in months if month_end(month.year, month.month) <= as_of)
    return one_decimal(Decimal(elapsed) * HUNDRED / Decimal(len(months)))


def register_rollups(plan: Plan, as_of: dt.date, fresh: bool = False) -> dict:
    """The plan's roll-ups as of the date, kept a while: the same entry as the admin home's (targets.headlines)."""
    return cached(f"rollups:{as_of.isoformat()}", plan, lambda: engine.compute_all(plan, as_of), fresh=fresh)


def headline_section(
    plan: Plan, as_of: dt.date, filters: Filters, fresh: bool = False, invested: dict | None = None
) -> HeadlineSection:
    """`invested`: the selection's completed investment ({"completed", "key_completed"}) when the
    caller has it (the investment cells), so the selection's roll-ups do not read its reports again."""
    computed = register_rollups(plan, as_of, fresh)
    selected = dashboard_filters.projects(plan, filters)
    selection = rollups.compute_all(plan, as_of, selected, invested=invested) if filters.narrowed else {}
    rows = headlines(plan, as_of, computed)
    date = run_date(plan, as_of)
    snapshots = {}
    if date is not None:
        snapshots = {
            item_id: (status, expected)
            for item_id, status, expected in periods.snapshots_on(plan, date)
            .filter(item_id__in=[row.target.pk for row in rows])
            .values_list("item_id", "status", "expected")
        }
    curve_goals = [row.target.pk for row in rows if row.target.rollup == Rollup.NEW_STARTS]
    checkpoints: dict[int, list[tuple[dt.date, Decimal]]] = {}
    if curve_goals:
        for item_id, date_, value in (
            Checkpoint.objects.filter(item_id__in=curve_goals).order_by("date").values_list("item_id", "date", "expected_value")
        ):
            checkpoints.setdefault(item_id, []).append((date_, value))

    result = []
    for row in rows:
        target = row.target
        status, expected = snapshots.get(target.pk, (None, None))
        in_selection = selection.get(target.rollup) if filters.narrowed and target.actual_source == ActualSource.ROLLUP else None
        result.append(
            HeadlineRow(
                pk=target.pk,
                code=target.code,
                title=target.title,
                modality=target.modality,
                target_text=formatting.goal_target(target),
                actual=row.actual,
                actual_text=formatting.goal_amount(target, row.actual),
                percent=row.percent,
                status=status,
                expected_text=formatting.goal_amount(target, expected),
                selection=in_selection,
                selection_text=formatting.goal_amount(target, in_selection),
                unit="亿元" if target.show_in_yi else target.unit,
                show_in_yi=target.show_in_yi,
                curve=[
                    CurvePoint(
                        date=date_,
                        expected=value,
                        share=completion_percent(target, value),
                        due=date_ <= as_of,
                    )
                    for date_, value in checkpoints.get(target.pk, [])
                ],
            )
        )

    register_values = selection if filters.narrowed else computed
    annual = register_annual_plan(plan, filters)
    completed = register_values.get(Rollup.COMPLETED_INVESTMENT, Decimal(0))
    completion = one_decimal(completed * HUNDRED / annual) if annual else None
    elapsed = elapsed_percent(plan, as_of)
    register = RegisterFigures(
        completed=completed,
        annual_plan=annual,
        completion=completion,
        elapsed=elapsed,
        gap_points=(completion - elapsed) if completion is not None else None,
    )
    return HeadlineSection(run_date=date, rows=result, register=register, narrowed=filters.narrowed)


def register_annual_plan(plan: Plan, filters: Filters) -> Decimal:
    """The annual planned investment (万元) of the selected projects."""
    total = dashboard_filters.projects(plan, filters).aggregate(total=Sum("target_value"))["total"]
    return total or Decimal(0)
