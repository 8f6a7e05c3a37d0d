"""A small crafted register for the dashboard tests: two units, two leaders, a goal and two projects.

As of 2023-07-31 (month July):
- P1 (alpha, leader 王一, industrial, district key, annual plan 8,000万元): milestones 开工 planned
  03-15 done 04-10; 主体完工 planned 05-20 not done (overdue); 设备安装 planned 06-10 done 08-05
  (after the month end, so overdue in July); 竣工 planned 09-30 (planned). Monthly plan 1,000 at
  02-28 rising by 1,000 a month to 5,000 at 07-31, 8,000 at 12-31. Reports: 1,500 at 03-31 (on
  time), 3,000 at 05-31 (submitted 06-10, late). Red at the 07-10 run, green at the 08-10 run.
  Findings: one open (level 2, found 06-30); one found 06-01 and closed out 07-05.
- P2 (beta, leader 赵二, services, major but not key, annual plan 2,000万元): plan 1,000 at 06-30,
  2,000 at 12-31; report 800 at 06-30 (submitted 07-04, on time). Green at both runs. A finding
  found 08-02 (after July).
- G (alpha, leader 王一): headline goal "major projects" (roll-up) ≥ 240; yellow at the 07-10 run,
  red at the 08-10 run.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from projects.models import Project
from projects.tests.factories import ProjectFactory
from targets.engine.schedule import month_end
from targets.models import Checkpoint, Department, Milestone, Person, Plan, ProgressReport, Target
from targets.tests.factories import PersonFactory, TargetFactory
from targets.tests.supervision_data import make_finding, make_run, make_snapshot

D = dt.date
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
JULY_END = D(2023, 7, 31)


@dataclass
class Register:
    plan: Plan
    alpha: Department
    beta: Department
    wang: Person
    zhao: Person
    goal: Target
    p1: Project
    p2: Project


def submitted(day: dt.date):
    return dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=SHANGHAI)


def report(item, as_of: dt.date, value: str, on: dt.date) -> ProgressReport:
    return ProgressReport.objects.create(item=item, as_of=as_of, value=Decimal(value), submitted_at=submitted(on))


def build_register(plan: Plan, departments: dict) -> Register:
    alpha, beta = departments["alpha"], departments["beta"]
    wang = PersonFactory(name="王一", title="副区长", department=None, is_leader=True)
    zhao = PersonFactory(name="赵二", title="副区长", department=None, is_leader=True)
    goal = TargetFactory(
        plan=plan,
        code="2023-G14",
        title="重大项目240个",
        target_value=Decimal("240"),
        actual_source="rollup",
        rollup="major_projects",
        schedule_mode="manual",
        is_headline=True,
        headline_order=1,
        lead_department=alpha,
        responsible_leader=wang,
    )
    p1 = ProjectFactory(
        plan=plan,
        code="P1",
        title="一号项目",
        lead_department=alpha,
        responsible_leader=wang,
        category="industrial",
        is_district_key=True,
        target_value=Decimal("8000"),
    )
    p2 = ProjectFactory(
        plan=plan,
        code="P2",
        title="二号项目",
        lead_department=beta,
        responsible_leader=zhao,
        category="services",
        is_district_key=False,
        is_city_key=True,
        total_investment=Decimal("6000"),
        target_value=Decimal("2000"),
    )
    for month, value in ((2, 1000), (3, 2000), (4, 3000), (5, 4000), (6, 4500), (7, 5000), (12, 8000)):
        Checkpoint.objects.create(item=p1, date=month_end(2023, month), expected_value=Decimal(value))
    Checkpoint.objects.create(item=p2, date=D(2023, 6, 30), expected_value=Decimal("1000"))
    Checkpoint.objects.create(item=p2, date=D(2023, 12, 31), expected_value=Decimal("2000"))
    Milestone.objects.create(item=p1, title="开工", kind="start", planned_date=D(2023, 3, 15), actual_date=D(2023, 4, 10))
    Milestone.objects.create(item=p1, title="主体完工", kind="other", planned_date=D(2023, 5, 20))
    Milestone.objects.create(item=p1, title="设备安装", kind="other", planned_date=D(2023, 6, 10), actual_date=D(2023, 8, 5))
    Milestone.objects.create(item=p1, title="竣工", kind="completion", planned_date=D(2023, 9, 30))
    report(p1, D(2023, 3, 31), "1500", D(2023, 4, 3))
    report(p1, D(2023, 5, 31), "3000", D(2023, 6, 10))
    report(p2, D(2023, 6, 30), "800", D(2023, 7, 4))
    make_run(plan, D(2023, 7, 10))
    make_run(plan, D(2023, 8, 10))
    for item, july, august in ((p1, "red", "green"), (p2, "green", "green"), (goal, "yellow", "red")):
        make_snapshot(item, D(2023, 7, 10), july, expected=Decimal("100"))
        make_snapshot(item, D(2023, 8, 10), august)
    make_finding(p1, level=2, opened_on=D(2023, 6, 30))
    make_finding(p1, cause="yellow_twice", state="closed", opened_on=D(2023, 6, 1), closed_on=D(2023, 7, 5))
    make_finding(p2, opened_on=D(2023, 8, 2))
    return Register(plan, alpha, beta, wang, zhao, goal, p1, p2)
