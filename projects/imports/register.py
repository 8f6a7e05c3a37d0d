"""The project register import (项目台账: projects and their monthly plans): row parsing and
validation, diff by code, apply. The columns are declared in projects.register_columns.

A row matches an existing project of the chosen plan by its code (项目编号). A column the file
does not have leaves that field as it is; a blank cell in a column the file has clears the field
(是/否 flags: blank is 否). Monthly plan columns (1—2月 … 12月) set the cumulative planned
investment at each month end (the project's checkpoints); a blank month cell removes that month.

Over 400 lines on purpose: analyse and apply are the interface imports.jobs calls for either import
kind (like projects.imports.progress), and they share the ProjectAction one hands the other.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from targets import validation
from targets.choices import ItemKind, ScheduleMode
from targets.engine import bulk
from targets.models import Checkpoint, Department, Person, Plan, TrackedItem

from ..choices import Category, Stage
from ..models import Project
from ..register_columns import IMPORTED
from ..schedule import is_reporting_month, month_ends
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
    update_rows,
    update_with_history,
)

SHEET_NAMES = ("项目台账", "台账", "重大项目台账", "项目库")


def _labels(choices) -> str:
    with translation.override("zh-hans"):
        return "、".join(str(label) for label in choices.labels)


COLUMNS = IMPORTED  # declared with the export's in projects.register_columns
BY_KEY = {column.key: column for column in COLUMNS}
REQUIRED = {column.key: column.header for column in COLUMNS if column.required}
MONTH_GROUP = "分月累计计划投资（万元）"


def allowed_values(column: Column) -> str:
    if column.allowed == "CATEGORY":
        return _labels(Category)
    if column.allowed == "STAGE":
        return _labels(Stage)
    return column.allowed


def known_headers() -> dict[str, str]:
    return common.known_headers(COLUMNS)


def month_header(value: str) -> str | None:
    month = workbook.match_month(value)
    return f"month:{month.month}" if month is not None else None


def choice_lookup(choices) -> dict[str, str]:
    lookup = {}
    for value, label in choices.choices:
        lookup[workbook.header_key(value)] = value
        lookup[workbook.header_key(str(label))] = value
        with translation.override("zh-hans"):
            lookup[workbook.header_key(str(label))] = value
    return lookup


# --- Reference data, loaded once per analysis ------------------------------------------------------


@dataclass
class References:
    plan: Plan
    departments: dict[str, list[Department]]
    people: dict[str, list[Person]]
    projects: dict[str, Project]
    checkpoints: dict[int, dict[dt.date, Checkpoint]]
    goals: dict[str, str]  # code → title of the plan's other items (goals) using a code of the file
    categories: dict[str, str] = field(default_factory=lambda: choice_lookup(Category))
    stages: dict[str, str] = field(default_factory=lambda: choice_lookup(Stage))

    @classmethod
    def load(cls, plan: Plan, codes: list[str]) -> References:
        departments: dict[str, list[Department]] = {}
        for department in Department.objects.all():
            for name in {department.name, department.short_name} - {""}:
                departments.setdefault(workbook.header_key(name), []).append(department)
        people: dict[str, list[Person]] = {}
        for person in Person.objects.filter(active=True):
            people.setdefault(workbook.header_key(person.name), []).append(person)
        projects = {
            p.code: p
            for p in Project.objects.filter(plan=plan, code__in=codes).select_related("lead_department", "responsible_leader")
        }
        checkpoints: dict[int, dict[dt.date, Checkpoint]] = {}
        for point in Checkpoint.objects.filter(item__in=[p.pk for p in projects.values()]):
            checkpoints.setdefault(point.item_id, {})[point.date] = point
        # (plan, code) is unique over every tracked item: a goal's code cannot be a new project's.
        goals = dict(
            TrackedItem.objects.filter(plan=plan, code__in=codes)
            .exclude(pk__in=[p.pk for p in projects.values()])
            .values_list("code", "title")
        )
        return cls(plan, departments, people, projects, checkpoints, goals)


# --- Rows --------------------------------------------------------------------------------------------


@dataclass
class ProjectAction:
    row: int
    project: Project
    is_new: bool
    changed_fields: list[str]
    checkpoints: dict[dt.date, Decimal | None]  # month end → planned cumulative value (None: remove)
    existing_points: dict[dt.date, Checkpoint] = field(default_factory=dict)


def analyse(data: bytes, plan: Plan, progress: ProgressCallback = no_progress) -> Analysis:
    """Read a register file and compare it with the plan's projects. Nothing is written."""
    with translation.override("zh-hans"):
        return _analyse(data, plan, progress)


