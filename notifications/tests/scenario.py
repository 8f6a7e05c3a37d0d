"""A small register evaluated on Monday 10 July 2023 (ISO week 2023-W28), for the digest tests.

- P1 red (30 a month against 100) in unit A, contact A联系人, leader 包干领导;
- P2 yellow (80 a month) in unit B, contact B联系人 without an email address, same leader;
- P3 green (100 a month) in unit C, contact C联系人: nothing needs attention, so no digest.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from projects.tests.factories import ProjectFactory
from targets.engine.supervision import supervise
from targets.models import Person, ProgressReport
from targets.tests.factories import CheckpointFactory, PlanFactory

D = dt.date
MONDAY = D(2023, 7, 10)


def month_ends(year: int = 2023) -> list[dt.date]:
    return [D(year, m + 1, 1) - dt.timedelta(days=1) for m in range(2, 12)] + [D(year, 12, 31)]


def make_project(plan, code: str, per_month: int, *, leader: Person, email: str | None = None):
    contact = Person.objects.create(name=f"{code}联系人", email=email if email is not None else f"{code.lower()}@example.com")
    project = ProjectFactory(plan=plan, code=code, target_value=Decimal("1200"), contact=contact, responsible_leader=leader)
    contact.department = project.lead_department
    contact.save()
    for month_end in month_ends():
        CheckpointFactory(item=project, date=month_end, expected_value=Decimal(100 * month_end.month))
        if month_end.month <= 6:
            ProgressReport.objects.create(item=project, as_of=month_end, value=Decimal(per_month * month_end.month))
    return project


def build(*, evaluate: bool = True):
    plan = PlanFactory(year=2023)
    leader = Person.objects.create(name="包干领导", email="leader@example.com", is_leader=True)
    projects = {
        "P1": make_project(plan, "P1", 30, leader=leader),
        "P2": make_project(plan, "P2", 80, leader=leader, email=""),
        "P3": make_project(plan, "P3", 100, leader=leader),
    }
    if evaluate:
        supervise(plan, MONDAY)
    return plan, leader, projects
