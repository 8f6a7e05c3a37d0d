"""Writing the demo register with bulk inserts, one transaction per chunk, and clearing it again."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import contextmanager

from django.db import connection, reset_queries, transaction
from django.test.utils import override_settings
from django.utils import timezone

from targets.models import Checkpoint, Milestone, Plan, ProgressReport, TrackedItem

from ..models import Blocker, Project
from .plan import ensure_cast, month_end
from .projects import Context, DemoProject, generate_register

# --- Writing ---------------------------------------------------------------------------------------


def insert_rows(model, objs: Sequence, fields, batch_size: int) -> None:
    """INSERT the objects' field values as they are, in batches the backend accepts.

    raw=True skips each field's pre_save, as loaddata does, so values such as submitted_at
    (auto_now_add) are stored as generated instead of "now".
    """
    if not objs:
        return
    size = max(1, min(batch_size, connection.ops.bulk_batch_size(fields, objs)))
    for start in range(0, len(objs), size):
        model._base_manager._insert(objs[start : start + size], fields=fields, raw=True)


def bulk_create_projects(projects: Sequence[Project], batch_size: int) -> None:
    """bulk_create for Project, a multi-table child of TrackedItem.

    Django's bulk_create refuses multi-table children because it cannot get the parents' pks back on
    every backend. PostgreSQL and SQLite ≥ 3.35 do return the pks of a bulk insert, so: bulk_create
    the TrackedItem parents, copy their pks onto the projects, then insert the Project rows (the
    parent pointer plus the project's own columns) with QuerySet._insert, the call Model.save() uses.
    """
    if not connection.features.can_return_rows_from_bulk_insert:
        raise NotImplementedError("bulk_create_projects needs a database that returns pks from bulk inserts.")
    parent_fields = [f for f in TrackedItem._meta.concrete_fields if not f.primary_key]
    parents = [TrackedItem(**{f.attname: getattr(project, f.attname) for f in parent_fields}) for project in projects]
    TrackedItem.objects.bulk_create(parents, batch_size=batch_size)
    for project, parent in zip(projects, parents, strict=True):
        project.pk = project.id = parent.pk
        project.created_at, project.updated_at = parent.created_at, parent.updated_at
        project._state.adding, project._state.db = False, connection.alias
    insert_rows(Project, projects, Project._meta.local_concrete_fields, batch_size)


REPORT_FIELDS = [f for f in ProgressReport._meta.local_concrete_fields if not f.primary_key]


def insert_chunk(chunk: list[DemoProject], batch_size: int) -> Counter:
    """Insert one chunk of demo projects and their children; returns rows per table."""
    bulk_create_projects([demo.project for demo in chunk], batch_size)
    checkpoints, milestones_, reports, blockers_, links = [], [], [], [], []
    link_model = TrackedItem.cooperating_departments.through
    for demo in chunk:
        pk = demo.project.pk
        for row in (*demo.checkpoints, *demo.milestones, *demo.reports):
            row.item_id = pk
        for blocker in demo.blockers:
            blocker.project_id = pk
        checkpoints += demo.checkpoints
        milestones_ += demo.milestones
        reports += demo.reports
        blockers_ += demo.blockers
        links += [link_model(trackeditem_id=pk, department_id=department_id) for department_id in demo.cooperating]
    Checkpoint.objects.bulk_create(checkpoints, batch_size=batch_size)
    Milestone.objects.bulk_create(milestones_, batch_size=batch_size)
    insert_rows(ProgressReport, reports, REPORT_FIELDS, batch_size)
    Blocker.objects.bulk_create(blockers_, batch_size=batch_size)
    link_model.objects.bulk_create(links, batch_size=batch_size)
    return Counter(
        projects=len(chunk),
        checkpoints=len(checkpoints),
        milestones=len(milestones_),
        reports=len(reports),
        blockers=len(blockers_),
        cooperating=len(links),
    )


def seed_register(
    plan: Plan,
    *,
    projects: int,
    seed: int,
    through: dt.date,
    batch_size: int = 1000,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Counter:
    """Add `projects` demo projects to `plan`, with reports up to the end of the `through` month.

    One transaction per chunk. Returns rows created per table.
    """
    today = today or timezone.localdate()
    ctx = Context(
        plan=plan,
        cast=ensure_cast(),
        cutoff=min(month_end(through.year, through.month), today),
        now=timezone.now(),
        tz=timezone.get_default_timezone(),
    )
    counts: Counter = Counter()
    for chunk in generate_register(ctx, projects, seed):
        with transaction.atomic():
            counts.update(insert_chunk(chunk, batch_size))
        reset_queries()  # with DEBUG on, Django keeps every query's SQL: gigabytes at 100k projects
        if progress is not None:
            progress(counts["projects"], projects)
    return counts


# --- Clearing ---------------------------------------------------------------------------------------


def demo_projects(plan: Plan):
    return Project.objects.filter(plan=plan, is_demo=True)


@contextmanager
def history_disabled():
    """Deleting demo rows writes no history (creating them wrote none either)."""
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        yield


def delete_demo_register(plan: Plan, chunk_size: int = 2000) -> int:
    """Delete the plan's demo projects and everything hanging off them; returns the project count.

    The big child tables go first, one DELETE each: QuerySet.delete() would load every row to send
    the delete signals simple-history listens to. The projects themselves then go through the ORM in
    chunks, so any other table that cascades from an item is handled too. Demo units and people stay
    for the next run (other plans' demo projects may use them).
    """
    ids = demo_projects(plan).values("pk")
    with transaction.atomic(), history_disabled():
        for model in (ProgressReport, Checkpoint, Milestone):
            model.objects.filter(item__in=ids)._raw_delete(connection.alias)
        Blocker.objects.filter(project__in=ids)._raw_delete(connection.alias)
        TrackedItem.cooperating_departments.through.objects.filter(trackeditem__in=ids)._raw_delete(connection.alias)
        deleted = 0
        while batch := list(demo_projects(plan).values_list("pk", flat=True)[:chunk_size]):
            Project.objects.filter(pk__in=batch).delete()
            deleted += len(batch)
    return deleted
