"""A block of demo projects planned so that the plan's goals hold in every block (domain.md Part 1.2)."""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from ..choices import DISTRICT_KEY_MIN, MAJOR_PROJECT_MIN, BatchLevel, Category, Stage

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
