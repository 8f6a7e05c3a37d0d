"""责任分解表: responsible leader → lead unit, with colours and open findings, and the reds.

On the page: one row per leader and unit (items, colours counted, open findings, worst level), a
page of GROUPS_PER_PAGE at a time, and the first REDS_SHOWN red items with the count of all of them;
every figure is counted in the database over the whole selection. The workbook lists every item
(all_lines). Leaders in name order, items without a leader last; units in name order under each
leader; goals before projects, each in code order. Colours and open findings as of the month end
(status.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q

from targets import periods
from targets.choices import StatusChoice
from targets.models import Finding, Plan

from .filters import Filters, items
from .paging import Page
from .status import open_at, open_findings, run_date, statuses

GROUPS_PER_PAGE = 25
REDS_SHOWN = 20
LEADER_COLUMNS = ("responsible_leader_id", "responsible_leader__name", "responsible_leader__title")
UNIT_COLUMNS = ("lead_department_id", "lead_department__name")


@dataclass(frozen=True)
class ItemLine:
    pk: int
    kind: str
    code: str
    title: str
    status: str | None
    findings: int
    worst_level: int | None
    leader: str = ""
    unit: str = ""


@dataclass
class GroupLine:
    """A leader's items led by one unit."""

    leader_id: int | None
    leader: str
    unit_id: int | None
    unit: str
    items: int = 0
    colours: dict[str | None, int] = field(default_factory=dict)  # colour (None: not evaluated) → items
    findings: int = 0
    worst_level: int | None = None

    @property
    def red(self) -> int:
        return self.colours.get(StatusChoice.RED, 0)

    @property
    def yellow(self) -> int:
        return self.colours.get(StatusChoice.YELLOW, 0)

    @property
    def on_time(self) -> int:
        return self.colours.get(StatusChoice.GREEN, 0) + self.colours.get(StatusChoice.BLUE, 0)

    @property
    def evaluated(self) -> int:
        """Items with a colour other than grey."""
        return sum(n for colour, n in self.colours.items() if colour and colour != StatusChoice.GREY)


@dataclass(frozen=True)
class ResponsibilitySection:
    run_date: dt.date | None
    groups: list[GroupLine]  # every leader and unit of the selection, in order
    page: Page
    reds: list[ItemLine]  # the first REDS_SHOWN red items, in code order
    red_count: int

    @property
    def page_groups(self) -> list[GroupLine]:
        return self.page.slice(self.groups)


def leader_name(name: str | None, title: str | None) -> str:
    return f"{name}（{title}）" if name and title else (name or "")


def group_lines(plan: Plan, as_of: dt.date, filters: Filters) -> tuple[dt.date | None, list[GroupLine]]:
    """(run date, every leader × unit line of the selection): four queries, counted in the database."""
    selected = items(plan, filters)
    groups: dict[tuple[int | None, int | None], GroupLine] = {}
    for leader_id, leader, title, unit_id, unit, n in (
        selected.order_by().values_list(*LEADER_COLUMNS, *UNIT_COLUMNS).annotate(n=Count("pk"))
    ):
        groups[(leader_id, unit_id)] = GroupLine(leader_id, leader_name(leader, title), unit_id, unit or "", items=n)
    date = run_date(plan, as_of)
    if date is not None:
        for leader_id, unit_id, colour, n in (
            periods.snapshots_on(plan, date)
            .filter(item__in=selected.values("pk"))
            .order_by()
            .values_list("item__responsible_leader_id", "item__lead_department_id", "status")
            .annotate(n=Count("pk"))
        ):
            if (group := groups.get((leader_id, unit_id))) is not None:
                group.colours[colour] = group.colours.get(colour, 0) + n
    for leader_id, unit_id, n, worst in (
        Finding.objects.filter(open_at(as_of), item__in=selected.values("pk"))
        .order_by()
        .values_list("item__responsible_leader_id", "item__lead_department_id")
        .annotate(n=Count("pk"), worst=Max("level"))
    ):
        if (group := groups.get((leader_id, unit_id))) is not None:
            group.findings, group.worst_level = n, worst
    lines = sorted(
        groups.values(),
        key=lambda g: (g.leader_id is None, g.leader, g.leader_id or 0, g.unit_id is None, g.unit, g.unit_id or 0),
    )
    return date, lines


def responsibility(
    plan: Plan, as_of: dt.date, filters: Filters, page: int = 1, grouped: tuple | None = None
) -> ResponsibilitySection:
    """The groups (group_lines, or `grouped` when the caller has them) and the reds: three more queries."""
    date, groups = grouped or group_lines(plan, as_of, filters)
    reds, red_count = [], 0
    if date is not None:
        red = periods.snapshots_on(plan, date).filter(status=StatusChoice.RED, item__in=items(plan, filters).values("pk"))
        red_count = red.count()
        rows = list(
            red.order_by("item__code", "item_id").values_list(
                "item_id",
                "item__kind",
                "item__code",
                "item__title",
                "item__responsible_leader__name",
                "item__lead_department__name",
            )[:REDS_SHOWN]
        )
        found = open_findings(as_of, items(plan, filters).filter(pk__in=[row[0] for row in rows])) if rows else {}
        for pk, kind, code, title, leader, unit in rows:
            finding = found.get(pk)
            reds.append(
                ItemLine(
                    pk=pk,
                    kind=kind,
                    code=code,
                    title=title,
                    status=StatusChoice.RED,
                    findings=finding.count if finding else 0,
                    worst_level=finding.worst_level if finding else None,
                    leader=leader or "",
                    unit=unit or "",
                )
            )
    return ResponsibilitySection(
        run_date=date, groups=groups, page=Page(len(groups), page, GROUPS_PER_PAGE), reds=reds, red_count=red_count
    )


def all_lines(plan: Plan, as_of: dt.date, filters: Filters, chunk_size: int = 2000):
    """Every selected item as (leader, unit, ItemLine), in the table's order, a chunk at a time (the workbook)."""
    selected = items(plan, filters)
    _date, groups = group_lines(plan, as_of, filters)
    for group in groups:
        q = Q(responsible_leader_id=group.leader_id) if group.leader_id else Q(responsible_leader__isnull=True)
        q &= Q(lead_department_id=group.unit_id) if group.unit_id else Q(lead_department__isnull=True)
        rows = selected.filter(q).order_by("kind", "code", "pk")  # "goal" sorts before "project"
        yield from _lines(plan, as_of, group, rows, chunk_size)


def _lines(plan, as_of, group, rows, chunk_size):
    last = None
    while True:
        chunk_qs = (
            rows
            if last is None
            else rows.filter(
                Q(kind__gt=last[0]) | Q(kind=last[0], code__gt=last[1]) | Q(kind=last[0], code=last[1], pk__gt=last[2])
            )
        )
        chunk = list(chunk_qs.values_list("pk", "kind", "code", "title")[:chunk_size])
        if not chunk:
            return
        subset = rows.filter(pk__in=[row[0] for row in chunk])
        _date, colours = statuses(plan, as_of, subset)
        found = open_findings(as_of, subset)
        for pk, kind, code, title in chunk:
            finding = found.get(pk)
            yield (
                group,
                ItemLine(
                    pk=pk,
                    kind=kind,
                    code=code,
                    title=title,
                    status=colours.get(pk),
                    findings=finding.count if finding else 0,
                    worst_level=finding.worst_level if finding else None,
                    leader=group.leader,
                    unit=group.unit,
                ),
            )
        last = chunk[-1][1], chunk[-1][2], chunk[-1][0]
