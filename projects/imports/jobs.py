"""The life of an ImportBatch: upload → analysing → ready (or failed) → applying → applied (or failed).

Analysis and apply run in Celery tasks (projects.tasks), eagerly in the web process when no broker
is configured. Progress goes through Django's cache, not the database: the apply's writes are one
transaction, invisible to the page polling from another connection until it commits.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

from targets.permissions import is_bureau_staff, user_department_id

from ..models import ImportBatch
from . import progress, register
from .common import Analysis
from .workbook import ImportFileError

logger = logging.getLogger(__name__)

Status = ImportBatch.Status
WORKING = {Status.UPLOADED, Status.ANALYSING, Status.APPLYING}
STUCK_MARGIN = dt.timedelta(minutes=5)
# Uploaded files are kept this long (manage.py purge_imports and its monthly schedule).
KEEP_FILES_DAYS = 90
PROGRESS_TIMEOUT = 6 * 3600
# Changed rows named in a stale-preview message, at most.
STALE_ROWS_SHOWN = 5


class StaleImport(Exception):
    """The database changed since the preview: applying now would overwrite what the user did not see."""


def change_reason(batch: ImportBatch) -> str:
    # The audit trail's reason, in the bureau's words whatever the interface language.
    return f"Excel导入：{batch.file_name}"


# --- Progress ----------------------------------------------------------------------------------------


def progress_key(batch_id: int) -> str:
    return f"duban:import:{batch_id}:progress"


def progress_reporter(batch_id: int):
    def report(phase: str, done: int, total: int) -> None:
        cache.set(progress_key(batch_id), {"phase": phase, "done": done, "total": total}, PROGRESS_TIMEOUT)

    return report


def read_progress(batch_id: int) -> dict | None:
    return cache.get(progress_key(batch_id))


def status_payload(batch: ImportBatch) -> dict:
    """What the page polls: the batch's status and, while it works, how far it got."""
    current = read_progress(batch.pk) or {}
    done, total = current.get("done", 0), current.get("total", 0)
    if batch.status in {Status.READY, Status.APPLIED, Status.FAILED}:
        done = total = total or batch.total_rows
    return {
        "status": batch.status,
        "status_label": str(batch.get_status_display()),
        "phase": current.get("phase", ""),
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else (100 if batch.status in {Status.READY, Status.APPLIED} else 0),
        "finished": batch.status in {Status.READY, Status.APPLIED, Status.FAILED},
        "message": batch.message,
    }


# --- Steps ---------------------------------------------------------------------------------------


def create_batch(kind: str, plan, file_name: str, data: bytes, user) -> ImportBatch:
    department_id = None if is_bureau_staff(user) else user_department_id(user)
    return ImportBatch.objects.create(
        kind=kind, plan=plan, file_name=file_name[:255], data=data, user=user, department_id=department_id
    )


def scope_department(batch: ImportBatch) -> int | None:
    """The unit whose items a batch may touch (None: any, for bureau staff)."""
    if batch.user is not None and is_bureau_staff(batch.user):
        return None
    return batch.department_id if batch.department_id is not None else -1  # no unit: no item matches


def run_analysis(batch: ImportBatch, report=None) -> Analysis:
    report = report or progress_reporter(batch.pk)
    data = bytes(batch.data)
    if batch.kind == ImportBatch.Kind.LEDGER:
        return register.analyse(data, batch.plan, report)
    return progress.analyse(data, batch.plan, department_id=scope_department(batch), progress=report)


def analyse_batch(batch_id: int) -> ImportBatch:
    """Read the file and store the preview. A redelivered task finds the batch analysed and stops."""
    claimed = ImportBatch.objects.filter(pk=batch_id, status__in=[Status.UPLOADED, Status.ANALYSING]).update(
        status=Status.ANALYSING
    )
    batch = ImportBatch.objects.select_related("plan", "user").get(pk=batch_id)
    if not claimed:
        return batch
    progress_reporter(batch_id)("analysing", 0, 0)
    try:
        analysis = run_analysis(batch)
    except ImportFileError as exc:
        return _fail(batch, str(exc))
    except Exception:
        logger.exception("import batch %s: analysis failed", batch_id)
        with translation.override("zh-hans"):
            return _fail(batch, _("The file could not be analysed because of an internal error; nothing was written."))
    counts = analysis.counts()
    batch.preview = analysis.preview()
    batch.errors = analysis.error_list()
    batch.total_rows = counts["total"]
    batch.new_rows, batch.changed_rows, batch.unchanged_rows = counts["new"], counts["changed"], counts["unchanged"]
    batch.error_count = counts["errors"]
    batch.status = Status.READY
    batch.analysed_at = timezone.now()
    batch.save()
    return batch


