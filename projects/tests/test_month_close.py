"""Closing a statistics month (月度锁定, issue 11 §2): the month's figures never move again.

A month whose reports are reviewed is closed; its snapshot (every item as of the month end) is
what the dashboard, the 调度 table and their exports read; a report dated in it is refused by the
admin, the API and the import; staff may reopen it with a reason, and the next close rebuilds the
snapshot. On PostgreSQL (the bulk write is COPY there).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from projects.documents.monthly_table import monthly_table
from projects.imports import progress
from projects.tests.factories import ProjectFactory
from projects.tests.xlsx import workbook
from security.models import AuditEvent
from targets import periods, review
from targets.choices import ReviewState
from targets.engine.supervision import supervise
from targets.models import MonthClose, MonthSnapshot, ProgressReport, StatusSnapshot
from targets.tests.factories import CheckpointFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("require_postgres")]

D = dt.date
JUNE = D(2023, 6, 1)
URL = "/api/v1/progress-reports/"


@pytest.fixture
def project(plan, departments):
    """A project of unit alpha planned at 100 a month (annual 1,200)."""
    item = ProjectFactory(plan=plan, code="P1", lead_department=departments["alpha"], target_value=Decimal("1200"))
    for month in range(2, 13):
        end = D(2023, month + 1, 1) - dt.timedelta(days=1) if month < 12 else D(2023, 12, 31)
        CheckpointFactory(item=item, date=end, expected_value=Decimal(100 * month))
    return item


def file(item, user, as_of, value, **fields):
    report = ProgressReport(item=item, as_of=as_of, value=Decimal(value), reporter=user, **fields)
    review.entered(report, user)
    report.save()
    return report


def codes(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [e.code for errors in error.error_dict.values() for e in errors]
    return [e.code for e in error.error_list]


@pytest.fixture
def closed_june(plan, project, staff_user):
    """June closed with the project on schedule (600 of 600 planned): green in the snapshot."""
    file(project, staff_user, D(2023, 6, 30), 600)
    periods.close_month(plan, JUNE, staff_user)
    return MonthClose.objects.get(plan=plan, month=JUNE)


# --- closing ---------------------------------------------------------------------------------------------


def test_closing_stores_every_items_figures_as_of_the_month_end_and_is_audited(plan, project, closed_june, staff_user):
    snapshot = MonthSnapshot.objects.get(month_close=closed_june, item=project)
    assert (snapshot.date, snapshot.status, snapshot.actual, snapshot.expected) == (
        D(2023, 6, 30), "green", Decimal("600.000"), Decimal("600.000")
    )  # fmt: skip
    assert (closed_june.closed, closed_june.closed_by, closed_june.items) == (True, staff_user, 1)
    event = AuditEvent.objects.get(action="month_closed")
    assert (event.user, event.target) == (staff_user, "plan:2023 month:2023-06")
    assert periods.closed_months(plan) == {JUNE}


def test_a_month_with_reports_awaiting_review_is_not_closed(plan, project, unit_user, staff_user):
    file(project, unit_user, D(2023, 6, 30), 600)  # submitted
    file(project, unit_user, D(2023, 7, 3), 650, period=JUNE)  # reporting month June, dated July
    with pytest.raises(ValidationError) as raised:
        periods.close_month(plan, JUNE, staff_user)
    assert codes(raised.value) == ["awaiting_review"]
    assert "2" in raised.value.messages[0]  # says how many
    assert not MonthClose.objects.exists()
    assert not MonthSnapshot.objects.exists()
    assert not AuditEvent.objects.filter(action="month_closed").exists()


@pytest.mark.parametrize(
    ("month", "code"),
    [(D(2022, 12, 1), "outside_period"), (D(2024, 1, 1), "outside_period")],
)
def test_a_month_outside_the_plan_is_not_closed(plan, staff_user, month, code):
    with pytest.raises(ValidationError) as raised:
        periods.close_month(plan, month, staff_user)
    assert codes(raised.value) == [code]


def test_an_unfinished_month_is_not_closed(plan, staff_user):
    with pytest.raises(ValidationError) as raised:
        periods.close_month(plan, JUNE, staff_user, today=D(2023, 6, 30))
    assert codes(raised.value) == ["not_ended"]
    periods.close_month(plan, JUNE, staff_user, today=D(2023, 7, 1))


def test_a_closed_month_is_not_closed_twice(plan, closed_june, staff_user):
    with pytest.raises(ValidationError) as raised:
        periods.close_month(plan, JUNE, staff_user)
    assert codes(raised.value) == ["already_closed"]


# --- a report dated in a closed month is refused ---------------------------------------------------------


def test_the_admin_refuses_a_report_dated_in_a_closed_month(client, plan, project, closed_june, unit_user, staff_user):
    client.force_login(unit_user)
    response = client.post(
        reverse("admin:targets_progressreport_add"),
        {"item": project.pk, "as_of": "2023-06-20", "period": "", "value": "610", "narrative": "", "problems": "",
         "correction_reason": ""},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )  # fmt: skip
    assert response.status_code == 200
    assert "2023-06 已月度锁定" in response.content.decode()
    assert ProgressReport.objects.count() == 1

    # Staff cannot correct the closed month's report either, nor move it out, nor delete it.
    client.force_login(staff_user)
    report = ProgressReport.objects.get()
    change = reverse("admin:targets_progressreport_change", args=[report.pk])
    moved = client.post(
        change,
        {"item": project.pk, "as_of": "2023-07-31", "period": "", "value": "700", "narrative": "", "problems": "",
         "correction_reason": "", "evidence-TOTAL_FORMS": "0", "evidence-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert moved.status_code == 200
    report.refresh_from_db()
    assert report.as_of == D(2023, 6, 30)
    assert client.post(reverse("admin:targets_progressreport_delete", args=[report.pk]), {"post": "yes"}).status_code == 403
    assert ProgressReport.objects.filter(pk=report.pk).exists()
    changelist = reverse("admin:targets_progressreport_changelist")
    asked = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [report.pk]}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert "2023-06 已月度锁定" in asked.content.decode()
    confirmed = client.post(changelist, {"action": "delete_selected", "_selected_action": [report.pk], "post": "yes"})
    assert confirmed.status_code == 403
    assert ProgressReport.objects.filter(pk=report.pk).exists()

    # A report of an open month is still filed (July).
    response = client.post(
        reverse("admin:targets_progressreport_add"),
        {"item": project.pk, "as_of": "2023-07-31", "period": "", "value": "700", "narrative": "", "problems": "",
         "correction_reason": ""},
    )  # fmt: skip
    assert response.status_code == 302


def test_the_item_page_inline_refuses_only_rows_changed_in_a_closed_month(project, closed_june, staff_user):
    from targets.admin.item_inlines import ProgressReportFormSet, ProgressReportInlineForm

    report = ProgressReport.objects.get()
    from django.forms import inlineformset_factory

    from targets.models import TrackedItem

    FormSet = inlineformset_factory(
        TrackedItem, ProgressReport, form=ProgressReportInlineForm, formset=ProgressReportFormSet,
        fields=("as_of", "period", "value", "narrative", "problems", "correction_reason"), extra=1,
    )  # fmt: skip
    item = TrackedItem.objects.get(pk=project.pk)

    def data(value, delete=False, new_as_of=""):
        return {
            "reports-TOTAL_FORMS": "2", "reports-INITIAL_FORMS": "1", "reports-0-id": str(report.pk),
            "reports-0-as_of": "2023-06-30", "reports-0-period": "2023-06-01", "reports-0-value": value,
            **({"reports-0-DELETE": "on"} if delete else {}),
            "reports-1-as_of": new_as_of, "reports-1-value": "800" if new_as_of else "",
        }  # fmt: skip

    assert FormSet(data("600"), instance=item, prefix="reports").is_valid()  # unchanged: fine
    assert FormSet(data("600", new_as_of="2023-08-31"), instance=item, prefix="reports").is_valid()  # a later month
    changed = FormSet(data("610"), instance=item, prefix="reports")
    assert not changed.is_valid()
    assert changed.forms[0].errors.as_data()["as_of"][0].code == "period_closed"
    deleted = FormSet(data("600", delete=True), instance=item, prefix="reports")
    assert not deleted.is_valid()
    assert "2023-06" in deleted.non_form_errors()[0]


def test_the_api_refuses_a_report_dated_in_a_closed_month_with_period_closed(api, project, closed_june, unit_user, staff_user):
    unit, staff = api(unit_user), api(staff_user)
    created = unit.post(URL, {"project": project.pk, "as_of": "2023-06-15", "value": "550"}, format="json")
    assert (created.status_code, created.data["code"]) == (400, "period_closed")
    assert created.data["as_of"][0]["code"] == "period_closed"
    report = ProgressReport.objects.get()
    updated = staff.patch(f"{URL}{report.pk}/", {"value": "620"}, format="json")
    assert (updated.status_code, updated.data["code"]) == (400, "period_closed")
    moved = staff.patch(f"{URL}{report.pk}/", {"as_of": "2023-07-31"}, format="json")
    assert (moved.status_code, moved.data["code"]) == (400, "period_closed")
    report.refresh_from_db()
    assert (report.as_of, report.value) == (D(2023, 6, 30), Decimal("600.000"))

    july = unit.post(URL, {"project": project.pk, "as_of": "2023-07-31", "value": "700"}, format="json")
    assert july.status_code == 201, july.content


def test_review_of_a_report_in_a_closed_month_is_refused(api, plan, project, closed_june, unit_user, staff_user):
    # A report submitted while the month was open (before it closed, through the back door of the
    # database) cannot be approved or returned once the month is closed.
    report = ProgressReport.objects.get()
    ProgressReport.objects.filter(pk=report.pk).update(review_state=ReviewState.SUBMITTED)
    approved = api(staff_user).post(f"{URL}{report.pk}/approve/", {}, format="json")
    assert (approved.status_code, approved.data["code"]) == (400, "period_closed")
    report.refresh_from_db()
    with pytest.raises(ValidationError) as raised:
        review.return_report(report, staff_user, "口径")
    assert codes(raised.value) == ["period_closed"]


def test_an_import_with_a_row_for_a_closed_month_is_refused_whole(plan, project, closed_june, departments, unit_user):
    head = ["项目编号", "项目名称", "月份", "累计完成投资（万元）", "形象进度", "存在问题"]
    data = workbook([head, ["P1", "", "6月", 650, "", ""], ["P1", "", "7月", 700, "", ""]], sheet="月度进度", title="进度")
    analysis = progress.analyse(data, plan, department_id=departments["alpha"].pk, today=D(2023, 8, 10))
    assert [(e.row, "已月度锁定" in e.message) for e in analysis.errors] == [(3, True)]
    # The import is all or nothing: the file's July row is not filed either (apply refuses an analysis with errors).
    assert not analysis.actions or analysis.errors

    unchanged = workbook([head, ["P1", "", "6月", 600, "", ""], ["P1", "", "7月", 700, "", ""]], sheet="月度进度", title="进度")
    analysis = progress.analyse(unchanged, plan, department_id=departments["alpha"].pk, today=D(2023, 8, 10))
    assert analysis.errors == []  # the closed month's row says what is filed already: nothing changes
    progress.apply(analysis, unit_user, "Excel导入：进度.xlsx")
    assert sorted(ProgressReport.objects.values_list("as_of", flat=True)) == [D(2023, 6, 30), D(2023, 7, 31)]


# --- the snapshot does not move ----------------------------------------------------------------------------


def test_the_snapshot_survives_a_rerun_of_supervise_and_a_later_correction(plan, project, closed_june, staff_user):
    before = list(MonthSnapshot.objects.values_list("item_id", "date", "status", "actual", "expected", "reasons"))
    # A later report in July lowers nothing in June, but changes the run's own figures for July; a
    # run dated in June (and one at its end) leaves the official snapshot alone.
    file(project, staff_user, D(2023, 7, 31), 650)
    ProgressReport.objects.filter(as_of=D(2023, 7, 31)).update(value=Decimal("650"))
    supervise(plan, D(2023, 6, 30))
    supervise(plan, D(2023, 6, 20))
    supervise(plan, D(2023, 7, 31))
    assert list(MonthSnapshot.objects.values_list("item_id", "date", "status", "actual", "expected", "reasons")) == before

    # Even a run whose figures for June 30 differ (a report changed behind the lock, e.g. by SQL)
    # does not change what the readers show for June.
    ProgressReport.objects.filter(as_of=D(2023, 6, 30)).update(value=Decimal("100"))
    supervise(plan, D(2023, 6, 30))
    assert StatusSnapshot.objects.get(item=project, date=D(2023, 6, 30)).status == "red"
    assert list(MonthSnapshot.objects.values_list("item_id", "date", "status", "actual", "expected", "reasons")) == before
    table = monthly_table(plan, D(2023, 6, 30))
    assert (table.rows[0].status, table.rows[0].cumulative_actual) == ("绿", Decimal("600.000"))

    from projects.dashboard.status import run_date, statuses
    from targets.models import TrackedItem

    assert run_date(plan, D(2023, 6, 30)) == D(2023, 6, 30)
    assert statuses(plan, D(2023, 6, 30), TrackedItem.objects.filter(plan=plan)) == (D(2023, 6, 30), {project.pk: "green"})


def test_reopen_with_a_reason_then_reclose_rebuilds_the_snapshot(plan, project, closed_june, staff_user, unit_user):
    with pytest.raises(ValidationError) as raised:
        periods.reopen_month(plan, JUNE, staff_user, "  ")
    assert codes(raised.value) == ["required"]

    periods.reopen_month(plan, JUNE, staff_user, "统计局数据修订")
    close = MonthClose.objects.get()
    assert (close.closed, close.reopened_by, close.reopen_reason) == (False, staff_user, "统计局数据修订")
    event = AuditEvent.objects.get(action="month_reopened")
    assert (event.user, event.detail) == (staff_user, {"reason": "统计局数据修订"})
    # Open again: readers follow the runs, and the unit may correct June.
    assert periods.snapshots_on(plan, D(2023, 6, 30)).model is StatusSnapshot
    report = ProgressReport.objects.get()
    report.value = Decimal("300")
    report.correction_reason = "统计局修订"
    review.entered(report, staff_user)
    report.save()

    periods.close_month(plan, JUNE, staff_user)
    snapshot = MonthSnapshot.objects.get()
    assert (snapshot.actual, snapshot.status) == (Decimal("300.000"), "red")
    assert AuditEvent.objects.filter(action="month_closed").count() == 2
    assert [h.closed for h in MonthClose.objects.get().history.order_by("history_date", "history_id")] == [True, False, True]

    with pytest.raises(ValidationError) as raised:
        periods.reopen_month(plan, D(2023, 5, 1), staff_user, "x")
    assert codes(raised.value) == ["not_closed"]


# --- the commands ----------------------------------------------------------------------------------------


def test_the_commands_close_and_reopen_a_month(plan, project, staff_user, capsys):
    file(project, staff_user, D(2023, 6, 30), 600)
    call_command("close_month", "2023-06", "--plan", "2023")
    assert "month 2023-06 closed: 1 items (green 1)" in capsys.readouterr().out
    assert periods.is_closed(plan, D(2023, 6, 15))
    with pytest.raises(CommandError, match=r"2023-06 (已经锁定|is already closed)"):
        call_command("close_month", "2023-06")  # the plan covering the month

    call_command("reopen_month", "2023-06", "--reason", "统计局数据修订", "--plan", "2023")
    assert not periods.is_closed(plan, D(2023, 6, 15))
    assert AuditEvent.objects.get(action="month_reopened").detail == {"reason": "统计局数据修订"}

    with pytest.raises(CommandError, match="2023-06"):
        call_command("close_month", "June")
    with pytest.raises(CommandError, match="No plan for 2031"):
        call_command("close_month", "2023-06", "--plan", "2031")
    with pytest.raises(CommandError):
        call_command("reopen_month", "2023-06")  # --reason is required


def test_the_closed_month_admin_closes_and_reopens_with_a_reason(client, plan, project, staff_user, unit_user):
    file(project, staff_user, D(2023, 6, 30), 600)
    client.force_login(unit_user)  # units see which months are closed; only staff close them
    assert client.get(reverse("admin:targets_monthclose_changelist")).status_code == 200
    assert client.post(reverse("admin:targets_monthclose_close"), {"plan": plan.pk, "month": "2023-06"}).status_code == 403
    assert not MonthClose.objects.exists()

    client.force_login(staff_user)
    url = reverse("admin:targets_monthclose_changelist")
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    closed = client.post(reverse("admin:targets_monthclose_close"), {"plan": plan.pk, "month": "2023-06"})
    assert closed.status_code == 302
    close = MonthClose.objects.get()
    assert close.closed
    assert MonthSnapshot.objects.count() == 1

    reopen = reverse("admin:targets_monthclose_reopen", args=[close.pk])
    asked = client.post(reopen, {"reason": ""})
    assert asked.status_code == 200  # the reason is required
    assert MonthClose.objects.get().closed
    done = client.post(reopen, {"reason": "统计局数据修订"})
    assert done.status_code == 302
    assert not MonthClose.objects.get().closed


# --- the readers ------------------------------------------------------------------------------------------


def test_the_dashboard_reads_a_closed_month_without_a_run_at_its_end(plan, project, staff_user):
    from projects.dashboard.status import run_date, statuses
    from targets.figures_cache import run_stamp
    from targets.models import TrackedItem

    file(project, staff_user, D(2023, 5, 31), 500)
    supervise(plan, D(2023, 5, 31))
    stamp = run_stamp(plan)
    file(project, staff_user, D(2023, 6, 30), 600)
    items = TrackedItem.objects.filter(plan=plan)
    assert statuses(plan, D(2023, 6, 30), items) == (D(2023, 5, 31), {project.pk: "green"})  # the May run

    ProgressReport.objects.filter(as_of=D(2023, 6, 30)).update(value=Decimal("100"))
    periods.close_month(plan, JUNE, staff_user)
    assert run_stamp(plan) != stamp  # the cached dashboard figures are counted again
    assert statuses(plan, D(2023, 6, 30), items) == (D(2023, 6, 30), {project.pk: "red"})  # June's snapshot
    assert run_date(plan, D(2023, 7, 15)) == D(2023, 6, 30)  # later than the May run
    assert run_date(plan, D(2023, 6, 15)) == D(2023, 5, 31)  # inside June: June's end is not reached
    supervise(plan, D(2023, 7, 10))
    assert run_date(plan, D(2023, 7, 15)) == D(2023, 7, 10)  # a later run answers again
    table = monthly_table(plan, D(2023, 6, 30))
    assert (table.rows[0].status, table.rows[0].cumulative_actual) == ("红", Decimal("100.000"))

    periods.reopen_month(plan, JUNE, staff_user, "更正")
    assert run_date(plan, D(2023, 6, 30)) == D(2023, 6, 30)  # open again: the runs answer (the July run caught up June's end)
    assert periods.snapshots_on(plan, run_date(plan, D(2023, 6, 30))).model is StatusSnapshot


def test_closing_a_large_register_is_one_bulk_write(plan, departments, staff_user, django_assert_max_num_queries):
    ProjectFactory.create_batch(300, plan=plan, lead_department=departments["alpha"])
    with django_assert_max_num_queries(40):
        close = periods.close_month(plan, JUNE, staff_user)
    assert MonthSnapshot.objects.filter(month_close=close).count() == close.items == 300
