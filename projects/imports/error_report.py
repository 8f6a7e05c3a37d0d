"""The error workbook of an import (导入错误明细): every error of a batch, for a unit to fix its file.

Sheet 1 "错误明细" lists the errors (行号, 列, 问题, 项目编号 where the row named one), written with
targets.documents.spreadsheets. Sheet 2 "原表（标注错误）", when the uploaded bytes can still be read, is a
copy of the imported sheet's values (same rows and columns, so the row numbers in sheet 1 match)
with a last column "错误说明" holding each row's messages; the rows' 错误说明 cells and the cells the
errors name are highlighted. Labels are Chinese: the document goes to the units.
"""

from __future__ import annotations

from collections import defaultdict

from openpyxl.styles import Alignment, Font, PatternFill

from targets.documents.spreadsheets import Column, Table, new_workbook, set_value, to_bytes, write_cell, write_table

from . import workbook
from .workbook import ImportFileError

ERRORS_SHEET = "错误明细"
MARKED_SHEET = "原表（标注错误）"
NOTE_HEADER = "错误说明"
SEPARATOR = "；"
NOTE_FILL = PatternFill("solid", fgColor="FFC7CE")  # the 错误说明 cell of a row with errors
CELL_FILL = PatternFill("solid", fgColor="FFEB9C")  # a cell an error names
ERROR_COLUMNS = (Column("行号", 8, "int"), Column("列", 18), Column("问题", 60, "wrap"), Column("项目编号", 14))


def report_name(file_name: str) -> str:
    """导入错误明细-<the uploaded name without .xlsx>.xlsx"""
    stem = file_name[:-5] if file_name.lower().endswith(".xlsx") else file_name
    return f"导入错误明细-{stem}.xlsx"


def row_codes(preview: dict | None) -> dict[int, str]:
    """Excel row number → the 项目编号 the preview read on that row (blank codes left out)."""
    return {row["row"]: row["code"] for row in (preview or {}).get("rows", []) if row.get("code")}


def messages_by_row(errors: list[dict]) -> dict[int, list[dict]]:
    by_row: dict[int, list[dict]] = defaultdict(list)
    for error in errors:
        if error.get("row"):
            by_row[error["row"]].append(error)
    return by_row


def error_table(file_name: str, errors: list[dict], codes: dict[int, str]) -> Table:
    rows = [[e.get("row"), e.get("column", ""), e.get("message", ""), codes.get(e.get("row"), "")] for e in errors]
    return Table(title=f"导入错误明细：{file_name}", sheet=ERRORS_SHEET, columns=ERROR_COLUMNS, rows=rows)


def label_row(preview: dict | None, by_row: dict[int, list[dict]]) -> int | None:
    """The (last) header row of the imported sheet, where "错误说明" goes: just above the first data
    row; without data rows (a missing column), the header row that error names."""
    numbers = [row["row"] for row in (preview or {}).get("rows", [])]
    if numbers:
        return min(numbers) - 1 or None
    return min(by_row) if by_row else None


def _plain(value: object) -> object:
    if value is workbook.NO_CACHED_VALUE:
        return None
    return value


def write_marked_sheet(sheet, rows: list[tuple], errors: list[dict], preview: dict | None) -> None:
    """The uploaded sheet's values, plus the 错误说明 column (see the module doc)."""
    width = max((len(row) for row in rows), default=0)
    note_column = width + 1
    for number, values in enumerate(rows, start=1):
        for index, value in enumerate(values, start=1):
            value = _plain(value)
            if value is None:
                continue
            write_cell(sheet, number, index, value)  # text that looks like a formula stays text

    by_row = messages_by_row(errors)
    header_row = label_row(preview, by_row)
    # Which column a header names, on the header row and the one above it (two-row headers).
    columns: dict[str, int] = {}
    if header_row:
        for number in (header_row - 1, header_row):
            if 1 <= number <= len(rows):
                for index, value in enumerate(rows[number - 1], start=1):
                    text = workbook.clean_text(_plain(value))
                    if text:
                        columns.setdefault(text, index)
        label = sheet.cell(header_row, note_column, NOTE_HEADER)
        label.font = Font(bold=True)
        label.fill = NOTE_FILL
        label.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    for number, row_errors in by_row.items():
        text = SEPARATOR.join(e.get("message", "") for e in row_errors)
        cell = set_value(sheet.cell(number, note_column), f"{NOTE_HEADER}：{text}" if number == header_row else text)
        cell.fill = NOTE_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        for error in row_errors:
            index = columns.get(workbook.clean_text(error.get("column")))
            if index is not None and number != header_row:
                sheet.cell(number, index).fill = CELL_FILL
    sheet.column_dimensions[sheet.cell(1, note_column).column_letter].width = 60
    if header_row:
        sheet.freeze_panes = sheet.cell(header_row + 1, 1)


def error_workbook(file_name: str, data: bytes | None, sheet_name: str, errors: list[dict], preview: dict | None) -> bytes:
    """The error workbook's bytes; the marked copy is left out when the file cannot be read again."""
    book = new_workbook(f"导入错误明细：{file_name}")
    write_table(book.create_sheet(ERRORS_SHEET), error_table(file_name, errors, row_codes(preview)))
    rows = None
    if data and sheet_name:
        try:
            _name, rows = workbook.load_rows(bytes(data), [sheet_name])
        except ImportFileError:
            rows = None
    if rows is not None:
        write_marked_sheet(book.create_sheet(MARKED_SHEET), rows, errors, preview)
    return to_bytes(book)


def batch_error_workbook(batch) -> bytes:
    """error_workbook for an ImportBatch (its stored bytes, the sheet its analysis read)."""
    preview = batch.preview or {}
    return error_workbook(batch.file_name, batch.data, preview.get("sheet", ""), batch.errors or [], preview)