def _analyse(data: bytes, plan: Plan, progress: ProgressCallback) -> Analysis:
    table = workbook.read_table(data, SHEET_NAMES, known_headers(), extra_header=month_header, required=REQUIRED)
    analysis = Analysis(kind="ledger", sheet=table.name)  # ImportBatch.Kind.LEDGER, a stored value
    analysis.errors.extend(missing_column_errors(table, REQUIRED))
    if table.missing:
        return analysis
    code_index = table.columns["code"]
    codes = [workbook.clean_text(workbook.cell(row, code_index)) for _n, row in table.rows]
    refs = References.load(plan, [c for c in codes if c])
    seen: dict[str, int] = {}
    total = len(table.rows)
    for done, (number, row) in enumerate(table.rows, start=1):
        outcome, errors, action = _row(number, row, table, refs, seen)
        analysis.rows.append(outcome)
        analysis.errors.extend(errors)
        if action is not None:
            analysis.actions.append(action)
        if done % PROGRESS_EVERY == 0:
            progress("analysing", done, total)
    progress("analysing", total, total)
    return analysis


def _row(number: int, row: tuple, table: workbook.Sheet, refs: References, seen: dict[str, int]):
    errors: list[RowError] = []
    values: dict[str, object] = {}

    def header(key: str) -> str:
        return table.headers.get(key) or BY_KEY[key].header

    def fail(key: str, message: str) -> None:
        errors.append(RowError(number, header(key), message))

    for key, index in table.columns.items():
        raw = workbook.cell(row, index)
        if raw is workbook.NO_CACHED_VALUE:
            fail(key, formula_message())
            continue
        if key.startswith("month:"):
            continue
        column = BY_KEY[key]
        try:
            values[key] = _read(column, raw, refs)
        except workbook.CellError as exc:
            fail(key, str(exc))
            continue
        if column.kind == "text" and (message := common.too_long_message(Project, key, values[key])):
            fail(key, message)

    code = values.get("code") or ""
    title = values.get("title") or ""
    for key in REQUIRED:
        if key in values and not values[key]:
            fail(key, _("This column is required."))
    if code:
        if code in seen:
            fail("code", _("The code %(code)s is already used in row %(row)s of this file.") % {"code": code, "row": seen[code]})
        else:
            seen[code] = number
        if code in refs.goals:
            fail(
                "code",
                _("The code %(code)s is already used by the goal “%(title)s” of this plan; give the project another code.")
                % {"code": code, "title": refs.goals[code]},
            )

    existing = refs.projects.get(code) if code else None
    project = (
        copy.copy(existing)
        if existing is not None
        else Project(plan=refs.plan, code=code, schedule_mode=ScheduleMode.CHECKPOINTS)
    )
    if existing is None:
        project.period_start, project.period_end = refs.plan.period_start, refs.plan.period_end
    changes: list[list[str]] = []
    changed_fields: list[str] = []
    for key, value in values.items():
        if key in {"period_start", "period_end"} and value is None:
            value = getattr(refs.plan, key)  # a blank period takes the plan's
        old = getattr(project, key)
        if _same(old, value):
            continue
        setattr(project, key, value)
        changed_fields.append(key)
        if existing is not None:
            changes.append([header(key), _show(key, old), _show(key, value)])

    # Monthly plan: month end → value, checked against the project's period.
    planned: dict[dt.date, Decimal | None] = {}
    if project.period_start and project.period_end:
        ends = set(month_ends(project.period_start, project.period_end))
        for key, index in table.columns.items():
            if not key.startswith("month:"):
                continue
            raw = workbook.cell(row, index)
            if raw is workbook.NO_CACHED_VALUE:
                continue
            month = int(key.split(":")[1])
            end = workbook.Month(None, month).end(project.period_end.year)
            try:
                value = workbook.parse_number(raw)
            except workbook.CellError as exc:
                fail(key, str(exc))
                continue
            if value is not None and value < 0:
                fail(key, _("The value cannot be negative."))
                continue
            if value is not None and not is_reporting_month(month):
                fail(key, workbook.january_alone_message())
                continue
            if end not in ends:
                if value is not None:
                    fail(key, _("This month is outside the project's period or is not a reporting month."))
                continue
            planned[end] = value
    old_points = refs.checkpoints.get(project.pk, {}) if existing is not None else {}
    for end, value in sorted(planned.items()):
        old = old_points.get(end)
        old_value = old.expected_value if old is not None else None
        if _same(old_value, value):
            planned.pop(end)  # nothing to write for this month
        elif existing is not None:
            changes.append([_month_label(end), display(old_value), display(value)])
    series = {d: p.expected_value for d, p in old_points.items()}
    series.update(planned)
    points = sorted((d, v) for d, v in series.items() if v is not None)
    for (d1, v1), (d2, v2) in itertools.pairwise(points):
        for error in validation.checkpoint_series([(d1, v1), (d2, v2)]).values():
            errors.append(RowError(number, table.headers.get(f"month:{d2.month}") or MONTH_GROUP, error.messages[0]))

    if not any(e.column == header("code") for e in errors) and code:
        try:
            project.clean()
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                column = header(key) if key in BY_KEY else key
                for message in messages:
                    errors.append(RowError(number, column, message))

    if errors:
        return RowOutcome(number, code, title, ERROR), errors, None
    if existing is None:
        status = NEW
    elif changes:
        status = CHANGED
    else:
        status = UNCHANGED
    outcome = RowOutcome(number, code, title or (existing.title if existing else ""), status, changes)
    if status == UNCHANGED:
        return outcome, [], None
    return outcome, [], ProjectAction(number, project, existing is None, changed_fields, planned, old_points)


