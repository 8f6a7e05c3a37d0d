"""Celery tasks: thin shells over targets.supervision."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from .supervision import supervise_plans


@shared_task(name="targets.supervise", ignore_result=True, acks_late=True)
def supervise_task(as_of: str | None = None, plan: int | None = None) -> list[str]:
    """Evaluate the plans and keep the finding register; scheduled daily at 07:30 by beat."""
    day = dt.date.fromisoformat(as_of) if as_of else None
    return [summary.line() for summary in supervise_plans(day, plan)]
