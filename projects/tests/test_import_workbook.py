"""Reading the bureau's workbooks: values as units type them, header rows wherever they are, bad files."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Font

from projects.imports import workbook
from projects.imports.workbook import CellError, ImportFileError, Month

from .xlsx import with_cached_values
from .xlsx import workbook as make_workbook

D = dt.date
KNOWN = {"项目编号": "code", "项目名称": "title", "总投资": "total"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (1234.5, Decimal("1234.50")),
        (12, Decimal("12")),
        ("1,234.5", Decimal("1234.5")),
        ("１２，３４５．６", Decimal("12345.6")),  # full-width digits and separators
        ("  8000 ", Decimal("8000")),
        ("30000万元", Decimal("30000")),
        (1234.5600000001, Decimal("1234.56")),  # formula float noise
        ("", None),
        (None, None),
    ],
)
def test_it_reads_numbers_as_units_type_them(raw, expected):
    assert workbook.parse_number(raw) == expected


@pytest.mark.parametrize("raw", ["一千", "12..5", "1e5", "abc", True])
def test_it_rejects_what_is_not_a_number(raw):
    with pytest.raises(CellError, match=r"不是数字|is not a number"):
        workbook.parse_number(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (dt.datetime(2023, 3, 31, 0, 0), D(2023, 3, 31)),  # noqa: DTZ001 - Excel date cells are naive
        (D(2023, 3, 31), D(2023, 3, 31)),
        ("2023-03-31", D(2023, 3, 31)),
        ("2023/3/31", D(2023, 3, 31)),
        ("2023.3.31", D(2023, 3, 31)),
        ("2023年3月31日", D(2023, 3, 31)),
        ("２０２３年３月３１日", D(2023, 3, 31)),
        ("", None),
    ],
)
def test_it_reads_dates_in_the_bureaus_formats(raw, expected):
    assert workbook.parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["31/03/2023", "2023-02-30", "三月底", 45000])
def test_it_rejects_dates_in_other_formats(raw):
    with pytest.raises(CellError):
        workbook.parse_date(raw)


@pytest.mark.parametrize(
    "raw",
    ["1—2月", "1-2月", "1~2月", "1～2月", "1–2月", "1至2月", "2023年1—2月", "2023年1-2月份", " 1 — 2 月 "],
)
def test_it_reads_every_way_of_writing_january_and_february_together_as_the_end_of_february(raw):
    month = workbook.parse_month(raw)
    assert month.combined
    assert month.end(2023) == D(2023, 2, 28)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3月", D(2023, 3, 31)),
        ("2023年3月", D(2023, 3, 31)),
        ("2023-03", D(2023, 3, 31)),
        ("2023/3", D(2023, 3, 31)),
        ("12月份", D(2023, 12, 31)),
        (dt.datetime(2023, 3, 1), D(2023, 3, 31)),  # noqa: DTZ001 - Excel date cells are naive
        (D(2024, 2, 10), D(2024, 2, 29)),
        ("2022年6月", D(2022, 6, 30)),
    ],
)
def test_it_reads_single_months_and_date_cells_as_the_months_end(raw, expected):
    assert workbook.parse_month(raw).end(2023) == expected


@pytest.mark.parametrize("raw", ["13月", "三月", "2023-13", "上半年"])
def test_it_rejects_what_names_no_month(raw):
    with pytest.raises(CellError):
        workbook.parse_month(raw)


def test_month_headers_of_a_plan_are_recognised_with_their_suffixes():
    assert workbook.match_month("1—2月累计计划") == Month(None, 2, combined=True)
    assert workbook.match_month("3月计划") == Month(None, 3)
    assert workbook.match_month("2023年计划") is None
    assert workbook.match_month("项目名称") is None


@pytest.mark.parametrize(
    ("raw", "expected"), [("是", True), ("否", False), ("", False), (None, False), ("√", True), ("Y", True), ("0", False)]
)
def test_it_reads_yes_and_no(raw, expected):
    assert workbook.parse_yes_no(raw) is expected


def test_it_rejects_other_answers_to_a_yes_no_column():
    with pytest.raises(CellError):
        workbook.parse_yes_no("可能")


def test_it_finds_the_header_below_a_merged_title_row_and_skips_blank_rows():
    data = make_workbook(
        [[], ["项目编号", "项目名称", "总投资（万元）"], ["P1", "大桥", "1,000"], [None, None], ["P2", "学校", 5]],
        title="2023年重大项目台账",
    )
    table = workbook.read_table(data, ["项目台账"], KNOWN)

    assert table.columns == {"code": 0, "title": 1, "total": 2}
    assert table.headers["total"] == "总投资（万元）"
    assert [(n, row[0]) for n, row in table.rows] == [(4, "P1"), (6, "P2")]  # Excel row numbers


def test_it_reads_a_two_row_header_whose_merged_group_spans_month_sub_columns():
    rows = [
        ["项目编号", "项目名称", "2023年计划", None],
        [None, None, "1—2月", "3月"],
        ["P1", "大桥", 100, 200],
    ]
    data = make_workbook(rows, title="台账", merges=["A2:A3", "B2:B3", "C2:D2"])
    table = workbook.read_table(
        data, ["项目台账"], KNOWN, extra_header=lambda text: f"month:{m.month}" if (m := workbook.match_month(text)) else None
    )

    assert table.columns == {"code": 0, "title": 1, "month:2": 2, "month:3": 3}
    assert table.header_rows == (2, 3)
    assert [n for n, _row in table.rows] == [4]


def test_it_reports_a_missing_required_column_rather_than_guessing():
    data = make_workbook([["项目名称", "总投资"], ["大桥", 1]])
    table = workbook.read_table(data, ["项目台账"], KNOWN, required={"code": "项目编号"})
    assert table.missing == ["code"]


def test_a_formula_gives_its_cached_value_and_one_without_is_marked():
    data = make_workbook([["项目编号", "总投资"], ["P1", "=2*500"], ["P2", "=2*600"]])
    cached = workbook.read_table(with_cached_values(data, {"B2": "1000"}), ["项目台账"], KNOWN)

    assert cached.rows[0][1][1] == 1000
    assert cached.rows[1][1][1] is workbook.NO_CACHED_VALUE


def test_it_refuses_a_file_that_is_not_xlsx():
    with pytest.raises(ImportFileError, match="xlsx"):
        workbook.read_table(b"code,title\nP1,bridge\n", ["项目台账"], KNOWN)


def test_it_refuses_an_empty_file_and_an_empty_sheet():
    with pytest.raises(ImportFileError):
        workbook.read_table(b"", ["项目台账"], KNOWN)
    with pytest.raises(ImportFileError):
        workbook.read_table(make_workbook([]), ["项目台账"], KNOWN)


def test_it_names_the_missing_sheet_and_the_sheets_it_found():
    data = make_workbook([["项目编号"], ["P1"]], sheet="Sheet1", extra_sheets=["汇总"])
    with pytest.raises(ImportFileError) as error:
        workbook.read_table(data, ["项目台账"], KNOWN)
    assert "项目台账" in str(error.value)
    assert "Sheet1" in str(error.value)
    assert "汇总" in str(error.value)


def test_a_single_sheet_with_another_name_is_read():
    table = workbook.read_table(make_workbook([["项目编号"], ["P1"]], sheet="Sheet1"), ["项目台账"], KNOWN)
    assert table.name == "Sheet1"
    assert len(table.rows) == 1


def test_a_sheet_with_no_known_header_is_refused():
    with pytest.raises(ImportFileError):
        workbook.read_table(make_workbook([["a", "b"], [1, 2]]), ["项目台账"], KNOWN)


# --- Size caps: a small upload must not unpack into gigabytes -----------------------------------


def padded_sheet(data: bytes, padding: int) -> bytes:
    """The workbook with its sheet's XML padded by `padding` bytes of whitespace (compresses ~1000:1)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"<sheetData>", b"<sheetData>" + b" " * padding)
            target.writestr(item, content)
    return out.getvalue()