def _read(column: Column, raw: object, refs: References):
    kind = column.kind
    if kind == "text":
        return workbook.clean_text(raw)
    if kind == "number":
        return workbook.parse_number(raw)
    if kind == "date":
        return workbook.parse_date(raw)
    if kind == "flag":
        return workbook.parse_yes_no(raw)
    text = workbook.clean_text(raw)
    if not text:
        return None if kind in {"unit", "person"} else _default_choice(column)
    key = workbook.header_key(text)
    if kind == "choice":
        lookup = refs.categories if column.key == "category" else refs.stages
        if key not in lookup:
            raise workbook.CellError(
                _("Unknown value “%(value)s”; allowed: %(allowed)s.") % {"value": text, "allowed": allowed_values(column)}
            )
        return lookup[key]
    if kind == "unit":
        found = refs.departments.get(key, [])
        if not found:
            raise workbook.CellError(
                _("Unknown unit “%(value)s”: no responsible unit has this name or short name.") % {"value": text}
            )
        if len({d.pk for d in found}) > 1:
            raise workbook.CellError(_("“%(value)s” names more than one unit; write the full name.") % {"value": text})
        return found[0]
    # person
    found = refs.people.get(key, [])
    leaders = [p for p in found if p.is_leader]
    if len(found) > 1 and len(leaders) == 1:
        found = leaders
    if not found:
        raise workbook.CellError(_("Unknown person “%(value)s”: add the person first.") % {"value": text})
    if len(found) > 1:
        raise workbook.CellError(_("More than one person is called “%(value)s”.") % {"value": text})
    return found[0]


