"""The dashboard's filters: the querystring parsed and checked into a Filters value, and the items it selects.

Querystring: month=YYYY-MM (a month of the plan period; default the last complete month),
unit=<lead unit id>, leader=<responsible leader id>, category=<project category>, level=<level flag>
(the flags of projects.admin.ProjectLevelFilter). Category and level are project attributes, so
either one leaves the plan's goals out of the selection.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Q
from django.utils.translation import gettext as _

from targets.choices import ItemKind
from targets.engine.schedule import add_months, month_end, month_start
from targets.models import Department, Person, Plan, TrackedItem

from ..choices import LEVEL_FLAGS, Category
from ..models import Project

MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


@dataclass(frozen=True)
class Filters:
    month: dt.date  # the first day of the as-of month
    unit_id: int | None = None
    leader_id: int | None = None
    category: str = ""
    level: str = ""

    @property
    def as_of(self) -> dt.date:
        """The month end the dashboard is read at."""
        return month_end(self.month.year, self.month.month)

    @property
    def narrowed(self) -> bool:
        return bool(self.unit_id or self.leader_id or self.category or self.level)

    def querystring(self) -> str:
        params = {"month": f"{self.month:%Y-%m}"}
        for key, value in (
            ("unit", self.unit_id),
            ("leader", self.leader_id),
            ("category", self.category),
            ("level", self.level),
        ):
            if value:
                params[key] = value
        return urlencode(params)


@dataclass
class Options:
    """What the filter form offers, and what the querystring is checked against."""

    months: list[dt.date]
    units: list[tuple[int, str]]
    leaders: list[tuple[int, str]]
    categories: list[tuple[str, str]] = field(default_factory=lambda: [(value, str(label)) for value, label in Category.choices])
    levels: list[tuple[str, str]] = field(default_factory=lambda: [(flag, str(label)) for flag, label in LEVEL_FLAGS])


def plan_months(plan: Plan) -> list[dt.date]:
    """The first day of every month of the plan period."""
    months, month = [], month_start(plan.period_start)
    while month <= plan.period_end:
        months.append(month)
        month = add_months(month, 1)
    return months


def default_month(plan: Plan, today: dt.date) -> dt.date:
    """The last complete month of the plan on `today` (its first month before any month is complete)."""
    months = plan_months(plan)
    complete = [m for m in months if month_end(m.year, m.month) < today]
    return complete[-1] if complete else months[0]


def options(plan: Plan) -> Options:
    """Months of the plan, units leading its items and leaders answering for them (two queries)."""
    units = Department.objects.filter(led_items__plan=plan).distinct().order_by("name").values_list("pk", "name", "short_name")
    leaders = Person.objects.filter(led_items__plan=plan).distinct().order_by("name", "pk").values_list("pk", "name", "title")
    return Options(
        months=plan_months(plan),
        units=[(pk, name) for pk, name, _short in units],
        leaders=[(pk, f"{name}（{title}）" if title else name) for pk, name, title in leaders],
    )


def _id(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def parse(params, plan: Plan, offered: Options, today: dt.date) -> tuple[Filters, list[str]]:
    """Filters from a querystring, and a message for each value that cannot be used (that filter is then left off)."""
    errors: list[str] = []
    months = offered.months
    month = default_month(plan, today)
    raw_month = (params.get("month") or "").strip()
    if raw_month:
        match = MONTH_RE.match(raw_month)
        if not match or not 1 <= int(match.group(2)) <= 12:
            errors.append(_("Enter the month as YYYY-MM, for example 2023-07 (got “%(value)s”).") % {"value": raw_month})
        elif (chosen := dt.date(int(match.group(1)), int(match.group(2)), 1)) not in months:
            errors.append(
                _("%(value)s is not a month of the plan period (%(first)s to %(last)s).")
                % {"value": raw_month, "first": f"{months[0]:%Y-%m}", "last": f"{months[-1]:%Y-%m}"}
            )
        else:
            month = chosen

    def choice(key: str, allowed, message: str):
        raw = (params.get(key) or "").strip()
        if not raw:
            return None
        value = _id(raw) if key in {"unit", "leader"} else raw
        if value is None or value not in {pk for pk, _label in allowed}:
            errors.append(message % {"value": raw})
            return None
        return value

    unit_id = choice(
        "unit", offered.units, _("There is no unit “%(value)s” among the plan's lead units; choose one from the list.")
    )
    leader_id = choice(
        "leader", offered.leaders, _("There is no responsible leader “%(value)s” in the plan; choose one from the list.")
    )
    category = choice("category", offered.categories, _("There is no project category “%(value)s”; choose one from the list."))
    level = choice("level", offered.levels, _("There is no project level “%(value)s”; choose one from the list."))
    filters = Filters(month=month, unit_id=unit_id, leader_id=leader_id, category=category or "", level=level or "")
    return filters, errors


def item_filter(filters: Filters, prefix: str = "") -> Q:
    """The Q that selects the plan's items (goals and projects) matching the filters; `prefix` reaches the item."""
    q = Q()
    if filters.unit_id:
        q &= Q(**{f"{prefix}lead_department_id": filters.unit_id})
    if filters.leader_id:
        q &= Q(**{f"{prefix}responsible_leader_id": filters.leader_id})
    if filters.category:
        q &= Q(**{f"{prefix}kind": ItemKind.PROJECT, f"{prefix}project__category": filters.category})
    if filters.level:
        q &= Q(**{f"{prefix}kind": ItemKind.PROJECT, f"{prefix}project__{filters.level}": True})
    return q


def items(plan: Plan, filters: Filters):
    """The plan's goals and projects the filters select."""
    return TrackedItem.objects.published().filter(Q(plan=plan) & item_filter(filters))  # drafts: not yet published


def projects(plan: Plan, filters: Filters):
    """The plan's projects the filters select."""
    q = Q(plan=plan)
    if filters.unit_id:
        q &= Q(lead_department_id=filters.unit_id)
    if filters.leader_id:
        q &= Q(responsible_leader_id=filters.leader_id)
    if filters.category:
        q &= Q(category=filters.category)
    if filters.level:
        q &= Q(**{filters.level: True})
    return Project.objects.filter(q)
