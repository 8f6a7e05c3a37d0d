"""The three lists (三清单: 问题清单, 责任清单, 整改清单) and what each shows, declared once.

Each list is a ThreeList: its ?list= key, its sheet's name and its columns, in the bureau's order
(domain.md Part 3.1). A ListColumn is one thing a list shows, under one key (its key in a three-list
row), and says where it appears:

- sheet: its column in the .xlsx (targets.documents.three_lists): header, width, cell kind; what
  the cell holds is derived from the row (a date column reads the ISO text as a date, an amount
  column the decimal text as a Decimal, a `labels` column the code's Chinese label) unless `read`
  says otherwise;
- admin: its column on the list's tab of the finding register (targets.admin.finding_lists), a
  FindingAdmin display method or a model field;
- api: its field in the API (targets.api.serializers.FindingSerializer, ?list=);
- the three-list row (targets.findings.rounds.three_lists_row, what a round freezes): `freeze`
  takes its value from a finding (default: the attribute `key`, ISO text for a date column, decimal
  text for an amount); kept=False leaves it out of the row.

Each output takes, in declaration order, the columns that have it: the admin's tab shows
COMMON's and the list's columns with an `admin` name, the sheet those with a `sheet`. The API keeps
its own order where it differs from the sheet's: API_CORE, the contract fields answered on every
list, then each list's other `api` fields. A column in two lists is the same declaration (STATE).

Headers are Chinese literals, not translated: the bureau's documents are Chinese in every interface
language.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Choices

from . import item_kinds
from .choices import (
    ExtensionDecision,
    FindingCause,
    FindingLevel,
    FindingSource,
    FindingState,
    ItemKind,
    MetricKind,
    ProblemCategory,
)
from .documents.spreadsheets import Column
from .documents.words import LIGHT, zh


@dataclass(frozen=True)
class ListColumn:
    key: str  # its key in a three-list row
    sheet: Column | None = None  # its .xlsx column; None: not in the sheet
    labels: type[Choices] | Mapping[str, str] | None = None  # the sheet shows a code's label
    read: Callable[[dict], object] | None = None  # the sheet's value of a row, when not the row's `key`
    freeze: Callable[[Any], object] | None = None  # the row's value of a finding, when not its attribute `key`
    kept: bool = True  # False: not in a three-list row
    admin: str = ""  # the column on the admin's tab (a FindingAdmin display method or a model field)
    api: str = ""  # the API's field

    def value(self, row: dict) -> object:
        """The sheet's cell for a three-list row."""
        if self.read is not None:
            return self.read(row)
        value = row.get(self.key)
        kind = self.sheet.kind if self.sheet else "text"
        if kind == "date":
            return dt.date.fromisoformat(value) if value else None
        if kind == "amount":
            return Decimal(value) if value not in (None, "") else None
        if isinstance(self.labels, Mapping):
            return self.labels.get(value, value or "")
        if self.labels is not None:
            return zh(self.labels, value)
        return "" if value is None else value

    def frozen(self, finding) -> object:
        """What a three-list row keeps of a finding (JSON-ready)."""
        if self.freeze is not None:
            return self.freeze(finding)
        value = getattr(finding, self.key)
        kind = self.sheet.kind if self.sheet else "text"
        if kind == "date":
            return _iso(value)
        if kind == "amount":
            return None if value is None else str(value)
        return value


@dataclass(frozen=True)
class ThreeList:
    key: str  # ?list= in the admin and the API
    sheet: str  # the sheet's name in the .xlsx
    columns: tuple[ListColumn, ...]  # after COMMON's


# --- What a row holds that is not the finding's attribute --------------------------------------------


def value_unit(finding) -> str:
    """The unit of a finding's expected / actual / gap: 万元 for projects and amount goals."""
    item = finding.item
    if item.kind == ItemKind.PROJECT:
        return "万元"
    target = getattr(item, "target", None)
    if target is None:
        return ""
    if target.metric_kind == MetricKind.AMOUNT:
        return "万元"  # amounts are stored in 万元, also for goals the plan states in 亿元
    return target.unit


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _updates(finding) -> list[dict]:
    return [{"date": _iso(u.date), "text": u.text} for u in finding.updates.all()]


