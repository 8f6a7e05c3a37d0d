"""The year roll-over (年度结转), the register's half, and the whole roll-over in order.

    roll_over(2023, 2024, apply=False)  -> Summary (a dry run: reads only)
    roll_over(2023, 2024, apply=True)   -> Summary (call it inside one transaction: the command does)

Every project of the old plan not completed by the old plan's last day (stage 竣工, or a completion
milestone reached by then) goes on as a 续建 project of the new plan, linked by `previous`: same
code (with the new year if the code carries the year), owner, unit, leader, total investment and
flags; its annual planned investment and monthly plan are the new year's to set. What it completed
before (`completed_before`) is what it had completed before the old year plus the old year's last
approved cumulative figure, so the new year's reports count from 0 and 开工以来累计 stays right.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from targets import rollover as plan_rollover
from targets.choices import MilestoneKind
from targets.engine import bulk
from targets.models import Milestone, Plan

from .choices import Stage
from .models import Project

# Not copied onto the 续建 record: the old year's annual plan and concentrated-start event.
PROJECT_SKIP = {"previous_id", "target_value", "batch_level", "batch_date", "completed_before"}


def completed(source: Plan) -> Q:
    """Projects completed by the old plan's last day: stage 竣工 or a completion milestone reached."""
    done = Milestone.objects.filter(item_id=OuterRef("pk"), kind=MilestoneKind.COMPLETION).filter(
        plan_rollover.reached(source.period_end)
    )
    return Q(stage=Stage.COMPLETED) | Q(Exists(done))


def to_carry(source: Plan) -> QuerySet:
    return plan_rollover.not_carried(Project.objects.filter(plan=source)).exclude(completed(source))


def next_stage(project: Project, started: bool) -> str:
    """A started project is 续建 next year; one still in preparation stays 前期."""
    if project.stage in (Stage.NEW_START, Stage.CONTINUING) or started:
        return Stage.CONTINUING
    return project.stage


def carry_projects(source: Plan, target: Plan | None, summary, *, apply: bool) -> dict[int, int]:
    """Carry the old plan's unfinished projects; {old id: new id} of those created now."""
    summary.projects_staying = Project.objects.filter(plan=source).filter(completed(source)).count()
    projects = list(to_carry(source).order_by("pk"))
    linked = plan_rollover.link_existing(projects, source, target)
    summary.projects_linked += len(linked)
    fresh = [p for p in projects if p.pk not in linked]
    summary.projects += len(fresh)
    if not apply:
        summary.would_carry.update(p.pk for p in fresh)
        plan_rollover.carry_milestones({p.pk: 0 for p in fresh}, source, summary, apply=False)
        return {}
    ids = [p.pk for p in projects]
    last = plan_rollover.latest_values(ids, source.period_end)
    for old_id, new_id in linked.items():
        before = Project.objects.get(pk=old_id)
        carried = (before.completed_before or 0) + last.get(old_id, 0)
        Project.objects.filter(pk=new_id).update(previous_id=old_id)
        Project.objects.filter(pk=new_id, completed_before__isnull=True).update(completed_before=carried)
    started = set(
        Milestone.objects.filter(item_id__in=[p.pk for p in fresh], kind=MilestoneKind.START)
        .filter(plan_rollover.reached(source.period_end))
        .values_list("item_id", flat=True)
    )
    years = target.year - source.year
    copies = []
    for project in fresh:
        copy = plan_rollover.copy_of(project, Project, skip=PROJECT_SKIP)
        copy.plan_id, copy.previous_id = target.pk, project.pk
        copy.code = plan_rollover.next_code(project.code, source, target)
        copy.period_start = plan_rollover.shifted(project.period_start, years)
        copy.period_end = plan_rollover.shifted(project.period_end, years)
        copy.stage = next_stage(project, project.pk in started)
        if project.completed_before is not None or project.pk in last:
            copy.completed_before = (project.completed_before or 0) + last.get(project.pk, 0)
        copies.append(copy)
    bulk.insert_children(Project, copies, reason=plan_rollover.REASON)
    created = {p.pk: c.pk for p, c in zip(fresh, copies, strict=True)}
    plan_rollover.copy_cooperating(created)
    goal_map = plan_rollover.carried_map(target)
    through = Project.goals.through
    links = through.objects.filter(project_id__in=list(created), target_id__in=list(goal_map)).values_list(
        "project_id", "target_id"
    )
    plan_rollover.link_m2m(through, "project_id", "target_id", [(created[p], goal_map[g]) for p, g in links])
    plan_rollover.carry_milestones(created, source, summary, apply=True)
    return created


def roll_over(source_year: int, target_year: int, *, apply: bool) -> plan_rollover.Summary:
    """The whole roll-over in order: plan, goals (+ their milestones), projects (+ theirs), findings."""
    if target_year <= source_year:
        raise ValueError(f"The new plan's year ({target_year}) must come after {source_year}.")
    source = Plan.objects.get(year=source_year)
    summary = plan_rollover.Summary(source_year=source_year, target_year=target_year)
    target = plan_rollover.ensure_plan(source, target_year, summary, apply=apply)
    plan_rollover.copy_goals(source, target, summary, apply=apply)
    carry_projects(source, target, summary, apply=apply)
    plan_rollover.carry_findings(source, summary, apply=apply)
    return summary
