"""Factories for the project register."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from projects.models import Blocker, Project
from targets.tests.factories import DepartmentFactory, PlanFactory


class ProjectFactory(factory.django.DjangoModelFactory):
    """A district key project of 2023: 2亿元 in total, 8,000万元 planned this year."""

    class Meta:
        model = Project

    plan = factory.SubFactory(PlanFactory)
    code = factory.Sequence(lambda n: f"P{n:04d}")
    title = factory.Sequence(lambda n: f"重点项目{n}")
    period_start = factory.SelfAttribute("plan.period_start")
    period_end = factory.SelfAttribute("plan.period_end")
    category = "industrial"
    stage = "continuing"
    is_major = True
    is_district_key = True
    total_investment = Decimal("20000")
    target_value = Decimal("8000")
    schedule_mode = "checkpoints"
    lead_department = factory.SubFactory(DepartmentFactory)


class BlockerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Blocker

    project = factory.SubFactory(ProjectFactory)
    category = "land"
    description = "政策处理未完成"
    raised_on = dt.date(2023, 4, 10)