def _extensions(finding) -> list[dict]:
    return [
        {
            "requested_deadline": _iso(e.requested_deadline),
            "previous_deadline": _iso(e.previous_deadline),
            "reason": e.reason,
            "decision": e.decision,
        }
        for e in finding.extensions.all()
    ]


def _verifier(finding) -> str:
    user = finding.verified_by
    return (user.get_full_name() or user.get_username()) if user else ""


# --- What a sheet shows that is not the row's value ---------------------------------------------------


def sequence(row: dict) -> int:
    return row["_seq"]  # the row's position, numbered by the export


def updates_text(row: dict) -> str:
    return "\n".join(f"{u['date']} {u['text']}" for u in row.get("updates") or [])


def extension_text(row: dict) -> str:
    lines = []
    for e in row.get("extensions") or []:
        decision = zh(ExtensionDecision, e.get("decision"))
        lines.append(
            f"原时限{e.get('previous_deadline') or ''}，申请延至{e.get('requested_deadline') or ''}（{decision}）：{e.get('reason') or ''}"
        )
    return "\n".join(lines)


# --- The declaration ------------------------------------------------------------------------------------

# The API's contract fields, on every list and in this order (a finding's identity and status).
API_CORE = (
    "id", "target", "project", "milestone", "cause", "level", "state", "department", "deadline", "ready_to_close",
    "previous",  # the earlier finding: a relapse's, or last year's for one carried by the roll-over
)  # fmt: skip

# The first columns of every list. The row's number is the register's (targets.findings.rounds.three_lists_row).
COMMON = (
    ListColumn("index", Column("序号", 6, "int"), read=sequence, kept=False),
    ListColumn("number", Column("问题编号", 11), kept=False, admin="number_display"),
    ListColumn("item_code", Column("督办对象编号", 13), freeze=lambda f: f.item.code, admin="item_link"),
    ListColumn("item_title", Column("督办对象名称", 30, "wrap"), freeze=lambda f: f.item.title),
)

STATE = ListColumn("state", Column("状态", 10), FindingState, admin="state", api="state")
STATE_ON_TAB = dataclasses.replace(STATE, sheet=None)  # on the admin's tab of the other two lists only

PROBLEM = ThreeList(
    "problem",
    "问题清单",
    (
        ListColumn(
            "milestone",
            Column("关联节点", 14, "wrap"),
            freeze=lambda f: f.milestone.title if f.milestone_id else "",
            api="milestone",
        ),
        ListColumn("cause", Column("触发原因", 13), FindingCause, admin="cause", api="cause"),
        ListColumn("category", Column("问题类别", 12), ProblemCategory, admin="category", api="category"),
        ListColumn("description", Column("问题描述", 40, "wrap"), admin="description_display", api="description"),
        ListColumn("problems", Column("存在问题", 30, "wrap"), admin="problems_display", api="problems"),
        ListColumn("opened_on", Column("发现日期", 12, "date"), admin="opened_on", api="opened_on"),
        ListColumn("light_when_found", Column("发现时灯色", 8), LIGHT, admin="light_display", api="light_when_found"),
        ListColumn("expected", Column("应完成", 13, "amount"), api="expected"),
        ListColumn("actual", Column("实际完成", 13, "amount"), api="actual"),
        ListColumn("gap", Column("差距", 13, "amount"), api="gap"),
        ListColumn("value_unit", Column("计量单位", 8), freeze=value_unit),
        ListColumn("days_overdue", Column("逾期天数", 8, "int"), api="days_overdue"),
        ListColumn("source", Column("问题来源", 10), FindingSource, api="source"),
        ListColumn("level", Column("督办等级", 12), FindingLevel, admin="level", api="level"),
        STATE,
        ListColumn("confirmed", freeze=lambda f: f.confirmed_at is not None, admin="confirmed_display"),
    ),
)

