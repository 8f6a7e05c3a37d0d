"""The downloadable templates: the project register (项目台账) and the monthly progress sheet, each with a
notes sheet (填写说明) that explains every column. Chinese in every interface language (the
bureau's documents), like targets.documents.three_lists.

The register template is laid out as the bureau's own 台账 are: a merged title row, then a
two-row header whose merged group "分月累计计划投资（万元）" spans the month columns, so the
template itself goes through the same header detection as the files units send.
"""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from targets.documents.spreadsheets import write_cell
from targets.models import Department, Plan, TrackedItem

from . import progress, register

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
SAMPLE_FONT = Font(color="7F7F7F", italic=True)
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(bold=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
MONTH_LABELS = ["1—2月", *(f"{m}月" for m in range(3, 13))]


def _header_cell(sheet, row: int, column: int, value: str) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    cell.font, cell.fill, cell.alignment, cell.border = BOLD, HEADER_FILL, CENTER, BORDER


def _notes_sheet(book: Workbook, rows: list[tuple[str, str, str, str, str]], general: list[str]) -> None:
    sheet = book.create_sheet("填写说明")
    sheet.cell(row=1, column=1, value="填写说明").font = Font(bold=True, size=14)
    line = 2
    for text in general:
        sheet.cell(row=line, column=1, value=text).alignment = Alignment(wrap_text=False)
        line += 1
    line += 1
    for index, title in enumerate(("列名", "含义", "是否必填", "格式", "可选值"), start=1):
        _header_cell(sheet, line, index, title)
    for values in rows:
        line += 1
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(row=line, column=index, value=value)
            cell.alignment, cell.border = Alignment(wrap_text=True, vertical="top"), BORDER
    for index, width in enumerate((24, 40, 10, 34, 40), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def register_template(plan: Plan | None) -> bytes:
    year = plan.year if plan else timezone.localdate().year
    book = Workbook()
    sheet = book.active
    sheet.title = register.SHEET_NAMES[0]
    columns = register.COLUMNS
    width = len(columns) + len(MONTH_LABELS)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    title = sheet.cell(row=1, column=1, value=f"{year}年重大项目台账")
    title.font, title.alignment = Font(bold=True, size=14), CENTER
    for index, column in enumerate(columns, start=1):
        _header_cell(sheet, 2, index, column.header)
        _header_cell(sheet, 3, index, None)
        sheet.merge_cells(start_row=2, start_column=index, end_row=3, end_column=index)
        sheet.column_dimensions[get_column_letter(index)].width = 30 if column.key in {"title", "plan_statement"} else 14
    first_month = len(columns) + 1
    _header_cell(sheet, 2, first_month, register.MONTH_GROUP)
    sheet.merge_cells(start_row=2, start_column=first_month, end_row=2, end_column=width)
    for offset, label in enumerate(MONTH_LABELS):
        _header_cell(sheet, 3, first_month + offset, label)
        sheet.column_dimensions[get_column_letter(first_month + offset)].width = 10
    unit = Department.objects.filter(active=True).order_by("name").values_list("name", flat=True).first() or "区发展改革局"
    sample = {
        "code": f"{year}-P001",
        "title": "（示例，导入前请删除本行）椒江区某学校新建工程",
        "lead_department": unit,
        "responsible_leader": "",
        "category": "民生",
        "stage": "新开工",
        "is_provincial_key": "否",
        "is_provincial_major_industrial": "否",
        "is_city_key": "是",
        "is_district_key": "是",
        "is_major": "是",
        "owner_company": "椒江区某建设投资有限公司",
        "township": "海门街道",
        "total_investment": 30000,
        "target_value": 12000,
        "land_area": 56.5,
        "plan_statement": "新建教学楼、实验楼及运动场，总建筑面积约4万平方米",
        "period_start": dt.date(year, 1, 1),
        "period_end": dt.date(year, 12, 31),
    }
    for index, column in enumerate(columns, start=1):
        cell = write_cell(sheet, 4, index, sample.get(column.key))
        cell.font, cell.border = SAMPLE_FONT, BORDER
        if column.kind == "date":
            cell.number_format = "yyyy-mm-dd"
        elif column.kind == "number":
            cell.number_format = "#,##0.00"
    for offset in range(len(MONTH_LABELS)):
        cell = sheet.cell(row=4, column=first_month + offset, value=1000 * (offset + 1))
        cell.font, cell.border, cell.number_format = SAMPLE_FONT, BORDER, "#,##0.00"
    sheet.freeze_panes = "C4"
    rows = [(c.header, c.meaning, "必填" if c.required else "选填", c.fmt, register.allowed_values(c)) for c in columns]
    rows.append(
        (
            f"{register.MONTH_GROUP}：1—2月 … 12月",
            "截至各月末的累计计划完成投资（分月计划）；1—2月合并，为截至2月末",
            "选填",
            "数字，单位万元；逐月不得减少",
            "月份也可写作 3月、2023年3月、2023-03",
        )
    )
    _notes_sheet(
        book,
        rows,
        [
            "1. 按“项目编号”匹配所选年度计划中的已有项目：已有则更新，没有则新建。预览确认后一次性全部写入，有任何错误则不写入。",
            "2. 表头须保留（可在表头上方加标题行；分月计划可用两行表头）；文件中没有的列不修改，有该列但单元格为空则清空该项（是/否列空白视为“否”）。",
            "3. 金额单位为万元，可带千位分隔符；日期写作 2023-03-31 或 2023年3月31日；公式须在 Excel 或 WPS 中打开并保存后再上传。",
            "4. 年度计划投资不得超过总投资；“重大项目”总投资须不低于5,000万元，“区重点（超亿元）”总投资须超过10,000万元。",
            "5. 第4行为示例，导入前请删除。",
        ],
    )
    return _save(book)


def progress_template(plan: Plan | None, department_id: int | None = None) -> bytes:
    """The monthly progress sheet; a second sheet lists the items the user may report on."""
    year = plan.year if plan else timezone.localdate().year
    book = Workbook()
    sheet = book.active
    sheet.title = progress.SHEET_NAMES[0]
    columns = progress.COLUMNS
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    title = sheet.cell(row=1, column=1, value=f"{year}年重大项目月度进度报送表")
    title.font, title.alignment = Font(bold=True, size=14), CENTER
    widths = {"code": 14, "title": 30, "month": 12, "value": 16, "narrative": 40, "problems": 30, "correction_reason": 20}
    for index, column in enumerate(columns, start=1):
        _header_cell(sheet, 2, index, column.header)
        sheet.column_dimensions[get_column_letter(index)].width = widths[column.key]
    items = TrackedItem.objects.filter(plan=plan).order_by("code") if plan else TrackedItem.objects.none()
    if department_id is not None:
        items = items.filter(lead_department_id=department_id)
    first = items.filter(kind="project").first() or items.first()
    sample = {
        "code": first.code if first else f"{year}-P001",
        "title": first.title if first else "椒江区某学校新建工程",
        "month": "1—2月",
        "value": 1500,
        "narrative": "（示例，导入前请删除本行）主体结构施工中",
        "problems": "无",
        "correction_reason": "",
    }
    for index, column in enumerate(columns, start=1):
        cell = write_cell(sheet, 3, index, sample[column.key])
        cell.font, cell.border = SAMPLE_FONT, BORDER
    sheet.freeze_panes = "A3"
    listing = book.create_sheet("项目清单")
    for index, header in enumerate(("项目编号", "项目名称", "责任单位"), start=1):
        _header_cell(listing, 1, index, header)
    for line, item in enumerate(items.select_related("lead_department"), start=2):
        # Codes, titles and names are user text: written as text, never as formulas.
        write_cell(listing, line, 1, item.code)
        write_cell(listing, line, 2, item.title)
        write_cell(listing, line, 3, item.lead_department.name if item.lead_department else "")
    for index, width in enumerate((14, 40, 24), start=1):
        listing.column_dimensions[get_column_letter(index)].width = width
    rows = [(c.header, c.meaning, "必填" if c.required else "选填", c.fmt, c.allowed) for c in columns]
    _notes_sheet(
        book,
        rows,
        [
            "1. 每行为一个项目一个月的进度；同一项目同一月份在系统中已有报送的，导入时作为更正。",
            "2. 月份：1—2月表示1、2月合并报送（截至2月末），也可写作 3月、2023年3月、2023-03 或日期；按月末计，须在计划期内且不晚于今天。",
            "3. 累计完成投资为自年初起累计数（万元），不得低于上月，低于上月时须填写更正原因；是/否类目标不填。",
            "4. 责任单位只能导入本单位负责的项目；其他项目的行会报错，整份文件不写入。",
            "5. 第3行为示例，导入前请删除；“项目清单”工作表列出可报送的项目。",
        ],
    )
    return _save(book)
