"""Celery tasks of the project register: thin shells over projects.imports.jobs."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from targets.models import Plan

from .dashboard import warming
from .imports import jobs


@shared_task(name="projects.analyse_import", ignore_result=True, acks_late=True)
def analyse_import_task(batch_id: int) -> str:
    return jobs.analyse_batch(batch_id).status


@shared_task(name="projects.apply_import", ignore_result=True, acks_late=True)
def apply_import_task(batch_id: int) -> str:
    return jobs.apply_batch(batch_id).status


@shared_task(name="projects.purge_imports", ignore_result=True)
def purge_imports_task(days: int = jobs.KEEP_FILES_DAYS) -> int:
    return jobs.purge_files(timezone.now() - dt.timedelta(days=days))


@shared_task(name="projects.warm_dashboard", ignore_result=True)
def warm_dashboard_task(plan_id: int) -> None:
    """Count the dashboard's kept figures of a plan (projects.dashboard.warming.warm), after its supervision run."""
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is not None:
        warming.warm(plan)
