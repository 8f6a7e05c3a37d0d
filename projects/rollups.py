"""The plan's project goals, computed from the register as of a date.

Three aggregate queries whatever the register's size: project attributes, milestone dates, and the
latest progress report per project. Values are in each goal's stored unit (counts, %, 万元).

Each roll-up counts the pool the plan means (POOLS, shown on the goal page): new starts (G16) among
the ≥ 5000万 major projects, completions (G25) among key projects, the Q1 starts (G24) among every
project of the register (38 > 35: a wider pool, domain.md A03). Where the plan is ambiguous (G15's
产业类, A07) there is one roll-up per reading and staff pick it on the goal.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from targets.choices import MilestoneKind, Rollup
from targets.models import Milestone, ProgressReport

from .choices import Category
from .models import Project

ZERO = Decimal("0")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")

MAJOR = Q(is_major=True)
INDUSTRY = Q(category=Category.INDUSTRIAL)
INDUSTRY_SERVICES = Q(category__in=[Category.INDUSTRIAL, Category.SERVICES])

# What each roll-up counts, in the bureau's words (the goal page shows it under the roll-up).
POOLS = {
    Rollup.MAJOR_PROJECTS: _("Projects of the register flagged major (total investment ≥ 5,000万元)."),
    Rollup.INDUSTRIAL_SHARE: _("Major projects of category industrial ÷ all major projects, by count."),
    Rollup.INDUSTRIAL_SHARE_BY_INVESTMENT: _(
        "Total investment of major industrial projects ÷ total investment of all major projects."
    ),
    Rollup.INDUSTRY_SERVICES_SHARE: _("Major projects of category industrial or services ÷ all major projects, by count."),
    Rollup.INDUSTRY_SERVICES_SHARE_BY_INVESTMENT: _(
        "Total investment of major industrial and services projects ÷ total investment of all major projects."
    ),
    Rollup.NEW_STARTS: _("Major projects (≥ 5,000万元) whose start milestone has an actual date in the period."),
    Rollup.DISTRICT_KEY_PROJECTS: _("Projects flagged district key (total investment > 1亿元)."),
    Rollup.KEY_TOTAL_INVESTMENT: _("Sum of the total investment of the district key projects."),
    Rollup.KEY_ANNUAL_PLAN: _("Sum of the annual planned investment of the district key projects."),
    Rollup.STARTS_BY_Q1: _(
        "Every project of the register (any size) whose start milestone has an actual date by 31 March: "
        "a wider pool than the new starts of the major projects."
    ),
    Rollup.COMPLETIONS: _(
        "Key projects (district, city or provincial key) whose completion milestone has an actual date in the period."
    ),
    Rollup.PROVINCIAL_KEY_PROJECTS: _("Projects flagged provincial key."),
    Rollup.PROVINCIAL_MAJOR_INDUSTRIAL: _("Projects flagged provincial major industrial."),
    Rollup.CONCENTRATED_STARTS: _("Projects with a concentrated-start event (provincial or city) dated in the period."),
    Rollup.INVESTMENT_COMPLETION_RATE: _(
        "Latest cumulative completed investment of the district key projects ÷ their annual planned investment."
    ),
    Rollup.COMPLETED_INVESTMENT: _("Latest cumulative completed investment of every project of the register."),
}


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal:
    if not whole:
        return ZERO
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


def completed_investment(plan, as_of: dt.date, projects, key: Q) -> dict[str, Decimal]:
    """Σ of each project's latest cumulative report on or before as_of (this plan year), all and key projects.

    One probe per project down the unique (item, as_of) index: 0.3 s on the 100,000-project
    register, where a DISTINCT ON pass sorting every report of the year took 0.7 s.
    """
    reports = ProgressReport.objects.counted().filter(as_of__lte=as_of, as_of__gte=plan.period_start, value__isnull=False)
    latest = reports.filter(item=OuterRef("pk")).order_by("-as_of").values("value")[:1]
    return projects.annotate(latest=Subquery(latest)).aggregate(
        completed=Coalesce(Sum("latest"), ZERO),
        key_completed=Coalesce(Sum("latest", filter=key), ZERO),
    )


def compute_all(plan, as_of: dt.date, projects=None, invested: dict | None = None) -> dict[str, Decimal]:
    """`projects` narrows the register to a selection of the plan's projects (the dashboard's filters);
    `invested` is completed_investment() of the same when the caller has it already."""
    selected = projects is not None
    projects = Project.objects.filter(plan=plan) if projects is None else projects.filter(plan=plan)
    key = Q(is_district_key=True)
    end = min(as_of, plan.period_end)
    in_period = Q(batch_date__gte=plan.period_start, batch_date__lte=end)

    register = projects.aggregate(
        major=Count("pk", filter=MAJOR),
        industrial=Count("pk", filter=MAJOR & INDUSTRY),
        industry_services=Count("pk", filter=MAJOR & INDUSTRY_SERVICES),
        major_total=Coalesce(Sum("total_investment", filter=MAJOR), ZERO),
        industrial_total=Coalesce(Sum("total_investment", filter=MAJOR & INDUSTRY), ZERO),
        industry_services_total=Coalesce(Sum("total_investment", filter=MAJOR & INDUSTRY_SERVICES), ZERO),
        district_key=Count("pk", filter=key),
        key_total=Coalesce(Sum("total_investment", filter=key), ZERO),
        key_annual=Coalesce(Sum("target_value", filter=key), ZERO),
        provincial_key=Count("pk", filter=Q(is_provincial_key=True)),
        provincial_major_industrial=Count("pk", filter=Q(is_provincial_major_industrial=True)),
        concentrated=Count("pk", filter=Q(batch_level__gt="") & in_period),
    )

    q1_end = min(end, dt.date(plan.year, 3, 31))
    done = Milestone.objects.filter(item__plan=plan, item__kind="project", actual_date__gte=plan.period_start)
    if selected:
        done = done.filter(item__in=projects.values("pk"))
    started = Q(kind=MilestoneKind.START)
    major_item = Q(item__project__is_major=True)
    # 重点项目 in G25's sense: a key project at any level (district, city or provincial).
    key_item = Q(item__project__is_district_key=True) | Q(item__project__is_city_key=True)
    key_item |= Q(item__project__is_provincial_key=True)
    dates = done.aggregate(
        new_starts=Count("item", distinct=True, filter=started & major_item & Q(actual_date__lte=end)),
        starts_by_q1=Count("item", distinct=True, filter=started & Q(actual_date__lte=q1_end)),
        completions=Count("item", distinct=True, filter=Q(kind=MilestoneKind.COMPLETION, actual_date__lte=end) & key_item),
    )

    if invested is None:
        invested = completed_investment(plan, as_of, projects, key)

    return {
        Rollup.MAJOR_PROJECTS: Decimal(register["major"]),
        Rollup.INDUSTRIAL_SHARE: percent(register["industrial"], register["major"]),
        Rollup.INDUSTRIAL_SHARE_BY_INVESTMENT: percent(register["industrial_total"], register["major_total"]),
        Rollup.INDUSTRY_SERVICES_SHARE: percent(register["industry_services"], register["major"]),
        Rollup.INDUSTRY_SERVICES_SHARE_BY_INVESTMENT: percent(register["industry_services_total"], register["major_total"]),
        Rollup.NEW_STARTS: Decimal(dates["new_starts"]),
        Rollup.DISTRICT_KEY_PROJECTS: Decimal(register["district_key"]),
        Rollup.KEY_TOTAL_INVESTMENT: Decimal(register["key_total"]),
        Rollup.KEY_ANNUAL_PLAN: Decimal(register["key_annual"]),
        Rollup.STARTS_BY_Q1: Decimal(dates["starts_by_q1"]),
        Rollup.COMPLETIONS: Decimal(dates["completions"]),
        Rollup.PROVINCIAL_KEY_PROJECTS: Decimal(register["provincial_key"]),
        Rollup.PROVINCIAL_MAJOR_INDUSTRIAL: Decimal(register["provincial_major_industrial"]),
        Rollup.CONCENTRATED_STARTS: Decimal(register["concentrated"]),
        Rollup.INVESTMENT_COMPLETION_RATE: percent(invested["key_completed"], register["key_annual"]),
        Rollup.COMPLETED_INVESTMENT: Decimal(invested["completed"]),
    }