def test_it_refuses_a_zip_bomb_before_unpacking_it():
    data = padded_sheet(make_workbook([["项目编号"], ["P1"]]), 20 * 2**20)

    assert len(data) < 100_000  # 20 MB of sheet in a file of a few dozen KB
    with translation.override("en"), pytest.raises(ImportFileError, match="too large"):
        workbook.read_table(data, ["项目台账"], KNOWN)


def test_it_refuses_a_workbook_unpacking_past_the_total_cap(monkeypatch):
    data = make_workbook([["项目编号"], ["P1"]])
    monkeypatch.setattr(workbook, "MAX_UNPACKED_BYTES", 4096)  # the real cap is 100 MB

    with translation.override("en"), pytest.raises(ImportFileError, match="at most 0 MB"):
        workbook.read_table(data, ["项目台账"], KNOWN)


def test_it_stops_past_the_row_and_column_caps_naming_the_cap():
    book = Workbook()
    sheet = book.active
    sheet.title = "项目台账"
    sheet.append(["项目编号"])
    sheet.cell(row=workbook.MAX_ROWS + 1, column=1, value="P1")
    far_down = io.BytesIO()
    book.save(far_down)
    with translation.override("en"), pytest.raises(ImportFileError, match="too large") as error:
        workbook.read_table(far_down.getvalue(), ["项目台账"], KNOWN)
    assert "20,000" in str(error.value)

    sheet.delete_rows(workbook.MAX_ROWS + 1)
    sheet.cell(row=2, column=workbook.MAX_COLUMNS + 1, value="x")
    far_right = io.BytesIO()
    book.save(far_right)
    with translation.override("en"), pytest.raises(ImportFileError, match="column 200"):
        workbook.read_table(far_right.getvalue(), ["项目台账"], KNOWN)


def test_empty_styled_cells_far_right_and_below_are_not_read_as_data():
    book = Workbook()
    sheet = book.active
    sheet.title = "项目台账"
    sheet.append(["项目编号", "项目名称"])
    sheet.append(["P1", "大桥"])
    sheet.cell(row=2, column=16000).font = Font(bold=True)  # formatted, no value
    sheet.cell(row=1_000_000, column=1).font = Font(bold=True)
    buffer = io.BytesIO()
    book.save(buffer)

    table = workbook.read_table(buffer.getvalue(), ["项目台账"], KNOWN)

    assert table.rows == [(2, ("P1", "大桥"))]
