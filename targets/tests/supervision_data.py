"""Rows of the supervision models for tests, made directly with the ORM (no rules module involved)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from targets.models import Finding, StatusSnapshot, SupervisionRun

D = dt.date


def make_finding(item, *, cause: str = "red", state: str = "open", department="item", **fields) -> Finding:
    """An automatic finding on `item` (its lead unit, leader and contact unless given)."""
    values = {
        "opened_on": D(2023, 6, 30),
        "light_when_found": "red",
        "expected": Decimal("4000"),
        "actual": Decimal("1500"),
        "gap": Decimal("2500"),
        "description": "6月末应完成4000万元，实际完成1500万元。",
        "problems": "政策处理未完成",
        "deadline": D(2023, 7, 14),
        "responsible_leader": item.responsible_leader,
        "contact": item.contact,
    }
    values.update(fields)
    finding = Finding(
        item=item,
        cause=cause,
        state=state,
        department=item.lead_department if department == "item" else department,
        **values,
    )
    finding.save()  # sets dedupe_key
    return finding


def make_run(plan, as_of: dt.date, *, finished: bool = True, **fields) -> SupervisionRun:
    return SupervisionRun.objects.create(
        plan=plan, as_of=as_of, finished_at=timezone.now() if finished else None, items=fields.pop("items", 0), **fields
    )


def make_snapshot(item, date: dt.date, status: str, **fields) -> StatusSnapshot:
    values = {"value_status": status, "milestone_status": "grey", "reporting_status": "grey"}
    values.update(fields)
    return StatusSnapshot.objects.create(item=item, date=date, status=status, **values)
