"""Factories for the plan's objects, for tests that need more rows than the persona fixtures give."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from targets.models import Checkpoint, Department, Milestone, Person, Plan, ProgressReport, Target


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试单位{n:03d}")
    short_name = factory.Sequence(lambda n: f"单位{n:03d}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"联系人{n:03d}")
    title = "副区长"
    department = factory.SubFactory(DepartmentFactory)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan
        django_get_or_create = ("year",)

    year = 2023
    title = factory.LazyAttribute(lambda o: f"{o.year}年工作计划")
    period_start = factory.LazyAttribute(lambda o: dt.date(o.year, 1, 1))
    period_end = factory.LazyAttribute(lambda o: dt.date(o.year, 12, 31))


class TargetFactory(factory.django.DjangoModelFactory):
    """A counted goal of 2023 (≥ 100 个) led by a fresh unit."""

    class Meta:
        model = Target

    plan = factory.SubFactory(PlanFactory)
    code = factory.Sequence(lambda n: f"T{n:04d}")
    title = factory.Sequence(lambda n: f"目标{n}")
    period_start = factory.SelfAttribute("plan.period_start")
    period_end = factory.SelfAttribute("plan.period_end")
    metric_kind = "count"
    target_value = Decimal("100")
    unit = "个"
    modality = "确保"
    lead_department = factory.SubFactory(DepartmentFactory)


class ProgressReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressReport

    item = factory.SubFactory(TargetFactory)
    as_of = dt.date(2023, 3, 31)
    value = Decimal("40")
    narrative = "按计划推进"


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    item = factory.SubFactory(TargetFactory)
    title = "开工"
    kind = "start"
    planned_date = dt.date(2023, 6, 30)


class CheckpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Checkpoint

    item = factory.SubFactory(TargetFactory)
    date = dt.date(2023, 6, 30)
    expected_value = Decimal("50")


class AmountGoalFactory(TargetFactory):
    """The engine's generic tracked item: an amount goal of 2023, 8,000万元 this year, judged against
    its checkpoint rows (a monthly plan) as a register project is, without the register's app."""

    code = factory.Sequence(lambda n: f"A{n:04d}")
    title = factory.Sequence(lambda n: f"投资目标{n}")
    metric_kind = "amount"
    unit = "万元"
    target_value = Decimal("8000")
    schedule_mode = "checkpoints"
