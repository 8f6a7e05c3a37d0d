"""The demo plan, month-end dates and the fixed cast of demo units and people."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from dataclasses import dataclass

from django.db import transaction

from targets.models import Department, Person, Plan

from . import text

# --- Dates ---------------------------------------------------------------------------------------


@functools.cache
def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def month_date(year: int, month: int, day: int) -> dt.date:
    """A date in month `month` of `year`, where months past 12 or below 1 roll into the next or last year."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def default_through(plan: Plan, today: dt.date) -> dt.date:
    """The plan's last month if the plan is over, else the current month (first day of the month)."""
    if plan.period_end < today:
        return plan.period_end.replace(day=1)
    if today < plan.period_start:
        return plan.period_start.replace(day=1)
    return today.replace(day=1)


# --- The plan and the cast -----------------------------------------------------------------------


def ensure_plan(year: int) -> tuple[Plan, bool]:
    """The plan of `year`, created for the calendar year if missing. Returns (plan, created)."""
    plan = Plan.objects.filter(year=year).first()
    if plan is not None:
        return plan, False
    plan = Plan(year=year, title=f"{year}年工作计划", period_start=dt.date(year, 1, 1), period_end=dt.date(year, 12, 31))
    plan.full_clean()
    plan.save()
    return plan, True


@dataclass
class Cast:
    """The demo units and people projects are assigned to, by unit key (see demo_text.UNITS)."""

    units: dict[str, Department]
    heads: dict[str, Person]
    contacts: dict[str, Person]
    leaders: list[Person]


def save_without_history(obj) -> None:
    obj.skip_history_when_saving = True  # simple-history's per-instance switch
    try:
        obj.save()
    finally:
        del obj.skip_history_when_saving


def demo_unit(name: str, short_name: str, kind: str) -> Department:
    """The demo unit called `name`, created if missing. A real unit of that name is never touched:
    the demo one is then called "name（演示）"."""
    for candidate in (name, f"{name}（演示）"):
        existing = Department.objects.filter(name=candidate).first()
        if existing is None:
            unit = Department(name=candidate, short_name=short_name, kind=kind, is_demo=True)
            save_without_history(unit)
            return unit
        if existing.is_demo:
            return existing
    raise ValueError(f"Both {name!r} and {name}（演示） exist as real units; cannot pick a demo unit name.")


def demo_person(name: str, pinyin: str, title: str, department: Department | None, *, leader: bool = False) -> Person:
    email = f"{pinyin}@{text.EMAIL_DOMAIN}"
    person = Person.objects.filter(email=email, is_demo=True).first()
    if person is None:
        person = Person(name=name, title=title, department=department, email=email, is_leader=leader, is_demo=True)
        save_without_history(person)
    return person


def ensure_cast() -> Cast:
    """Get or create the demo units (with a head and a contact each) and the district leaders."""
    cast = Cast(units={}, heads={}, contacts={}, leaders=[])
    with transaction.atomic():
        people = iter(text.UNIT_PEOPLE)
        for key, name, short_name, kind, head_title, contact_title in text.UNITS:
            unit = demo_unit(name, short_name, kind)
            head = demo_person(*next(people), head_title, unit)
            contact = demo_person(*next(people), contact_title, unit)
            if unit.head_id is None:
                Department.objects.filter(pk=unit.pk).update(head=head)  # an update: no history row
                unit.head = head
            cast.units[key], cast.heads[key], cast.contacts[key] = unit, head, contact
        cast.leaders = [demo_person(name, pinyin, title, None, leader=True) for name, pinyin, title in text.LEADERS]
    return cast
