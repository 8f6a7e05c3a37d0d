"""A synthetic register of major projects for demos and load tests (manage.py seed_demo).

The generator builds unsaved model instances from seeded random streams; `seed_register` inserts
them in chunks, one transaction per chunk, with bulk inserts. Every project, unit and person it
creates has is_demo=True; checkpoints, milestones, reports and blockers hang off demo projects.

Determinism. Projects are planned in blocks of 240 (the size of the real 2023 register): each
block has its own random stream and meets the plan's goals on its own (domain.md Part 1.2, scaled
to the block), so the register meets them at any size. Each project then draws its details from a
stream of its own, so the same seed and arguments give the same rows whatever the batch size, and
`--through` changes only what has happened by then (reports, actual dates, blockers), never the
register itself.

Amounts are in 万元, as everywhere in Duban.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import math
import random
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, reset_queries, transaction
from django.test.utils import override_settings
from django.utils import timezone

from targets.choices import ItemKind, MilestoneKind, ScheduleMode
from targets.models import Checkpoint, Department, Milestone, Person, Plan, ProgressReport, TrackedItem

from . import demo_text as text
from .choices import DISTRICT_KEY_MIN, MAJOR_PROJECT_MIN, BatchLevel, Category, Stage
from .models import Blocker, Project

BLOCK_SIZE = 240  # the plan's goals hold in every block of 240 projects (the real register's size)
CHUNK_BLOCKS = 8  # blocks per insert transaction: 1,920 projects, about 55,000 rows
CODE_PREFIX = "DEMO"

# --- Modelling choices: the register ------------------------------------------------------------

# Goals of the plan per 240 projects (domain.md 1.2). The demo keeps 10% above the sums, as a real
# register does ("超600亿", "超120亿"; 2022 reported 1017.8亿 for 71 key projects).
KEY_TOTAL_PER_BLOCK = 6_000_000  # G18: key projects' total investment > 600亿元
KEY_ANNUAL_PER_BLOCK = 1_200_000  # G19: key projects' annual planned investment > 120亿元
GOAL_MARGIN = 1.10

# Quotas as shares of a block; rounded up, so every block (and so the register) meets the goal.
INDUSTRIAL_SHARE = 0.30  # G15 asks ≥ 27%
KEY_SHARE = 0.22  # G17: ≥ 50 of 240 (53 per block)
NEW_START_SHARE = 35 / 240  # G16: 35 new starts
COMPLETED_SHARE = 0.10  # finishing in the year
KEY_COMPLETED_SHARE = 14 / 240  # of which key projects: G25 wants ≥ 10 key completions
PREPARATORY_SHARE = 0.12
PROVINCIAL_KEY_SHARE = 5 / 240  # G26: ≥ 4
CITY_KEY_SHARE = 12 / 240
PROVINCIAL_MAJOR_INDUSTRIAL_SHARE = 2 / 240  # G21 names two
BATCH_SHARE = 22 / 240  # G27: ≥ 20 in concentrated-start events
# How the non-industrial projects spread over the other categories.
OTHER_CATEGORY_WEIGHTS = {
    Category.SERVICES: 26,
    Category.INFRASTRUCTURE: 30,
    Category.LIVELIHOOD: 22,
    Category.ENERGY: 10,
    Category.OTHER: 12,
}

TOTAL_MAX = 500_000  # 50亿元: the biggest project a district register carries
KEY_TOTAL_MIN = 12_000  # key projects start a little above the 1亿元 line
KEY_TOTAL_MEDIAN = 85_000  # lognormal median of key projects (mean ≈ 12.7亿; 2022 averaged 14.3亿)
# Annual plan as a share of the total investment, by stage (always within 10–40%).
ANNUAL_SHARE = {
    Stage.PREPARATORY: (0.10, 0.20),
    Stage.NEW_START: (0.10, 0.35),
    Stage.CONTINUING: (0.15, 0.40),
    Stage.COMPLETED: (0.10, 0.35),
}
ANNUAL_SHARE_MIN, ANNUAL_SHARE_MAX = 0.10, 0.40

# Concentrated-start events (集中开工): one a quarter, (month, day); most projects join the first.
BATCH_EVENTS = ((2, 21), (5, 18), (8, 24), (10, 26))
BATCH_EVENT_WEIGHTS = (45, 25, 20, 10)
PROVINCIAL_BATCH_SHARE = 0.2  # Jiaojiang put 3 projects into the provincial event, 14 into the city's
# Start months of new starts outside events, following the Zhejiang 2023 start-rate curve
# (≥ 30% by March, > 60% by June, > 85% by September, all by October).
START_MONTH_WEIGHTS = (10, 12, 13, 12, 10, 10, 8, 8, 7, 10)
PRE_START_SHARE = 0.05  # design and preparation spending before the site opens

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


# --- Dates ---------------------------------------------------------------------------------------


@functools.cache
def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def month_date(year: int, month: int, day: int) -> dt.date:
    """A date in month `month` of `year`, where months past 12 or below 1 roll into the next or last year."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def default_through(plan: Plan, today: dt.date) -> dt.date:
    """The plan's last month if the plan is over, else the current month (first day of the month)."""
    if plan.period_end < today:
        return plan.period_end.replace(day=1)
    if today < plan.period_start:
        return plan.period_start.replace(day=1)
    return today.replace(day=1)