RESPONSIBILITY = ThreeList(
    "responsibility",
    "责任清单",
    (
        ListColumn(
            "responsible_leader",
            Column("包干区领导", 16, "wrap"),
            freeze=lambda f: str(f.responsible_leader) if f.responsible_leader_id else "",
            admin="responsible_leader",
            api="responsible_leader",
        ),
        ListColumn(
            "department",
            Column("牵头单位", 20, "wrap"),
            freeze=lambda f: f.department.name if f.department else "",
            admin="department",
            api="department",
        ),
        ListColumn(
            "cooperating_departments",
            Column("配合单位", 24, "wrap"),
            read=lambda row: "、".join(row.get("cooperating_departments") or []),
            freeze=lambda f: sorted(str(d) for d in f.cooperating_departments.all()),
            admin="cooperating_display",
            api="cooperating_departments",
        ),
        # The admin shows the contact's name and phone in one column, the sheet in two.
        ListColumn(
            "contact",
            Column("责任人", 10),
            freeze=lambda f: f.contact.name if f.contact else "",
            admin="contact_display",
            api="contact",
        ),
        ListColumn("contact_phone", Column("联系电话", 14), freeze=lambda f: f.contact.phone if f.contact else ""),
        ListColumn(
            "owner_company",
            Column("项目业主", 24, "wrap"),
            freeze=lambda f: item_kinds.owner_of(f.item),
            admin="owner_company_display",
        ),
        STATE_ON_TAB,
    ),
)

RECTIFICATION = ThreeList(
    "rectification",
    "整改清单",
    (
        ListColumn("measures", Column("整改措施", 36, "wrap"), admin="measures_display", api="measures"),
        ListColumn("deadline", Column("整改时限", 12, "date"), admin="deadline_display", api="deadline"),
        ListColumn("original_deadline", Column("原整改时限", 12, "date"), api="original_deadline"),
        ListColumn("updates", Column("进展反馈", 36, "wrap"), read=updates_text, freeze=_updates, admin="updates_display"),
        ListColumn("evidence", Column("佐证材料", 24, "wrap"), admin="evidence_display", api="evidence"),
        ListColumn(
            "extensions", Column("延期申请", 30, "wrap"), read=extension_text, freeze=_extensions, admin="extension_display"
        ),
        ListColumn(
            "closure_requested_on", Column("申请销号日期", 13, "date"), admin="closure_requested_on", api="closure_requested_on"
        ),
        ListColumn("verified_by", Column("核验人", 10), freeze=_verifier, admin="verified_by", api="verified_by"),
        ListColumn("verification_note", Column("核验情况", 24, "wrap"), api="verification_note"),
        ListColumn("closed_on", Column("销号日期", 12, "date"), admin="closed_on", api="closed_on"),
        STATE_ON_TAB,
        # Reopening and the 回头看: in the API only.
        ListColumn("reopened_on", kept=False, api="reopened_on"),
        ListColumn("reopen_count", kept=False, api="reopen_count"),
        ListColumn("recheck_due", kept=False, api="recheck_due"),
        ListColumn("recheck_result", kept=False, api="recheck_result"),
    ),
)

LISTS = (PROBLEM, RESPONSIBILITY, RECTIFICATION)
BY_KEY = {three_list.key: three_list for three_list in LISTS}


# --- What each output derives -----------------------------------------------------------------------


def sheet_columns(three_list: ThreeList) -> list[ListColumn]:
    """The columns of the list's sheet, in order."""
    return [c for c in (*COMMON, *three_list.columns) if c.sheet is not None]


def admin_columns(three_list: ThreeList) -> tuple[str, ...]:
    """The list's tab in the admin: its list_display."""
    return tuple(c.admin for c in (*COMMON, *three_list.columns) if c.admin)


def api_fields(three_list: ThreeList) -> list[str]:
    """The API's fields of the list besides API_CORE, in order."""
    return [c.api for c in three_list.columns if c.api and c.api not in API_CORE]


def row_columns() -> list[ListColumn]:
    """The columns a three-list row keeps, each once, in declaration order."""
    seen: dict[str, ListColumn] = {}
    for column in (c for three_list in LISTS for c in (*COMMON, *three_list.columns)):
        if column.kept:
            seen.setdefault(column.key, column)
    return list(seen.values())


def frozen_columns(finding) -> dict:
    """A finding's values of every kept column (targets.findings.rounds.three_lists_row adds its identity)."""
    return {column.key: column.frozen(finding) for column in row_columns()}
