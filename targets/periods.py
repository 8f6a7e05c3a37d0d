"""Closing a statistics month (月度锁定): the month's figures are official and never move again.

    check_open(plan, date)                raise ValidationError(code="period_closed") in a closed month
    check_report_open(plan, *dates)       the same for the dates of a report (as_of, reporting month)
    closed_months(plan)                   {first day of each closed month}
    close_month(plan, month, by)          evaluate the month as of its end and store its snapshot
    reopen_month(plan, month, by, reason) open it again (audited); the next close rebuilds the snapshot

Readers of a month's official figures (the dashboard, the 调度 table and their exports):

    run_date(plan, as_of)                 the latest run on or before as_of, or a later closed month's end
    snapshots_on(plan, date)              a closed month's MonthSnapshot rows, else the run's StatusSnapshot rows
    closed_on(plan, date)                 the MonthClose whose snapshot is dated `date`, if closed

A report is "dated in" a month when its date (as_of) or its reporting month (period) falls in it.
Only a month whose reports are all reviewed (none `submitted`) may be closed. Closing evaluates
the plan with the supervision engine's own functions (targets.engine.evaluation.gather, targets.engine.rules),
so the snapshot is what a run at the month end would store; it is written in bulk (COPY on
PostgreSQL). The commands close_month / reopen_month and the admin are thin shells over these.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .choices import ReviewState
from .engine import bulk, rules
from .engine.evaluation import gather
from .engine.schedule import month_end
from .models import MonthClose, MonthSnapshot, Plan, ProgressReport, StatusSnapshot, month_start


def parse_month(text: str) -> dt.date:
    """ "2023-06" → 2023-06-01; ValueError otherwise."""
    year, sep, month = (text or "").strip().partition("-")
    if not (sep and year.isdigit() and month.isdigit() and len(year) == 4 and 1 <= len(month) <= 2 and 1 <= int(month) <= 12):
        raise ValueError(text)
    return dt.date(int(year), int(month), 1)


def label(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def plan_id_of(plan) -> int:
    return plan if isinstance(plan, int) else plan.pk


def closed_months(plan) -> set[dt.date]:
    """The first days of the plan's closed months (one query)."""
    return set(MonthClose.objects.filter(plan_id=plan_id_of(plan), closed=True).values_list("month", flat=True))


def is_closed(plan, date: dt.date) -> bool:
    return MonthClose.objects.filter(plan_id=plan_id_of(plan), month=month_start(date), closed=True).exists()


def closed_error(month: dt.date, field: str | None = None) -> ValidationError:
    message = _(
        "The statistics month %(month)s is closed: its reports can no longer be filed, changed, deleted or reviewed. "
        "Ask bureau staff to reopen the month if a figure must be corrected."
    ) % {"month": label(month)}
    error = ValidationError(message, code="period_closed")
    return ValidationError({field: error}) if field else error


def check_open(plan, date: dt.date | None, field: str | None = None) -> None:
    """Raise ValidationError(code="period_closed") when the month of ``date`` is closed for the plan."""
    if date is not None and is_closed(plan, date):
        raise closed_error(month_start(date), field)


def check_report_open(plan, *dates: dt.date | None, field: str | None = "as_of") -> None:
    """A report may be filed, changed, deleted or reviewed only while none of its dates (its as_of and
    reporting month, before and after the change) lies in a closed month: one query."""
    months = {month_start(d) for d in dates if d is not None}
    if not months:
        return
    closed = MonthClose.objects.filter(plan_id=plan_id_of(plan), month__in=months, closed=True)
    first = closed.order_by("month").values_list("month", flat=True).first()
    if first is not None:
        raise closed_error(first, field)


def check_reports_open(reports) -> None:
    """check_report_open for each of the reports (with their items), before a bulk change."""
    for report in reports:
        check_report_open(report.item.plan_id, report.as_of, report.period)


def reports_in(plan: Plan, month: dt.date):
    """The plan's reports dated in the month (by date or by reporting month)."""
    end = month_end(month.year, month.month)
    return ProgressReport.objects.filter(Q(as_of__gte=month, as_of__lte=end) | Q(period=month), item__plan=plan)


def snapshot_date(plan: Plan, month: dt.date) -> dt.date:
    """The day a month is evaluated at when closed: its last day (the plan's last day in December)."""
    return min(month_end(month.year, month.month), plan.period_end)


def audit(action: str, by, close: MonthClose, detail: dict) -> None:
    from security.audit import record

    record(action, user=by, target=f"plan:{close.plan.year} month:{label(close.month)}", detail=detail)


