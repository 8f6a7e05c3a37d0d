"""The project register's columns (重大项目台账 / 项目台账), declared once.

The project list's .xlsx (projects.documents.register_table), the register import
(projects.imports.register) and its template (projects.imports.template) are all derived from
COLUMNS: each column says what it holds (key: the model field, an annotation of the list, or a
pseudo key), its one header, what the export writes (width, cell kind, value) and, when the import
reads it, how (Parse: parser kind, required, the other headers the bureau's sheets use, its line in
the template's notes sheet). EXPORTED and IMPORTED give each side's order: the export reads as the
bureau's 重大项目台账, the template as its import sheet. The five level flags' columns come from
their one declaration, projects.choices.PROJECT_LEVELS.

Headers are Chinese literals, not translated: the bureau's documents are Chinese in every interface
language. The import also accepts the export's former headers (项目业主, 乡镇（街道）) as aliases, so a
workbook saved from an earlier export still imports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from targets.documents import spreadsheets
from targets.documents.words import light, zh
from targets.headlines import completion_percent

from .choices import PROJECT_LEVELS, BatchLevel, Category, LevelFlag, Stage
from .imports.common import Column as ImportColumn

YES_NO = "是、否（空白视为否）"


@dataclass(frozen=True)
class Parse:
    """How the import reads a column, and its line in the template's notes sheet (填写说明)."""

    kind: str = "text"  # text, unit, person, choice, flag, number, date
    required: bool = False
    aliases: tuple[str, ...] = ()  # other headers the bureau's sheets use for it
    meaning: str = ""
    fmt: str = ""
    allowed: str = ""  # CATEGORY / STAGE: the choice's labels (projects.imports.register.allowed_values)


@dataclass(frozen=True)
class RegisterColumn:
    key: str
    header: str
    width: float = 12  # the export's width in characters (targets.documents.spreadsheets)
    cell: str = "text"  # the export's cell kind: text, wrap, int, wan, percent, date
    summed: bool = False  # summed into the export's 亿元 totals row
    value: Callable[[Any], object] | None = None  # the export's value of a project; None: its attribute `key`
    parse: Parse | None = None  # None: the import does not read this column
    level: str = ""  # a level flag's abbreviation in the export's 项目层级 column

    def spreadsheet_column(self) -> spreadsheets.Column:
        return spreadsheets.Column(self.header, self.width, self.cell, summed=self.summed)

    def value_of(self, project) -> object:
        return self.value(project) if self.value is not None else getattr(project, self.key)

    def import_column(self) -> ImportColumn:
        p = self.parse
        assert p is not None, f"{self.key} is not imported"
        return ImportColumn(self.key, self.header, p.kind, p.required, p.aliases, p.meaning, p.fmt, p.allowed)


def level_text(project) -> str:
    """The level flags a project carries, as the bureau abbreviates them ("省重点、重大")."""
    return "、".join(column.level for column in COLUMNS if column.level and getattr(project, column.key))


def _flag(level: LevelFlag) -> RegisterColumn:
    parse = Parse("flag", False, (level.alias,), level.meaning, "是/否", YES_NO)
    return RegisterColumn(level.field, level.header, level=level.short, parse=parse)


