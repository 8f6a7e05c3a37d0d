"""The preview page of a large import: the new and changed rows a page at a time, the first errors
only, and the error workbook (导入错误明细) with every error and the uploaded sheet marked."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from projects.admin.imports import ERRORS_SHOWN
from projects.imports import jobs
from projects.models import ImportBatch

from .xlsx import workbook as make_workbook

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
LEDGER_URL = reverse("admin:projects_project_import_ledger")
HEADER = ["项目编号", "项目名称", "责任单位", "总投资（万元）", "年度计划投资（万元）"]
TITLE = "2023年重大项目台账"
pytestmark = pytest.mark.usefixtures("departments")


def ledger_rows(count: int, *, department: str = "区市场监督管理局") -> list[list]:
    return [[f"P{n:04d}", f"项目{n}", department, 1000 + n, 100] for n in range(1, count + 1)]


def upload(client, rows, plan, name="台账.xlsx") -> ImportBatch:
    data = make_workbook([HEADER, *rows], sheet="项目台账", title=TITLE)
    client.post(LEDGER_URL, {"plan": plan.pk, "file": SimpleUploadedFile(name, data)}, **EN)
    return ImportBatch.objects.latest("pk")


def batch_url(batch) -> str:
    return reverse("admin:projects_project_import_batch", args=[batch.pk])


def errors_url(batch) -> str:
    return reverse("admin:projects_project_import_errors", args=[batch.pk])


def codes_on(content: str) -> list[str]:
    """The codes of the new/changed rows table, in order."""
    table = content.split('class="duban-import-rows"', 1)[1].split("</table>", 1)[0]
    return [part.split("</td>", 1)[0] for part in table.split("</td><td>")[1:] if part.startswith("P")]


def test_it_pages_the_new_and_changed_rows_200_at_a_time_with_the_confirm_on_every_page(client, staff_user, plan):
    client.force_login(staff_user)
    batch = upload(client, ledger_rows(450), plan)
    assert (batch.status, batch.new_rows, batch.error_count) == ("ready", 450, 0)
    apply_url = reverse("admin:projects_project_import_apply", args=[batch.pk])

    first = client.get(batch_url(batch), **EN).content.decode()
    assert codes_on(first) == [f"P{n:04d}" for n in range(1, 201)]
    assert "rows 1–200 of 450" in first
    assert 'href="?page=2"' in first
    assert "This writes the whole file (450 rows), not only the rows on this page." in first

    second = client.get(batch_url(batch), {"page": 2}, **EN).content.decode()
    assert codes_on(second) == [f"P{n:04d}" for n in range(201, 401)]
    assert "rows 201–400 of 450" in second
    assert '<span class="this-page">2</span>' in second
    assert 'href="?page=1"' in second
    assert 'href="?page=3"' in second
    for page in (first, second):  # the counts and the confirm stay on every page
        assert apply_url in page
        assert '<li class="duban-new">new <strong>450</strong></li>' in page

    # A page past the end shows the last one; a page that is no number, the first.
    beyond = client.get(batch_url(batch), {"page": 99}, **EN).content.decode()
    assert codes_on(beyond) == [f"P{n:04d}" for n in range(401, 451)]
    assert "rows 401–450 of 450" in beyond
    assert codes_on(client.get(batch_url(batch), {"page": "x"}, **EN).content.decode())[0] == "P0001"


def test_it_shows_a_single_page_without_paginator_or_whole_file_note(client, staff_user, plan):
    client.force_login(staff_user)
    batch = upload(client, ledger_rows(3), plan)
    content = client.get(batch_url(batch), **EN).content.decode()
    assert codes_on(content) == ["P0001", "P0002", "P0003"]
    assert "duban-import-paginator" not in content
    assert "This writes the whole file" not in content


def test_it_reads_the_page_from_the_preview_json_with_as_many_queries_for_450_rows_as_for_3(client, staff_user, plan):
    client.force_login(staff_user)
    small = upload(client, ledger_rows(3), plan, name="small.xlsx")
    large = upload(client, ledger_rows(450), plan, name="large.xlsx")
    counts = []
    for batch, page in ((small, 1), (large, 1), (large, 2)):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(batch_url(batch), {"page": page}, **EN).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]
    assert counts[0] <= 10


def test_it_shows_the_first_500_errors_and_says_how_many_more_the_download_holds(client, staff_user, plan):
    client.force_login(staff_user)
    batch = upload(client, ledger_rows(ERRORS_SHOWN + 20, department="不存在的局"), plan)
    assert batch.error_count == ERRORS_SHOWN + 20

    response = client.get(batch_url(batch), **EN)
    content = response.content.decode()
    shown = content.split('class="duban-import-errors"', 1)[1].split("</table>", 1)[0]
    assert shown.count("<tr><td>") == ERRORS_SHOWN
    assert f"<td>{ERRORS_SHOWN + 2}</td><td>责任单位</td>" in shown  # the 500th error: Excel row 502
    assert f"<td>{ERRORS_SHOWN + 3}</td>" not in shown
    assert "20 more errors are not shown: download the error details." in content
    assert errors_url(batch) in content
    assert "Download error details (.xlsx)" in content


def test_a_few_errors_are_all_shown_without_the_note_but_with_the_download(client, staff_user, plan):
    client.force_login(staff_user)
    batch = upload(client, [*ledger_rows(2), ["P0003", "新区学校", "不存在的局", 10, 1]], plan)
    content = client.get(batch_url(batch), **EN).content.decode()
    assert "more error" not in content
    assert errors_url(batch) in content


def test_it_downloads_every_error_and_the_uploaded_sheet_marked_row_by_row(client, staff_user, plan):
    client.force_login(staff_user)
    bad = ["P0003", "新区学校", "不存在的局", "一亿", 100]
    batch = upload(client, [*ledger_rows(2), bad, ["P0004", "老城改造", "区市场监督管理局", 500, 50]], plan)
    assert batch.error_count == 2
    messages = [error["message"] for error in batch.errors]

    response = client.get(errors_url(batch))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == f"attachment; filename*=UTF-8''{quote('导入错误明细-台账.xlsx')}"
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["错误明细", "原表（标注错误）"]

    listed = [list(row) for row in book["错误明细"].iter_rows(min_row=2, values_only=True)]
    assert listed[0] == ["行号", "列", "问题", "项目编号"]
    assert listed[1:] == [[5, "责任单位", messages[0], "P0003"], [5, "总投资（万元）", messages[1], "P0003"]]

    marked = book["原表（标注错误）"]
    values = [list(row) for row in marked.iter_rows(values_only=True)]
    assert values[0][0] == TITLE
    assert values[1] == [*HEADER, "错误说明"]  # the header row gets the extra column's label
    assert values[4] == [*bad, "；".join(messages)]  # Excel row 5: the row with two errors
    assert values[2][:5] == ["P0001", "项目1", "区市场监督管理局", 1001, 100]
    assert values[2][5] is None
    assert values[5] == ["P0004", "老城改造", "区市场监督管理局", 500, 50, None]
    assert marked.cell(5, 6).fill.fgColor.rgb.endswith("FFC7CE")
    assert marked.cell(5, 3).fill.fill_type == "solid"  # the cells the errors name
    assert marked.cell(5, 4).fill.fill_type == "solid"
    assert marked.cell(5, 2).fill.fill_type is None
    assert marked.cell(3, 6).fill.fill_type is None


def test_the_error_workbook_of_an_unreadable_file_holds_the_error_list_only(client, staff_user, plan):
    batch = jobs.create_batch("ledger", plan, "旧.xlsx", b"not a workbook", staff_user)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status="ready", error_count=1, errors=[{"row": 3, "column": "项目名称", "message": "必填"}], preview={"sheet": "项目台账"}
    )
    client.force_login(staff_user)
    book = load_workbook(io.BytesIO(client.get(errors_url(batch)).content))
    assert book.sheetnames == ["错误明细"]
    assert list(book["错误明细"].iter_rows(min_row=3, values_only=True)) == [(3, "项目名称", "必填", None)]


def test_a_unit_user_cannot_download_another_units_or_a_ledgers_errors(client, staff_user, unit_user, other_unit_user, plan):
    error = [{"row": 2, "column": "项目编号", "message": "编号不存在"}]
    batches = {
        "mine": jobs.create_batch("progress", plan, "mine.xlsx", b"x", unit_user),
        "theirs": jobs.create_batch("progress", plan, "theirs.xlsx", b"x", other_unit_user),
        "ledger": jobs.create_batch("ledger", plan, "ledger.xlsx", b"x", staff_user),
    }
    ImportBatch.objects.update(status="ready", error_count=1, errors=error)

    client.force_login(unit_user)
    assert client.get(errors_url(batches["mine"])).status_code == 200
    assert client.get(errors_url(batches["theirs"])).status_code == 403
    assert client.get(errors_url(batches["ledger"])).status_code == 403
    client.force_login(other_unit_user)
    assert client.get(errors_url(batches["theirs"])).status_code == 200
    client.force_login(staff_user)
    assert client.get(errors_url(batches["theirs"])).status_code == 200


def test_a_batch_without_errors_has_no_download_link_and_no_workbook(client, staff_user, plan):
    client.force_login(staff_user)
    batch = upload(client, ledger_rows(2), plan)
    assert batch.error_count == 0
    content = client.get(batch_url(batch), **EN).content.decode()
    assert errors_url(batch) not in content
    assert "Download error details" not in content
    assert client.get(errors_url(batch)).status_code == 404
