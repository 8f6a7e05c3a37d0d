"""The monthly 督查通报 (circular) as a .docx.

    manage.py circular 2023-07 [--plan 2023] [--output FILE]

Without --plan, the plan of the month's year. Without --output, 督查通报-2023-07.docx in the current
folder. A closed month gives the same document every time (projects.documents.circular).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from projects.documents import circular, circular_docx
from targets.models import Plan


class Command(BaseCommand):
    help = "Write the monthly 督查通报 (circular) of a plan as a .docx."

    def add_arguments(self, parser):
        parser.add_argument("month", help="The month, YYYY-MM (e.g. 2023-07).")
        parser.add_argument("--plan", type=int, help="The plan's year (default: the month's year).")
        parser.add_argument("--output", help="Where to write the .docx (default: 督查通报-YYYY-MM.docx here).")

    def handle(self, *_args, month, plan=None, output=None, **_options):
        try:
            first = circular.month_of(month)
        except ValueError as exc:
            raise CommandError(f"The month must be written YYYY-MM, got {month!r}.") from exc
        year = plan or first.year
        found = Plan.objects.filter(year=year).first()
        if found is None:
            raise CommandError(f"No plan for {year}.")
        data = circular.gather(found, first)
        path = Path(output or circular_docx.file_name(data))
        path.write_bytes(circular_docx.circular_docx(data))
        self.stdout.write(
            f"Wrote {path}: {sum(data.colours.values())} items, {len(data.red_items)} red, {data.opened} findings opened, "
            f"{data.closed} closed, {len(data.overdue)} overdue, {len(data.matters)} assigned matters, "
            f"{len(data.rechecks)} re-checks."
        )