# --- The plan and the cast -----------------------------------------------------------------------


def ensure_plan(year: int) -> tuple[Plan, bool]:
    """The plan of `year`, created for the calendar year if missing. Returns (plan, created)."""
    plan = Plan.objects.filter(year=year).first()
    if plan is not None:
        return plan, False
    plan = Plan(year=year, title=f"{year}年工作计划", period_start=dt.date(year, 1, 1), period_end=dt.date(year, 12, 31))
    plan.full_clean()
    plan.save()
    return plan, True


@dataclass
class Cast:
    """The demo units and people projects are assigned to, by unit key (see demo_text.UNITS)."""

    units: dict[str, Department]
    heads: dict[str, Person]
    contacts: dict[str, Person]
    leaders: list[Person]


def save_without_history(obj) -> None:
    obj.skip_history_when_saving = True  # simple-history's per-instance switch
    try:
        obj.save()
    finally:
        del obj.skip_history_when_saving


def demo_unit(name: str, short_name: str, kind: str) -> Department:
    """The demo unit called `name`, created if missing. A real unit of that name is never touched:
    the demo one is then called "name（演示）"."""
    for candidate in (name, f"{name}（演示）"):
        existing = Department.objects.filter(name=candidate).first()
        if existing is None:
            unit = Department(name=candidate, short_name=short_name, kind=kind, is_demo=True)
            save_without_history(unit)
            return unit
        if existing.is_demo:
            return existing
    raise ValueError(f"Both {name!r} and {name}（演示） exist as real units; cannot pick a demo unit name.")


def demo_person(name: str, pinyin: str, title: str, department: Department | None, *, leader: bool = False) -> Person:
    email = f"{pinyin}@{text.EMAIL_DOMAIN}"
    person = Person.objects.filter(email=email, is_demo=True).first()
    if person is None:
        person = Person(name=name, title=title, department=department, email=email, is_leader=leader, is_demo=True)
        save_without_history(person)
    return person


def ensure_cast() -> Cast:
    """Get or create the demo units (with a head and a contact each) and the district leaders."""
    cast = Cast(units={}, heads={}, contacts={}, leaders=[])
    with transaction.atomic():
        people = iter(text.UNIT_PEOPLE)
        for key, name, short_name, kind, head_title, contact_title in text.UNITS:
            unit = demo_unit(name, short_name, kind)
            head = demo_person(*next(people), head_title, unit)
            contact = demo_person(*next(people), contact_title, unit)
            if unit.head_id is None:
                Department.objects.filter(pk=unit.pk).update(head=head)  # an update: no history row
                unit.head = head
            cast.units[key], cast.heads[key], cast.contacts[key] = unit, head, contact
        cast.leaders = [demo_person(name, pinyin, title, None, leader=True) for name, pinyin, title in text.LEADERS]
    return cast


# --- Block plan: the register's attributes -------------------------------------------------------


@dataclass
class Slot:
    """One project's register attributes, decided for its block as a whole."""

    index: int
    category: str
    stage: str
    is_key: bool
    total: int = 0
    annual: int = 0
    is_provincial_key: bool = False
    is_city_key: bool = False
    is_provincial_major_industrial: bool = False
    batch_level: str = ""
    batch_date: dt.date | None = None


