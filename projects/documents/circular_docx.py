"""督查通报 as a .docx in the bureau's style: the figures of projects.documents.circular.gather, laid
out as the bureau issues them (title, issuing office and date, the six sections, tables in 仿宋).
The text is Chinese whatever the interface language.
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

from .circular import Circular

FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_HEADING = "黑体"
COLOURS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "blue": "蓝灯", "grey": "未评价"}


def _run(paragraph, text: str, *, font: str = FONT_BODY, size: float = 16, bold: bool = False):
    run = paragraph.add_run(text)
    run.font.name = font
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    run.font.size = Pt(size)
    run.bold = bold
    return run


def _para(document, text: str = "", *, font: str = FONT_BODY, size: float = 16, bold: bool = False, align=None, indent=True):
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.line_spacing = Pt(28)
    if align is not None:
        paragraph.alignment = align
    elif indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    if text:
        _run(paragraph, text, font=font, size=size, bold=bold)
    return paragraph


def _table(document, headers: list[str], rows: list[list], widths: list[float]) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header, width in zip(table.rows[0].cells, headers, widths, strict=True):
        cell.width = Cm(width)
        cell.text = ""
        _run(cell.paragraphs[0], header, font=FONT_HEADING, size=10.5)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for values in rows:
        cells = table.add_row().cells
        for cell, value, width in zip(cells, values, widths, strict=True):
            cell.width = Cm(width)
            cell.text = ""
            _run(cell.paragraphs[0], "" if value is None else str(value), size=10.5)


def _percent(value) -> str:
    return f"{value}%" if value is not None else "—"


def circular_docx(c: Circular, *, issuing_office: str = "区发展改革局督查室") -> bytes:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = document.styles["Normal"]
    normal.font.name = FONT_BODY
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT_BODY)

    month = f"{c.start.year}年{c.start.month}月"
    _para(document, "督 查 通 报", font=FONT_TITLE, size=26, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(document, f"（{c.start.year}年第{c.start.month}期）", size=16, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(document, f"{issuing_office}　　　　　　　　{c.end:%Y年%m月%d日}".replace("年0", "年").replace("月0", "月"), size=14,
          align=WD_ALIGN_PARAGRAPH.CENTER)  # fmt: skip
    _para(document, f"{c.plan.year}年度目标和重大项目{month}督查情况", font=FONT_TITLE, size=20, align=WD_ALIGN_PARAGRAPH.CENTER)

    _para(document, "一、总体情况", font=FONT_HEADING)
    if c.run_date is None:
        _para(document, f"截至{month}底尚未开展督办评价。")
    else:
        counts = "、".join(f"{COLOURS[k]}{c.colours.get(k, 0)}项" for k in ("red", "yellow", "green", "blue", "grey"))
        _para(
            document,
            f"截至{c.end.month}月{c.end.day}日（评价日{c.run_date.month}月{c.run_date.day}日），纳入督办的目标和项目"
            f"共{sum(c.colours.values())}项，其中{counts}。本月新发现督办事项{c.opened}项，销号{c.closed}项，"
            f"月底在办{c.open_at_end}项，其中逾期{len(c.overdue)}项。",
        )

    _para(document, "二、各单位按期完成情况及排名", font=FONT_HEADING)
    _para(document, "按期率为已评价的目标和项目中亮绿灯、蓝灯的比例；排名依次比较按期率、按时报送率和在办督办事项数。")
    rows = [
        [u["rank"] or "—", u["unit"], u["items"], u["evaluated"], u["on_time"], _percent(u["rate"]), u["findings"], u["reopened"]]
        for u in c.units
    ]
    _table(
        document,
        ["排名", "责任单位", "目标项目数", "已评价", "按期", "按期率", "在办督办事项", "销号后反弹"],
        rows,
        [1.2, 4.4, 1.6, 1.4, 1.2, 1.6, 2.0, 1.8],
    )

    _para(document, f"三、红灯事项（{len(c.red_items)}项）", font=FONT_HEADING)
    if c.red_items:
        _table(
            document,
            ["编号", "名称", "主要原因", "责任单位", "包干领导"],
            [[r["code"], r["title"], r["causes"], r["unit"], r["leader"]] for r in c.red_items],
            [1.8, 4.0, 5.6, 2.6, 1.8],
        )
    else:
        _para(document, "本月无红灯事项。")

    _para(document, f"四、逾期未办结督办事项（{len(c.overdue)}项）", font=FONT_HEADING)
    if c.overdue:
        _table(
            document,
            ["编号", "督办对象", "牵头单位", "整改时限", "逾期天数", "督办等级"],
            [[o["number"], o["item"], o["unit"], o["deadline"].isoformat(), o["days"], o["level"]] for o in c.overdue],
            [2.0, 5.0, 3.0, 2.2, 1.6, 2.0],
        )
    else:
        _para(document, "本月无逾期未办结的督办事项。")

    _para(document, f"五、交办事项办理情况（{len(c.matters)}项）", font=FONT_HEADING)
    if c.matters:
        _table(
            document,
            ["事项", "来源", "牵头单位", "办理时限", "办理情况"],
            [[m["title"], m["source"], m["unit"], m["deadline"].isoformat(), m["status"]] for m in c.matters],
            [5.2, 1.8, 3.0, 2.2, 3.6],
        )
    else:
        _para(document, "本月无到期的交办事项。")

    _para(document, "六、回头看情况", font=FONT_HEADING)
    holds = sum(1 for r in c.rechecks if r["result"] == "未反弹")
    _para(
        document,
        f"本月开展回头看{len(c.rechecks)}项，其中未反弹{holds}项、反弹{len(c.rechecks) - holds}项；"
        f"到期尚未开展回头看{c.rechecks_pending}项。",
    )
    if c.rechecks:
        _table(
            document,
            ["督办对象", "牵头单位", "回头看日期", "结果", "情况"],
            [[r["item"], r["unit"], r["date"].isoformat(), r["result"], r["note"]] for r in c.rechecks],
            [4.6, 3.0, 2.2, 2.6, 3.4],
        )

    _para(document)
    _para(document, issuing_office, align=WD_ALIGN_PARAGRAPH.RIGHT)
    buffer = io.BytesIO()
    document.core_properties.title = f"督查通报（{c.start:%Y-%m}）"
    document.core_properties.author = issuing_office
    # A fixed timestamp: the same month gives the same document.
    document.core_properties.created = document.core_properties.modified = dt.datetime.combine(c.end, dt.time(18))
    document.save(buffer)
    return buffer.getvalue()


def file_name(c: Circular) -> str:
    return f"督查通报-{c.start:%Y-%m}.docx"
