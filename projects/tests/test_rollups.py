"""The plan's project goals computed from a small register whose answers are worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from projects.models import Project
from projects.rollups import POOLS, compute_all, percent
from targets.choices import Rollup
from targets.models import Milestone, Plan, ProgressReport

pytestmark = pytest.mark.django_db

D = dt.date


def project(plan, code, *, category="other", total, annual, **flags):
    return Project.objects.create(
        plan=plan,
        code=code,
        title=f"项目{code}",
        period_start=plan.period_start,
        period_end=plan.period_end,
        category=category,
        total_investment=Decimal(total),
        target_value=Decimal(annual),
        is_major=flags.pop("is_major", total >= 5000),
        **flags,
    )


def done(item, kind, on):
    Milestone.objects.create(item=item, title=kind, kind=kind, planned_date=on, actual_date=on)


def report(item, as_of, value):
    ProgressReport.objects.create(item=item, as_of=as_of, value=Decimal(value))


@pytest.fixture
def register(plan):
    """Five projects of 2023 and one of another plan (which must never count)."""
    p1 = project(
        plan, "P1", category="industrial", total=20000, annual=8000, is_district_key=True, is_provincial_major_industrial=True
    )
    p2 = project(
        plan, "P2", category="services", total=50000, annual=12000, is_district_key=True, is_provincial_key=True,
        batch_level="province", batch_date=D(2023, 3, 1),
    )  # fmt: skip
    p3 = project(plan, "P3", category="infrastructure", total=8000, annual=2000, is_city_key=True)
    p4 = project(plan, "P4", category="industrial", total=6000, annual=3000, batch_level="city", batch_date=D(2023, 7, 15))
    p5 = project(plan, "P5", total=3000, annual=1000)
    done(p1, "start", D(2023, 2, 15))
    done(p2, "start", D(2023, 4, 10))
    done(p3, "completion", D(2023, 6, 20))
    done(p4, "start", D(2022, 11, 1))  # started last year: not a 2023 new start
    done(p5, "start", D(2023, 3, 31))  # the last day of Q1 counts
    done(p5, "completion", D(2023, 6, 1))  # not a key project: not one of G25's completions
    report(p1, D(2023, 5, 31), 3000)
    report(p1, D(2023, 6, 30), 4500)
    report(p1, D(2023, 7, 31), 6000)
    report(p2, D(2023, 6, 30), 3000)
    report(p3, D(2022, 12, 31), 7000)  # last year's cumulative: outside the plan year
    report(p4, D(2023, 6, 15), 1000)

    other = Plan.objects.create(year=2024, title="2024", period_start=D(2024, 1, 1), period_end=D(2024, 12, 31))
    stray = project(other, "Q1", category="industrial", total=90000, annual=30000, is_district_key=True)
    done(stray, "start", D(2023, 5, 1))
    report(stray, D(2023, 6, 30), 9999)
    return plan


def test_it_computes_every_rollup_at_mid_year(register):
    values = compute_all(register, D(2023, 6, 30))
    assert values == {
        Rollup.MAJOR_PROJECTS: 4,  # P1–P4; P5 is under 5,000 万元
        Rollup.INDUSTRIAL_SHARE: Decimal("50.00"),  # P1 and P4 of 4 major projects
        Rollup.INDUSTRIAL_SHARE_BY_INVESTMENT: Decimal("30.95"),  # (20,000 + 6,000) / 84,000
        Rollup.INDUSTRY_SERVICES_SHARE: Decimal("75.00"),  # P1, P2, P4 of 4
        Rollup.INDUSTRY_SERVICES_SHARE_BY_INVESTMENT: Decimal("90.48"),  # 76,000 / 84,000
        Rollup.NEW_STARTS: 2,  # P1, P2; P5 (3,000万元) is not a major project
        Rollup.DISTRICT_KEY_PROJECTS: 2,
        Rollup.KEY_TOTAL_INVESTMENT: Decimal("70000"),
        Rollup.KEY_ANNUAL_PLAN: Decimal("20000"),
        Rollup.STARTS_BY_Q1: 2,  # P1 (02-15) and P5 (03-31): any size counts
        Rollup.COMPLETIONS: 1,  # P3, a city key project; P5 is not a key project
        Rollup.PROVINCIAL_KEY_PROJECTS: 1,
        Rollup.PROVINCIAL_MAJOR_INDUSTRIAL: 1,
        Rollup.CONCENTRATED_STARTS: 1,  # P4's city batch is on 07-15
        Rollup.INVESTMENT_COMPLETION_RATE: Decimal("37.50"),  # (4,500 + 3,000) / 20,000
        Rollup.COMPLETED_INVESTMENT: Decimal("8500"),  # 4,500 + 3,000 + 1,000
    }


def test_it_uses_only_what_was_known_on_the_date(register):
    early = compute_all(register, D(2023, 2, 20))
    assert (early[Rollup.NEW_STARTS], early[Rollup.STARTS_BY_Q1]) == (1, 1)
    assert early[Rollup.CONCENTRATED_STARTS] == 0  # P2's provincial batch is on 03-01
    assert early[Rollup.COMPLETED_INVESTMENT] == 0


def test_it_counts_the_whole_year_at_year_end(register):
    year_end = compute_all(register, D(2023, 12, 31))
    assert year_end[Rollup.CONCENTRATED_STARTS] == 2
    assert year_end[Rollup.STARTS_BY_Q1] == 2
    assert year_end[Rollup.INVESTMENT_COMPLETION_RATE] == Decimal("45.00")  # (6,000 + 3,000) / 20,000


def test_it_returns_zeroes_for_an_empty_register(plan):
    values = compute_all(plan, D(2023, 6, 30))
    assert set(values.values()) == {0}


def test_it_takes_three_queries_whatever_the_register_size(register, django_assert_num_queries):
    with django_assert_num_queries(3):
        compute_all(register, D(2023, 6, 30))


def test_it_is_reachable_through_the_engine_registry(register):
    from targets import rollups

    assert rollups.compute(Rollup.NEW_STARTS, register, D(2023, 6, 30)) == 2
    with pytest.raises(LookupError):
        rollups.compute("no_such_rollup", register, D(2023, 6, 30))


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(1, 3, Decimal("33.33")), (2, 3, Decimal("66.67")), (5, 0, Decimal("0")), (27, 100, Decimal("27.00"))],
)
def test_it_rounds_percentages_half_up(part, whole, expected):
    assert percent(part, whole) == expected


# (project flags, milestone kind, roll-up, counted?): which projects each pool takes.
POOL_CASES = [
    ({"total": 6000}, "start", Rollup.NEW_STARTS, True),  # a major project
    ({"total": 4999}, "start", Rollup.NEW_STARTS, False),  # under 5,000万元: G24's pool, not G16's
    ({"total": 4999}, "start", Rollup.STARTS_BY_Q1, True),
    ({"total": 6000}, "start", Rollup.STARTS_BY_Q1, True),
    ({"total": 20000, "is_district_key": True}, "completion", Rollup.COMPLETIONS, True),
    ({"total": 9000, "is_city_key": True}, "completion", Rollup.COMPLETIONS, True),
    ({"total": 9000, "is_provincial_key": True}, "completion", Rollup.COMPLETIONS, True),
    ({"total": 9000}, "completion", Rollup.COMPLETIONS, False),  # major but not a key project
    ({"total": 20000, "is_district_key": True}, "start", Rollup.COMPLETIONS, False),
]


@pytest.mark.parametrize(("flags", "kind", "key", "counted"), POOL_CASES)
def test_each_rollup_counts_the_pool_the_plan_means(plan, flags, kind, key, counted):
    total = flags.pop("total")
    done(project(plan, "X", total=total, annual=100, **flags), kind, D(2023, 3, 1))
    assert compute_all(plan, D(2023, 12, 31))[key] == (1 if counted else 0)


def test_every_rollup_describes_its_pool():
    from django.utils import translation

    from targets import rollups

    assert set(POOLS) == set(Rollup.values)
    with translation.override("en"):
        assert "5,000" in rollups.pool(Rollup.NEW_STARTS)
    assert rollups.pool("no_such_rollup") == ""
