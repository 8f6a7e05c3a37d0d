"""?compare=previous_year: the dashboard's month beside the same month of the previous year's plan.

Read only when asked (not cached with the page's figures): the register's investment at the same
month end of last year's plan, with the same unit, leader, category and level filters (units and
people are shared by every plan year).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from targets.models import Plan

from .filters import Filters
from .investment import Series, investment_section

PARAM, VALUE = "compare", "previous_year"


@dataclass(frozen=True)
class Comparison:
    plan: Plan
    month: dt.date
    register: Series  # last year's whole-register series; compare its *_now figures


def same_month_last_year(month: dt.date) -> dt.date:
    return month.replace(year=month.year - 1)


def previous_year(plan: Plan, filters: Filters) -> Comparison | None:
    """Last year's figures for the dashboard's month, or None when there is no previous plan."""
    previous = Plan.objects.filter(year=plan.year - 1).first()
    if previous is None:
        return None
    earlier = replace(filters, month=same_month_last_year(filters.month))
    section = investment_section(previous, earlier.as_of, earlier)
    return Comparison(plan=previous, month=earlier.month, register=section.register)
