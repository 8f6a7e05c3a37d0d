"""Review of progress reports (审核, issue 11 §1): only approved figures count.

A unit's report is submitted, staff approve it or return it with a reason, the unit corrects and
files again; staff's own reports are approved on entry. The same rules through the admin, the API
and the Excel import.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects.imports import progress
from projects.rollups import compute_all
from projects.tests.factories import ProjectFactory
from projects.tests.xlsx import workbook
from targets import review
from targets.choices import ReviewState, Rollup
from targets.engine.supervision import supervise
from targets.models import ProgressReport, StatusSnapshot
from targets.tests.factories import CheckpointFactory, TargetFactory

pytestmark = pytest.mark.django_db

D = dt.date
URL = "/api/v1/progress-reports/"


@pytest.fixture
def project(plan, departments):
    """A project of unit alpha planned at 100 a month (annual 1,200)."""
    item = ProjectFactory(plan=plan, code="P1", lead_department=departments["alpha"], target_value=Decimal("1200"))
    for month in range(2, 13):
        month_end = D(2023, month + 1, 1) - dt.timedelta(days=1) if month < 12 else D(2023, 12, 31)
        CheckpointFactory(item=item, date=month_end, expected_value=Decimal(100 * month))
    return item


def file(item, user, as_of, value, **fields):
    """A report saved the way every entry path saves one: review.entered() then save()."""
    report = ProgressReport(item=item, as_of=as_of, value=Decimal(value), reporter=user, **fields)
    review.entered(report, user)
    report.save()
    return report


# --- the pure rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "needs_review", "state"),
    [
        ("unit_user", True, ReviewState.SUBMITTED),
        ("unit_user", False, ReviewState.APPROVED),  # a plan without review: counts at once
        ("staff_user", True, ReviewState.APPROVED),  # staff's own reports are approved on entry
        ("staff_user", False, ReviewState.APPROVED),
        (None, True, ReviewState.SUBMITTED),  # nobody known: not trusted
    ],
)
def test_the_state_on_entry_depends_on_who_files_and_the_plan(request, plan, who, needs_review, state):
    plan.reports_need_review = needs_review
    user = request.getfixturevalue(who) if who else None
    assert review.state_on_entry(plan, user) == state


def test_a_report_is_returned_corrected_and_approved_with_every_step_in_its_history(project, unit_user, staff_user):
    report = file(project, unit_user, D(2023, 6, 30), 300)
    assert report.review_state == ReviewState.SUBMITTED

    review.return_report(report, staff_user, "数据与统计局口径不一致，请核实")
    assert (report.review_state, report.review_comment, report.reviewed_by) == (
        ReviewState.RETURNED, "数据与统计局口径不一致，请核实", staff_user
    )  # fmt: skip

    report.value = Decimal("600")
    review.entered(report, unit_user)  # the unit corrects it: filed again
    report.save()
    assert report.review_state == ReviewState.SUBMITTED

    review.approve(report, staff_user)
    report.refresh_from_db()
    assert report.review_state == ReviewState.APPROVED
    steps = [(h.review_state, h.value) for h in report.history.order_by("history_date", "history_id")]
    assert steps == [
        ("submitted", Decimal("300.00")),
        ("returned", Decimal("300.00")),
        ("submitted", Decimal("600.00")),
        ("approved", Decimal("600.00")),
    ]
    assert report.history.filter(history_user=staff_user, review_state="returned").exists()


@pytest.mark.parametrize(
    ("state", "who", "comment", "code"),
    [
        (ReviewState.APPROVED, "staff_user", "x", "invalid_review_state"),
        (ReviewState.RETURNED, "staff_user", "x", "invalid_review_state"),
        (ReviewState.SUBMITTED, "unit_user", "x", "permission_denied"),
        (ReviewState.SUBMITTED, "staff_user", "  ", "required"),
    ],
)
def test_a_return_is_refused_with_a_code(request, project, unit_user, state, who, comment, code):
    report = file(project, unit_user, D(2023, 6, 30), 300)
    ProgressReport.objects.filter(pk=report.pk).update(review_state=state)
    report.refresh_from_db()
    with pytest.raises(ValidationError) as raised:
        review.return_report(report, request.getfixturevalue(who), comment)
    error = raised.value
    codes = [e.code for errors in error.error_dict.values() for e in errors] if hasattr(error, "error_dict") else [error.code]
    assert codes == [code]


# --- only approved figures count ------------------------------------------------------------------------


def test_an_unapproved_figure_changes_neither_the_colour_nor_the_rollup(plan, project, unit_user, staff_user):
    for month in (2, 3, 4, 5):
        month_end = D(2023, month + 1, 1) - dt.timedelta(days=1)
        file(project, staff_user, month_end, 100 * month)
    supervise(plan, D(2023, 6, 6))
    assert StatusSnapshot.objects.get(item=project, date=D(2023, 6, 6)).status == "green"

    june = file(project, unit_user, D(2023, 6, 30), 100)  # far behind (600 expected), still submitted
    supervise(plan, D(2023, 7, 6))
    snapshot = StatusSnapshot.objects.get(item=project, date=D(2023, 7, 6))
    assert (snapshot.actual, snapshot.reporting_status) == (Decimal("500.00"), "yellow")  # June counts as not filed
    assert compute_all(plan, D(2023, 7, 6))[Rollup.COMPLETED_INVESTMENT] == Decimal("500")

    review.return_report(june, staff_user, "请核实")  # a returned report does not count either
    supervise(plan, D(2023, 7, 7))
    assert StatusSnapshot.objects.get(item=project, date=D(2023, 7, 7)).actual == Decimal("500.00")

    review.entered(june, unit_user)
    june.save()
    review.approve(june, staff_user)
    supervise(plan, D(2023, 7, 8))
    snapshot = StatusSnapshot.objects.get(item=project, date=D(2023, 7, 8))
    assert (snapshot.actual, snapshot.status) == (Decimal("100.00"), "red")
    assert compute_all(plan, D(2023, 7, 8))[Rollup.COMPLETED_INVESTMENT] == Decimal("100")


# --- the admin ------------------------------------------------------------------------------------------


def test_a_unit_files_in_the_admin_and_staff_return_then_approve_from_the_queue(client, plan, project, unit_user, staff_user):
    client.force_login(unit_user)
    response = client.post(
        reverse("admin:targets_progressreport_add"),
        {"item": project.pk, "as_of": "2023-06-30", "period": "", "value": "600", "narrative": "", "problems": "",
         "correction_reason": ""},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    report = ProgressReport.objects.get()
    assert report.review_state == ReviewState.SUBMITTED
    page = client.get(reverse("admin:targets_progressreport_change", args=[report.pk])).content.decode()
    assert reverse("admin:targets_progressreport_review", args=[report.pk, "approve"]) not in page  # units do not review
    assert client.post(reverse("admin:targets_progressreport_review", args=[report.pk, "approve"])).status_code == 403

    client.force_login(staff_user)
    queue = reverse("admin:targets_progressreport_changelist")
    # The listed rows, not the page text: a random token elsewhere on the page may contain "P1".
    listed = client.get(queue, {"review_state": "submitted", "month": "2023-06-01"}).context["cl"].result_list
    assert [row.pk for row in listed] == [report.pk]
    assert list(client.get(queue, {"review_state": "approved"}).context["cl"].result_list) == []

    asked = client.post(queue, {"action": "return_reports", "_selected_action": [report.pk]})
    assert "id_comment" in asked.content.decode()  # the page asking why
    client.post(queue, {"action": "return_reports", "_selected_action": [report.pk], "post": "yes", "comment": "请补充佐证"})
    report.refresh_from_db()
    assert (report.review_state, report.review_comment) == (ReviewState.RETURNED, "请补充佐证")

    ProgressReport.objects.filter(pk=report.pk).update(review_state=ReviewState.SUBMITTED)
    page = client.get(reverse("admin:targets_progressreport_change", args=[report.pk])).content.decode()
    assert reverse("admin:targets_progressreport_review", args=[report.pk, "approve"]) in page
    client.post(reverse("admin:targets_progressreport_review", args=[report.pk, "approve"]))
    report.refresh_from_db()
    assert (report.review_state, report.reviewed_by) == (ReviewState.APPROVED, staff_user)


def test_a_staff_users_own_report_is_approved_on_entry_in_the_admin(client, project, staff_user):
    client.force_login(staff_user)
    client.post(
        reverse("admin:targets_progressreport_add"),
        {"item": project.pk, "as_of": "2023-06-30", "period": "", "value": "600", "narrative": "", "problems": "",
         "correction_reason": ""},
    )  # fmt: skip
    assert ProgressReport.objects.get().review_state == ReviewState.APPROVED


# --- the API --------------------------------------------------------------------------------------------


def test_the_api_files_submitted_reports_for_units_and_lets_only_staff_review(api, plan, departments, unit_user, staff_user):
    goal = TargetFactory(plan=plan, lead_department=departments["alpha"])
    unit, staff = api(unit_user), api(staff_user)
    created = unit.post(URL, {"target": goal.pk, "as_of": "2023-04-30", "value": "55"}, format="json")
    assert created.status_code == 201, created.content
    assert created.data["review_state"] == "submitted"
    pk = created.data["id"]

    assert unit.post(f"{URL}{pk}/approve/", {}, format="json").status_code == 403
    assert api(staff_user, read_only=True).post(f"{URL}{pk}/approve/", {}, format="json").status_code == 403
    missing = staff.post(f"{URL}{pk}/return/", {"comment": ""}, format="json")
    assert (missing.status_code, missing.data["comment"][0]["code"]) == (400, "required")

    returned = staff.post(f"{URL}{pk}/return/", {"comment": "口径不一致"}, format="json")
    assert (returned.status_code, returned.data["review_state"], returned.data["review_comment"]) == (
        200,
        "returned",
        "口径不一致",
    )
    assert [r["id"] for r in staff.get(URL, {"review_state": "returned"}).data["results"]] == [pk]
    assert staff.get(URL, {"review_state": "submitted"}).data["results"] == []

    corrected = unit.patch(f"{URL}{pk}/", {"value": "56"}, format="json")
    assert corrected.data["review_state"] == "submitted"  # resubmitted
    approved = staff.post(f"{URL}{pk}/approve/", {}, format="json")
    assert (approved.status_code, approved.data["review_state"]) == (200, "approved")
    again = staff.post(f"{URL}{pk}/approve/", {}, format="json")
    assert (again.status_code, again.data["review_state"][0]["code"]) == (400, "invalid_review_state")

    own = staff.post(URL, {"target": goal.pk, "as_of": "2023-05-31", "value": "60"}, format="json")
    assert own.data["review_state"] == "approved"


# --- the Excel import -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "state"), [("unit_user", ReviewState.SUBMITTED), ("staff_user", ReviewState.APPROVED)])
def test_an_import_files_submitted_reports_for_a_unit_and_approved_ones_for_staff(
    request, plan, project, departments, who, state
):
    user = request.getfixturevalue(who)
    data = workbook(
        [["项目编号", "项目名称", "月份", "累计完成投资（万元）", "形象进度", "存在问题"], ["P1", "", "6月", 600, "", ""]],
        sheet="月度进度",
        title="进度",
    )
    department = departments["alpha"].pk if who == "unit_user" else None
    analysis = progress.analyse(data, plan, department_id=department, today=D(2023, 7, 10))
    assert analysis.errors == []
    progress.apply(analysis, user, "Excel导入：进度.xlsx")
    assert ProgressReport.objects.get().review_state == state
