"""作战图 (the battle map): the selected projects down, the plan's months across, milestones as marks.

In the month of its planned date a milestone shows a planned mark, or an overdue mark (the wall
charts' black flag) when the planned date has passed by the as-of date without an actual date; in
the month of its actual date (on or before the as-of date) it shows a done mark. A milestone done
late shows both: planned in one month, done in a later one. Dates after the as-of date are not
known yet: an actual date after it counts as not done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from targets.models import Milestone, Plan

from .filters import Filters, plan_months, projects

PLANNED, DONE, OVERDUE = "planned", "done", "overdue"
SYMBOLS = {PLANNED: "○", DONE: "●", OVERDUE: "⚑"}


@dataclass(frozen=True)
class Mark:
    kind: str  # planned, done or overdue
    title: str
    date: dt.date

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.kind]


@dataclass(frozen=True)
class BattleRow:
    pk: int
    code: str
    title: str
    unit: str  # the lead unit's short name
    leader: str
    cells: list[list[Mark]]  # one list per month of the plan
    overdue: int
    done: int
    planned: int


@dataclass(frozen=True)
class BattleMap:
    months: list[dt.date]
    rows: list[BattleRow]

    @property
    def overdue(self) -> int:
        return sum(row.overdue for row in self.rows)


def battle_map(plan: Plan, as_of: dt.date, filters: Filters) -> BattleMap:
    """Two queries: the selected projects and their milestones."""
    months = plan_months(plan)
    index = {(m.year, m.month): i for i, m in enumerate(months)}
    selected = list(
        projects(plan, filters)
        .order_by("code")
        .values_list("pk", "code", "title", "lead_department__short_name", "lead_department__name", "responsible_leader__name")
    )
    marks: dict[int, list[list[Mark]]] = {pk: [[] for _m in months] for pk, *_rest in selected}
    counts: dict[int, list[int]] = {pk: [0, 0, 0] for pk, *_rest in selected}  # planned, done, overdue
    milestones = (
        Milestone.objects.filter(item__in=projects(plan, filters).values("pk"))
        .order_by("item_id", "planned_date", "pk")
        .values_list("item_id", "title", "planned_date", "actual_date")
    )
    for item_id, title, planned, actual in milestones:
        done_by_then = actual is not None and actual <= as_of
        if planned is not None and (column := index.get((planned.year, planned.month))) is not None:
            kind = OVERDUE if planned < as_of and not done_by_then else PLANNED
            marks[item_id][column].append(Mark(kind, title, planned))
            counts[item_id][2 if kind == OVERDUE else 0] += 1
        if done_by_then and (column := index.get((actual.year, actual.month))) is not None:
            marks[item_id][column].append(Mark(DONE, title, actual))
            counts[item_id][1] += 1
    rows = [
        BattleRow(
            pk=pk,
            code=code,
            title=title,
            unit=short or unit or "",
            leader=leader or "",
            cells=marks[pk],
            planned=counts[pk][0],
            done=counts[pk][1],
            overdue=counts[pk][2],
        )
        for pk, code, title, short, unit, leader in selected
    ]
    return BattleMap(months=months, rows=rows)
