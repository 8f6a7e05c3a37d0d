"""targets.documents.spreadsheets: text stays text, datetimes are Asia/Shanghai days, numbers stay numbers."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from decimal import Decimal

import openpyxl

from targets.documents.spreadsheets import Column, Table, append_row, new_workbook, table_xlsx, to_bytes, write_cell

from .formula_text import HYPERLINK, INJECTIONS, assert_written_as_text

UTC = dt.UTC
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
COLUMNS = [Column("形象进度", 30, "wrap"), Column("金额（万元）", 12, "wan", summed=True), Column("日期", 12, "date")]


def sheet_of(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).active


def test_it_writes_text_that_looks_like_a_formula_as_text():
    rows = [[value, Decimal("-5"), None] for value in (*INJECTIONS, "-3", "\tx", "\rx")]
    content = table_xlsx(Table(title=f"{HYPERLINK}表", sheet="表", columns=[Column(HYPERLINK), *COLUMNS[1:]], rows=rows))

    assert_written_as_text(content, (*INJECTIONS, "-3", "\tx", f"{HYPERLINK}表"))
    sheet = sheet_of(content)
    assert sheet["A2"].value == HYPERLINK  # the header too
    assert [sheet.cell(row, 1).value for row in range(3, 8)] == [*INJECTIONS, "-3", "\tx"]
    # Numbers are not text: a negative amount stays a number.
    assert (sheet["B3"].value, sheet["B3"].data_type) == (-5, "n")


def test_it_leaves_ordinary_text_unflagged():
    sheet = sheet_of(table_xlsx(Table(title="表", sheet="表", columns=COLUMNS, rows=[["主体结构施工", 1, None]])))
    assert (sheet["A3"].value, sheet["A3"].data_type, sheet["A3"].quotePrefix) == ("主体结构施工", "s", False)


def test_it_keeps_text_in_cells_written_one_by_one():
    book = new_workbook("表")
    sheet = book.create_sheet("表")
    append_row(sheet, [HYPERLINK, Decimal("-1")])
    write_cell(sheet, 2, 1, "@SUM(A1)")
    write_cell(sheet, 2, 2, "+1")
    content = to_bytes(book)

    assert_written_as_text(content)
    assert sheet_of(content)["B1"].value == -1


def test_it_writes_an_aware_datetime_as_its_day_in_shanghai():
    rows = [
        [str(hour), 0, dt.datetime(2023, 7, 31, hour, 30, tzinfo=UTC)]
        for hour in (15, 16, 23)  # 23:30, 00:30 and 07:30 in Shanghai
    ]
    rows.append(["naive", 0, dt.datetime(2023, 7, 31, 23, 30)])  # noqa: DTZ001 - a naive one keeps its day
    rows.append(["shanghai", 0, dt.datetime(2023, 8, 1, 0, 30, tzinfo=SHANGHAI)])
    sheet = sheet_of(table_xlsx(Table(title="表", sheet="表", columns=COLUMNS, rows=rows)))

    days = [sheet.cell(row, 3).value.date() for row in range(3, 8)]
    assert days == [dt.date(2023, 7, 31), dt.date(2023, 8, 1), dt.date(2023, 8, 1), dt.date(2023, 7, 31), dt.date(2023, 8, 1)]
