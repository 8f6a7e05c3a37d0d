"""Celery tasks of the project register: thin shells over projects.imports.jobs."""

from __future__ import annotations

from celery import shared_task

from .imports import jobs


@shared_task(name="projects.analyse_import", ignore_result=True, acks_late=True)
def analyse_import_task(batch_id: int) -> str:
    return jobs.analyse_batch(batch_id).status


@shared_task(name="projects.apply_import", ignore_result=True, acks_late=True)
def apply_import_task(batch_id: int) -> str:
    return jobs.apply_batch(batch_id).status
