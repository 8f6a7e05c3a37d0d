"""The documents the bureau sends: the three lists as one .xlsx and a 督办通知单 per unit as .docx.

Both are built from three-list rows (targets.findings.rounds.three_lists_row): a round's frozen rows, or the
live rows of selected findings. The files are the bureau's fixed document format: sheet names,
headers, labels and notice text are Chinese in every interface language, so they are literals in
the mappings below, not translatable msgids. Amounts are in 万元 (as stored) and dates read
YYYY-MM-DD.

What each sheet shows, its headers among them, is declared once in targets.three_lists_columns.
"""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl.utils import get_column_letter

from ..choices import FindingCause, FindingLevel, RoundKind
from ..three_lists_columns import LISTS, ListColumn, sheet_columns
from .spreadsheets import (
    append_row,
    new_workbook,
    print_setup,
    style_column,
    style_header_row,
    to_bytes,
)
from .words import zh

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def item_text(row: dict) -> str:
    return f"{row.get('item_code') or ''} {row.get('item_title') or ''}".strip()


# Sheet name → columns, in the bureau's order (declared in targets.three_lists_columns).
SHEETS: list[tuple[str, list[ListColumn]]] = [(three_list.sheet, sheet_columns(three_list)) for three_list in LISTS]


def headers(sheet_name: str) -> list[str]:
    return [c.sheet.header for name, columns in SHEETS if name == sheet_name for c in columns]


def three_lists_xlsx(rows: list[dict], title: str) -> bytes:
    """The three lists of `rows` as one workbook: one sheet per list, one row per finding."""
    workbook = new_workbook(title)
    numbered = [{**row, "_seq": index} for index, row in enumerate(rows, start=1)]
    for name, columns in SHEETS:
        sheet = workbook.create_sheet(name)
        append_row(sheet, [c.sheet.header for c in columns])
        style_header_row(sheet, 1)
        for row in numbered:
            append_row(sheet, [c.value(row) for c in columns])  # user text stays text, never a formula
        for index, column in enumerate(columns, start=1):
            style_column(sheet, index, column.sheet.width, column.sheet.kind, 2, len(numbered) + 1)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(numbered) + 1)}"
        print_setup(sheet, "1:1", f"{title} {name}")
    return to_bytes(workbook)


# --- The notice (督办通知单) -----------------------------------------------------------------------

NOTICE_TITLE = "督办通知单"
NOTICE_COLUMNS = [("序号", 1.2), ("问题编号", 2.2), ("督办对象", 4.0), ("存在问题", 5.6), ("整改时限", 2.4), ("督办等级", 2.0)]
FONT = "宋体"


def _set_font(run, size: float | None = None, bold: bool = False) -> None:
    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    if size:
        run.font.size = Pt(size)
    run.bold = bold


def _paragraph(document, text: str = "", *, size: float = 12, bold: bool = False, align=None, indent: bool = False):
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    if text:
        _set_font(paragraph.add_run(text), size, bold)
    return paragraph


def _problem_text(row: dict) -> str:
    parts = [zh(FindingCause, row.get("cause"))]
    if row.get("milestone"):
        parts.append(f"节点：{row['milestone']}")
    if row.get("description"):
        parts.append(row["description"])
    if row.get("problems"):
        parts.append(f"存在问题：{row['problems']}")
    return "；".join(p for p in parts if p)


def notice_docx(
    *,
    unit: str,
    rows: list[dict],
    number: str | None,
    reply_due: dt.date | None,
    reply_workdays: int,
    issuing_office: str,
    round_date: dt.date,
    round_kind: str,
    round_title: str,
    issued_on: dt.date | None,
) -> bytes:
    """The notice to one unit: its findings with their deadlines, the reply deadline, the issuing office.

    number / reply_due are the recorded dispatch's; before the notice is recorded as sent they are
    left for the office to fill in (the reply is due reply_workdays working days after sending).
    """
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin = section.bottom_margin = Cm(2.0)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)

    _paragraph(document, NOTICE_TITLE, size=22, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, f"编号：{number or '（发出时编号）'}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(document, f"{unit}：")
    kind = zh(RoundKind, round_kind)
    reply = reply_due.isoformat() if reply_due else f"收到本通知后{reply_workdays}个工作日内"
    _paragraph(
        document,
        f"根据{round_date.isoformat()}{kind}（{round_title}）情况，现将贵单位牵头负责的{len(rows)}项督办事项交办如下。"
        f"请对照整改时限抓紧落实整改，并于{reply}前将整改措施和进展情况书面反馈{issuing_office}。"
        "确需延期的，请在整改时限前说明原因并提出新的时限，经批准后执行。",
        indent=True,
    )

    table = document.add_table(rows=1, cols=len(NOTICE_COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, (header, width) in zip(table.rows[0].cells, NOTICE_COLUMNS, strict=True):
        cell.width = Cm(width)
        cell.text = ""
        _set_font(cell.paragraphs[0].add_run(header), 10.5, bold=True)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for index, row in enumerate(rows, start=1):
        values = [
            str(index),
            row.get("number") or "",
            item_text(row),
            _problem_text(row),
            row.get("deadline") or "",
            zh(FindingLevel, row.get("level")),
        ]
        cells = table.add_row().cells
        for cell, value, (_header, width) in zip(cells, values, NOTICE_COLUMNS, strict=True):
            cell.width = Cm(width)
            cell.text = ""
            _set_font(cell.paragraphs[0].add_run(value), 10.5)

    _paragraph(document)
    _paragraph(document, f"回复时限：{reply}", bold=True)
    _paragraph(document)
    _paragraph(document, issuing_office, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(document, (issued_on or round_date).isoformat(), align=WD_ALIGN_PARAGRAPH.RIGHT)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
