"""Celery tasks: thin shells over targets.engine.supervision."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task

from .engine.supervision import RunInProgress, supervise_plans

log = logging.getLogger(__name__)


@shared_task(name="targets.supervise", ignore_result=True, acks_late=True)
def supervise_task(as_of: str | None = None, plan: int | None = None) -> list[str]:
    """Evaluate the plans and keep the finding register; scheduled daily at 07:30 by beat."""
    day = dt.date.fromisoformat(as_of) if as_of else None
    try:
        return [summary.line() for summary in supervise_plans(day, plan)]
    except RunInProgress as exc:
        # The run holding the lock writes the same rows; tomorrow's run catches up what it missed.
        log.warning("supervise: %s; this run gives up", exc)
        return [str(exc)]
