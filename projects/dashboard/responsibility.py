"""责任分解表: responsible leader → lead unit → items (goals and projects), with colours and open findings.

Leaders in name order, items without a leader last; units in name order under each leader; goals
before projects, each in code order. Colours and open findings as of the month end (status.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from targets.choices import ItemKind
from targets.models import Plan

from .filters import Filters, items
from .status import open_findings, statuses


@dataclass(frozen=True)
class ItemLine:
    pk: int
    kind: str
    code: str
    title: str
    status: str | None
    findings: int
    worst_level: int | None


@dataclass
class UnitGroup:
    unit_id: int | None
    unit: str
    items: list[ItemLine] = field(default_factory=list)

    @property
    def findings(self) -> int:
        return sum(line.findings for line in self.items)

    @property
    def worst_level(self) -> int | None:
        return max((line.worst_level for line in self.items if line.worst_level), default=None)


@dataclass
class LeaderGroup:
    leader_id: int | None
    leader: str
    units: list[UnitGroup] = field(default_factory=list)

    @property
    def findings(self) -> int:
        return sum(unit.findings for unit in self.units)

    @property
    def worst_level(self) -> int | None:
        return max((unit.worst_level for unit in self.units if unit.worst_level), default=None)

    @property
    def item_count(self) -> int:
        return sum(len(unit.items) for unit in self.units)


@dataclass(frozen=True)
class ResponsibilitySection:
    run_date: dt.date | None
    leaders: list[LeaderGroup]


def responsibility(plan: Plan, as_of: dt.date, filters: Filters) -> ResponsibilitySection:
    """Four queries: the items, the run date, the colours and the open findings."""
    selected = items(plan, filters)
    rows = list(
        selected.values_list(
            "pk",
            "kind",
            "code",
            "title",
            "responsible_leader_id",
            "responsible_leader__name",
            "responsible_leader__title",
            "lead_department_id",
            "lead_department__name",
        )
    )
    date, colours = statuses(plan, as_of, selected)
    findings = open_findings(as_of, selected)

    def leader_key(row):
        return (row[4] is None, row[5] or "", row[4] or 0)

    rows.sort(key=lambda r: (*leader_key(r), r[8] is None, r[8] or "", r[1] != ItemKind.GOAL, r[2]))
    leaders: list[LeaderGroup] = []
    for pk, kind, code, title, leader_id, leader, leader_title, unit_id, unit in rows:
        if not leaders or leaders[-1].leader_id != leader_id:
            name = f"{leader}（{leader_title}）" if leader and leader_title else (leader or "")
            leaders.append(LeaderGroup(leader_id, name))
        group = leaders[-1]
        if not group.units or group.units[-1].unit_id != unit_id:
            group.units.append(UnitGroup(unit_id, unit or ""))
        found = findings.get(pk)
        group.units[-1].items.append(
            ItemLine(
                pk=pk,
                kind=kind,
                code=code,
                title=title,
                status=colours.get(pk),
                findings=found.count if found else 0,
                worst_level=found.worst_level if found else None,
            )
        )
    return ResponsibilitySection(run_date=date, leaders=leaders)
