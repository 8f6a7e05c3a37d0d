"""The import workbooks the service writes (the progress template's 项目清单, the error workbook) keep a
unit's text that looks like a formula as text."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from projects.imports import template
from projects.imports.error_report import MARKED_SHEET, error_workbook
from targets.tests.formula_text import AT_SUM, HYPERLINK, PLUS_ONE, assert_written_as_text

from .factories import ProjectFactory


def test_the_progress_template_lists_item_titles_as_text(plan, departments):
    ProjectFactory(plan=plan, code="P-1", title=HYPERLINK, lead_department=departments["alpha"])
    ProjectFactory(plan=plan, code="P-2", title=AT_SUM, lead_department=departments["alpha"])
    ProjectFactory(plan=plan, code="P-3", title=PLUS_ONE, lead_department=departments["alpha"])

    content = template.progress_template(plan, departments["alpha"].pk)

    assert_written_as_text(content)
    listing = load_workbook(io.BytesIO(content))["项目清单"]
    assert [row[1] for row in listing.iter_rows(min_row=2, values_only=True)] == [HYPERLINK, AT_SUM, PLUS_ONE]


def uploaded(rows: list[list]) -> bytes:
    """A sheet whose cells hold the given text as text (as Excel saves a cell typed with a leading ')."""
    book = Workbook()
    sheet = book.active
    sheet.title = "进度"
    for number, values in enumerate(rows, start=1):
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(number, index, value)
            if isinstance(value, str):
                cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_error_workbook_copies_uploaded_text_as_text():
    data = uploaded([["项目编号", "形象进度", "存在问题", "累计完成投资（万元）"], ["P-1", HYPERLINK, AT_SUM, PLUS_ONE]])
    errors = [{"row": 2, "column": "累计完成投资（万元）", "message": "须为数字"}]

    content = error_workbook("进度.xlsx", data, "进度", errors, {"rows": [{"row": 2, "code": "P-1"}]})

    assert_written_as_text(content)
    marked = load_workbook(io.BytesIO(content))[MARKED_SHEET]
    assert [cell.value for cell in marked[2]] == ["P-1", HYPERLINK, AT_SUM, PLUS_ONE, "须为数字"]
