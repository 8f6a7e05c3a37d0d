"""targets.engine.bulk: the supervision run's set-based writes, as stored on either backend."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from targets.engine import bulk
from targets.engine.supervision import SNAPSHOT_COLUMNS
from targets.models import StatusSnapshot
from targets.tests.factories import TargetFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2023, 7, 10)
COLUMNS = SNAPSHOT_COLUMNS  # every field: a fresh insert copies straight into the table only then


def snapshot(item_id: int, status: str, reasons: list) -> tuple:
    figures = {"status": status, "value_status": status, "milestone_status": "grey", "reporting_status": "grey"}
    values = {"item_id": item_id, "date": DAY, "overridden": False, "reasons": reasons, **figures}
    return tuple(values.get(name) for name in COLUMNS)


def test_json_values_keep_dates_and_decimals_as_text():
    goal = TargetFactory()
    reasons = [
        {"code": "behind", "expected": Decimal("98.392"), "ratio": Decimal("0.50"), "judged_on": DAY, "count": 2},
        {"code": "reports_missing", "periods": (dt.date(2023, 5, 1), dt.date(2023, 6, 1)), "title": "开工", "none": None},
    ]
    bulk.insert(StatusSnapshot, COLUMNS, [snapshot(goal.pk, "yellow", reasons)])

    assert StatusSnapshot.objects.get(item=goal, date=DAY).reasons == [
        {"code": "behind", "expected": "98.392", "ratio": "0.50", "judged_on": "2023-07-10", "count": 2},
        {"code": "reports_missing", "periods": ["2023-05-01", "2023-06-01"], "title": "开工", "none": None},
    ]


def test_an_upsert_overwrites_the_row_of_the_same_key():
    goal = TargetFactory()
    upsert = {"unique_fields": ["item_id", "date"], "update_fields": ["status", "reasons"]}
    bulk.insert(StatusSnapshot, COLUMNS, [snapshot(goal.pk, "yellow", [{"code": "a"}])], **upsert)
    bulk.insert(StatusSnapshot, COLUMNS, [snapshot(goal.pk, "red", [{"code": "b"}])], **upsert)

    row = StatusSnapshot.objects.get(item=goal, date=DAY)
    assert (row.status, row.reasons) == ("red", [{"code": "b"}])


def test_a_fresh_insert_writes_every_row(require_postgres):
    goals = TargetFactory.create_batch(3)
    bulk.insert(StatusSnapshot, COLUMNS, [snapshot(g.pk, "green", []) for g in goals], fresh=True)

    assert sorted(StatusSnapshot.objects.filter(date=DAY).values_list("item_id", flat=True)) == sorted(g.pk for g in goals)


def test_a_fresh_insert_copies_straight_into_the_table(require_postgres):
    """No upsert on the way: the caller's guarantee (the plan's lock, no row of the date yet) is what
    keeps duplicates out, and a broken guarantee fails loudly instead of writing twice."""
    goal = TargetFactory()
    bulk.insert(StatusSnapshot, COLUMNS, [snapshot(goal.pk, "green", [])])
    upsert = {"unique_fields": ["item_id", "date"], "update_fields": ["status", "reasons"]}

    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert(StatusSnapshot, COLUMNS, [snapshot(goal.pk, "red", [])], fresh=True, **upsert)
    assert StatusSnapshot.objects.get(item=goal, date=DAY).status == "green"