@transaction.atomic
def close_month(plan: Plan, month: dt.date, by=None, *, today: dt.date | None = None) -> MonthClose:
    """Close the month: evaluate every item as of its end, store the snapshot, audit it."""
    from security.models import AuditAction

    from .engine.supervision import SNAPSHOT_COLUMNS, gc_paused, lock_plan, snapshot_row

    month = month_start(month)
    today = today or timezone.localdate()
    if not (month_start(plan.period_start) <= month <= plan.period_end):
        raise ValidationError(
            _("%(month)s is outside the period of plan %(year)s.") % {"month": label(month), "year": plan.year},
            code="outside_period",
        )
    if month_end(month.year, month.month) >= today:
        raise ValidationError(
            _("%(month)s has not ended yet; it can be closed from the next month on.") % {"month": label(month)}, code="not_ended"
        )
    lock_plan(plan)  # no supervision run or second close of the plan meanwhile
    close = MonthClose.objects.select_for_update().filter(plan=plan, month=month).first()
    if close is not None and close.closed:
        raise ValidationError(_("%(month)s is already closed.") % {"month": label(month)}, code="already_closed")
    waiting = reports_in(plan, month).filter(review_state=ReviewState.SUBMITTED).count()
    if waiting:
        raise ValidationError(
            ngettext(
                "%(month)s cannot be closed: %(count)d report dated in it awaits review. Approve or return it first.",
                "%(month)s cannot be closed: %(count)d reports dated in it await review. Approve or return them first.",
                waiting,
            )
            % {"month": label(month), "count": waiting},
            code="awaiting_review",
        )
    as_of = snapshot_date(plan, month)
    statuses = []
    with gc_paused(), translation.override(settings.LANGUAGE_CODE):
        for chunk in gather(plan, as_of):
            statuses.extend(rules.evaluate(facts, as_of) for facts in chunk)
    if close is None:
        close = MonthClose(plan=plan, month=month)
    close.closed, close.closed_at, close.closed_by = True, timezone.now(), by
    close.items = len(statuses)
    close.counts = dict(Counter(str(s.status) for s in statuses))
    close._history_user = by
    close._change_reason = _("Month closed")
    close.save()
    # A re-close after a reopen rebuilds the snapshot from the figures as they are now.
    MonthSnapshot.objects.filter(month_close=close).delete()
    bulk.insert(MonthSnapshot, ["month_close_id", *SNAPSHOT_COLUMNS], ((close.pk, *snapshot_row(as_of, s)) for s in statuses))
    audit(AuditAction.MONTH_CLOSED, by, close, {"items": close.items, "counts": close.counts, "as_of": as_of.isoformat()})
    return close


@transaction.atomic
def reopen_month(plan: Plan, month: dt.date, by=None, reason: str = "") -> MonthClose:
    """Open a closed month again, with the reason (audited). Its snapshot is kept until the next close
    rebuilds it, but nothing reads it while the month is open."""
    from security.models import AuditAction

    month = month_start(month)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(_("Say why the month is reopened."), code="required")})
    close = MonthClose.objects.select_for_update().filter(plan=plan, month=month, closed=True).first()
    if close is None:
        raise ValidationError(_("%(month)s is not closed.") % {"month": label(month)}, code="not_closed")
    close.closed, close.reopened_at, close.reopened_by, close.reopen_reason = False, timezone.now(), by, reason
    close._history_user = by
    close._change_reason = _("Month reopened: %(reason)s") % {"reason": reason[:80]}
    close.save()
    audit(AuditAction.MONTH_REOPENED, by, close, {"reason": reason})
    return close


# --- readers -----------------------------------------------------------------------------------------


class OfficialDate(dt.date):
    """A snapshot date that knows whose snapshots to read: a closed month's (close_id) or the run's (None).

    run_date() hands it to the readers, so snapshots_on() needs no query of its own.
    """

    close_id: int | None = None

    @classmethod
    def of(cls, date: dt.date, close_id: int | None) -> OfficialDate:
        marked = cls(date.year, date.month, date.day)
        marked.close_id = close_id
        return marked

    def __reduce__(self):
        return (OfficialDate.of, (dt.date(self.year, self.month, self.day), self.close_id))


def run_date(plan: Plan, as_of: dt.date) -> OfficialDate | None:
    """The date whose snapshots say the colours as of ``as_of``: the plan's latest finished
    supervision run on or before it, unless a closed month ends later (or on that day), whose
    official snapshot then answers. One query."""
    from .models import SupervisionRun

    runs = SupervisionRun.objects.latest_finished(OuterRef("pk"), as_of)
    closes = MonthClose.objects.filter(plan=OuterRef("pk"), closed=True, month__lte=as_of).order_by("-month")
    # The month of as_of may be closed but end after it: then the closed month before it answers.
    row = (
        Plan.objects.filter(pk=plan.pk)
        .annotate(
            last_run=Subquery(runs.values("as_of")[:1]),
            month1=Subquery(closes.values("month")[:1]),
            close1=Subquery(closes.values("pk")[:1]),
            month2=Subquery(closes.values("month")[1:2]),
            close2=Subquery(closes.values("pk")[1:2]),
        )
        .values_list("last_run", "month1", "close1", "month2", "close2")
        .first()
    )
    if row is None:
        return None
    last_run, *closed = row
    official = None
    for month, close_id in ((closed[0], closed[1]), (closed[2], closed[3])):
        if month is not None and snapshot_date(plan, month) <= as_of:
            official = OfficialDate.of(snapshot_date(plan, month), close_id)
            break
    if official is not None and (last_run is None or official >= last_run):
        return official
    return OfficialDate.of(last_run, None) if last_run is not None else None


def closed_on(plan: Plan, date: dt.date | None) -> MonthClose | None:
    """The closed month whose official snapshot is dated ``date`` (its last day), if any."""
    if date is None:
        return None
    close = MonthClose.objects.filter(plan=plan, month=month_start(date), closed=True).first()
    return close if close is not None and snapshot_date(plan, close.month) == date else None


def snapshots_on(plan: Plan, date: dt.date):
    """The snapshot rows of the plan's items on ``date``: a closed month's official ones at its end,
    else the supervision run's. Both have the same fields (targets.models.SnapshotFigures). A date
    from run_date() says which without a query."""
    if isinstance(date, OfficialDate):
        close_id = date.close_id
    else:
        close = closed_on(plan, date)
        close_id = close.pk if close is not None else None
    if close_id is not None:
        return MonthSnapshot.objects.filter(month_close_id=close_id)
    return StatusSnapshot.objects.filter(date=date)