def quota(size: int, share: float) -> int:
    return min(size, math.ceil(size * share - 1e-9))


def apportion(count: int, weights: dict[str, int]) -> list[str]:
    """`count` labels split by weight (largest remainder), in a fixed order."""
    whole = sum(weights.values())
    exact = {label: count * weight / whole for label, weight in weights.items()}
    counts = {label: int(value) for label, value in exact.items()}
    by_remainder = sorted(weights, key=lambda label: exact[label] - counts[label], reverse=True)
    for label in by_remainder[: count - sum(counts.values())]:
        counts[label] += 1
    return [label for label in weights for _ in range(counts[label])]


def category_deck(rng: random.Random, size: int) -> list[str]:
    industrial = quota(size, INDUSTRIAL_SHARE)
    deck = [Category.INDUSTRIAL] * industrial + apportion(size - industrial, OTHER_CATEGORY_WEIGHTS)
    rng.shuffle(deck)
    return deck


def stage_deck(rng: random.Random, size: int) -> list[str]:
    fixed = (
        [Stage.NEW_START] * quota(size, NEW_START_SHARE)
        + [Stage.COMPLETED] * quota(size, COMPLETED_SHARE)
        + [Stage.PREPARATORY] * quota(size, PREPARATORY_SHARE)
    )[:size]
    deck = fixed + [Stage.CONTINUING] * (size - len(fixed))
    rng.shuffle(deck)
    return deck


def key_deck(rng: random.Random, size: int) -> list[bool]:
    key = quota(size, KEY_SHARE)
    deck = [True] * key + [False] * (size - key)
    rng.shuffle(deck)
    return deck


def make_key_completions(slots: list[Slot], size: int) -> None:
    """G25 counts completions of key projects only: swap key flags until enough completing ones are key."""
    missing = quota(size, KEY_COMPLETED_SHARE) - sum(1 for s in slots if s.is_key and s.stage == Stage.COMPLETED)
    completing = [s for s in slots if not s.is_key and s.stage == Stage.COMPLETED]
    others = [s for s in slots if s.is_key and s.stage != Stage.COMPLETED]
    for completing_slot, key_slot in list(zip(completing, others, strict=False))[: max(missing, 0)]:
        completing_slot.is_key, key_slot.is_key = True, False


def scale_to_sum(values: list[float], target: float, cap: float) -> list[float]:
    """Scale values up (none above cap) until they sum to at least target, if they can."""
    for _ in range(10):
        current = sum(values)
        if current >= target:
            break
        values = [min(cap, value * target / current) for value in values]
    return values


def key_totals(rng: random.Random, count: int, target: float) -> list[int]:
    """Totals of the key projects: lognormal, long-tailed, scaled so their sum clears the goal."""
    draws = [min(TOTAL_MAX, max(KEY_TOTAL_MIN, rng.lognormvariate(math.log(KEY_TOTAL_MEDIAN), 0.9))) for _ in range(count)]
    return [math.ceil(value) for value in scale_to_sum(draws, target, TOTAL_MAX)]


def other_total(rng: random.Random) -> int:
    """Total of a non-key project: three in four between 5,000 and 10,000 万元, the rest trailing off."""
    small = rng.random() < 0.75
    value = MAJOR_PROJECT_MIN * 2 ** rng.random() if small else DISTRICT_KEY_MIN * rng.lognormvariate(0.6, 0.8)
    return max(MAJOR_PROJECT_MIN, min(TOTAL_MAX, round(value)))


def set_annual_plans(rng: random.Random, slots: list[Slot], key_target: float) -> None:
    """Annual plan = a stage-dependent share of the total; key projects' shares scaled to clear the goal."""
    shares = [rng.uniform(*ANNUAL_SHARE[slot.stage]) for slot in slots]
    key = [i for i, slot in enumerate(slots) if slot.is_key]
    for _ in range(10):
        key_sum = sum(slots[i].total * shares[i] for i in key)
        if not key or key_sum >= key_target:
            break
        for i in key:
            shares[i] = min(ANNUAL_SHARE_MAX, shares[i] * key_target / key_sum)
    for slot, share in zip(slots, shares, strict=True):
        low, high = math.ceil(slot.total * ANNUAL_SHARE_MIN), math.floor(slot.total * ANNUAL_SHARE_MAX)
        slot.annual = min(high, max(low, round(slot.total * share)))


