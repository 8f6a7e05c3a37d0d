"""Monthly progress (月度进度): one sheet of code, month, cumulative value, progress and problems.

Each row becomes the progress report of its item as of the month's end (1—2月: end of February);
a report already filed for that date is corrected. Rows are validated by the same rules as the
admin and the API (targets.validation.progress_report) against the reports already filed and the
file's other rows. A unit's user may import rows only for items its unit leads: any other row is
an error naming the row, never skipped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from targets import periods, review, validation
from targets.choices import MetricKind
from targets.models import Plan, ProgressReport, Target, TrackedItem, month_start

from . import common, workbook
from .common import (
    CHANGED,
    ERROR,
    NEW,
    PROGRESS_EVERY,
    UNCHANGED,
    Analysis,
    Column,
    ProgressCallback,
    RowError,
    RowOutcome,
    display,
    formula_message,
    missing_column_errors,
    no_progress,
    update_with_history,
)

SHEET_NAMES = ("月度进度", "进度", "进度报送", "月报")


COLUMNS = (
    Column("code", "项目编号", required=True, aliases=("编号", "督办对象编号", "目标编号"),
           meaning="项目（或目标）在年度计划中的编号", fmt="文本，与项目台账一致"),
    Column("title", "项目名称", aliases=("名称",), meaning="项目名称，仅供核对，导入时不修改", fmt="文本"),
    Column("month", "月份", "month", required=True, aliases=("报送月份", "填报月份", "进度月份", "截至月份"),
           meaning="进度截至的月份，按月末计", fmt="如 1—2月、3月、2023年3月、2023-03，或日期",
           allowed="1—2月表示1、2月合并报送，截至2月末"),
    Column("value", "累计完成投资（万元）", "number", aliases=("累计完成投资", "累计完成", "自年初累计完成投资", "累计完成值"),
           meaning="自年初起累计完成投资（目标为累计完成值）；是/否类目标不填", fmt="数字，单位万元，可带千位分隔符"),
    Column("narrative", "形象进度", aliases=("项目进展情况", "进展情况", "工作进展", "形象进度描述"),
           meaning="本月形象进度", fmt="文本"),
    Column("problems", "存在问题", aliases=("存在的问题", "问题及困难", "问题"), meaning="存在问题及需协调事项", fmt="文本"),
    Column("correction_reason", "更正原因", aliases=("更正说明",), meaning="累计值低于上月时必须说明更正原因",
           fmt="文本，300字以内"),
)  # fmt: skip
BY_KEY = {column.key: column for column in COLUMNS}
REQUIRED = {column.key: column.header for column in COLUMNS if column.required}
TEXT_FIELDS = ("narrative", "problems", "correction_reason")
REVIEW_FIELDS = ("review_state", "reviewed_by", "reviewed_at")


def known_headers() -> dict[str, str]:
    return common.known_headers(COLUMNS)


@dataclass
class ProgressRow:
    row: int
    item: TrackedItem
    as_of: dt.date
    values: dict[str, object]
    errors: list[RowError] = field(default_factory=list)


@dataclass
class ProgressAction:
    row: int
    report: ProgressReport
    is_new: bool


def analyse(
    data: bytes,
    plan: Plan,
    *,
    department_id: int | None = None,
    today: dt.date | None = None,
    progress: ProgressCallback = no_progress,
) -> Analysis:
    """Read a progress sheet and compare it with the reports filed. department_id: the unit a unit user
    may import for (None: bureau staff, any item). Nothing is written."""
    with translation.override("zh-hans"):
        return _analyse(data, plan, department_id, today or timezone.localdate(), progress)


def _analyse(data: bytes, plan: Plan, department_id: int | None, today: dt.date, progress: ProgressCallback) -> Analysis:
    table = workbook.read_table(data, SHEET_NAMES, known_headers(), required=REQUIRED)
    analysis = Analysis(kind="progress", sheet=table.name)
    analysis.errors.extend(missing_column_errors(table, REQUIRED))
    if table.missing:
        return analysis

    def header(key: str) -> str:
        return table.headers.get(key) or BY_KEY[key].header

    codes = {workbook.clean_text(workbook.cell(row, table.columns["code"])) for _n, row in table.rows}
    items = {i.code: i for i in TrackedItem.objects.filter(plan=plan, code__in=codes - {""}).select_related("lead_department")}
    yes_no = set(
        Target.objects.filter(pk__in=[i.pk for i in items.values()], metric_kind=MetricKind.MILESTONE).values_list(
            "pk", flat=True
        )
    )
    filed: dict[int, dict[dt.date, ProgressReport]] = {}
    for report in ProgressReport.objects.filter(item__in=[i.pk for i in items.values()]):
        filed.setdefault(report.item_id, {})[report.as_of] = report

    total = len(table.rows)
    parsed: list[tuple[int, str, ProgressRow | None, list[RowError]]] = []
    seen: dict[tuple[str, dt.date], int] = {}
    for done, (number, row) in enumerate(table.rows, start=1):
        parsed.append(_parse(number, row, table, header, plan, items, department_id, seen))
        if done % PROGRESS_EVERY == 0:
            progress("analysing", done // 2, total)

    # Series rules need every row of an item: the file's rows override the reports filed on their date.
    by_item: dict[int, dict[dt.date, ProgressRow]] = {}
    for _number, _code, parsed_row, errors in parsed:
        if parsed_row is not None and not errors:
            by_item.setdefault(parsed_row.item.pk, {})[parsed_row.as_of] = parsed_row
    closed = periods.closed_months(plan)
    for done, (number, code, parsed_row, errors) in enumerate(parsed, start=1):
        if parsed_row is not None and not errors:
            errors.extend(_series_errors(parsed_row, header, filed, by_item, yes_no, today))
        outcome = action = None
        if parsed_row is not None and not errors and month_start(parsed_row.as_of) in closed:
            # 月度锁定: a row that would file or change a report of a closed month refuses the import.
            outcome, action = _classify(parsed_row, header, filed)
            if action is not None:
                errors.append(RowError(number, header("month"), periods.closed_error(month_start(parsed_row.as_of)).messages[0]))
        analysis.errors.extend(errors)
        item_title = parsed_row.item.title if parsed_row is not None else ""
        if errors or parsed_row is None:
            analysis.rows.append(RowOutcome(number, code, item_title, ERROR))
            continue
        if outcome is None:
            outcome, action = _classify(parsed_row, header, filed)
        analysis.rows.append(outcome)
        if action is not None:
            analysis.actions.append(action)
        if done % PROGRESS_EVERY == 0:
            progress("analysing", (total + done) // 2, total)
    progress("analysing", total, total)
    return analysis


def _parse(number, row, table, header, plan, items, department_id, seen):
    errors: list[RowError] = []
    values: dict[str, object] = {}
    for key, index in table.columns.items():
        raw = workbook.cell(row, index)
        if raw is workbook.NO_CACHED_VALUE:
            errors.append(RowError(number, header(key), formula_message()))
            continue
        try:
            if key == "month":
                month = workbook.parse_month(raw)
                values[key] = month and workbook.check_reporting_month(month)
            elif key == "value":
                values[key] = workbook.parse_number(raw)
            else:
                values[key] = workbook.clean_text(raw)
        except workbook.CellError as exc:
            errors.append(RowError(number, header(key), str(exc)))
            continue
        if key in TEXT_FIELDS and (message := common.too_long_message(ProgressReport, key, values[key])):
            errors.append(RowError(number, header(key), message))
    code = values.get("code") or ""
    for key in REQUIRED:
        if key in values and not values[key]:
            errors.append(RowError(number, header(key), _("This column is required.")))
    item = items.get(code) if code else None
    if code and item is None:
        errors.append(
            RowError(number, header("code"), _("No project or goal of this plan has the code “%(code)s”.") % {"code": code})
        )
    if item is not None and department_id is not None and item.lead_department_id != department_id:
        errors.append(
            RowError(
                number,
                header("code"),
                _("%(code)s is led by %(unit)s, not by your unit: you can import progress only for your unit's items.")
                % {"code": code, "unit": item.lead_department or _("no unit")},
            )
        )
    month = values.get("month")
    if item is None or month is None or errors:
        return number, code, None, errors
    as_of = month.end(plan.year)
    if (code, as_of) in seen:
        errors.append(
            RowError(
                number,
                header("month"),
                _("%(code)s has another row for %(month)s in this file (row %(row)s).")
                % {"code": code, "month": month.label(), "row": seen[(code, as_of)]},
            )
        )
    else:
        seen[(code, as_of)] = number
    return number, code, ProgressRow(number, item, as_of, values), errors


def _series_errors(row: ProgressRow, header, filed, by_item, yes_no, today) -> list[RowError]:
    item = row.item
    reports = filed.get(item.pk, {})
    from_file = by_item.get(item.pk, {})
    existing = reports.get(row.as_of)
    value = row.values.get("value", existing.value if existing else None)
    reason = row.values.get("correction_reason", existing.correction_reason if existing else "")
    series: dict[dt.date, tuple[Decimal | None, str]] = {d: (r.value, r.correction_reason) for d, r in reports.items()}
    for day, other in from_file.items():
        old = reports.get(day)
        series[day] = (
            other.values.get("value", old.value if old else None),
            other.values.get("correction_reason", old.correction_reason if old else ""),
        )
    previous = max(((d, v) for d, (v, _r) in series.items() if d < row.as_of and v is not None), default=(None, None))[1]
    errors = validation.progress_report(
        is_yes_no=item.pk in yes_no,
        value=value,
        as_of=row.as_of,
        today=today,
        period_start=item.period_start,
        period_end=item.period_end,
        previous_value=previous,
        correction_reason=reason,
        narrative=row.values.get("narrative") or "",
        problems=row.values.get("problems") or "",
    )
    result = [RowError(row.row, _column_of(field_name, header), error.messages[0]) for field_name, error in errors.items()]
    # A later report filed before (and not in this file) must not fall below this row's value.
    if value is not None and not result:
        later = sorted((d, r) for d, r in reports.items() if d > row.as_of and d not in from_file and r.value is not None)
        if later and later[0][1].value < value and not later[0][1].correction_reason.strip():
            result.append(
                RowError(
                    row.row,
                    header("value"),
                    _("The report already filed for %(date)s has a lower cumulative value (%(value)s); correct that month too.")
                    % {"date": later[0][0].isoformat(), "value": f"{later[0][1].value:,}"},
                )
            )
    return result


def _column_of(field_name: str, header) -> str:
    if field_name == "as_of":
        return header("month")
    if field_name in BY_KEY:
        return header(field_name)
    return field_name


def _classify(row: ProgressRow, header, filed) -> tuple[RowOutcome, ProgressAction | None]:
    existing = filed.get(row.item.pk, {}).get(row.as_of)
    code, title = row.item.code, row.item.title
    if existing is None:
        report = ProgressReport(
            item_id=row.item.pk,
            as_of=row.as_of,
            period=month_start(row.as_of),
            value=row.values.get("value"),
            **{name: row.values.get(name, "") for name in TEXT_FIELDS},
        )
        return RowOutcome(row.row, code, title, NEW), ProgressAction(row.row, report, True)
    changes = []
    for name in ("value", *TEXT_FIELDS):
        if name not in row.values:
            continue
        old, new = getattr(existing, name), row.values[name]
        if name == "value":
            same = old == new if old is None or new is None else Decimal(old) == Decimal(new)
        else:
            same = (old or "") == (new or "")
        if not same:
            changes.append([header(name), display(old), display(new)])
            setattr(existing, name, new)
    if not changes:
        return RowOutcome(row.row, code, title, UNCHANGED), None
    return RowOutcome(row.row, code, title, CHANGED, changes), ProgressAction(row.row, existing, False)


def lock_existing(plan: Plan, codes: list[str]) -> None:
    """Lock the plan's items with these codes and all their reports: an item's reports are validated
    as one series (see common.lock_items)."""
    common.lock_items(plan, codes, TrackedItem, ProgressReport)


def apply(analysis: Analysis, user, reason: str, progress: ProgressCallback = no_progress) -> dict[str, int]:
    """File the new reports and correct the changed ones in one transaction, audited as user."""
    new = [a.report for a in analysis.actions if a.is_new]
    changed = [a.report for a in analysis.actions if not a.is_new]
    total = len(new) + len(changed)
    with transaction.atomic():
        plan = Plan.objects.get(items=(new + changed)[0].item_id) if total else None
        for report in new + changed:
            # The reporter is whoever set the current value (as in the admin); the history keeps earlier ones.
            report.reporter = user
            # 审核: a unit's rows are submitted for review, staff's approved (targets.review).
            review.entered(report, user, plan)
        done = 0
        for start in range(0, len(new), 1000):
            chunk = new[start : start + 1000]
            bulk_create_with_history(chunk, ProgressReport, batch_size=1000, default_user=user, default_change_reason=reason)
            done += len(chunk)
            progress("applying", done, total)
        for start in range(0, len(changed), 1000):
            chunk = changed[start : start + 1000]
            update_with_history(ProgressReport, chunk, ["value", *TEXT_FIELDS, "reporter", *REVIEW_FIELDS], user, reason)
            done += len(chunk)
            progress("applying", done, total)
    return {"created": len(new), "updated": len(changed)}
