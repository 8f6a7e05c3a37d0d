"""作战图 (the battle map): the selected projects down, the plan's months across, milestones as marks.

In the month of its planned date a milestone shows a planned mark, or an overdue mark (the wall
charts' black flag) when the planned date has passed by the as-of date without an actual date; in
the month of its actual date (on or before the as-of date) it shows a done mark. A milestone done
late shows both: planned in one month, done in a later one. Dates after the as-of date are not
known yet: an actual date after it counts as not done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.db.models import Count, Q

from targets.engine.schedule import month_end
from targets.models import Milestone, Plan

from .filters import Filters, plan_months, projects
from .paging import Page

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
    rows: list[BattleRow]  # one page of the selected projects, in code order
    page: Page
    planned: int  # marks over every selected project
    done: int
    overdue: int


ROWS_PER_PAGE = 25
PROJECT_COLUMNS = ("pk", "code", "title", "lead_department__short_name", "lead_department__name", "responsible_leader__name")


def battle_map(plan: Plan, as_of: dt.date, filters: Filters, page: int = 1) -> BattleMap:
    """Four queries: the count and the marks of every selected project, one page of them and its milestones."""
    return battle_page(plan, as_of, filters, battle_totals(plan, as_of, filters), page)


def battle_totals(plan: Plan, as_of: dt.date, filters: Filters) -> BattleMap:
    """The map's counts over every selected project, without rows (two queries)."""
    selected = projects(plan, filters)
    totals = mark_counts(plan, as_of, selected)
    return BattleMap(
        months=plan_months(plan),
        rows=[],
        page=Page(selected.count(), 1, ROWS_PER_PAGE),
        planned=totals["planned"],
        done=totals["done"],
        overdue=totals["overdue"],
    )


def battle_page(plan: Plan, as_of: dt.date, filters: Filters, totals: BattleMap, page: int) -> BattleMap:
    """One page of rows, in code order, beside the totals: two queries."""
    shown = Page(totals.page.count, page, ROWS_PER_PAGE)
    rows = projects(plan, filters).order_by("code", "pk").values_list(*PROJECT_COLUMNS)
    chunk = list(rows[shown.offset : shown.offset + shown.per_page])
    return replace(totals, rows=battle_rows(chunk, totals.months, as_of), page=shown)


def mark_counts(plan: Plan, as_of: dt.date, selected) -> dict[str, int]:
    """Planned, done and overdue marks of the selected projects' milestones, counted in the database."""
    months = plan_months(plan)
    if not months:
        return {"planned": 0, "done": 0, "overdue": 0}
    first, last = months[0], month_end(months[-1].year, months[-1].month)
    in_period = Q(planned_date__gte=first, planned_date__lte=last)
    not_done = Q(actual_date__isnull=True) | Q(actual_date__gt=as_of)
    overdue = in_period & Q(planned_date__lt=as_of) & not_done
    return Milestone.objects.filter(item__in=selected.values("pk")).aggregate(
        planned=Count("pk", filter=in_period & ~overdue),
        done=Count("pk", filter=Q(actual_date__gte=first, actual_date__lte=min(as_of, last))),
        overdue=Count("pk", filter=overdue),
    )


def battle_rows(chunk: list[tuple], months: list[dt.date], as_of: dt.date) -> list[BattleRow]:
    """The rows of a list of projects (PROJECT_COLUMNS values): one query for their milestones."""
    index = {(m.year, m.month): i for i, m in enumerate(months)}
    marks: dict[int, list[list[Mark]]] = {pk: [[] for _m in months] for pk, *_rest in chunk}
    counts: dict[int, list[int]] = {pk: [0, 0, 0] for pk, *_rest in chunk}  # planned, done, overdue
    milestones = (
        Milestone.objects.filter(item_id__in=list(marks))
        .order_by("item_id", "planned_date", "pk")
        .values_list("item_id", "title", "planned_date", "actual_date")
    )
    for item_id, title, planned, actual in milestones if marks else ():
        done_by_then = actual is not None and actual <= as_of
        if planned is not None and (column := index.get((planned.year, planned.month))) is not None:
            kind = OVERDUE if planned < as_of and not done_by_then else PLANNED
            marks[item_id][column].append(Mark(kind, title, planned))
            counts[item_id][2 if kind == OVERDUE else 0] += 1
        if done_by_then and (column := index.get((actual.year, actual.month))) is not None:
            marks[item_id][column].append(Mark(DONE, title, actual))
            counts[item_id][1] += 1
    return [
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
        for pk, code, title, short, unit, leader in chunk
    ]


def all_rows(plan: Plan, as_of: dt.date, filters: Filters, chunk_size: int = 2000):
    """Every selected project's row, in code order, a chunk at a time (for the workbook: constant memory)."""
    months = plan_months(plan)
    selected = projects(plan, filters).order_by("code", "pk").values_list(*PROJECT_COLUMNS)
    after: tuple[str, int] | None = None
    while True:
        # code >= the last one read, less the rows read: a range on the (plan, code) index, not an OR.
        page = selected if after is None else selected.filter(code__gte=after[0]).exclude(code=after[0], pk__lte=after[1])
        chunk = list(page[:chunk_size])
        if not chunk:
            return
        yield from battle_rows(chunk, months, as_of)
        after = (chunk[-1][1], chunk[-1][0])
