"""What an analysis produces: row outcomes, errors with row and column, and the preview JSON."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.utils.translation import gettext as _

from targets import formatting

from .workbook import header_key

NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"
# How often (rows) analysis and apply report their progress.
PROGRESS_EVERY = 250

ProgressCallback = Callable[[str, int, int], None]  # phase, done, total


def no_progress(_phase: str, _done: int, _total: int) -> None:
    pass


@dataclass(frozen=True)
class Column:
    """A column of an import sheet, and its line in the template's notes sheet (填写说明)."""

    key: str  # the model field (or a pseudo key)
    header: str  # the template's header
    kind: str = "text"  # text, unit, person, choice, flag, number, date, month
    required: bool = False
    aliases: tuple[str, ...] = ()  # other headers the bureau's sheets use for it
    meaning: str = ""
    fmt: str = ""
    allowed: str = ""


def known_headers(columns) -> dict[str, str]:
    """Header key (workbook.header_key) → column key, for every header and alias."""
    known: dict[str, str] = {}
    for column in columns:
        for name in (column.header, *column.aliases):
            known.setdefault(header_key(name), column.key)
    return known


@dataclass
class RowError:
    row: int | None  # the Excel row number (the header row for a missing column)
    column: str  # the column's header as written in the file (or the template's)
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class RowOutcome:
    row: int
    code: str
    title: str
    status: str
    changes: list[list[str]] = field(default_factory=list)  # [column, old, new]

    def as_dict(self) -> dict:
        return {"row": self.row, "code": self.code, "title": self.title, "status": self.status, "changes": self.changes}


@dataclass
class Analysis:
    """The outcome of reading one file against the database; `actions` are what apply writes."""

    kind: str
    sheet: str = ""
    rows: list[RowOutcome] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    actions: list = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {NEW: 0, CHANGED: 0, UNCHANGED: 0, ERROR: 0}
        for row in self.rows:
            counts[row.status] += 1
        counts["errors"] = len(self.errors)
        counts["total"] = len(self.rows)
        return counts

    def preview(self) -> dict:
        return {"sheet": self.sheet, "counts": self.counts(), "rows": [row.as_dict() for row in self.rows]}

    def error_list(self) -> list[dict]:
        return [error.as_dict() for error in self.errors]


def display(value: object) -> str:
    """A value as the preview shows it (old → new)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal | int | float):
        return formatting.number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def formula_message() -> str:
    return _(
        "The cell holds a formula whose result was never saved (the file was written by a program). "
        "Open the file in Excel or WPS, save it and upload it again."
    )


def too_long_message(model, field_name: str, text: str) -> str | None:
    """Why a text does not fit its model field (max_length, read from the model), or None if it fits."""
    limit = getattr(model._meta.get_field(field_name), "max_length", None)
    if limit is None or len(text) <= limit:
        return None
    return _("Too long: at most %(limit)s characters, this cell has %(length)s.") % {"limit": limit, "length": len(text)}


def missing_column_errors(table, headers: dict[str, str]) -> list[RowError]:
    header_row = table.header_rows[0] if table.header_rows else None
    return [
        RowError(header_row, headers[key], _("Required column missing; use the template's header row.")) for key in table.missing
    ]


def lock_items(plan, codes: list[str], item_model, child_model) -> None:
    """Lock, until the transaction ends, the plan's items with these codes and their child rows
    (monthly plans, reports), in id order so that two imports never wait on each other crosswise."""
    items = item_model.objects.select_for_update().filter(plan=plan, code__in=set(codes) - {""})
    ids = list(items.order_by("pk").values_list("pk", flat=True))
    list(child_model.objects.select_for_update().filter(item__in=ids).order_by("pk").values_list("pk", flat=True))


def update_rows(objs: list, fields: list[str], batch_size: int = 1000) -> None:
    """Save the same fields of many rows: one parameterised UPDATE per table, sent with executemany.

    Django's bulk_update builds a CASE per field and row, which takes minutes for a 5,000-row
    file's 55,000 monthly plan values. A multi-table child (Project) updates each table holding
    one of the fields, keyed by that table's own primary key column (the parent link).
    """
    if not objs:
        return
    quote = connection.ops.quote_name
    tables: dict = {}
    for name in fields:
        field = objs[0]._meta.get_field(name)
        tables.setdefault(field.model._meta.concrete_model, []).append(field)
    with connection.cursor() as cursor:
        for model, columns in tables.items():
            meta = model._meta
            assignments = ", ".join(f"{quote(column.column)} = %s" for column in columns)
            sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
            for start in range(0, len(objs), batch_size):
                chunk = objs[start : start + batch_size]
                cursor.executemany(
                    sql, [[c.get_db_prep_save(getattr(o, c.attname), connection) for c in columns] + [o.pk] for o in chunk]
                )


def update_with_history(model, objs: list, fields: list[str], user, reason: str, batch_size: int = 1000) -> None:
    """update_rows, then the rows' audit history in one bulk insert (as the given user, with the reason)."""
    update_rows(objs, fields, batch_size)
    model.history.bulk_history_create(objs, batch_size=batch_size, update=True, default_user=user, default_change_reason=reason)
