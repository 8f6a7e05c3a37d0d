"""Importing assigned matters (交办事项) from a bureau .xlsx: every row checked, then all written or none.

One sheet whose header row (found among the first rows, under any title) names the columns of
COLUMNS. Each row becomes an AssignedMatter and its finding through targets.findings.followup.assign, the
same path as the admin's form. A row that matches a matter already in the register (same source,
title, item, lead unit and assignment date) is skipped, so importing a file twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from ..choices import MatterSource
from ..documents import spreadsheets
from ..models import AssignedMatter, Department, Plan, TrackedItem
from . import followup

MAX_FILE_BYTES = 5 * 2**20
MAX_UNPACKED_BYTES = 50 * 2**20
MAX_ROWS = 2000
HEADER_SEARCH_ROWS = 10

# header → (field, required)
COLUMNS = {
    "来源": ("source", True),
    "事项名称": ("title", True),
    "交办要求": ("requirement", True),
    "目标或项目编号": ("item", True),
    "文号": ("document_number", False),
    "批示领导": ("leader", False),
    "批示日期": ("instructed_on", False),
    "批示原文": ("original_text", False),
    "会议名称": ("meeting", False),
    "会议日期": ("meeting_on", False),
    "议定事项": ("meeting_item", False),
    "牵头单位": ("department", True),
    "配合单位": ("cooperating", False),
    "交办日期": ("assigned_on", True),
    "办理时限": ("deadline", True),
}
DATE_FIELDS = {"instructed_on", "meeting_on", "assigned_on", "deadline"}
SOURCE_WORDS = {
    "领导批示": MatterSource.INSTRUCTION,
    "批示": MatterSource.INSTRUCTION,
    "instruction": MatterSource.INSTRUCTION,
    "调度会": MatterSource.MEETING,
    "联席会议": MatterSource.MEETING,
    "会议": MatterSource.MEETING,
    "meeting": MatterSource.MEETING,
    "现场督查": MatterSource.SITE_INSPECTION,
    "督查": MatterSource.SITE_INSPECTION,
    "site_inspection": MatterSource.SITE_INSPECTION,
}


class MatterFileError(Exception):
    """The file as a whole cannot be read."""


@dataclass
class Outcome:
    rows: list[dict] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, message)
    created: int = 0
    skipped: int = 0


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return unicodedata.normalize("NFKC", str(value)).strip()


def date_of(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value).replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat("-".join(part.zfill(2) for part in raw.strip("-").split("-")))
    except ValueError as exc:
        raise ValueError(_("“%(value)s” is not a date (write 2023-07-31).") % {"value": text(value)}) from exc


def read_rows(data: bytes) -> tuple[list[str], list[tuple[int, list]]]:
    if len(data) > MAX_FILE_BYTES:
        raise MatterFileError(_("The file is larger than %(mb)s MB.") % {"mb": MAX_FILE_BYTES // 2**20})
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise MatterFileError(_("The file unpacks to more than %(mb)s MB.") % {"mb": MAX_UNPACKED_BYTES // 2**20})
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except MatterFileError:
        raise
    except Exception as exc:
        raise MatterFileError(_("This is not an .xlsx workbook.")) from exc
    sheet = book.worksheets[0]
    header_row, headers = None, []
    rows: list[tuple[int, list]] = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if header_row is None:
            names = [text(v).replace(" ", "").rstrip("*") for v in values]
            if sum(name in COLUMNS for name in names) >= 3:
                header_row, headers = number, names
            elif number >= HEADER_SEARCH_ROWS:
                break
            continue
        if len(rows) >= MAX_ROWS:
            raise MatterFileError(_("The file has more than %(rows)s rows.") % {"rows": MAX_ROWS})
        if any(text(v) for v in values):
            rows.append((number, list(values)))
    book.close()
    if header_row is None:
        raise MatterFileError(_("No header row with the columns 来源, 事项名称, 交办要求 … was found."))
    missing = [name for name, (_f, required) in COLUMNS.items() if required and name not in headers]
    if missing:
        raise MatterFileError(_("Required columns missing: %(columns)s.") % {"columns": "、".join(missing)})
    return headers, rows


def analyse(plan: Plan, data: bytes) -> Outcome:
    """Check every row; nothing is written."""
    headers, raw_rows = read_rows(data)
    outcome = Outcome()
    items = dict(TrackedItem.objects.filter(plan=plan).values_list("code", "pk"))
    units: dict[str, int] = {}
    for pk, name, short in Department.objects.values_list("pk", "name", "short_name"):
        units[name] = pk
        if short:
            units.setdefault(short, pk)
    for number, values in raw_rows:
        cells = {headers[i]: values[i] for i in range(min(len(headers), len(values))) if headers[i] in COLUMNS}
        row: dict = {"row": number, "cooperating": []}
        for header, (name, required) in COLUMNS.items():
            value = cells.get(header)
            raw = text(value)
            if not raw:
                if required:
                    outcome.errors.append((number, header, _("This column is required.")))
                row.setdefault(name, None if name in DATE_FIELDS else "")
                continue
            try:
                if name in DATE_FIELDS:
                    row[name] = date_of(value)
                elif name == "source":
                    if raw not in SOURCE_WORDS:
                        raise ValueError(_("Write 领导批示, 调度会 or 现场督查."))
                    row[name] = SOURCE_WORDS[raw]
                elif name == "item":
                    if raw not in items:
                        message = _("No goal or project with code %(code)s in plan %(year)s.")
                        raise ValueError(message % {"code": raw, "year": plan.year})
                    row["item_id"] = items[raw]
                elif name in ("department", "cooperating"):
                    names = [n.strip() for n in raw.replace("，", "、").replace(",", "、").split("、") if n.strip()]
                    unknown = [n for n in names if n not in units]
                    if unknown:
                        raise ValueError(_("Unknown unit: %(names)s.") % {"names": "、".join(unknown)})
                    if name == "department":
                        row["department_id"] = units[names[0]]
                    else:
                        row["cooperating"] = [units[n] for n in names]
                else:
                    limit = AssignedMatter._meta.get_field(name).max_length
                    if limit and len(raw) > limit:
                        raise ValueError(_("At most %(limit)s characters.") % {"limit": limit})
                    row[name] = raw
            except ValueError as exc:
                outcome.errors.append((number, header, str(exc)))
        if not any(e[0] == number for e in outcome.errors):
            matter = build(row)
            for field_name, messages in followup.matter_errors(matter).items():
                header = next((h for h, (n, _r) in COLUMNS.items() if n == field_name), field_name)
                outcome.errors.extend((number, header, m) for m in ValidationError(messages).messages)
        outcome.rows.append(row)
    return outcome


def build(row: dict) -> AssignedMatter:
    fields = {name for name, _r in COLUMNS.values()} - {"item", "department", "cooperating"}
    values = {f: row.get(f) or (None if f in DATE_FIELDS else "") for f in fields}
    return AssignedMatter(item_id=row.get("item_id"), department_id=row.get("department_id"), **values)


def already_there(row: dict) -> bool:
    return AssignedMatter.objects.filter(
        Q(source=row["source"], title=row["title"], item_id=row["item_id"], department_id=row["department_id"]),
        assigned_on=row["assigned_on"],
    ).exists()


def import_matters(plan: Plan, data: bytes, user) -> Outcome:
    """Check every row, then create all matters and their findings in one transaction (or none)."""
    outcome = analyse(plan, data)
    if outcome.errors:
        return outcome
    with transaction.atomic():
        for row in outcome.rows:
            if already_there(row):
                outcome.skipped += 1
                continue
            followup.assign(build(row), user, cooperating=row["cooperating"])
            outcome.created += 1
    return outcome


def template_xlsx() -> bytes:
    """An empty sheet with the columns and one example row of each source."""
    book: Workbook = spreadsheets.new_workbook("交办事项")
    sheet = book.create_sheet("交办事项")
    spreadsheets.append_row(sheet, list(COLUMNS))
    spreadsheets.style_header_row(sheet, 1)
    example = ["领导批示", "加快推进充电桩建设", "7月底前完成年度目标的60%", "2023-G50", "区领导批示〔2023〕12号", "王副区长",
               dt.date(2023, 7, 3), "请发改局牵头，抓紧推进。", "", "", "", "区发展改革局", "区住房和城乡建设局",
               dt.date(2023, 7, 5), dt.date(2023, 7, 31)]  # fmt: skip
    spreadsheets.append_row(sheet, example)
    for index, header in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(12, len(header) * 3)
    return spreadsheets.to_bytes(book)
