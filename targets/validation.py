"""Input rules shared by the admin, the API and imports.

Each function takes plain values and returns a dict of field -> ValidationError (empty when the
input is fine), so a caller can merge several checks and report every problem at once. Messages are
translated (Chinese by default); each error carries a stable machine code for the API.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.translation import gettext as _

Errors = dict[str, ValidationError]

# Sane limits for free text (characters) and dates: a month's narrative runs to a few hundred
# characters, a 1 MB note is an attack or an accident; no plan or register date lies outside this
# century's span (year 0001 or 9999 is a typo). Columns with their own max_length keep it.
TEXT_MAX_LENGTH = 5000
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2099, 12, 31)


def text_lengths(**values: str | None) -> Errors:
    return {
        field: ValidationError(
            _("At most %(limit)s characters (this text has %(length)s).") % {"limit": TEXT_MAX_LENGTH, "length": len(value)},
            code="text_too_long",
        )
        for field, value in values.items()
        if isinstance(value, str) and len(value) > TEXT_MAX_LENGTH
    }


def date_bounds(**values: dt.date | None) -> Errors:
    return {
        field: ValidationError(
            _("The date must lie between %(min)s and %(max)s.") % {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()},
            code="date_out_of_range",
        )
        for field, value in values.items()
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime) and not DATE_MIN <= value <= DATE_MAX
    }


def field_bounds(model, values: dict) -> Errors:
    """text_lengths and date_bounds for the values of a model's text and date fields (others ignored).

    One call covers any model, so the admin's forms, the API's serializers and the imports refuse alike."""
    from django.db import models

    texts, dates = {}, {}
    for name, value in values.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:  # a form's or serializer's extra input: not ours to bound
            continue
        if isinstance(field, models.TextField):
            texts[name] = value
        elif isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
            dates[name] = value
    return {**text_lengths(**texts), **date_bounds(**dates)}


def non_negative(**values: Decimal | int | None) -> Errors:
    """Quantities (targets, investments, areas, reported values) are never below zero."""
    return {
        field: ValidationError(_("The value cannot be negative."), code="negative")
        for field, value in values.items()
        if value is not None and value < 0
    }


def period_order(start: dt.date | None, end: dt.date | None, *, end_field: str = "period_end") -> Errors:
    if start and end and end < start:
        return {end_field: ValidationError(_("The end date cannot be earlier than the start date."), code="end_before_start")}
    return {}


def actual_date_not_future(actual: dt.date | None, today: dt.date, *, field: str = "actual_date") -> Errors:
    if actual and actual > today:
        return {field: ValidationError(_("The actual date cannot be in the future."), code="date_in_future")}
    return {}


def checkpoint_series(points: list[tuple[dt.date, Decimal]]) -> Errors:
    """A cumulative plan (monthly plan, checkpoints) never goes down over time."""
    ordered = sorted(points)
    for (_d1, v1), (d2, v2) in itertools.pairwise(ordered):
        if v2 < v1:
            message = _("The cumulative planned value at %(date)s is lower than the one before it.") % {"date": d2.isoformat()}
            return {"expected_value": ValidationError(message, code="checkpoint_decreasing")}
    return {}


def progress_report(
    *,
    is_yes_no: bool,
    value: Decimal | None,
    as_of: dt.date | None,
    today: dt.date,
    period_start: dt.date | None,
    period_end: dt.date | None,
    previous_value: Decimal | None,
    correction_reason: str,
    narrative: str = "",
    problems: str = "",
    next_value: Decimal | None = None,
    next_as_of: dt.date | None = None,
) -> Errors:
    """The rules for one progress report (进度报送).

    previous_value is the latest cumulative value reported before this one's date (None if none);
    next_value / next_as_of the earliest one reported after it, unless that later report is itself a
    correction with a reason (then its drop is explained). A report filed between two others is
    checked against both neighbours.
    """
    errors: Errors = {**text_lengths(narrative=narrative, problems=problems, correction_reason=correction_reason)}
    errors.update(date_bounds(as_of=as_of))
    if is_yes_no and value is not None:
        errors["value"] = ValidationError(
            _("A yes/no goal takes no value; describe the progress in the narrative and record milestones."),
            code="value_not_allowed",
        )
    errors.update(non_negative(value=value))
    if as_of and "as_of" not in errors:
        if as_of > today:
            errors["as_of"] = ValidationError(_("The report date cannot be in the future."), code="date_in_future")
        elif period_start and period_end and not (period_start <= as_of <= period_end):
            errors["as_of"] = ValidationError(
                _("The report date must fall within the period %(start)s to %(end)s.")
                % {"start": period_start.isoformat(), "end": period_end.isoformat()},
                code="outside_period",
            )
    if (
        "value" not in errors
        and value is not None
        and previous_value is not None
        and value < previous_value
        and not (correction_reason or "").strip()
    ):
        errors["correction_reason"] = ValidationError(
            _("The cumulative value is lower than the previous report (%(previous)s); give a correction reason.")
            % {"previous": f"{previous_value:,}"},
            code="decrease_without_reason",
        )
    if "value" not in errors and value is not None and next_value is not None and value > next_value:
        # E.g. 99,999 on 08-01 while 08-31 says 29,805.5: the later figure would become a silent drop.
        errors["value"] = ValidationError(
            _("The cumulative value is higher than the report already filed for %(date)s (%(next)s); correct that report first.")
            % {"date": next_as_of.isoformat() if next_as_of else "", "next": f"{next_value:,}"},
            code="above_later_report",
        )
    return errors


def raise_if_any(*error_dicts: Errors) -> None:
    merged: Errors = {}
    for errors in error_dicts:
        for field, error in errors.items():
            merged.setdefault(field, error)
    if merged:
        raise ValidationError(merged)