def biggest_first(rng: random.Random, slots: list[Slot]) -> list[Slot]:
    """Slots in a random order that favours big totals (who gets listed by the province or city)."""
    return sorted(slots, key=lambda slot: slot.total * rng.uniform(0.5, 1.5), reverse=True)


def set_levels(rng: random.Random, slots: list[Slot], size: int) -> None:
    key = biggest_first(rng, [slot for slot in slots if slot.is_key])
    provincial = quota(size, PROVINCIAL_KEY_SHARE)
    for slot in key[:provincial]:
        slot.is_provincial_key = True
    for slot in key[provincial : provincial + quota(size, CITY_KEY_SHARE)]:
        slot.is_city_key = True
    industrial = biggest_first(rng, [slot for slot in slots if slot.category == Category.INDUSTRIAL])
    for slot in industrial[: quota(size, PROVINCIAL_MAJOR_INDUSTRIAL_SHARE)]:
        slot.is_provincial_major_industrial = True


def set_batches(rng: random.Random, slots: list[Slot], size: int, year: int) -> None:
    """Put some new starts into the province's or the city's concentrated-start events."""
    new_starts = [slot for slot in slots if slot.stage == Stage.NEW_START]
    for slot in rng.sample(new_starts, min(len(new_starts), quota(size, BATCH_SHARE))):
        month, day = rng.choices(BATCH_EVENTS, weights=BATCH_EVENT_WEIGHTS)[0]
        slot.batch_level = BatchLevel.PROVINCE if rng.random() < PROVINCIAL_BATCH_SHARE else BatchLevel.CITY
        slot.batch_date = dt.date(year, month, day)


def plan_block(rng: random.Random, first_index: int, size: int, year: int) -> list[Slot]:
    """The register attributes of one block of projects, meeting the plan's goals scaled to its size."""
    slots = [
        Slot(index=first_index + i, category=category, stage=stage, is_key=is_key)
        for i, (category, stage, is_key) in enumerate(
            zip(category_deck(rng, size), stage_deck(rng, size), key_deck(rng, size), strict=True)
        )
    ]
    make_key_completions(slots, size)
    scale = size / BLOCK_SIZE * GOAL_MARGIN
    key = [slot for slot in slots if slot.is_key]
    for slot, total in zip(key, key_totals(rng, len(key), KEY_TOTAL_PER_BLOCK * scale), strict=True):
        slot.total = total
    for slot in slots:
        if not slot.is_key:
            slot.total = other_total(rng)
    set_annual_plans(rng, slots, KEY_ANNUAL_PER_BLOCK * scale)
    set_levels(rng, slots, size)
    set_batches(rng, slots, size, year)
    return slots


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


# --- Writing ---------------------------------------------------------------------------------------


def insert_rows(model, objs: Sequence, fields, batch_size: int) -> None:
    """INSERT the objects' field values as they are, in batches the backend accepts.

    raw=True skips each field's pre_save, as loaddata does, so values such as submitted_at
    (auto_now_add) are stored as generated instead of "now".
    """
    if not objs:
        return
    size = max(1, min(batch_size, connection.ops.bulk_batch_size(fields, objs)))
    for start in range(0, len(objs), size):
        model._base_manager._insert(objs[start : start + size], fields=fields, raw=True)


def bulk_create_projects(projects: Sequence[Project], batch_size: int) -> None:
    """bulk_create for Project, a multi-table child of TrackedItem.

    Django's bulk_create refuses multi-table children because it cannot get the parents' pks back on
    every backend. PostgreSQL and SQLite ≥ 3.35 do return the pks of a bulk insert, so: bulk_create
    the TrackedItem parents, copy their pks onto the projects, then insert the Project rows (the
    parent pointer plus the project's own columns) with QuerySet._insert, the call Model.save() uses.
    """
    if not connection.features.can_return_rows_from_bulk_insert:
        raise NotImplementedError("bulk_create_projects needs a database that returns pks from bulk inserts.")
    parent_fields = [f for f in TrackedItem._meta.concrete_fields if not f.primary_key]
    parents = [TrackedItem(**{f.attname: getattr(project, f.attname) for f in parent_fields}) for project in projects]
    TrackedItem.objects.bulk_create(parents, batch_size=batch_size)
    for project, parent in zip(projects, parents, strict=True):
        project.pk = project.id = parent.pk
        project.created_at, project.updated_at = parent.created_at, parent.updated_at
        project._state.adding, project._state.db = False, connection.alias
    insert_rows(Project, projects, Project._meta.local_concrete_fields, batch_size)


