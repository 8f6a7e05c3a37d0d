"""Counting the dashboard's kept figures of a plan ahead of its pages (projects.dashboard.cells).

Run by the projects.warm_dashboard task after each supervision run, and when a page finds the kept
figures old (cells.renew queues it).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation

from targets.engine.schedule import month_end

from .cache import cached_figures
from .data import figures
from .filters import Filters, default_month
from .headline import register_rollups
from .investment import investment_cells
from .ranking import report_cells
from .status import run_date


def warm(plan) -> None:
    """Count and keep the plan's cell figures, and the register's roll-ups at the end of the default
    month and of the latest run's month (after a supervision run: the first dashboard request of any
    selection then counts none of them)."""
    investment_cells(plan, fresh=True)
    report_cells(plan, fresh=True)
    months = {default_month(plan, timezone.localdate())}
    if (latest := run_date(plan, plan.period_end)) is not None:
        months.add(latest)
    for month in months:
        register_rollups(plan, month_end(month.year, month.month), fresh=True)
    # The default selection (the whole register, the default month) as the page caches it, in the
    # site's language: the first request of the dashboard after a run is then a cached one.
    chosen = Filters(month=default_month(plan, timezone.localdate()))
    with translation.override(settings.LANGUAGE_CODE):
        cached_figures(plan, chosen, lambda: figures(plan, chosen), fresh=True)  # from the cells just counted
