"""A small .xlsx writer for the bureau's tables: a title row, a header row, rows, and a 亿元 totals row.

    columns = [
        Column("项目编号", 12),
        Column("项目名称", 30, "wrap"),
        Column("年度计划投资（万元）", 14, "wan", summed=True),
        Column("完成率（%）", 10, "percent"),
    ]
    content = table_xlsx(Table(title="2023年重大项目台账（截至2023年7月31日）", sheet="重大项目台账",
                               columns=columns, rows=[["P-001", "椒江大桥", Decimal("8000"), Decimal("37.5")]]))

Layout of a sheet written by write_table: row 1 the title (merged across the columns), row 2 the
headers, then one row per record, then — when a column is summed or totals are given — a last row
"合计（亿元）" whose summed columns hold the column's sum in 亿元 (÷ 10,000, 2 decimals). Panes
are frozen below the headers; the headers repeat on every printed page (A4 landscape).

Column kinds and their number formats:
    text     plain text (the default)           wrap     text wrapped in the cell
    date     yyyy-mm-dd                         int      0
    wan      #,##0.00, an amount in 万元         number   #,##0.00#, any other figure (98.392 公里 exactly)
    percent  0.0, a percentage (37.5 for 37.5%) points   +0.0, percentage points (a gap)

Values are written as given (Decimal, int, date, str, None); the caller decides what a row holds.
A datetime is written as its day in Asia/Shanghai. Text is always text: a str that a spreadsheet would
read as a formula (it starts with = + - @, a tab or a CR; a unit's 形象进度 "=HYPERLINK(…)") is
stored as a string cell flagged "quote prefix", never as a formula. Every writer that puts user text
in a workbook goes through set_value / write_cell / append_row (write_table does) for that reason.
Headers and labels are Chinese literals chosen by the caller: the bureau's documents are Chinese
in every interface language. Used by targets.documents.three_lists (the three lists), targets.admin.exports (the
admin list exports), projects.monthly_table (月度调度表) and projects.dashboard.xlsx; the import
templates and error workbook (projects.imports) write their cells with write_cell / set_value.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WAN_PER_YI = Decimal(10000)

DATE_FORMAT = "yyyy-mm-dd"
AMOUNT_FORMAT = "#,##0.00"
NUMBER_FORMAT = "#,##0.00#"  # the plan's numbers have up to three decimals
PERCENT_FORMAT = "0.0"
POINTS_FORMAT = "+0.0;-0.0;0.0"
INT_FORMAT = "0"
FORMATS = {
    "date": DATE_FORMAT,
    "wan": AMOUNT_FORMAT,
    "amount": AMOUNT_FORMAT,  # the three lists' name for an amount column
    "number": NUMBER_FORMAT,
    "percent": PERCENT_FORMAT,
    "points": POINTS_FORMAT,
    "int": INT_FORMAT,
}
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
TOTALS_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TOTALS_LABEL = "合计（亿元）"
CREATOR = "督办系统"
# How a formula (or a DDE payload) starts in Excel, WPS and LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One column: its Chinese header, width (characters), kind (see the module doc) and whether the
    totals row sums it (in 亿元; meant for "wan" columns)."""

    header: str
    width: float = 12
    kind: str = "text"
    summed: bool = False


@dataclass
class Table:
    """One sheet: title row, columns, rows (one sequence of values per record, in column order).

    totals: values of the totals row by header, for figures that are not plain sums (an overall
    rate, a gap); they override the computed sums. totals_label goes in the first column.
    """

    title: str
    sheet: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]
    totals: Mapping[str, object] = field(default_factory=dict)
    totals_label: str = TOTALS_LABEL


def yi(wan: Decimal | int | None) -> Decimal | None:
    """万元 → 亿元, 2 decimals (ROUND_HALF_UP): 123456 → 12.35."""
    if wan is None:
        return None
    return (Decimal(wan) / WAN_PER_YI).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def one_decimal(value: Decimal | None) -> Decimal | None:
    """A percentage or a gap as the bureau writes it: 1 decimal, ROUND_HALF_UP."""
    if value is None:
        return None
    return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def column_sum(rows: Iterable[Sequence], index: int) -> Decimal:
    """The sum (万元) of a column's numbers; blanks and text count as nothing."""
    total = Decimal(0)
    for row in rows:
        value = row[index]
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            total += Decimal(str(value))
    return total


