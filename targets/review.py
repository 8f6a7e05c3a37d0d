"""Review of progress reports (审核): a unit's figure counts only once bureau staff approve it.

    entered(report, user)            set the state of a report someone just filed or corrected
    approve(report, user)            staff: submitted → approved
    return_report(report, user, c)   staff: submitted → returned, with the reason the unit sees

A report filed or corrected by a unit's user is `submitted` when its plan has `reports_need_review`
(the default); filed by bureau staff, or under a plan without review, it is `approved` on entry. A
returned report is corrected and filed again by the unit, which makes it `submitted` again. Every
step is a save with its user and a change reason, so the report's history shows the whole cycle.
Which reports count is ProgressReportQuerySet.counted(), and nowhere else.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import periods
from .choices import ReviewState
from .models import Plan, ProgressReport
from .permissions import is_bureau_staff


def state_on_entry(plan: Plan, user) -> str:
    if user is not None and is_bureau_staff(user):
        return ReviewState.APPROVED
    return ReviewState.SUBMITTED if plan.reports_need_review else ReviewState.APPROVED


def entry_fields(plan: Plan, user) -> dict:
    """The review fields of a report ``user`` is filing or correcting now."""
    state = state_on_entry(plan, user)
    if state == ReviewState.APPROVED:
        reviewer = user if user is not None and is_bureau_staff(user) else None
        return {"review_state": state, "reviewed_by": reviewer, "reviewed_at": timezone.now()}
    return {"review_state": state, "reviewed_by": None, "reviewed_at": None}


def entered(report: ProgressReport, user, plan: Plan | None = None) -> None:
    """Set the review fields of a report being saved by ``user`` (the caller saves it)."""
    plan = plan or Plan.objects.get(items=report.item_id)
    for name, value in entry_fields(plan, user).items():
        setattr(report, name, value)


def _require_staff_and_submitted(report: ProgressReport, user) -> None:
    if user is None or not is_bureau_staff(user):
        raise ValidationError(_("Only bureau staff review reports."), code="permission_denied")
    # 月度锁定: a closed month's reports are not reviewed again (400 period_closed in the API).
    periods.check_report_open(report.item.plan_id, report.as_of, report.period)
    if report.review_state != ReviewState.SUBMITTED:
        message = _("Only a submitted report can be reviewed; this one is “%(state)s”.") % {
            "state": report.get_review_state_display()
        }
        raise ValidationError({"review_state": ValidationError(message, code="invalid_review_state")})


@transaction.atomic
def approve(report: ProgressReport, user) -> ProgressReport:
    _require_staff_and_submitted(report, user)
    report.review_state = ReviewState.APPROVED
    report.review_comment = ""
    report.reviewed_by, report.reviewed_at = user, timezone.now()
    report._history_user = user
    report._change_reason = _("Approved")
    report.save(update_fields=["review_state", "review_comment", "reviewed_by", "reviewed_at"])
    return report


@transaction.atomic
def return_report(report: ProgressReport, user, comment: str) -> ProgressReport:
    """Send a report back to its unit with the reason; it does not count until filed again and approved."""
    _require_staff_and_submitted(report, user)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(
            {"comment": ValidationError(_("Say why the report is returned, so the unit can correct it."), code="required")}
        )
    report.review_state = ReviewState.RETURNED
    report.review_comment = comment
    report.reviewed_by, report.reviewed_at = user, timezone.now()
    report._history_user = user
    report._change_reason = _("Returned: %(comment)s") % {"comment": comment[:80]}
    report.save(update_fields=["review_state", "review_comment", "reviewed_by", "reviewed_at"])
    return report