# The model permissions an import needs, on top of the role rules in may_import.
IMPORT_PERMISSIONS = {
    ImportBatch.Kind.LEDGER: ("projects.add_project", "projects.change_project"),
    ImportBatch.Kind.PROGRESS: ("targets.add_progressreport", "targets.change_progressreport"),
}


def may_import(user, kind: str) -> bool:
    """Who may upload: bureau staff either kind; a unit's user monthly progress only (its own rows)."""
    if not user.has_perms(IMPORT_PERMISSIONS[kind]):
        return False
    if is_bureau_staff(user):
        return True
    return kind == ImportBatch.Kind.PROGRESS and user_department_id(user) is not None


def may_apply(user, batch: ImportBatch) -> bool:
    """Who may confirm a batch now: bureau staff, or a user of the batch's unit as the user's unit is
    today (someone moved to another unit no longer writes for the old one)."""
    if is_bureau_staff(user):
        return True
    department_id = user_department_id(user)
    return department_id is not None and department_id == batch.department_id


def purge_files(before: dt.datetime) -> int:
    """Drop the uploaded bytes of batches made before `before` (the database need not keep every file
    for good); their previews, errors and the audit history stay. A batch still unconfirmed by then is
    closed as failed first: confirming it later would have nothing to re-check against."""
    old = ImportBatch.objects.filter(created_at__lt=before)
    with translation.override("zh-hans"):
        expired = _("Not confirmed in time; the file was removed. Upload it again to import it.")
    old.filter(status=Status.READY).update(status=Status.FAILED, message=expired, finished_at=timezone.now())
    return old.filter(status__in=[Status.APPLIED, Status.FAILED]).exclude(data=b"").update(data=b"")


def claim_for_apply(batch: ImportBatch, user) -> bool:
    """Mark a ready, error-free batch as applying, confirmed by user; False if it was already claimed
    (a double submit)."""
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=Status.READY, error_count=0).update(
        status=Status.APPLYING, applied_by=user, claimed_at=timezone.now()
    )
    return bool(claimed)


def stuck_after() -> dt.timedelta:
    """How long a batch may analyse or apply: past Celery's hard time limit (plus a margin) its task is
    gone, killed or lost with its worker, and is not delivered again."""
    return dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) + STUCK_MARGIN


def fail_if_stuck(batch: ImportBatch, now: dt.datetime) -> ImportBatch:
    """Mark a batch whose task stopped without finishing as failed, so its page stops waiting and the
    file can be uploaded again. Nothing was written: the apply is one transaction. An apply still
    running holds the batch row's lock, so the conditional UPDATE waits for it and then no longer
    matches."""
    started = batch.claimed_at if batch.status == Status.APPLYING else batch.created_at
    if batch.status not in WORKING or started is None or now - started <= stuck_after():
        return batch
    with translation.override("zh-hans"):
        message = _(
            "The import stopped without finishing (its worker stopped or the task was lost); nothing was "
            "written. Upload the file again."
        )
    if ImportBatch.objects.filter(pk=batch.pk, status=batch.status).update(
        status=Status.FAILED, message=message, finished_at=now
    ):
        batch.status, batch.message, batch.finished_at = Status.FAILED, message, now
    return batch


