"""Querysets named for what callers mean: unit scoping, "latest report" reads, counted reports.

The admin, the API and the jobs use the same names, so unit scoping reads the same everywhere.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


class ItemQuerySet(models.QuerySet):
    def for_department(self, department_id: int | None):
        """Items a unit leads (what a unit's users may edit)."""
        if department_id is None:
            return self.none()
        return self.filter(lead_department_id=department_id)

    def published(self):
        """Items the engine evaluates: not a goal copied by the year roll-over and not yet published."""
        return self.filter(is_draft=False)

    def with_latest_report(self, as_of: dt.date | None = None):
        """Annotate latest_value / latest_report_date: the newest report on or before as_of.

        One correlated subquery each, so a list page costs the same queries for 10 rows or 1,000.
        """
        from .models import ProgressReport

        reports = ProgressReport.objects.counted().filter(item=OuterRef("pk"))
        if as_of is not None:
            reports = reports.filter(as_of__lte=as_of)
        reports = reports.order_by("-as_of")
        return self.annotate(
            latest_value=Subquery(reports.values("value")[:1]),
            latest_report_date=Subquery(reports.values("as_of")[:1]),
        )


class MilestoneQuerySet(models.QuerySet):
    def for_department(self, department_id: int | None):
        if department_id is None:
            return self.none()
        return self.filter(item__lead_department_id=department_id)


class ProgressReportQuerySet(models.QuerySet):
    def for_department(self, department_id: int | None):
        if department_id is None:
            return self.none()
        return self.filter(item__lead_department_id=department_id)

    def on_or_before(self, as_of: dt.date):
        return self.filter(as_of__lte=as_of)

    def counted(self):
        """The reports whose figures count (审核): approved ones. The one home of that rule.

        Supervision runs, roll-ups, the dashboard, the monthly table, list columns and exports read
        reports through it; a submitted or returned report is shown only where marked as such.
        """
        from .choices import ReviewState

        return self.filter(review_state=ReviewState.APPROVED)

    def for_preview(self):
        """What a unit's page preview reads: the counted reports plus those awaiting review (marked
        pending there); never a returned one."""
        from .choices import ReviewState

        return self.exclude(review_state=ReviewState.RETURNED)

    def awaiting_review(self):
        from .choices import ReviewState

        return self.filter(review_state=ReviewState.SUBMITTED)


def _status_subquery(as_of: dt.date | None):
    """Snapshots of each item at its plan's latest finished supervision run on or before as_of."""
    from .models import StatusSnapshot, SupervisionRun

    runs = SupervisionRun.objects.filter(plan=OuterRef(OuterRef("plan")), finished_at__isnull=False)
    if as_of is not None:
        runs = runs.filter(as_of__lte=as_of)
    run_date = Subquery(runs.order_by("-as_of").values("as_of")[:1])
    return StatusSnapshot.objects.filter(item=OuterRef("pk"), date=run_date)


def with_status(queryset, as_of: dt.date | None = None):
    """Annotate snapshot_* (status, expected, actual, ratio, forecast, date) for the API's status fields.

    One correlated subquery per figure, so a list page's query count does not grow with its size.
    """
    snaps = _status_subquery(as_of)
    return queryset.annotate(
        snapshot_date=Subquery(snaps.values("date")[:1]),
        snapshot_status=Coalesce(Subquery(snaps.values("status")[:1]), Value("grey")),
        snapshot_expected=Subquery(snaps.values("expected")[:1]),
        snapshot_actual=Subquery(snaps.values("actual")[:1]),
        snapshot_ratio=Subquery(snaps.values("ratio")[:1]),
        snapshot_forecast=Subquery(snaps.values("forecast")[:1]),
    )
