"""The goal list (目标任务台账) as the bureau's .xlsx table (targets.documents.spreadsheets).

    goals_table(goals, as_of) -> spreadsheets.Table

The goals come from the goal list's queryset (its filters, search and ordering) with the list's
annotations: latest_value (the latest report), duban_status (the light at the latest run) and, for
roll-up goals, duban_actual (set by targets.headlines.attach_actuals). Headers are Chinese literals and
choice labels are read in Chinese: the bureau's documents are Chinese in every interface language.

Goals of different units cannot be added up, so the 亿元 totals row sums only the amount goals
(metric kind "amount", stored in 万元): their target values and actual values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.utils import translation

from .. import formatting
from ..choices import ActualSource, Cadence, Curve, JudgingKind, MetricKind
from ..headlines import completion_percent
from .spreadsheets import Column, Table, column_sum, yi
from .words import ledger_title, light, zh

GOAL_COLUMNS = [
    Column("序号", 6, "int"),
    Column("目标编号", 11),
    Column("目标名称", 36, "wrap"),
    Column("承诺用语", 8),
    Column("目标（计划表述）", 18, "wrap"),
    Column("指标类型", 10),
    Column("目标值", 14, "number"),
    Column("实际完成", 14, "number"),
    Column("计量单位", 8),
    Column("完成率（%）", 10, "percent"),
    Column("最新报送日期", 12, "date"),
    Column("状态", 6),
    Column("牵头单位", 20, "wrap"),
    Column("责任领导", 14, "wrap"),
    Column("实际值来源", 12),
    # How the goal is judged (docs/judging.md): the same data as the goal page.
    Column("评价类型", 16, "wrap"),
    Column("报送周期", 12),
    Column("公布滞后（天）", 8, "int"),
    Column("进度曲线", 14),
    Column("约数容差", 8, "number"),
]
GOAL_TOTALS_LABEL = "合计（亿元，仅金额类目标）"


def goal_actual(goal) -> Decimal | None:
    if goal.actual_source == ActualSource.ROLLUP:
        return getattr(goal, "duban_actual", None)
    return getattr(goal, "latest_value", None)


def goal_unit(goal) -> str:
    return "万元" if goal.metric_kind == MetricKind.AMOUNT else goal.unit


def goal_row(index: int, goal) -> list:
    actual = goal_actual(goal)
    with translation.override("zh-hans"):
        stated = formatting.goal_target(goal)
    return [
        index,
        goal.code,
        goal.title,
        goal.modality,
        stated,
        zh(MetricKind, goal.metric_kind),
        goal.target_value,
        actual,
        goal_unit(goal),
        completion_percent(goal, actual),
        getattr(goal, "latest_report_date", None),
        light(getattr(goal, "duban_status", None)),
        goal.lead_department.name if goal.lead_department_id else "",
        str(goal.responsible_leader) if goal.responsible_leader_id else "",
        zh(ActualSource, goal.actual_source),
        zh(JudgingKind, goal.judging_kind),
        zh(Cadence, goal.cadence),
        goal.publication_lag_days,
        zh(Curve, goal.curve),
        goal.tolerance if goal.comparator == "~" else None,
    ]


def goals_table(goals: Sequence, as_of: dt.date) -> Table:
    """The goal ledger: one row per goal, in the given order, and the amount goals' totals in 亿元."""
    rows = [goal_row(index, goal) for index, goal in enumerate(goals, start=1)]
    amounts = [row for row, goal in zip(rows, goals, strict=True) if goal.metric_kind == MetricKind.AMOUNT]
    target_index, actual_index = 6, 7
    totals = {"目标值": yi(column_sum(amounts, target_index)), "实际完成": yi(column_sum(amounts, actual_index))}
    return Table(
        title=ledger_title("目标任务台账", (g.plan.year for g in goals), as_of),
        sheet="目标任务台账",
        columns=GOAL_COLUMNS,
        rows=rows,
        totals=totals,
        totals_label=GOAL_TOTALS_LABEL,
    )