def apply_batch(batch_id: int) -> ImportBatch:
    """Write a claimed batch in one transaction, or nothing. Idempotent: the batch row is locked and
    only a batch still marked applying is written, so a second delivery of the task changes nothing."""
    report = progress_reporter(batch_id)
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
            if batch.status != Status.APPLYING:
                return batch
            report("applying", 0, batch.new_rows + batch.changed_rows)
            module = register if batch.kind == ImportBatch.Kind.LEDGER else progress
            # The rows the batch changes are locked before they are read again: an edit saved meanwhile
            # either committed first (and the stale check sees it) or waits for this transaction.
            module.lock_existing(batch.plan, [row["code"] for row in batch.preview.get("rows", [])])
            # Re-validated against the database as it is now (the slow half): shown as progress too.
            analysis = run_analysis(batch, report=lambda _phase, done, total: report("checking", done, total))
            _check_not_stale(batch, analysis)
            # Audited as who confirmed the preview (the uploader for a batch claimed before applied_by existed).
            counts = module.apply(analysis, batch.applied_by or batch.user, change_reason(batch), report)
            batch.status = Status.APPLIED
            batch.finished_at = timezone.now()
            with translation.override("zh-hans"):
                batch.message = _("Applied: %(created)s new, %(updated)s changed.") % counts
            batch.save(update_fields=["status", "finished_at", "message"])
            return batch
    except (StaleImport, ImportFileError) as exc:
        return _fail(ImportBatch.objects.get(pk=batch_id), str(exc))
    except Exception as exc:
        logger.exception("import batch %s: apply failed", batch_id)
        with translation.override("zh-hans"):
            message = apply_failure_message(exc)
        return _fail(ImportBatch.objects.get(pk=batch_id), message)


def apply_failure_message(exc: Exception) -> str:
    """What a failed apply tells the user: the kind of problem when the database refused a value
    (the preview checks the known cases, this is the safety net) and that nothing was written."""
    error = {"error": exc.__class__.__name__}
    if isinstance(exc, DataError):
        return (
            _(
                "The import failed and nothing was written (%(error)s): a value does not fit its column in the database "
                "(too long or too large). Correct the file and upload it again."
            )
            % error
        )
    if isinstance(exc, IntegrityError):
        return (
            _(
                "The import failed and nothing was written (%(error)s): a row conflicts with data already saved "
                "(for example a code already in use). Upload the file again for a fresh preview."
            )
            % error
        )
    return _("The import failed and nothing was written (%(error)s).") % error


def _check_not_stale(batch: ImportBatch, analysis: Analysis) -> None:
    before = batch.preview.get("rows", [])
    now = analysis.preview()["rows"]
    if before == now and not analysis.errors:
        return
    by_row = {row["row"]: row for row in before}
    changed = [row for row in now if by_row.get(row["row"]) != row]
    shown = "、".join(f"{row['row']}（{row['code']}）" for row in changed[:STALE_ROWS_SHOWN]) or "—"
    with translation.override("zh-hans"):
        raise StaleImport(
            _(
                "The data changed after the preview (rows %(rows)s): nothing was written. "
                "Upload the file again to see a fresh preview."
            )
            % {"rows": shown}
        )


def _fail(batch: ImportBatch, message: str) -> ImportBatch:
    batch.status = Status.FAILED
    batch.message = message
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "message", "finished_at"])
    return batch


def dispatch(task, batch_id: int) -> None:
    """Run a task now when Celery is eager (no broker), else once the current transaction commits
    (the worker must see the batch row). A broker that cannot take the task marks the batch at once
    (dispatch_failed) instead of leaving its page waiting for a task that was never queued."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        task.delay(batch_id)
    else:
        transaction.on_commit(lambda: _send(task, batch_id))


def _send(task, batch_id: int) -> None:
    try:
        task.delay(batch_id)
    except (KombuOperationalError, RedisError, OSError) as exc:
        logger.warning("import batch %s: task %s not queued, broker unavailable: %s", batch_id, task.name, exc)
        dispatch_failed(batch_id)


def dispatch_failed(batch_id: int) -> ImportBatch:
    """The task could not be queued (Redis down). Nothing ran, so the batch is retryable: an upload is
    failed with a message to upload again; a confirmed batch goes back to ready, to be confirmed again."""
    with translation.override("zh-hans"):
        unavailable = _("The task queue is unavailable, so nothing was done; try again in a few minutes.")
    now = timezone.now()
    ImportBatch.objects.filter(pk=batch_id, status=Status.UPLOADED).update(
        status=Status.FAILED, message=unavailable, finished_at=now
    )
    ImportBatch.objects.filter(pk=batch_id, status=Status.APPLYING).update(
        status=Status.READY, message=unavailable, applied_by=None, claimed_at=None
    )
    return ImportBatch.objects.get(pk=batch_id)
