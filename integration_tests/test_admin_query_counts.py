"""List pages cost the same number of queries for 5 rows as for 50 (annotations, joins, one roll-up run)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.tests.factories import BlockerFactory, ProjectFactory
from targets.tests.factories import (
    CheckpointFactory,
    DepartmentFactory,
    MilestoneFactory,
    PersonFactory,
    ProgressReportFactory,
    TargetFactory,
)

LISTS = [
    "targets_department",
    "targets_person",
    "targets_plan",
    "targets_baseline",
    "targets_target",
    "targets_progressreport",
    "targets_milestone",
    "projects_project",
    "projects_blocker",
]


def add_rows(plan, count: int) -> None:
    """`count` of everything a list shows: units, leaders, goals (reported and rolled up), projects and their rows."""
    for _ in range(count):
        unit = DepartmentFactory()
        leader = PersonFactory(department=unit, is_leader=True)
        goal = TargetFactory(plan=plan, lead_department=unit, responsible_leader=leader)
        rolled_up = TargetFactory(
            plan=plan, lead_department=unit, actual_source="rollup", rollup="major_projects", modality="力争", show_in_yi=True
        )
        project = ProjectFactory(plan=plan, lead_department=unit, responsible_leader=leader)
        for item in (goal, rolled_up, project):
            ProgressReportFactory(item=item, as_of=dt.date(2023, 5, 31), value=Decimal("10"))
            ProgressReportFactory(item=item, as_of=dt.date(2023, 6, 30), value=Decimal("20"))
            MilestoneFactory(item=item)
        CheckpointFactory(item=project)
        BlockerFactory(project=project)


def queries(client, path: str) -> int:
    client.get(path)  # warm per-process caches (content types, permissions)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("persona", ["admin_user", "staff_user", "unit_user"])
def test_it_lists_in_a_constant_number_of_queries(client, plan, request, persona):
    client.force_login(request.getfixturevalue(persona))
    paths = [reverse(f"admin:{name}_changelist") for name in LISTS]

    add_rows(plan, 5)
    few = {path: queries(client, path) for path in paths}
    add_rows(plan, 45)
    many = {path: queries(client, path) for path in paths}

    assert many == few
