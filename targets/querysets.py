"""Querysets named for what callers mean: unit scoping, "latest report" reads, counted reports,
open findings, the latest finished run, the items owing reports.

The admin, the API and the jobs use the same names, so each question has one answer. Models are
looked up through the app registry (never imported) so that targets.models may import this module.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db import models
from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from .choices import OPEN_FINDING_STATES, ReviewState
from .engine import judging


def _model(name: str):
    return apps.get_model("targets", name)


class ItemQuerySet(models.QuerySet):
    def for_department(self, department_id: int | None):
        """Items a unit leads (what a unit's users may edit)."""
        if department_id is None:
            return self.none()
        return self.filter(lead_department_id=department_id)

    def published(self):
        """Items the engine evaluates: not a goal copied by the year roll-over and not yet published."""
        return self.filter(is_draft=False)

    def owing_reports(self):
        """Items that owe periodic reports (targets.engine.judging.OWES_REPORTS, the one statement of the rule)."""
        return self.filter(judging.owes_reports_q())

    def with_latest_report(self, as_of: dt.date | None = None):
        """Annotate latest_value / latest_report_date: the newest report on or before as_of.

        One correlated subquery each, so a list page costs the same queries for 10 rows or 1,000.
        """
        reports = _model("ProgressReport").objects.counted().filter(item=OuterRef("pk"))
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
        return self.filter(review_state=ReviewState.APPROVED)

    def for_preview(self):
        """What a unit's page preview reads: the counted reports plus those awaiting review (marked
        pending there); never a returned one."""
        return self.exclude(review_state=ReviewState.RETURNED)

    def awaiting_review(self):
        return self.filter(review_state=ReviewState.SUBMITTED)


def open_finding(prefix: str = "") -> Q:
    """The one rule of an open finding (待确认, 整改中, 申请销号), as a condition on a Finding
    (``prefix`` for a relation to it, e.g. "finding__")."""
    return Q(**{f"{prefix}state__in": OPEN_FINDING_STATES})


class FindingQuerySet(models.QuerySet):
    def open(self):
        """Findings still to be worked on (targets.choices.OPEN_FINDING_STATES)."""
        return self.filter(open_finding())

    def closed(self):
        """Findings no longer open: closed out, dismissed or withdrawn."""
        return self.exclude(open_finding())


class SupervisionRunQuerySet(models.QuerySet):
    def finished(self, as_of: dt.date | None = None):
        """Runs that finished, on or before as_of (any date when None)."""
        runs = self.filter(finished_at__isnull=False)
        return runs if as_of is None else runs.filter(as_of__lte=as_of)

    def latest_finished(self, plan, as_of: dt.date | None = None):
        """The plan's finished runs on or before as_of, newest first: the first one is "the latest
        finished run", whose snapshots say the colours. ``plan`` may be a Plan, its pk or an OuterRef."""
        return self.filter(plan=plan).finished(as_of).order_by("-as_of")

    def latest_finished_date(self, plan, as_of: dt.date | None = None) -> dt.date | None:
        """The date of the latest finished run on or before as_of (None without one). One query."""
        return self.latest_finished(plan, as_of).values_list("as_of", flat=True).first()


def _status_subquery(as_of: dt.date | None):
    """Snapshots of each item at its plan's latest finished supervision run on or before as_of."""
    runs = _model("SupervisionRun").objects.latest_finished(OuterRef(OuterRef("plan")), as_of)
    run_date = Subquery(runs.values("as_of")[:1])
    return _model("StatusSnapshot").objects.filter(item=OuterRef("pk"), date=run_date)


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
