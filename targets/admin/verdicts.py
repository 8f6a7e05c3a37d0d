"""The year-end verdict table (年终评价): every item's final verdict, with its reason, exportable."""

# Django's admin hooks have fixed signatures.
# ruff: noqa: ARG002

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .. import formatting
from ..choices import ItemKind, VerdictOutcome
from ..documents.spreadsheets import Column, Table, table_xlsx
from ..models import Verdict
from ..reasons import reason_text
from .exports import ExcelExportMixin
from .helpers import DubanAdmin
from .status import badge

VERDICT_COLUMNS = [
    Column("序号", 6, "int"),
    Column("编号", 12),
    Column("名称", 36, "wrap"),
    Column("类别", 8),
    Column("目标", 18, "wrap"),
    Column("实际", 14, "number"),
    Column("评价", 8),
    Column("灯色", 6),
    Column("理由", 48, "wrap"),
    Column("评价日期", 12, "date"),
    Column("牵头单位", 20, "wrap"),
]
OUTCOME_ZH = {VerdictOutcome.MET: "完成", VerdictOutcome.MISSED: "未完成", VerdictOutcome.NOT_JUDGED: "未评价"}
COLOUR_ZH = {"green": "绿", "blue": "蓝", "yellow": "黄", "red": "红", "grey": "灰"}


def item_of(verdict):
    """The goal (with its units) or the project behind a verdict, for amounts and reason texts."""
    item = verdict.item
    if item.kind == ItemKind.GOAL:
        item.target = getattr(item, "target", None)
    return item


def target_text(verdict) -> str:
    item = verdict.item
    target = getattr(item, "target", None) if item.kind == ItemKind.GOAL else None
    if target is not None:
        return formatting.goal_target(target)
    return formatting.wan(item.target_value) if item.target_value is not None else formatting.EMPTY


def reasons_text(verdict) -> str:
    item = item_of(verdict)
    return "；".join(str(reason_text(reason, item)).rstrip("。.") for reason in verdict.reasons or [])


def verdicts_table(verdicts) -> Table:
    rows = [
        (
            index,
            v.item.code,
            v.item.title,
            "目标" if v.item.kind == ItemKind.GOAL else "项目",
            target_text(v),
            v.actual,
            OUTCOME_ZH.get(v.outcome, v.outcome),
            COLOUR_ZH.get(v.status, v.status),
            reasons_text(v),
            v.decided_on,
            str(v.item.lead_department or ""),
        )
        for index, v in enumerate(verdicts, start=1)
    ]
    years = sorted({v.plan.year for v in verdicts})
    title = f"{'、'.join(map(str, years))}年度年终评价" if years else "年终评价"
    return Table(title=title, sheet="年终评价", columns=VERDICT_COLUMNS, rows=rows)


@admin.register(Verdict)
class VerdictAdmin(ExcelExportMixin, DubanAdmin):
    list_display = (
        "code",
        "title",
        "target_display",
        "actual_display",
        "outcome",
        "status_badge",
        "reason_display",
        "decided_on",
    )
    list_filter = ("plan", "outcome", "status", "item__kind")
    list_select_related = ("plan", "item", "item__target", "item__lead_department")
    search_fields = ("item__code", "item__title")
    ordering = ("plan", "item__code")

    def has_add_permission(self, request):
        return False  # verdicts are made by the supervision run

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("code"), ordering="item__code")
    def code(self, obj):
        return obj.item.code

    @admin.display(description=_("name"))
    def title(self, obj):
        return obj.item.title

    @admin.display(description=_("target"))
    def target_display(self, obj):
        return target_text(obj)

    @admin.display(description=_("actual"))
    def actual_display(self, obj):
        target = getattr(obj.item, "target", None) if obj.item.kind == ItemKind.GOAL else None
        return formatting.goal_amount(target, obj.actual) if target is not None else formatting.number(obj.actual)

    @admin.display(description=_("status"))
    def status_badge(self, obj):
        return badge(obj.status)

    @admin.display(description=_("reason"))
    def reason_display(self, obj):
        return reasons_text(obj)

    def export_workbook(self, request, queryset):
        verdicts = list(queryset.select_related("plan", "item", "item__target", "item__lead_department"))
        return table_xlsx(verdicts_table(verdicts)), "年终评价.xlsx"
