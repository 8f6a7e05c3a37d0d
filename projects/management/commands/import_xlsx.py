"""Import a project ledger or a monthly progress sheet from the shell, as the admin's import does.

    manage.py import_xlsx ledger   台账.xlsx --user staff [--plan 2023] [--apply]
    manage.py import_xlsx progress 进度.xlsx --user unit  [--plan 2023] [--apply]

Without --apply it only previews: the counts of new, changed and unchanged rows and every error
with its row and column; it exits with status 1 when there are errors. With --apply it writes every
row in one transaction, or nothing when any row has an error. The user's role decides what may be
imported, exactly as in the admin (a unit's user: monthly progress of its own unit's items), and
the audit history names that user. The batch is kept under 导入记录 like an upload.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from projects.imports import jobs
from projects.models import ImportBatch
from targets.headlines import current_plan
from targets.models import Plan

# The admin's own limit on an upload.
MAX_FILE_BYTES = 20 * 2**20


class Command(BaseCommand):
    help = "Preview (and with --apply, write) a project ledger or monthly progress .xlsx, as the admin's import does."

    def add_arguments(self, parser):
        parser.add_argument(
            "kind", choices=ImportBatch.Kind.values, help="ledger: the project ledger; progress: monthly progress."
        )
        parser.add_argument("file", type=Path, help="The .xlsx file.")
        parser.add_argument("--user", required=True, help="The login the import is made as (its role and unit apply).")
        parser.add_argument("--plan", type=int, help="The plan's year (default: the current plan).")
        parser.add_argument("--apply", action="store_true", help="Write the rows (all or nothing); without it, preview only.")

    def handle(self, *_args, **options):
        with translation.override("zh-hans"):  # the bureau's messages, as on the admin's pages
            self.run(**options)

    def run(self, *, kind, file, user, plan=None, apply=False, **_options):
        importer = get_user_model().objects.filter(username=user, is_active=True).first()
        if importer is None:
            raise CommandError(f"No active login named {user!r}.")
        if not jobs.may_import(importer, kind):
            raise CommandError(f"{user} may not import a {kind} file (bureau staff import both; a unit's user, progress only).")
        the_plan = Plan.objects.filter(year=plan).first() if plan else current_plan()
        if the_plan is None:
            raise CommandError(f"No plan for {plan}." if plan else "No plan is loaded.")
        if not file.is_file():
            raise CommandError(f"No file at {file}.")
        if file.stat().st_size > MAX_FILE_BYTES:
            raise CommandError(f"{file} is larger than 20 MB, the import's limit.")

        batch = jobs.create_batch(kind, the_plan, file.name, file.read_bytes(), importer)
        batch = jobs.analyse_batch(batch.pk)
        if batch.status == ImportBatch.Status.FAILED:
            raise CommandError(batch.message)
        self.stdout.write(
            f"{file.name} (batch {batch.pk}, plan {the_plan.year}): {batch.total_rows} rows — "
            f"{batch.new_rows} new, {batch.changed_rows} changed, {batch.unchanged_rows} unchanged, {batch.error_count} errors"
        )
        for error in batch.errors:
            self.stdout.write(f"  row {error.get('row') or '—'}, {error.get('column') or '—'}: {error.get('message')}")
        if batch.error_count:
            if apply:
                raise CommandError("Nothing was written: fix the errors above and run again.")
            raise SystemExit(1)
        if not apply:
            self.stdout.write("Preview only: run again with --apply to write these rows.")
            return
        if not jobs.claim_for_apply(batch, importer):
            raise CommandError(f"Batch {batch.pk} could not be claimed for writing.")
        batch = jobs.apply_batch(batch.pk)
        if batch.status != ImportBatch.Status.APPLIED:
            raise CommandError(batch.message)
        self.stdout.write(self.style.SUCCESS(batch.message))