REPORT_FIELDS = [f for f in ProgressReport._meta.local_concrete_fields if not f.primary_key]


def insert_chunk(chunk: list[DemoProject], batch_size: int) -> Counter:
    """Insert one chunk of demo projects and their children; returns rows per table."""
    bulk_create_projects([demo.project for demo in chunk], batch_size)
    checkpoints, milestones_, reports, blockers_, links = [], [], [], [], []
    link_model = TrackedItem.cooperating_departments.through
    for demo in chunk:
        pk = demo.project.pk
        for row in (*demo.checkpoints, *demo.milestones, *demo.reports):
            row.item_id = pk
        for blocker in demo.blockers:
            blocker.project_id = pk
        checkpoints += demo.checkpoints
        milestones_ += demo.milestones
        reports += demo.reports
        blockers_ += demo.blockers
        links += [link_model(trackeditem_id=pk, department_id=department_id) for department_id in demo.cooperating]
    Checkpoint.objects.bulk_create(checkpoints, batch_size=batch_size)
    Milestone.objects.bulk_create(milestones_, batch_size=batch_size)
    insert_rows(ProgressReport, reports, REPORT_FIELDS, batch_size)
    Blocker.objects.bulk_create(blockers_, batch_size=batch_size)
    link_model.objects.bulk_create(links, batch_size=batch_size)
    return Counter(
        projects=len(chunk),
        checkpoints=len(checkpoints),
        milestones=len(milestones_),
        reports=len(reports),
        blockers=len(blockers_),
        cooperating=len(links),
    )


def seed_register(
    plan: Plan,
    *,
    projects: int,
    seed: int,
    through: dt.date,
    batch_size: int = 1000,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Counter:
    """Add `projects` demo projects to `plan`, with reports up to the end of the `through` month.

    One transaction per chunk. Returns rows created per table.
    """
    today = today or timezone.localdate()
    ctx = Context(
        plan=plan,
        cast=ensure_cast(),
        cutoff=min(month_end(through.year, through.month), today),
        now=timezone.now(),
        tz=timezone.get_default_timezone(),
    )
    counts: Counter = Counter()
    for chunk in generate_register(ctx, projects, seed):
        with transaction.atomic():
            counts.update(insert_chunk(chunk, batch_size))
        reset_queries()  # with DEBUG on, Django keeps every query's SQL: gigabytes at 100k projects
        if progress is not None:
            progress(counts["projects"], projects)
    return counts


# --- Clearing ---------------------------------------------------------------------------------------


def demo_projects(plan: Plan):
    return Project.objects.filter(plan=plan, is_demo=True)


@contextmanager
def history_disabled():
    """Deleting demo rows writes no history (creating them wrote none either)."""
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        yield


def delete_demo_register(plan: Plan, chunk_size: int = 2000) -> int:
    """Delete the plan's demo projects and everything hanging off them; returns the project count.

    The big child tables go first, one DELETE each: QuerySet.delete() would load every row to send
    the delete signals simple-history listens to. The projects themselves then go through the ORM in
    chunks, so any other table that cascades from an item is handled too. Demo units and people stay
    for the next run (other plans' demo projects may use them).
    """
    ids = demo_projects(plan).values("pk")
    with transaction.atomic(), history_disabled():
        for model in (ProgressReport, Checkpoint, Milestone):
            model.objects.filter(item__in=ids)._raw_delete(connection.alias)
        Blocker.objects.filter(project__in=ids)._raw_delete(connection.alias)
        TrackedItem.cooperating_departments.through.objects.filter(trackeditem__in=ids)._raw_delete(connection.alias)
        deleted = 0
        while batch := list(demo_projects(plan).values_list("pk", flat=True)[:chunk_size]):
            Project.objects.filter(pk__in=batch).delete()
            deleted += len(batch)
    return deleted
