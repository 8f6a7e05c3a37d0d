"""seed_demo: a synthetic register that meets the plan's goals, flagged demo, deterministic, valid."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from projects import demo
from projects.models import Blocker, Project
from projects.rollups import compute_all
from targets.choices import ItemKind, MilestoneKind, Rollup
from targets.models import Checkpoint, Department, Milestone, Person, Plan, ProgressReport, TrackedItem

pytestmark = pytest.mark.django_db

YEAR_END = dt.date(2023, 12, 31)


def seed(**options) -> str:
    """Run the command and return its stdout."""
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def plan_2023() -> Plan:
    return Plan.objects.get(year=2023)


SKIPPED = {
    "id",
    "trackeditem_ptr_id",
    "created_at",
    "updated_at",
    "plan_id",
    "lead_department_id",
    "responsible_leader_id",
    "contact_id",
}


def canonical_dump(plan: Plan) -> list[tuple]:
    """Every row of the plan's demo register by natural keys (codes, names, emails), not pks."""
    fields = [f.attname for f in Project._meta.concrete_fields if f.attname not in SKIPPED]
    rows: list[tuple] = []
    projects = demo.demo_projects(plan).select_related("lead_department", "responsible_leader", "contact").order_by("code")
    for p in projects:
        rows.append(
            (
                "project",
                *(getattr(p, name) for name in fields),
                p.lead_department.name,
                p.responsible_leader.email,
                p.contact.email,
                tuple(sorted(p.cooperating_departments.values_list("name", flat=True))),
            )
        )
        rows += [("checkpoint", p.code, *c) for c in p.checkpoints.order_by("date").values_list("date", "expected_value")]
        rows += [
            ("milestone", p.code, *m)
            for m in p.milestones.order_by("planned_date", "kind", "title").values_list(
                "kind", "title", "planned_date", "actual_date", "evidence_note"
            )
        ]
        rows += [
            ("report", p.code, *r)
            for r in p.reports.order_by("as_of").values_list(
                "period", "as_of", "value", "narrative", "problems", "correction_reason", "submitted_at"
            )
        ]
        rows += [
            ("blocker", p.code, *b)
            for b in p.blockers.order_by("raised_on", "category", "description").values_list(
                "category", "description", "raised_on", "resolved_on", "measures"
            )
        ]
    rows += sorted(
        ("unit", *u) for u in Department.objects.filter(is_demo=True).values_list("name", "short_name", "kind", "head__email")
    )
    rows += sorted(
        ("person", *u)
        for u in Person.objects.filter(is_demo=True).values_list("email", "name", "title", "department__name", "is_leader")
    )
    return rows


def register_only(dump: list[tuple]) -> list[tuple]:
    """The part of a dump that does not depend on --through: projects and their monthly plans."""
    return [row for row in dump if row[0] in {"project", "checkpoint"}]