def new_workbook(title: str) -> Workbook:
    """An empty workbook (no sheet) carrying the document title."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = title
    workbook.properties.creator = CREATOR
    return workbook


def to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def style_header_row(sheet: Worksheet, row: int) -> None:
    for cell in sheet[row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def style_column(sheet: Worksheet, index: int, width: float, kind: str, first_row: int, last_row: int) -> None:
    """Width, border, alignment and number format of a column's body cells."""
    letter = get_column_letter(index)
    sheet.column_dimensions[letter].width = width
    number_format = FORMATS.get(kind)
    for (cell,) in sheet.iter_rows(min_row=first_row, max_row=last_row, min_col=index, max_col=index):
        cell.border = BORDER
        cell.alignment = Alignment(vertical="top", wrap_text=kind == "wrap")
        if number_format:
            cell.number_format = number_format


def print_setup(sheet: Worksheet, header_rows: str, page_title: str) -> None:
    """A4 landscape, one page wide, headers repeated, title in the page header, page numbers below."""
    sheet.print_title_rows = header_rows
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.oddHeader.center.text = page_title
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def set_value(cell: Cell, value) -> Cell:
    """Put `value` in `cell`, text as literal text.

    openpyxl stores any str starting with "=" as a formula, and Excel evaluates + - @ at the start of
    what a user types back: such text gets data_type "s" (a plain string, no <f> element) and the
    quote prefix (Excel shows it exactly and keeps it text when the cell is edited).
    """
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def write_cell(sheet: Worksheet, row: int, column: int, value) -> Cell:
    """sheet.cell(row, column, value) with set_value's text rule."""
    return set_value(sheet.cell(row=row, column=column), value)


def append_row(sheet: Worksheet, values: Iterable) -> None:
    """sheet.append(values) with set_value's text rule."""
    sheet.append([set_value(Cell(sheet), value) for value in values])


def _cell_value(value):
    # openpyxl refuses a datetime with a time zone, and the tables show days: keep the day as seen
    # in Asia/Shanghai (an aware 2023-07-31 18:00 UTC is 8月1日 there).
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


def write_table(sheet: Worksheet, table: Table) -> None:
    """Fill `sheet` with the table: title, headers, rows and (if any column is summed) the totals row."""
    columns = list(table.columns)
    width = len(columns)
    rows = [list(row) for row in table.rows]

    append_row(sheet, [table.title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 1))
    title = sheet.cell(1, 1)
    title.font = Font(bold=True, size=14)
    title.alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 28

    append_row(sheet, [c.header for c in columns])
    style_header_row(sheet, 2)
    for row in rows:
        append_row(sheet, [_cell_value(v) for v in row])
    last_body = 2 + len(rows)

    has_totals = any(c.summed for c in columns) or bool(table.totals)
    if has_totals:
        totals: list[object] = [None] * width
        for index, column in enumerate(columns):
            if column.summed:
                totals[index] = yi(column_sum(rows, index))
            if column.header in table.totals:
                totals[index] = table.totals[column.header]
        if totals[0] is None:
            totals[0] = table.totals_label
        append_row(sheet, [_cell_value(v) for v in totals])
    last_row = last_body + (1 if has_totals else 0)

    for index, column in enumerate(columns, start=1):
        style_column(sheet, index, column.width, column.kind, 3, last_row)
    if has_totals:
        # The label spans the leading columns that hold no total (e.g. 序号 and 编号).
        first_value = next((i for i, v in enumerate(sheet[last_row][1:], start=2) if v.value is not None), width + 1)
        if first_value > 2:
            sheet.merge_cells(start_row=last_row, start_column=1, end_row=last_row, end_column=first_value - 1)
        for cell in sheet[last_row]:
            cell.font = Font(bold=True)
            cell.fill = TOTALS_FILL
        for index, column in enumerate(columns, start=1):
            if column.summed:
                sheet.cell(last_row, index).number_format = AMOUNT_FORMAT

    sheet.freeze_panes = "A3"
    if rows:
        sheet.auto_filter.ref = f"A2:{get_column_letter(width)}{last_body}"
    print_setup(sheet, "1:2", table.title)


def table_xlsx(*tables: Table) -> bytes:
    """A workbook with one sheet per table, as .xlsx bytes (the document title is the first table's)."""
    workbook = new_workbook(tables[0].title if tables else "")
    for table in tables:
        write_table(workbook.create_sheet(table.sheet[:31]), table)
    return to_bytes(workbook)
