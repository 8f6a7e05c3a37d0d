"""The project register export (重大项目台账) of what the project list shows, as the bureau's .xlsx table.

    register_table(projects, as_of) -> targets.documents.spreadsheets.Table

The columns, their headers and values are projects.register_columns.EXPORTED. The projects come
from the project list's queryset (its filters, search and ordering) with its annotations:
latest_value / latest_report_date (the latest report) and duban_status (the light at the latest
run). Amounts in 万元; the totals row sums 总投资, 年度计划投资 and 累计完成投资 in 亿元, with the overall
completion rate (Σ completed ÷ Σ annual plan).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.utils import translation

from targets.documents.spreadsheets import Table, column_sum, one_decimal
from targets.documents.words import ledger_title

from ..register_columns import BY_KEY, EXPORTED, export_position

ANNUAL, COMPLETED = export_position("target_value"), export_position("latest_value")


def project_row(index: int, project) -> list:
    return [index if column.key == "index" else column.value_of(project) for column in EXPORTED]


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
        columns=[column.spreadsheet_column() for column in EXPORTED],
        rows=rows,
        totals={BY_KEY["completion"].header: overall_completion(rows)},
    )
