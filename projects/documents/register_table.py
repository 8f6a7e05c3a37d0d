"""The project register export (重大项目台账) of what the project list shows, as the bureau's .xlsx table.

    register_table(projects, as_of) -> targets.spreadsheets.Table

The projects come from the project list's queryset (its filters, search and ordering) with its
annotations: latest_value / latest_report_date (the latest report) and duban_status (the light at
the latest run). Amounts in 万元; the totals row sums 总投资, 年度计划投资 and 累计完成投资 in 亿元,
with the overall completion rate (Σ completed ÷ Σ annual plan).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.utils import translation

from targets.exports import zh
from targets.headlines import completion_percent
from targets.ledgers import ledger_title, light
from targets.spreadsheets import Column, Table, column_sum, one_decimal

from ..choices import BatchLevel, Category, Stage

# The level flags as the bureau abbreviates them (a project can carry several).
LEVELS = (
    ("is_provincial_key", "省重点"),
    ("is_provincial_major_industrial", "省重大产业"),
    ("is_city_key", "市重点"),
    ("is_district_key", "区重点"),
    ("is_major", "重大"),
)

COLUMNS = [
    Column("序号", 6, "int"),
    Column("项目编号", 12),
    Column("项目名称", 32, "wrap"),
    Column("项目业主", 22, "wrap"),
    Column("乡镇（街道）", 10),
    Column("项目类别", 10),
    Column("项目层级", 14, "wrap"),
    Column("建设阶段", 10),
    Column("集中开工批次", 10),
    Column("总投资（万元）", 14, "wan", summed=True),
    Column("年度计划投资（万元）", 14, "wan", summed=True),
    Column("累计完成投资（万元）", 14, "wan", summed=True),
    Column("完成率（%）", 10, "percent"),
    Column("最新报送日期", 12, "date"),
    Column("状态", 6),
    Column("责任单位", 20, "wrap"),
    Column("责任领导", 14, "wrap"),
]
ANNUAL, COMPLETED = 10, 11


def level_text(project) -> str:
    return "、".join(label for flag, label in LEVELS if getattr(project, flag))


def project_row(index: int, project) -> list:
    actual = project.latest_value
    return [
        index,
        project.code,
        project.title,
        project.owner_company,
        project.township,
        zh(Category, project.category),
        level_text(project),
        zh(Stage, project.stage),
        zh(BatchLevel, project.batch_level),
        project.total_investment,
        project.target_value,
        actual,
        completion_percent(project, actual),
        project.latest_report_date,
        light(getattr(project, "duban_status", None)),
        project.lead_department.name if project.lead_department_id else "",
        str(project.responsible_leader) if project.responsible_leader_id else "",
    ]


def overall_completion(rows: Sequence[Sequence]) -> Decimal | None:
    """Σ completed ÷ Σ annual plan (%), a project without a report counting 0."""
    annual = column_sum(rows, ANNUAL)
    return one_decimal(column_sum(rows, COMPLETED) * 100 / annual) if annual else None


def register_table(projects: Sequence, as_of: dt.date) -> Table:
    """The register table: one row per project, in the given order, and the totals row in 亿元."""
    with translation.override("zh-hans"):
        rows = [project_row(index, project) for index, project in enumerate(projects, start=1)]
    return Table(
        title=ledger_title("重大项目台账", (p.plan.year for p in projects), as_of),
        sheet="重大项目台账",
        columns=COLUMNS,
        rows=rows,
        totals={"完成率（%）": overall_completion(rows)},
    )
