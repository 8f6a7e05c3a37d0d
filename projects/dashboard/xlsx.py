"""The dashboard as .xlsx: one sheet per section, the same plan, month and filters as the page, every row.

The page shows one page of each long list; the workbook holds all of them (every project on the
battle map, every item of the responsibility table), so it is written row by row to a file
(write_streamed: targets.documents.spreadsheets' layout — title row, header row, rows, 亿元 totals row).
Sheet names, headers and labels are Chinese in every interface language (the bureau's documents);
choice labels go through targets.documents.words.zh, and figures formatted as text are formatted under zh-hans.

Over 400 lines on purpose: one writer per dashboard section, kept beside each other so the
workbook reads in the page's order.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import IO

import xlsxwriter
from django.utils import translation

from targets.choices import FindingLevel
from targets.documents.spreadsheets import (
    CREATOR,
    FORMATS,
    FORMULA_PREFIXES,
    HEADER_FILL,
    TOTALS_FILL,
    Column,
    Table,
    _cell_value,
    yi,
)
from targets.documents.words import LIGHT, zh

from ..choices import PROJECT_LEVELS, Category
from .battle_map import DONE, OVERDUE, PLANNED, SYMBOLS, all_rows
from .data import Dashboard
from .filters import Options
from .responsibility import all_lines

KIND = {"goal": "目标", "project": "项目"}
LEVELS = {level.field: level.named for level in PROJECT_LEVELS}
LEGEND = f"{SYMBOLS[PLANNED]}计划节点 {SYMBOLS[DONE]}完成节点 {SYMBOLS[OVERDUE]}逾期未完成（黑旗）"
NOT_EVALUATED = "未评价"
DEFINITIONS = (
    ("颜色", "各督办对象在所选月末当日或之前最近一次督办运行时的状态快照；无快照为“未评价”。"),
    ("序时进度", "计划期内截至所选月末已过完的月数 ÷ 计划期月数。"),
    (
        "作战图",
        "计划日期所在月份标计划节点；截至所选月末已完成的节点在实际完成月份标完成节点；计划日期已过而截至月末未完成的，在计划月份标逾期（黑旗）。",
    ),
    ("投资进度", "项目累计计划为分月计划；累计完成为各月末当日或之前最近一次报送的累计完成投资；金额单位万元，合计行为亿元。"),
    ("未销号问题", "所选月末当日或之前发现、且截至月末未销号的督办事项（已撤销的不计）。"),
    ("按期率", "单位督办对象中月末已评价（非灰色）的，绿灯或蓝灯所占比例。"),
    (
        "按时报送率",
        "截至所选月末应报的进度（按各督办对象自身的报送频次计：项目按月，自行填报的目标按月、按季或按其设定的频次，并计入统计数据的发布滞后）中，在各统计时点报送截止日前报送的比例。",
    ),
    ("排名规则", "依次按按期率、按时报送率从高到低，未销号问题数从少到多，最高督办等级从低到高；四项均相同的并列。"),
)


def _level(level: int | None) -> str:
    return zh(FindingLevel, level) if level else ""


def _light(status: str | None) -> str:
    return LIGHT.get(status, NOT_EVALUATED) if status else NOT_EVALUATED


def _goal_value(row, value):
    return yi(value) if row.show_in_yi else value


def filter_text(data: Dashboard, offered: Options) -> str:
    filters = data.filters
    parts = []
    if filters.unit_id:
        parts.append(f"责任单位：{dict(offered.units).get(filters.unit_id, '')}")
    if filters.leader_id:
        parts.append(f"包干领导：{dict(offered.leaders).get(filters.leader_id, '')}")
    if filters.category:
        parts.append(f"项目类别：{zh(Category, filters.category)}")
    if filters.level:
        parts.append(f"项目层级：{LEVELS.get(filters.level, filters.level)}")
    return "；".join(parts) or "全部"


def headline_table(data: Dashboard, suffix: str) -> Table:
    section = data.headline
    narrowed = section.narrowed
    columns = [
        Column("编号", 11),
        Column("指标", 36, "wrap"),
        Column("目标", 14),
        Column("实际", 14, "number"),
        Column("单位", 8),
        Column("完成率（%）", 10, "percent"),
        Column("进度要求", 14),
        Column("状态", 8),
    ]
    if narrowed:
        columns.append(Column("筛选范围内", 14, "number"))
    rows = []
    for row in section.rows:
        values = [
            row.code,
            row.title,
            row.target_text,
            _goal_value(row, row.actual),
            row.unit,
            row.percent,
            row.expected_text,
            _light(row.status),
        ]
        if narrowed:
            values.append(_goal_value(row, row.selection))
        rows.append(values)
        if row.curve:
            curve = "；".join(f"{p.date:%m-%d} {p.expected:.0f}（{p.share}%）" for p in row.curve)
            rows.append(["", f"浙江省新开工项目开工率要求：{curve}", *[""] * (len(columns) - 2)])
    register = section.register
    label = "筛选范围内项目" if narrowed else "重大项目库"
    blank = [""] * (len(columns) - 5)
    rows += [
        ["", f"{label}累计完成投资", "", yi(register.completed), "亿元", *blank],
        ["", f"{label}年度计划投资", "", yi(register.annual_plan), "亿元", *blank],
        ["", f"{label}年度投资完成率", "", register.completion, "%", *blank],
        ["", "序时进度", "", register.elapsed, "%", *blank],
    ]
    return Table(title=f"头条指标{suffix}", sheet="头条指标", columns=columns, rows=rows)


def battle_map_table(data: Dashboard, suffix: str) -> Table:
    battle = data.battle_map
    every_row = battle_rows_of(data)
    columns = [Column("项目编号", 16), Column("项目名称", 30, "wrap"), Column("责任单位", 16, "wrap"), Column("包干领导", 10)]
    columns += [Column(f"{month.month}月", 14, "wrap") for month in battle.months]
    columns.append(Column("逾期节点数", 10, "int"))
    rows = (
        [
            row.code,
            row.title,
            row.unit,
            row.leader,
            *("\n".join(f"{mark.symbol}{mark.title}（{mark.date:%m-%d}）" for mark in cell) for cell in row.cells),
            row.overdue,
        ]
        for row in every_row
    )
    return Table(title=f"作战图{suffix}　{LEGEND}", sheet="作战图", columns=columns, rows=rows)


def register_investment_table(data: Dashboard, suffix: str) -> Table:
    section = data.investment
    series = section.register
    columns = [
        Column("月份", 8),
        Column("累计计划投资（万元）", 16, "wan"),
        Column("累计完成投资（万元）", 16, "wan"),
        Column("累计计划投资（亿元）", 14, "number"),
        Column("累计完成投资（亿元）", 14, "number"),
        Column("完成÷计划（%）", 12, "percent"),
    ]
    rows = [
        [f"{month.month}月", plan, actual, yi(plan), yi(actual), rate]
        for month, (plan, actual, rate) in zip(section.months, series.months_data, strict=True)
    ]
    return Table(title=f"投资进度（全部项目）{suffix}", sheet="投资进度", columns=columns, rows=rows)


def unit_investment_table(data: Dashboard, suffix: str) -> Table:
    section = data.investment
    columns = [
        Column("责任单位", 20, "wrap"),
        Column("年度计划投资（万元）", 14, "wan", summed=True),
        Column("截至当月累计计划（万元）", 14, "wan", summed=True),
        Column("截至当月累计完成（万元）", 14, "wan", summed=True),
        Column("完成÷计划（%）", 10, "percent"),
        Column("完成÷年度计划（%）", 10, "percent"),
    ]
    for month in section.months:
        columns += [Column(f"{month.month}月累计计划（万元）", 12, "wan"), Column(f"{month.month}月累计完成（万元）", 12, "wan")]
    rows = []
    for series in section.units:
        monthly = [value for pair in zip(series.plan, series.actual, strict=True) for value in pair]
        rows.append(
            [
                series.label,
                series.annual_plan,
                series.plan_now,
                series.actual_now,
                series.rate_now,
                series.annual_rate_now,
                *monthly,
            ]
        )
    register = section.register
    totals = {"完成÷计划（%）": register.rate_now, "完成÷年度计划（%）": register.annual_rate_now}
    return Table(title=f"分单位投资进度{suffix}", sheet="分单位投资进度", columns=columns, rows=rows, totals=totals)


def responsibility_table(data: Dashboard, suffix: str) -> Table:
    columns = [
        Column("包干领导", 14),
        Column("责任单位", 20, "wrap"),
        Column("类型", 6),
        Column("编号", 16),
        Column("名称", 36, "wrap"),
        Column("状态", 8),
        Column("未销号问题数", 10, "int"),
        Column("最高督办等级", 16),
    ]
    rows = (
        [
            group.leader or "未明确包干领导",
            group.unit,
            KIND.get(line.kind, line.kind),
            line.code,
            line.title,
            _light(line.status),
            line.findings,
            _level(line.worst_level),
        ]
        for group, line in all_lines(data.plan, data.filters.as_of, data.filters)
    )
    return Table(title=f"责任分解表{suffix}", sheet="责任分解表", columns=columns, rows=rows)


def ranking_table(data: Dashboard, suffix: str) -> Table:
    columns = [
        Column("名次", 6, "int"),
        Column("责任单位", 20, "wrap"),
        Column("督办对象数", 10, "int"),
        Column("已评价", 8, "int"),
        Column("绿灯或蓝灯", 10, "int"),
        Column("按期率（%）", 10, "percent"),
        Column("应报月报", 10, "int"),
        Column("按时报送", 10, "int"),
        Column("按时报送率（%）", 12, "percent"),
        Column("未销号问题数", 10, "int"),
        Column("最高督办等级", 16),
    ]
    rows = [
        [
            unit.rank,
            unit.unit,
            unit.items,
            unit.evaluated,
            unit.on_time,
            unit.on_time_rate,
            unit.reports_due,
            unit.reports_on_time,
            unit.report_rate,
            unit.findings,
            _level(unit.worst_level),
        ]
        for unit in data.ranking
    ]
    return Table(title=f"比学赶超{suffix}", sheet="比学赶超", columns=columns, rows=rows)


def notes_table(data: Dashboard, offered: Options, suffix: str) -> Table:
    run = data.headline.run_date
    rows = [
        ["年度计划", str(data.plan)],
        ["所选月份", f"{data.filters.month:%Y-%m}（截至{data.filters.as_of:%Y-%m-%d}）"],
        ["状态来源", f"{run:%Y-%m-%d}督办运行" if run else "月末前尚无督办运行"],
        ["筛选条件", filter_text(data, offered)],
        *DEFINITIONS,
    ]
    return Table(title=f"说明{suffix}", sheet="说明", columns=[Column("项目", 12), Column("内容", 100, "wrap")], rows=rows)


def battle_rows_of(data: Dashboard):
    return all_rows(data.plan, data.filters.as_of, data.filters)


def dashboard_workbook(data: Dashboard, offered: Options, target: IO[bytes]) -> None:
    """Write the workbook of every row the page pages through into `target` (a file opened for writing).

    XlsxWriter's constant_memory mode sends each row to disk as it is written, and the long sheets
    read the register a chunk at a time, so the memory used does not grow with the register.
    """
    with translation.override("zh-hans"):
        suffix = f"（{data.plan}，截至{data.filters.as_of:%Y-%m-%d}）"
        workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False})
        workbook.set_properties({"title": f"三图表{suffix}", "author": CREATOR})
        for table in (
            headline_table(data, suffix),
            battle_map_table(data, suffix),
            register_investment_table(data, suffix),
            unit_investment_table(data, suffix),
            responsibility_table(data, suffix),
            ranking_table(data, suffix),
            notes_table(data, offered, suffix),
        ):
            write_streamed(workbook, table)
        workbook.close()


BORDER_FORMAT = {"border": 1, "border_color": "#999999"}
XLSX_FORMATS = {"date": "yyyy-mm-dd", **{kind: number for kind, number in FORMATS.items() if kind != "date"}}


def _hex(fill) -> str:
    return f"#{fill.fgColor.rgb[-6:]}"


def write_streamed(workbook, table: Table) -> None:
    """targets.documents.spreadsheets.write_table's layout (title, headers, rows, 亿元 totals, print setup), row by row.

    User text stays text as set_value keeps it: every str is written as a string, and one that a
    spreadsheet would read as a formula carries the quote prefix.
    """
    sheet = workbook.add_worksheet(table.sheet[:31])
    columns = list(table.columns)
    width = max(len(columns), 1)
    title_format = workbook.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
    header_format = workbook.add_format(
        {"bold": True, "bg_color": _hex(HEADER_FILL), "align": "center", "valign": "vcenter", "text_wrap": True, **BORDER_FORMAT}
    )
    body, quoted = [], []
    for column in columns:
        options = {"valign": "top", "text_wrap": column.kind == "wrap", **BORDER_FORMAT}
        if column.kind in XLSX_FORMATS:
            options["num_format"] = XLSX_FORMATS[column.kind]
        body.append(workbook.add_format(options))
        quoted.append(workbook.add_format({**options, "quote_prefix": True}))
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0, 1)
    sheet.set_header("&C" + table.title.replace("&", "&&"))
    sheet.set_footer("&C第 &P 页，共 &N 页")
    sheet.freeze_panes(2, 0)

    sheet.set_row(0, 28)
    if width > 1:
        sheet.merge_range(0, 0, 0, width - 1, table.title, title_format)
    else:
        sheet.write_string(0, 0, table.title, title_format)
    for index, column in enumerate(columns):
        sheet.write_string(1, index, column.header, header_format)

    summed = [index for index, column in enumerate(columns) if column.summed]
    sums = [Decimal(0) for _column in columns]
    row_number = 1
    for row in table.rows:
        row_number += 1
        for index, value in enumerate(row):
            _write(sheet, row_number, index, _cell_value(value), body[index], quoted[index])
        for index in summed:
            value = row[index]
            if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
                sums[index] += Decimal(str(value))
    count = row_number - 1
    if count:
        sheet.autofilter(1, 0, 1 + count, width - 1)

    if summed or table.totals:
        totals: list[object] = [None] * len(columns)
        for index, column in enumerate(columns):
            if column.summed:
                totals[index] = yi(sums[index])
            if column.header in table.totals:
                totals[index] = table.totals[column.header]
        if totals[0] is None:
            totals[0] = table.totals_label
        last = row_number + 1
        styles = []
        for column in columns:
            kind = "wan" if column.summed else column.kind
            options = {"bold": True, "bg_color": _hex(TOTALS_FILL), **BORDER_FORMAT}
            if kind in XLSX_FORMATS:
                options["num_format"] = XLSX_FORMATS[kind]
            styles.append(workbook.add_format(options))
        first_value = next((i for i, v in enumerate(totals[1:], start=1) if v is not None), len(columns))
        if first_value > 1:
            sheet.merge_range(last, 0, last, first_value - 1, totals[0], styles[0])
        else:
            _write(sheet, last, 0, totals[0], styles[0], styles[0])
        for index in range(first_value, len(columns)):
            _write(sheet, last, index, _cell_value(totals[index]), styles[index], styles[index])


def _write(sheet, row: int, column: int, value, style, quoted_style) -> None:
    if value is None or value == "":
        return  # nothing written: most of a battle map's month cells are empty, and cells are the cost
    if isinstance(value, str):
        sheet.write_string(row, column, value, quoted_style if value.startswith(FORMULA_PREFIXES) else style)
    elif isinstance(value, bool):
        sheet.write_boolean(row, column, value, style)
    elif isinstance(value, Decimal | int | float):
        sheet.write_number(row, column, float(value), style)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, column, dt.datetime.combine(value, dt.time()), style)
    else:
        sheet.write_string(row, column, str(value), style)