COLUMNS = (
    RegisterColumn("index", "序号", 6, "int"),  # the row's number, filled in by the export
    RegisterColumn(
        "code",
        "项目编号",
        12,
        parse=Parse("text", True, ("编号", "项目代码"), "项目在所选年度计划中的唯一编号，用于匹配已有项目", "文本，如 2023-P001"),
    ),
    RegisterColumn("title", "项目名称", 32, "wrap", parse=Parse("text", True, ("名称",), "项目全称", "文本，300字以内")),
    RegisterColumn(
        "owner_company",
        "业主单位",
        22,
        "wrap",
        parse=Parse("text", False, ("建设单位", "项目业主"), "项目业主（建设）单位", "文本"),
    ),
    RegisterColumn(
        "township",
        "所在乡镇（街道）",
        10,
        parse=Parse("text", False, ("所在乡镇", "乡镇（街道）", "所在地"), "项目所在乡镇或街道", "文本，如 海门街道"),
    ),
    RegisterColumn(
        "category",
        "项目类别",
        10,
        value=lambda p: zh(Category, p.category),
        parse=Parse("choice", False, ("类别",), "项目类别", "从可选值中选一个", "CATEGORY"),
    ),
    RegisterColumn("levels", "项目层级", 14, "wrap", value=level_text),
    RegisterColumn(
        "stage",
        "建设阶段",
        10,
        value=lambda p: zh(Stage, p.stage),
        parse=Parse("choice", False, ("项目阶段", "阶段"), "建设阶段", "从可选值中选一个", "STAGE"),
    ),
    RegisterColumn("batch_level", "集中开工批次", 10, value=lambda p: zh(BatchLevel, p.batch_level)),
    RegisterColumn(
        "total_investment",
        "总投资（万元）",
        14,
        "wan",
        summed=True,
        parse=Parse("number", False, ("计划总投资", "项目总投资"), "项目总投资", "数字，单位万元，可带千位分隔符"),
    ),
    RegisterColumn(
        "target_value",  # the annual plan is the tracked item's target value
        "年度计划投资（万元）",
        14,
        "wan",
        summed=True,
        parse=Parse(
            "number", False, ("年度计划", "本年计划投资", "年度投资计划"), "本年度计划完成投资，不得超过总投资", "数字，单位万元"
        ),
    ),
    RegisterColumn("latest_value", "累计完成投资（万元）", 14, "wan", summed=True),  # the list's annotation
    RegisterColumn("completion", "完成率（%）", 10, "percent", value=lambda p: completion_percent(p, p.latest_value)),
    RegisterColumn("latest_report_date", "最新报送日期", 12, "date"),
    RegisterColumn("status", "状态", 6, value=lambda p: light(getattr(p, "duban_status", None))),
    RegisterColumn(
        "lead_department",
        "责任单位",
        20,
        "wrap",
        value=lambda p: p.lead_department.name if p.lead_department_id else "",
        parse=Parse("unit", True, ("牵头单位", "责任部门"), "牵头负责的单位", "单位全称或简称，须为系统中已有的责任单位"),
    ),
    RegisterColumn(
        "responsible_leader",
        "责任领导",
        14,
        "wrap",
        value=lambda p: str(p.responsible_leader) if p.responsible_leader_id else "",
        parse=Parse("person", False, ("包干领导", "联系领导"), "包干（责任）领导", "姓名，须为系统中已有的人员", "可不填"),
    ),
    *(_flag(level) for level in PROJECT_LEVELS),
    RegisterColumn(
        "land_area", "用地面积（亩）", parse=Parse("number", False, ("用地面积", "用地"), "项目用地面积", "数字，单位亩")
    ),
    RegisterColumn(
        "plan_statement",
        "建设内容",
        parse=Parse("text", False, ("主要建设内容", "建设规模及内容"), "主要建设内容及规模", "文本"),
    ),
    RegisterColumn(
        "period_start",
        "计划开始日期",
        parse=Parse(
            "date",
            False,
            ("计划开始", "开始日期", "计划开工日期"),
            "本年度督办期开始日期，不填则为计划年度开始",
            "日期，如 2023-01-01 或 2023年1月1日",
        ),
    ),
    RegisterColumn(
        "period_end",
        "计划结束日期",
        parse=Parse(
            "date",
            False,
            ("计划结束", "结束日期", "计划完成日期"),
            "本年度督办期结束日期，不填则为计划年度结束",
            "日期，如 2023-12-31",
        ),
    ),
)
BY_KEY = {column.key: column for column in COLUMNS}

# The export's order (the bureau's 重大项目台账) and the import template's.
EXPORTED = tuple(
    BY_KEY[key]
    for key in (
        "index",
        "code",
        "title",
        "owner_company",
        "township",
        "category",
        "levels",
        "stage",
        "batch_level",
        "total_investment",
        "target_value",
        "latest_value",
        "completion",
        "latest_report_date",
        "status",
        "lead_department",
        "responsible_leader",
    )
)
IMPORTED = tuple(
    BY_KEY[key].import_column()
    for key in (
        "code",
        "title",
        "lead_department",
        "responsible_leader",
        "category",
        "stage",
        *(level.field for level in PROJECT_LEVELS),
        "owner_company",
        "township",
        "total_investment",
        "target_value",
        "land_area",
        "plan_statement",
        "period_start",
        "period_end",
    )
)


def export_position(key: str) -> int:
    """The index of a column in an export row."""
    return [column.key for column in EXPORTED].index(key)
