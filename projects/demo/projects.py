"""One demo project and everything hanging off it: monthly plan, milestones, reports, blockers."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from targets.choices import ItemKind, MilestoneKind, ScheduleMode
from targets.models import Checkpoint, Milestone, Plan, ProgressReport

from ..choices import Category, Stage
from ..models import Blocker, Project
from . import text
from .blocks import BLOCK_SIZE, CHUNK_BLOCKS, CODE_PREFIX, PRE_START_SHARE, START_MONTH_WEIGHTS, Slot, plan_block
from .plan import Cast, month_date, month_end

# --- Modelling choices: how projects fare -------------------------------------------------------

ON_TRACK, LAGGING, BEHIND, MISSING = "on_track", "lagging", "behind", "missing"
PROFILES = (ON_TRACK, LAGGING, BEHIND, MISSING)
PROFILE_WEIGHTS = (60, 25, 10, 5)
# Completed ÷ planned at the latest report (per-month noise ±3% on top keeps each band).
PROFILE_RATIO = {ON_TRACK: (1.04, 1.25), LAGGING: (0.64, 0.95), BEHIND: (0.25, 0.56), MISSING: (0.90, 1.15)}
MONTHLY_NOISE = 0.03
CORRECTION_CHANCE = 0.02  # a statistics check lowers one month's cumulative figure (with a reason)
LATE_REPORT_CHANCE = 0.10
# Milestones: chance of being done, and days between the planned and the actual date.
MILESTONE_DONE = {ON_TRACK: 0.96, LAGGING: 0.9, BEHIND: 0.7, MISSING: 0.92}
MILESTONE_DELAY = {ON_TRACK: (-20, 5), LAGGING: (-5, 30), BEHIND: (10, 60), MISSING: (-10, 15)}
BATCH_START_DONE = 0.97  # a project in a concentrated-start event starts on the event day
# Projects whose reports say they are building have passed these gates (if the date has come).
GATES = (MilestoneKind.CONSTRUCTION_PERMIT, MilestoneKind.START)
# Blockers: chance per project (≈ 15% overall) and chance of being resolved.
BLOCKER_CHANCE = {ON_TRACK: 0.07, LAGGING: 0.25, BEHIND: 0.45, MISSING: 0.12}
BLOCKER_RESOLVED = {ON_TRACK: 0.7, LAGGING: 0.4, BEHIND: 0.2, MISSING: 0.4}
COOPERATING_CHANCE = 0.3

# --- One project and everything hanging off it ----------------------------------------------------


@dataclass
class Context:
    """What every project of a run shares."""

    plan: Plan
    cast: Cast
    cutoff: dt.date  # the latest date anything may have happened: end of --through, never after today
    now: dt.datetime
    tz: dt.tzinfo

    @property
    def year(self) -> int:
        return self.plan.year


@dataclass
class DemoProject:
    """An unsaved project with its unsaved children (their item is set at insert time)."""

    project: Project
    checkpoints: list[Checkpoint] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    reports: list[ProgressReport] = field(default_factory=list)
    blockers: list[Blocker] = field(default_factory=list)
    cooperating: list[int] = field(default_factory=list)  # department ids


@dataclass
class Schedule:
    """When a project starts or finishes in the year, and its monthly plan as cumulative fractions."""

    start: dt.date | None  # new starts
    completion: dt.date | None  # projects finishing this year
    fractions: dict[int, float]  # month (2–12) -> cumulative share of the annual plan


def smoothstep(x: float) -> float:
    return x * x * (3 - 2 * x)


def schedule_for(slot: Slot, rng: random.Random, year: int) -> Schedule:
    """Monthly plan curve: S-shaped or linear; new starts spend little before their start month;
    projects finishing this year front-load and reach the plan by their completion month."""
    months = range(2, 13)
    start = completion = None
    if slot.stage == Stage.NEW_START:
        start = slot.batch_date or dt.date(year, rng.choices(range(1, 11), weights=START_MONTH_WEIGHTS)[0], rng.randint(1, 28))
        s = start.month
        fractions = {
            m: PRE_START_SHARE * m / s if m < s else PRE_START_SHARE + (1 - PRE_START_SHARE) * smoothstep((m - s + 1) / (13 - s))
            for m in months
        }
    elif slot.stage == Stage.COMPLETED:
        c = rng.choices(range(5, 13), weights=(1, 2, 2, 2, 2, 3, 3, 4))[0]
        completion = dt.date(year, c, rng.randint(1, 28))
        fractions = {m: 1 - (1 - min(1.0, m / c)) ** 2 for m in months}
    elif slot.stage == Stage.PREPARATORY:
        fractions = {m: (m / 12) ** 2 for m in months}  # preparation spending comes late, with permits
    elif rng.random() < 0.5:
        fractions = {m: m / 12 for m in months}
    else:
        fractions = {m: smoothstep(m / 12) for m in months}
    fractions[12] = 1.0
    return Schedule(start=start, completion=completion, fractions=fractions)


def project_title(slot: Slot, rng: random.Random, place: str) -> str:
    product, unit = rng.choice(text.PRODUCTS)
    patterns = text.TITLE_PATTERNS[slot.category]
    if slot.total > text.SMALL_PROJECT_MAX:
        patterns = tuple(pattern for pattern in patterns if pattern not in text.SMALL_PROJECT_PATTERNS)
    title = rng.choice(patterns).format(
        firm=rng.choice(text.FIRMS),
        product=product,
        unit=unit,
        qty=rng.choice(text.QUANTITIES),
        place=place,
        road=rng.choice(text.ROADS),
        river=rng.choice(text.RIVERS),
    )
    return title + rng.choice(text.PHASES)


def owner_company(slot: Slot, rng: random.Random, township: str) -> str:
    firm, suffix = rng.choice(text.FIRMS), rng.choice(text.OWNER_SUFFIXES)
    private = slot.category in (Category.INDUSTRIAL, Category.SERVICES, Category.ENERGY) and rng.random() < 0.8
    if private:
        return text.PRIVATE_OWNER.format(firm=firm, suffix=suffix)
    return text.STATE_OWNER.format(place=township.removesuffix("街道").removesuffix("镇"))


def land_area(slot: Slot, rng: random.Random) -> Decimal | None:
    """Land in 亩 for most industrial projects and some others (linear works have none recorded)."""
    chance, median = (0.75, 40) if slot.category == Category.INDUSTRIAL else (0.25, 25)
    has_land, draw = rng.random() < chance, rng.lognormvariate(math.log(median), 0.8)
    if not has_land or slot.category == Category.INFRASTRUCTURE:
        return None
    return Decimal(f"{min(500.0, max(5.0, draw)):.1f}")


def plan_statement(slot: Slot, schedule: Schedule) -> str:
    when = schedule.start or schedule.completion
    return text.PLAN_STATEMENTS[slot.stage].format(month=when.month if when else "", annual=slot.annual)


def build_project(slot: Slot, rng: random.Random, ctx: Context) -> DemoProject:
    unit_key = rng.choice(text.LEAD_UNITS[slot.category])
    unit_name = next(name for key, name, *_ in text.UNITS if key == unit_key)
    township = rng.choices(list(text.TOWNSHIPS), weights=text.TOWNSHIP_WEIGHTS)[0]
    if unit_name in text.TOWNSHIPS:
        township = unit_name
    place = rng.choice(text.TOWNSHIPS[township])
    schedule = schedule_for(slot, rng, ctx.year)
    project = Project(
        kind=ItemKind.PROJECT,
        plan_id=ctx.plan.pk,
        code=f"{CODE_PREFIX}-{ctx.year}-{slot.index:05d}",
        title=project_title(slot, rng, place),
        period_start=ctx.plan.period_start,
        period_end=ctx.plan.period_end,
        target_value=Decimal(slot.annual),
        schedule_mode=ScheduleMode.CHECKPOINTS,
        lead_department_id=ctx.cast.units[unit_key].pk,
        responsible_leader_id=rng.choice(ctx.cast.leaders).pk,
        contact_id=ctx.cast.contacts[unit_key].pk,
        owner_company=owner_company(slot, rng, township),
        township=township,
        category=slot.category,
        is_provincial_key=slot.is_provincial_key,
        is_provincial_major_industrial=slot.is_provincial_major_industrial,
        is_city_key=slot.is_city_key,
        is_district_key=slot.is_key,
        is_major=True,
        stage=slot.stage,
        batch_level=slot.batch_level,
        batch_date=slot.batch_date,
        total_investment=Decimal(slot.total),
        land_area=land_area(slot, rng),
        plan_statement=plan_statement(slot, schedule),
        is_demo=True,
    )
    profile = rng.choices(PROFILES, weights=PROFILE_WEIGHTS)[0]
    others = [unit.pk for key, unit in ctx.cast.units.items() if key != unit_key]
    cooperating = rng.sample(others, rng.randint(1, 2)) if rng.random() < COOPERATING_CHANCE else []
    return DemoProject(
        project=project,
        checkpoints=monthly_plan(slot, schedule, ctx.year),
        milestones=milestones(slot, schedule, profile, rng, ctx),
        reports=progress_reports(slot, schedule, profile, rng, ctx),
        blockers=blockers(profile, rng, ctx),
        cooperating=cooperating,
    )


def monthly_plan(slot: Slot, schedule: Schedule, year: int) -> list[Checkpoint]:
    """Cumulative planned investment at each month end from February (January is published with
    February), reaching the annual plan on 12-31."""
    return [
        Checkpoint(item_id=None, date=month_end(year, month), expected_value=Decimal(round(slot.annual * fraction)))
        for month, fraction in schedule.fractions.items()
    ]


def planned_milestones(slot: Slot, schedule: Schedule, rng: random.Random, year: int) -> list[tuple[str, str, dt.date]]:
    """(kind, title, planned date) in the order they happen; about four per project."""
    days = dt.timedelta
    year_end = dt.date(year, 12, 31)
    title = text.MILESTONE_TITLES
    nodes: list[tuple[str, str, dt.date]] = []
    if slot.stage == Stage.PREPARATORY:
        day = dt.date(year, rng.randint(2, 6), rng.randint(1, 28))
        for kind in (
            MilestoneKind.APPROVAL,
            MilestoneKind.LAND,
            MilestoneKind.PLANNING_PERMIT,
            MilestoneKind.CONSTRUCTION_PERMIT,
        ):
            nodes.append((kind, title[kind], day))
            day += days(rng.randint(30, 90))
    elif slot.stage == Stage.NEW_START:
        start = schedule.start
        nodes += [
            (MilestoneKind.CONSTRUCTION_PERMIT, title[MilestoneKind.CONSTRUCTION_PERMIT], start - days(rng.randint(10, 40))),
            (MilestoneKind.START, title[MilestoneKind.START], start),
            (MilestoneKind.STATS_ENTRY, title[MilestoneKind.STATS_ENTRY], min(year_end, start + days(rng.randint(20, 50)))),
            (MilestoneKind.OTHER, rng.choice(text.WORK_NODES[:3]), start + days(rng.randint(60, 150))),
        ]
    elif slot.stage == Stage.CONTINUING:
        first = dt.date(year, rng.randint(3, 7), rng.randint(1, 28))
        second = dt.date(year, rng.randint(first.month + 1, 11), rng.randint(1, 28))
        second_kind = MilestoneKind.TOPPING_OUT if rng.random() < 0.6 else MilestoneKind.OTHER
        finishes_next_year = rng.random() < 0.6
        next_year = month_date(year + 1, rng.randint(3, 12), rng.randint(1, 28))
        nodes += [
            (MilestoneKind.OTHER, rng.choice(text.WORK_NODES), first),
            (
                second_kind,
                title[MilestoneKind.TOPPING_OUT] if second_kind == MilestoneKind.TOPPING_OUT else rng.choice(text.WORK_NODES),
                second,
            ),
            (MilestoneKind.OTHER, text.YEAR_END_NODE, year_end),
        ]
        if finishes_next_year:
            nodes.append((MilestoneKind.COMPLETION, title[MilestoneKind.COMPLETION], next_year))
    else:
        completion = schedule.completion
        nodes += [
            (MilestoneKind.TOPPING_OUT, title[MilestoneKind.TOPPING_OUT], completion - days(rng.randint(120, 300))),
            (MilestoneKind.OTHER, text.WORK_NODES[4], completion - days(rng.randint(30, 90))),
            (MilestoneKind.COMPLETION, title[MilestoneKind.COMPLETION], completion),
            (MilestoneKind.OPERATION, title[MilestoneKind.OPERATION], min(year_end, completion + days(rng.randint(15, 60)))),
        ]
    return nodes


def milestones(slot: Slot, schedule: Schedule, profile: str, rng: random.Random, ctx: Context) -> list[Milestone]:
    """Milestones with actual dates: done in order, never after the cutoff; once one is undone
    (overdue or not yet due), the later ones are undone too."""
    low, high = MILESTONE_DELAY[profile]
    result, previous, open_from_here = [], None, False
    for kind, title, planned in planned_milestones(slot, schedule, rng, ctx.year):
        in_batch = kind == MilestoneKind.START and slot.batch_date is not None
        chance = BATCH_START_DONE if in_batch else MILESTONE_DONE[profile]
        if kind in GATES and profile in (ON_TRACK, MISSING):
            chance = 1.0
        done = rng.random() < chance
        actual = planned + dt.timedelta(days=0 if in_batch else rng.randint(low, high))
        if previous is not None and actual < previous:
            actual = previous
        if open_from_here or not done or actual > ctx.cutoff:
            actual, open_from_here = None, True
        result.append(
            Milestone(
                item_id=None,
                title=title,
                kind=kind,
                planned_date=planned,
                actual_date=actual,
                evidence_note=text.EVIDENCE[kind] if actual else "",
            )
        )
        previous = actual or previous
    return result


def submitted_at(as_of: dt.date, rng: random.Random, ctx: Context) -> dt.datetime:
    """Reports come in during the first days of the next month (due on the 5th), some late."""
    late = rng.random() < LATE_REPORT_CHANCE
    day = as_of + dt.timedelta(days=rng.randint(6, 12) if late else rng.randint(1, 5))
    moment = dt.datetime(day.year, day.month, day.day, rng.randint(9, 17), rng.randint(0, 59), tzinfo=ctx.tz)
    return min(moment, ctx.now)


def progress_reports(slot: Slot, schedule: Schedule, profile: str, rng: random.Random, ctx: Context) -> list[ProgressReport]:
    """Monthly cumulative completed investment from February, as far as the cutoff.

    Every month is drawn whatever the cutoff, then cut, so --through does not shift the numbers.
    """
    ratio = rng.uniform(*PROFILE_RATIO[profile])
    correction_month = rng.randint(4, 11) if rng.random() < CORRECTION_CHANCE else None
    missing = rng.randint(1, 2) if profile == MISSING else 0
    phases = text.PROGRESS_PHASES[slot.stage]
    reports, previous = [], 0.0
    for month, fraction in schedule.fractions.items():
        planned = slot.annual * fraction
        value = planned * ratio * rng.uniform(1 - MONTHLY_NOISE, 1 + MONTHLY_NOISE)
        reason = ""
        if month == correction_month and previous > 0:
            value, reason = previous * rng.uniform(0.92, 0.98), text.CORRECTION_REASON
        value = round(value if reason else max(value, previous), 1)
        problem = rng.choice(text.REPORT_PROBLEMS)
        as_of = month_end(ctx.year, month)
        reports.append(
            ProgressReport(
                item_id=None,
                reporter_id=None,
                period=as_of.replace(day=1),
                as_of=as_of,
                value=Decimal(f"{value:.1f}"),
                narrative=(
                    f"{phases[min(len(phases) - 1, int(fraction * len(phases)))]}，"
                    f"1—{month}月累计完成投资{value:.1f}万元，占年度计划的{value / slot.annual * 100:.1f}%。"
                ),
                problems=problem if planned and value < planned * 0.98 else "",
                correction_reason=reason,
                submitted_at=submitted_at(as_of, rng, ctx),
            )
        )
        previous = value
    reports = [report for report in reports if report.as_of <= ctx.cutoff]
    return reports[: len(reports) - missing] if missing else reports


def blockers(profile: str, rng: random.Random, ctx: Context) -> list[Blocker]:
    """Blockers for about 15% of projects (more for lagging ones), raised by the cutoff, some resolved."""
    if rng.random() >= BLOCKER_CHANCE[profile]:
        return []
    window_start = dt.date(ctx.year, 1, 15)
    window = (ctx.cutoff - window_start).days
    categories, weights = list(text.BLOCKER_WEIGHTS), list(text.BLOCKER_WEIGHTS.values())
    result = []
    for _ in range(1 if rng.random() < 0.8 else 2):
        category = rng.choices(categories, weights=weights)[0]
        description = rng.choice(text.BLOCKER_TEXTS[category]).format(n=rng.randint(3, 40), pct=rng.randint(30, 70))
        raised_share, resolve, resolve_days = rng.random(), rng.random(), rng.randint(15, 120)
        measures = rng.choice(text.BLOCKER_MEASURES)
        if window < 0:
            continue
        raised_on = window_start + dt.timedelta(days=int(window * raised_share))
        resolved_on = raised_on + dt.timedelta(days=resolve_days)
        if resolve >= BLOCKER_RESOLVED[profile] or resolved_on > ctx.cutoff:
            resolved_on = None
        result.append(
            Blocker(
                project_id=None,
                category=category,
                description=description,
                raised_on=raised_on,
                resolved_on=resolved_on,
                measures=measures,
            )
        )
    return result


def generate_register(ctx: Context, count: int, seed: int) -> Iterator[list[DemoProject]]:
    """The register in chunks of CHUNK_BLOCKS blocks, so memory stays flat at any size."""
    chunk: list[DemoProject] = []
    for block in range(math.ceil(count / BLOCK_SIZE)):
        first = block * BLOCK_SIZE
        slots = plan_block(random.Random(f"duban-demo:{seed}:block:{block}"), first + 1, min(BLOCK_SIZE, count - first), ctx.year)
        chunk += [build_project(slot, random.Random(f"duban-demo:{seed}:project:{slot.index}"), ctx) for slot in slots]
        if (block + 1) % CHUNK_BLOCKS == 0:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
