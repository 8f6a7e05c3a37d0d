"""Querysets named for what callers mean: unit scoping and "latest report" reads.

The admin, the API and the jobs use the same names, so unit scoping reads the same everywhere.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import OuterRef, Subquery


class ItemQuerySet(models.QuerySet):
    def for_department(self, department_id: int | None):
        """Items a unit leads (what a unit's users may edit)."""
        if department_id is None:
            return self.none()
        return self.filter(lead_department_id=department_id)

    def with_latest_report(self, as_of: dt.date | None = None):
        """Annotate latest_value / latest_report_date: the newest report on or before as_of.

        One correlated subquery each, so a list page costs the same queries for 10 rows or 1,000.
        """
        from .models import ProgressReport

        reports = ProgressReport.objects.filter(item=OuterRef("pk"))
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
