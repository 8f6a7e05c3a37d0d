"""Gathering the facts in chunks, read ahead in a thread on the caller's connection."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from targets.engine import evaluation
from targets.engine.supervision import supervise
from targets.models import Plan, StatusSnapshot
from targets.tests.factories import AmountGoalFactory, CheckpointFactory, MilestoneFactory, PlanFactory, ProgressReportFactory

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2023, 7, 10)


def month_end(month: int) -> dt.date:
    return dt.date(2023, month + 1, 1) - dt.timedelta(days=1)


@pytest.fixture
def plan() -> Plan:
    """25 amount goals with a monthly plan and reports through June: on track, behind and far behind,
    every fifth with a start milestone missed in May."""
    plan = PlanFactory(year=2023)
    for n in range(25):
        goal = AmountGoalFactory(plan=plan, code=f"A{n:02d}", target_value=Decimal("1200"))
        for month in range(2, 12):
            CheckpointFactory(item=goal, date=month_end(month), expected_value=Decimal(100 * month))
        share = (Decimal("1"), Decimal("0.85"), Decimal("0.5"))[n % 3]
        for month in range(2, 7):
            ProgressReportFactory(item=goal, as_of=month_end(month), value=100 * month * share)
        if n % 5 == 0:
            MilestoneFactory(item=goal, planned_date=dt.date(2023, 5, 15))
    return plan


def facts(plan: Plan) -> list[list]:
    return list(evaluation.gather(plan, AS_OF))


def test_chunks_read_ahead_give_the_facts_of_one_chunk(plan, monkeypatch):
    whole = facts(plan)
    monkeypatch.setattr(evaluation, "CHUNK", 4)

    chunks = facts(plan)

    assert [len(chunk) for chunk in whole] == [25]
    assert [len(chunk) for chunk in chunks] == [4, 4, 4, 4, 4, 4, 1]
    # The rows were read in a thread on this connection, inside this test's (uncommitted) transaction.
    assert [f for chunk in chunks for f in chunk] == whole[0]
    assert not connection.allow_thread_sharing


def test_a_run_in_chunks_writes_what_a_run_in_one_chunk_writes(plan, monkeypatch):
    supervise(plan, AS_OF)
    whole = list(StatusSnapshot.objects.order_by("item_id").values_list("item_id", "status", "expected", "actual", "reasons"))
    StatusSnapshot.objects.all().delete()
    monkeypatch.setattr(evaluation, "CHUNK", 3)

    supervise(plan, AS_OF)

    assert (
        list(StatusSnapshot.objects.order_by("item_id").values_list("item_id", "status", "expected", "actual", "reasons"))
        == whole
    )


def test_an_error_in_the_reader_reaches_the_caller_and_the_thread_ends(plan, monkeypatch):
    monkeypatch.setattr(evaluation, "CHUNK", 4)
    read = evaluation.read_chunk
    calls = []

    def failing(plan, as_of, low, high):
        calls.append(low)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return read(plan, as_of, low, high)

    monkeypatch.setattr(evaluation, "read_chunk", failing)
    with pytest.raises(RuntimeError, match="went away"):
        facts(plan)
    assert len(calls) == 3  # the reader stopped at the error
    assert not connection.allow_thread_sharing


def test_a_caller_that_stops_early_stops_the_reader(plan, monkeypatch):
    monkeypatch.setattr(evaluation, "CHUNK", 2)
    chunks = evaluation.gather(plan, AS_OF)

    assert len(next(chunks)) == 2
    chunks.close()

    assert not connection.allow_thread_sharing
    assert StatusSnapshot.objects.count() == 0  # the connection is usable again