def _default_choice(column: Column) -> str:
    return Category.OTHER if column.key == "category" else Stage.PREPARATORY


def _same(old, new) -> bool:
    if hasattr(old, "pk") or hasattr(new, "pk"):
        return getattr(old, "pk", None) == getattr(new, "pk", None)
    if old in (None, "") and new in (None, ""):
        return True
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        return old is not None and new is not None and Decimal(old) == Decimal(new)
    return old == new


def _show(key: str, value) -> str:
    if key == "category" and value:
        with translation.override("zh-hans"):
            return str(Category(value).label)
    if key == "stage" and value:
        with translation.override("zh-hans"):
            return str(Stage(value).label)
    return display(value)


def _month_label(end: dt.date) -> str:
    return "1—2月计划" if end.month == 2 else f"{end.month}月计划"


# --- Apply -------------------------------------------------------------------------------------------


def lock_existing(plan: Plan, codes: list[str]) -> None:
    """Lock the plan's projects with these codes and their monthly plans (see common.lock_items)."""
    common.lock_items(plan, codes, Project, Checkpoint)


def apply(analysis: Analysis, user, reason: str, progress: ProgressCallback = no_progress) -> dict[str, int]:
    """Write the analysis's new and changed projects and monthly plans in one transaction, audited as user."""
    total = len(analysis.actions)
    counts = {"created": 0, "updated": 0}
    now = timezone.now()
    with transaction.atomic():
        new_points, changed_points, removed_points = [], [], []
        # Changed projects are written in bulk, grouped by the fields that changed (one UPDATE each).
        updates: dict[tuple[str, ...], list[Project]] = {}
        created = [action.project for action in analysis.actions if action.is_new]
        create_projects(created, user, reason)
        counts["created"] = len(created)
        progress("applying", len(created) // 2, total)
        for done, action in enumerate(analysis.actions, start=1):
            project = action.project
            if not action.is_new and action.changed_fields:
                project.updated_at = now
                updates.setdefault(tuple(sorted({*action.changed_fields, "updated_at"})), []).append(project)
                counts["updated"] += 1
            for end, value in action.checkpoints.items():
                point = action.existing_points.get(end)
                if value is None:
                    if point is not None:
                        removed_points.append(point)
                elif point is None:
                    new_points.append(Checkpoint(item_id=project.pk, date=end, expected_value=value))
                else:
                    point.expected_value = value
                    changed_points.append(point)
            if done % PROGRESS_EVERY == 0:
                progress("applying", done, total)
        for fields, projects in updates.items():
            update_rows(projects, list(fields))
        changed_projects = [project for projects in updates.values() for project in projects]
        if changed_projects:
            Project.history.bulk_history_create(
                changed_projects, batch_size=1000, update=True, default_user=user, default_change_reason=reason
            )
        if new_points:
            bulk_create_with_history(new_points, Checkpoint, batch_size=1000, default_user=user, default_change_reason=reason)
        if changed_points:
            update_with_history(Checkpoint, changed_points, ["expected_value"], user, reason)
        for point in removed_points:
            point._history_user = user
            point._change_reason = reason
            point.delete()
    progress("applying", total, total)
    counts["checkpoints"] = len(new_points) + len(changed_points) + len(removed_points)
    return counts


def create_projects(projects: list[Project], user, reason: str, batch_size: int = 1000) -> None:
    """Insert new projects in bulk with their "created" history rows.

    Django cannot bulk_create a multi-table child, and saving 5,000 projects one by one takes
    most of the 30 s an import may take: the parent rows (TrackedItem) are bulk-created, which
    gives their ids, then the child rows go in with one executemany.
    """
    if not projects:
        return
    for project in projects:
        project.kind = ItemKind.PROJECT  # what Project.save() sets
    bulk.insert_children(Project, projects, reason=reason, user=user, batch_size=batch_size)