def test_it_meets_the_plan_goals_with_240_projects():
    seed(projects=240, seed=1)
    plan = plan_2023()
    rollups = compute_all(plan, YEAR_END)

    assert rollups[Rollup.MAJOR_PROJECTS] == 240
    assert rollups[Rollup.INDUSTRIAL_SHARE] >= 27
    assert rollups[Rollup.DISTRICT_KEY_PROJECTS] >= 50
    assert rollups[Rollup.KEY_ANNUAL_PLAN] > 1_200_000
    assert rollups[Rollup.KEY_TOTAL_INVESTMENT] > 6_000_000
    assert 25 <= rollups[Rollup.NEW_STARTS] <= 35  # 35 planned; most have started by the year end
    assert rollups[Rollup.CONCENTRATED_STARTS] >= 20
    assert rollups[Rollup.PROVINCIAL_KEY_PROJECTS] >= 4
    assert rollups[Rollup.PROVINCIAL_MAJOR_INDUSTRIAL] >= 2
    assert rollups[Rollup.COMPLETIONS] >= 10
    assert 70 <= rollups[Rollup.INVESTMENT_COMPLETION_RATE] <= 130

    projects = Project.objects.filter(plan=plan)
    assert projects.filter(stage="new_start").count() == 35
    assert set(projects.values_list("stage", flat=True)) == {"preparatory", "new_start", "continuing", "completed"}
    assert len(set(projects.values_list("category", flat=True))) == 6
    assert projects.filter(land_area__isnull=False).exists()
    for p in projects:
        assert 5000 <= p.total_investment <= 500_000
        assert p.total_investment * Decimal("0.10") <= p.target_value <= p.total_investment * Decimal("0.40")
        assert not p.is_district_key or p.total_investment > 10_000
        assert not p.batch_level or p.batch_date.year == 2023
    totals = sorted(projects.values_list("total_investment", flat=True))
    assert totals[len(totals) // 2] < 20_000 < totals[-1] / 10  # long tail: median small, maximum far out


def test_it_spreads_progress_and_keeps_every_monthly_series_consistent():
    seed(projects=240, seed=1)
    bands = {"on_track": 0, "lagging": 0, "behind": 0}
    missing = 0
    for p in Project.objects.prefetch_related("checkpoints", "reports"):
        plan = {c.date: c.expected_value for c in p.checkpoints.all()}
        assert list(plan) == sorted(plan)
        assert len(plan) == 11
        assert min(plan) == dt.date(2023, 2, 28)
        assert plan[YEAR_END] == p.target_value
        assert all(a <= b for a, b in itertools.pairwise(plan.values()))
        reports = sorted(p.reports.all(), key=lambda r: r.as_of)
        for earlier, later in itertools.pairwise(reports):
            assert later.value >= earlier.value or later.correction_reason
        latest = reports[-1]
        missing += latest.as_of < YEAR_END
        ratio = latest.value / plan[latest.as_of]
        bands["on_track" if ratio >= 1 else "lagging" if ratio >= Decimal("0.6") else "behind"] += 1
        if ratio < 1:
            assert latest.problems
    assert 0.5 <= bands["on_track"] / 240 <= 0.7
    assert 0.15 <= bands["lagging"] / 240 <= 0.35
    assert 0.05 <= bands["behind"] / 240 <= 0.18
    assert 3 <= missing <= 25
    assert 3 <= Milestone.objects.count() / 240 <= 5
    assert 0.08 <= Blocker.objects.values("project").distinct().count() / 240 <= 0.25
    assert Blocker.objects.filter(resolved_on__isnull=False).exists()
    assert Blocker.objects.filter(resolved_on__isnull=True).exists()
    assert Milestone.objects.filter(actual_date__isnull=True, planned_date__lt=YEAR_END).exists()  # some overdue


def test_it_scales_the_goals_to_a_smaller_register():
    seed(projects=60, seed=3)
    rollups = compute_all(plan_2023(), YEAR_END)
    share = Decimal(60) / 240

    assert rollups[Rollup.MAJOR_PROJECTS] == 60
    assert rollups[Rollup.INDUSTRIAL_SHARE] >= 27
    assert rollups[Rollup.DISTRICT_KEY_PROJECTS] >= math.ceil(50 * share)
    assert rollups[Rollup.KEY_TOTAL_INVESTMENT] > 6_000_000 * share
    assert rollups[Rollup.KEY_ANNUAL_PLAN] > 1_200_000 * share
    assert rollups[Rollup.CONCENTRATED_STARTS] >= 20 * share


@pytest.mark.parametrize("count", [1, 10])
def test_it_works_for_a_small_register(count):
    seed(projects=count, seed=1)
    plan = plan_2023()
    assert Project.objects.filter(plan=plan, is_demo=True).count() == count
    assert Checkpoint.objects.filter(item__plan=plan).count() == 11 * count
    assert compute_all(plan, YEAR_END)[Rollup.INDUSTRIAL_SHARE] >= 27


def test_it_flags_every_row_it_creates_as_demo_and_leaves_real_units_alone(departments):
    Department.objects.get_or_create(name="区交通运输局", defaults={"short_name": "交通局"})  # a real unit the cast also names
    real = {d.name: (d.pk, d.short_name, d.is_demo) for d in Department.objects.all()}
    seed(projects=20, seed=1)

    assert not Project.objects.filter(is_demo=False).exists()
    assert not TrackedItem.objects.exclude(kind=ItemKind.PROJECT).exists()
    assert {(d.name, (d.pk, d.short_name, d.is_demo)) for d in Department.objects.filter(name__in=real)} == set(real.items())
    demo_units = Department.objects.filter(is_demo=True)
    assert demo_units.count() == 12
    assert demo_units.filter(name="区交通运输局（演示）").exists()
    assert not demo_units.filter(head__isnull=True).exists()
    assert Person.objects.filter(is_demo=True).count() == Person.objects.count() == 32
    assert Person.objects.filter(is_leader=True).count() == 8
    assert set(Person.objects.values_list("email", flat=True)) >= {"zhang.wei@demo.duban.local", "wang.jianguo@demo.duban.local"}
    for p in Project.objects.select_related("lead_department", "responsible_leader", "contact"):
        assert p.lead_department.is_demo
        assert p.responsible_leader.is_leader
        assert p.contact.department_id == p.lead_department_id
        assert p.code.startswith("DEMO-2023-")


def test_it_produces_identical_rows_for_the_same_seed():
    seed(projects=20, seed=7)
    first = canonical_dump(plan_2023())
    seed(projects=20, seed=7, batch_size=7)  # the batch size changes statements, not data
    assert canonical_dump(plan_2023()) == first
    seed(projects=20, seed=8)
    assert canonical_dump(plan_2023()) != first


def test_it_replaces_its_register_when_run_again():
    seed(projects=10, seed=1)
    before = (Project.objects.count(), ProgressReport.objects.count(), Milestone.objects.count())
    first = canonical_dump(plan_2023())

    out = seed(projects=10, seed=1)

    assert "Deleted 10 demo projects" in out
    assert (Project.objects.count(), ProgressReport.objects.count(), Milestone.objects.count()) == before
    assert canonical_dump(plan_2023()) == first


def test_it_only_deletes_with_clear():
    seed(projects=10, seed=1)
    out = seed(projects=10, seed=1, clear=True)
    assert "Deleted 10 demo projects" in out
    assert not Project.objects.filter(is_demo=True).exists()
    assert not ProgressReport.objects.exists()


def test_it_clears_only_the_plans_demo_rows(plan, departments):
    real = Project.objects.create(
        plan=plan,
        code="2023-P01",
        title="下陈中学",
        period_start=plan.period_start,
        period_end=plan.period_end,
        total_investment=28908,
    )
    Checkpoint.objects.create(item=real, date=YEAR_END, expected_value=1000)
    seed(projects=5, seed=1, plan=2024)
    seed(projects=10, seed=1)

    out = seed(projects=8, seed=2)

    assert "Deleted 10 demo projects" in out
    assert Project.objects.filter(plan=plan, is_demo=True).count() == 8
    assert Project.objects.filter(plan__year=2024).count() == 5
    assert Project.objects.filter(pk=real.pk).exists()
    assert real.checkpoints.count() == 1
    orphans = Checkpoint.objects.exclude(item__in=TrackedItem.objects.all())
    assert not orphans.exists()
    assert ProgressReport.objects.filter(item__plan=plan).count() == sum(p.reports.count() for p in demo.demo_projects(plan))


def test_it_creates_the_plan_when_missing():
    out = seed(projects=3, seed=1, plan=2024)
    plan = Plan.objects.get(year=2024)
    assert "Created plan 2024" in out
    assert (plan.title, plan.period_start, plan.period_end) == ("2024年工作计划", dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert Project.objects.filter(plan=plan).count() == 3


def test_it_bounds_reports_and_actual_dates_by_the_through_month():
    seed(projects=30, seed=1, through="2023-06")
    june = dt.date(2023, 6, 30)
    assert ProgressReport.objects.filter(as_of=june).exists()
    assert not ProgressReport.objects.filter(as_of__gt=june).exists()
    assert not Milestone.objects.filter(actual_date__gt=june).exists()
    assert not Blocker.objects.filter(raised_on__gt=june).exists()
    assert not Blocker.objects.filter(resolved_on__gt=june).exists()
    half_year = canonical_dump(plan_2023())

    seed(projects=30, seed=1)
    full_year = canonical_dump(plan_2023())
    assert ProgressReport.objects.filter(as_of=YEAR_END).exists()
    assert register_only(half_year) == register_only(full_year)  # --through changes what happened, not the register
    assert {r for r in full_year if r[0] == "report" and r[3] <= june} >= {r for r in half_year if r[0] == "report"}


def test_it_rejects_a_through_month_outside_the_plan():
    with pytest.raises(CommandError, match="outside plan 2023"):
        seed(projects=3, through="2024-01")
    with pytest.raises(CommandError, match="must look like"):
        seed(projects=3, through="June")


def test_it_dates_nothing_after_today_in_a_running_year():
    with time_machine.travel(dt.datetime(2023, 7, 15, 10, tzinfo=dt.UTC), tick=False):
        seed(projects=30, seed=1)  # default --through: the current month, July
        today, now = timezone.localdate(), timezone.now()
    assert ProgressReport.objects.latest("as_of").as_of == dt.date(2023, 6, 30)
    assert not Milestone.objects.filter(actual_date__gt=today).exists()
    assert not ProgressReport.objects.filter(submitted_at__gt=now).exists()
    assert not Blocker.objects.filter(raised_on__gt=today).exists()


def test_it_passes_full_clean_on_a_sample():
    with time_machine.travel(dt.datetime(2024, 3, 1, tzinfo=dt.UTC)):
        seed(projects=30, seed=5)
    for p in Project.objects.order_by("code")[::3]:
        p.full_clean()
        for row in (*p.checkpoints.all(), *p.milestones.all(), *p.reports.all(), *p.blockers.all()):
            row.full_clean()
    for row in (*Department.objects.filter(is_demo=True), *Person.objects.filter(is_demo=True)):
        row.full_clean()
    assert Milestone.objects.filter(kind=MilestoneKind.START, actual_date__isnull=False).exists()


def test_it_writes_a_progress_bar_to_stderr():
    err = io.StringIO()
    call_command("seed_demo", projects=5, stdout=io.StringIO(), stderr=err)
    assert "5/5 projects" in err.getvalue()
    assert "#" * 30 in err.getvalue()


def test_it_bulk_creates_projects_as_multi_table_children(plan):
    demo_plan = demo.Context(plan=plan, cast=demo.ensure_cast(), cutoff=YEAR_END, now=timezone.now(), tz=dt.UTC)
    chunk = next(demo.generate_register(demo_plan, 3, seed=1))

    demo.insert_chunk(chunk, batch_size=2)

    for built in chunk:
        stored = Project.objects.get(code=built.project.code)
        assert stored.pk == built.project.pk
        assert stored.kind == ItemKind.PROJECT
        assert TrackedItem.objects.get(pk=stored.pk).target_value == built.project.target_value
        assert stored.checkpoints.count() == 11
        assert stored.reports.count() == 11
