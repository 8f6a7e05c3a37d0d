"""The imports in the admin, end to end with the test client: buttons, templates, upload →
preview → confirm, who may do what, the list of past imports, a stale preview, a double confirm."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError, IntegrityError
from django.urls import reverse

from projects.imports import jobs
from projects.models import ImportBatch, Project
from targets.models import Person, ProgressReport

from .factories import ProjectFactory
from .xlsx import workbook as make_workbook

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
LEDGER_URL = reverse("admin:projects_project_import_ledger")
PROGRESS_URL = reverse("admin:projects_project_import_progress")
LEDGER = [
    ["项目编号", "项目名称", "责任单位", "总投资（万元）", "年度计划投资（万元）"],
    ["P01", "椒江大桥", "区市场监督管理局", 20000, 8000],
    ["P02", "人民医院", "卫健局", 9000, 3000],
]
pytestmark = pytest.mark.usefixtures("departments")


def upload(client, url, rows, plan, *, name="台账.xlsx", sheet="项目台账", title="2023年重大项目台账"):
    data = make_workbook(rows, sheet=sheet, title=title)
    return client.post(url, {"plan": plan.pk, "file": SimpleUploadedFile(name, data)}, **ZH)


def batch_url(batch) -> str:
    return reverse("admin:projects_project_import_batch", args=[batch.pk])


def test_staff_see_all_four_buttons_and_units_only_the_progress_ones(client, staff_user, unit_user, plan):
    client.force_login(staff_user)
    page = client.get(reverse("admin:projects_project_changelist"), **ZH).content.decode()
    assert LEDGER_URL in page
    assert PROGRESS_URL in page
    assert reverse("admin:projects_project_template_ledger") in page

    client.force_login(unit_user)
    page = client.get(reverse("admin:projects_project_changelist"), **ZH).content.decode()
    assert LEDGER_URL not in page
    assert reverse("admin:projects_project_template_ledger") not in page
    assert PROGRESS_URL in page
    assert reverse("admin:projects_project_template_progress") in page


def test_the_templates_download_as_xlsx(client, staff_user, plan):
    client.force_login(staff_user)
    for name in ("ledger", "progress"):
        response = client.get(reverse(f"admin:projects_project_template_{name}"))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert response.content[:2] == b"PK"


def test_upload_preview_confirm_writes_the_rows_audited_as_the_user(client, staff_user, plan):
    client.force_login(staff_user)
    response = upload(client, LEDGER_URL, LEDGER, plan)

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.url == batch_url(batch)
    assert (batch.status, batch.new_rows, batch.error_count, batch.user) == ("ready", 2, 0, staff_user)
    preview = client.get(batch_url(batch), **ZH)
    content = preview.content.decode()
    assert "椒江大桥" in content
    assert "人民医院" in content
    assert reverse("admin:projects_project_import_apply", args=[batch.pk]) in content
    assert not Project.objects.exists()  # nothing before the confirm

    response = client.post(reverse("admin:projects_project_import_apply", args=[batch.pk]), **ZH)
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "applied"
    assert sorted(Project.objects.values_list("code", flat=True)) == ["P01", "P02"]
    history = Project.history.get(code="P01")
    assert (history.history_user, history.history_change_reason) == (staff_user, "Excel导入：台账.xlsx")
    status = client.get(reverse("admin:projects_project_import_status", args=[batch.pk])).json()
    assert (status["status"], status["finished"], status["percent"]) == ("applied", True, 100)


def test_the_preview_shows_each_error_with_row_and_column_and_offers_no_confirm(client, staff_user, plan):
    client.force_login(staff_user)
    rows = [*LEDGER, ["P03", "新区学校", "不存在的局", "一亿", 100]]
    upload(client, LEDGER_URL, rows, plan)
    batch = ImportBatch.objects.get()

    assert batch.error_count == 2
    assert not batch.can_apply
    content = client.get(batch_url(batch), **ZH).content.decode()
    assert "不存在的局" in content
    assert "<td>5</td><td>责任单位</td>" in content
    assert "<td>5</td><td>总投资（万元）</td>" in content
    assert reverse("admin:projects_project_import_apply", args=[batch.pk]) not in content
    client.post(reverse("admin:projects_project_import_apply", args=[batch.pk]))
    assert not Project.objects.exists()


def test_a_file_that_is_not_xlsx_is_refused_on_the_form(client, staff_user, plan):
    client.force_login(staff_user)
    response = client.post(LEDGER_URL, {"plan": plan.pk, "file": SimpleUploadedFile("台账.xls", b"\xd0\xcf\x11\xe0")}, **ZH)
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not ImportBatch.objects.exists()


def test_a_damaged_or_sheetless_file_fails_with_its_reason_on_the_batch_page(client, staff_user, plan):
    client.force_login(staff_user)
    client.post(LEDGER_URL, {"plan": plan.pk, "file": SimpleUploadedFile("台账.xlsx", b"not a zip")}, **ZH)
    upload(client, LEDGER_URL, LEDGER, plan, sheet="汇总", name="b.xlsx")  # one sheet only: read anyway
    data = make_workbook(LEDGER, sheet="Sheet1", extra_sheets=["Sheet2"])
    client.post(LEDGER_URL, {"plan": plan.pk, "file": SimpleUploadedFile("c.xlsx", data)}, **ZH)

    damaged, single, sheetless = ImportBatch.objects.order_by("pk")
    assert damaged.status == "failed"
    assert ".xlsx" in damaged.message
    assert single.status == "ready"
    assert sheetless.status == "failed"
    assert "项目台账" in sheetless.message
    assert sheetless.message in client.get(batch_url(sheetless), **ZH).content.decode()


def test_a_unit_user_cannot_open_the_ledger_import_or_its_template(client, unit_user, plan):
    client.force_login(unit_user)
    assert client.get(LEDGER_URL).status_code == 403
    assert upload(client, LEDGER_URL, LEDGER, plan).status_code == 403
    assert client.get(reverse("admin:projects_project_template_ledger")).status_code == 403
    assert not ImportBatch.objects.exists()


@time_machine.travel(dt.datetime(2023, 7, 10, 9, 0, tzinfo=dt.UTC), tick=False)
def test_a_unit_imports_its_own_progress_and_other_units_rows_block_the_file(client, unit_user, plan, departments):
    ProjectFactory(plan=plan, code="P01", lead_department=departments["alpha"])
    ProjectFactory(plan=plan, code="P02", lead_department=departments["beta"])
    client.force_login(unit_user)
    header = ["项目编号", "月份", "累计完成投资（万元）", "形象进度", "存在问题"]
    upload(client, PROGRESS_URL, [header, ["P01", "1—2月", 800, "桩基", ""], ["P02", "3月", 10, "", ""]], plan, sheet="月度进度")
    blocked = ImportBatch.objects.get()
    assert (blocked.status, blocked.error_count, blocked.errors[0]["row"], blocked.errors[0]["column"]) == (
        "ready",
        1,
        4,
        "项目编号",
    )
    assert blocked.department == departments["alpha"]

    upload(client, PROGRESS_URL, [header, ["P01", "1—2月", 800, "桩基", ""]], plan, sheet="月度进度", name="ok.xlsx")
    batch = ImportBatch.objects.latest("pk")
    client.post(reverse("admin:projects_project_import_apply", args=[batch.pk]))
    report = ProgressReport.objects.get()
    assert (report.as_of, report.value, report.reporter) == (dt.date(2023, 2, 28), Decimal("800"), unit_user)
    assert report.history.get().history_user == unit_user


def test_units_see_only_their_own_units_imports(client, staff_user, unit_user, other_unit_user, plan):
    mine = jobs.create_batch("progress", plan, "mine.xlsx", b"x", unit_user)
    theirs = jobs.create_batch("progress", plan, "theirs.xlsx", b"x", other_unit_user)
    ledger = jobs.create_batch("ledger", plan, "ledger.xlsx", b"x", staff_user)
    changelist = reverse("admin:projects_importbatch_changelist")

    client.force_login(unit_user)
    listed = client.get(changelist, **ZH).context["cl"].result_list
    assert list(listed) == [mine]
    assert client.get(batch_url(mine)).status_code == 200
    assert client.get(batch_url(theirs)).status_code == 403
    assert client.get(batch_url(ledger)).status_code == 403
    assert client.get(reverse("admin:projects_project_import_status", args=[theirs.pk])).status_code == 403

    client.force_login(staff_user)
    assert set(client.get(changelist, **ZH).context["cl"].result_list) == {mine, theirs, ledger}
    response = client.get(reverse("admin:projects_importbatch_change", args=[mine.pk]))
    assert response.status_code == 302
    assert response.url == batch_url(mine)


def test_a_project_edited_after_the_preview_fails_the_whole_batch_instead_of_overwriting(client, staff_user, plan, departments):
    ProjectFactory(plan=plan, code="P01", title="椒江大桥", lead_department=departments["alpha"])
    client.force_login(staff_user)
    upload(client, LEDGER_URL, LEDGER, plan)
    batch = ImportBatch.objects.get()
    assert (batch.new_rows, batch.unchanged_rows) == (1, 1)
    Project.objects.filter(code="P01").update(title="椒江大桥（改）")  # someone edits it meanwhile

    client.post(reverse("admin:projects_project_import_apply", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert "3（P01）" in batch.message
    assert Project.objects.get(code="P01").title == "椒江大桥（改）"
    assert not Project.objects.filter(code="P02").exists()


def test_applying_twice_applies_once(client, staff_user, plan):
    client.force_login(staff_user)
    upload(client, LEDGER_URL, LEDGER, plan)
    batch = ImportBatch.objects.get()
    apply_url = reverse("admin:projects_project_import_apply", args=[batch.pk])
    client.post(apply_url)
    client.post(apply_url)
    jobs.apply_batch(batch.pk)  # a redelivered task

    assert Project.objects.count() == 2
    assert Project.history.count() == 2
    batch.refresh_from_db()
    assert batch.status == "applied"


def test_the_apply_view_takes_only_post(client, staff_user, plan):
    client.force_login(staff_user)
    upload(client, LEDGER_URL, LEDGER, plan)
    batch = ImportBatch.objects.get()
    assert client.get(reverse("admin:projects_project_import_apply", args=[batch.pk])).status_code == 405


# --- Who may import and confirm, and who is recorded --------------------------------------------

PROGRESS = [["项目编号", "月份", "累计完成投资（万元）"], ["P01", "7月", 100]]
JULY = dt.datetime(2023, 8, 10, 10, 0, tzinfo=dt.UTC)


def apply_url(batch) -> str:
    return reverse("admin:projects_project_import_apply", args=[batch.pk])


@time_machine.travel(JULY, tick=False)
def test_a_staff_flagged_login_of_a_unit_without_a_group_cannot_import(client, django_user_model, plan, departments):
    ProjectFactory(plan=plan, code="P01", lead_department=departments["alpha"])
    user = django_user_model.objects.create_user(username="viewer", password="pw", is_staff=True)
    Person.objects.create(name="viewer", department=departments["alpha"], user=user)
    client.force_login(user)

    assert client.get(PROGRESS_URL).status_code == 403
    assert upload(client, PROGRESS_URL, PROGRESS, plan, sheet="月度进度").status_code == 403
    assert client.get(reverse("admin:projects_project_template_progress")).status_code == 403
    assert PROGRESS_URL not in client.get(reverse("admin:projects_project_changelist")).content.decode()
    assert not ImportBatch.objects.exists()


def test_the_ledger_import_needs_the_project_permissions_besides_the_staff_group(client, staff_user, plan):
    Group.objects.get(name=settings.DUBAN_BUREAU_STAFF_GROUP).permissions.remove(
        *Permission.objects.filter(codename__in=["add_project", "change_project"])
    )
    client.force_login(staff_user)

    assert client.get(LEDGER_URL).status_code == 403
    assert client.get(PROGRESS_URL).status_code == 200


@time_machine.travel(JULY, tick=False)
def test_a_user_moved_to_another_unit_cannot_confirm_the_old_units_batch(client, unit_user, plan, departments):
    ProjectFactory(plan=plan, code="P01", lead_department=departments["alpha"])
    client.force_login(unit_user)
    upload(client, PROGRESS_URL, PROGRESS, plan, sheet="月度进度")
    batch = ImportBatch.objects.get()
    Person.objects.filter(user=unit_user).update(department=departments["beta"])
    client.force_login(unit_user)

    assert not client.get(batch_url(batch)).context["may_apply"]
    assert client.post(apply_url(batch)).status_code == 403
    batch.refresh_from_db()
    assert (batch.status, batch.applied_by) == ("ready", None)
    assert not ProgressReport.objects.exists()


@time_machine.travel(JULY, tick=False)
def test_the_user_who_confirms_is_recorded_and_audited_not_the_uploader(client, unit_user, staff_user, plan, departments):
    project = ProjectFactory(plan=plan, code="P01", lead_department=departments["alpha"])
    client.force_login(unit_user)
    upload(client, PROGRESS_URL, PROGRESS, plan, sheet="月度进度")
    batch = ImportBatch.objects.get()
    client.force_login(staff_user)
    client.post(apply_url(batch))

    batch.refresh_from_db()
    assert (batch.status, batch.user, batch.applied_by) == ("applied", unit_user, staff_user)
    report = ProgressReport.objects.get(item=project)
    assert report.reporter == staff_user
    assert report.history.get().history_user == staff_user
    page = client.get(batch_url(batch), **ZH).content.decode()
    assert "确认人 staff" in page
    listed = client.get(reverse("admin:projects_importbatch_changelist"), **ZH)
    assert "applied_by" in listed.context["cl"].list_display
    assert '<td class="field-applied_by nowrap">staff</td>' in listed.content.decode()


def test_a_database_refusal_at_apply_says_what_kind_of_problem_and_to_upload_again():
    too_long = jobs.apply_failure_message(DataError("value too long for type character varying(300)"))
    taken = jobs.apply_failure_message(IntegrityError("duplicate key value violates unique constraint"))

    # Stored on the batch in Chinese, whatever the interface language (as the other batch messages).
    assert "DataError" in too_long
    assert "内容过长" in too_long
    assert "重新上传" in too_long
    assert "IntegrityError" in taken
    assert "编号已被使用" in taken
    assert "重新上传文件" in taken


def test_a_batch_whose_task_stopped_fails_once_its_time_limit_is_past(client, staff_user, plan):
    """A worker killed mid-import leaves the batch working; its page marks it failed after the limit."""
    client.force_login(staff_user)
    upload(client, LEDGER_URL, LEDGER, plan)
    batch = ImportBatch.objects.get()
    status_url = reverse("admin:projects_project_import_status", args=[batch.pk])
    start = dt.datetime(2023, 7, 10, 9, 0, tzinfo=dt.UTC)
    limit = jobs.stuck_after()
    with time_machine.travel(start, tick=False):
        assert jobs.claim_for_apply(batch, staff_user)  # the task is then lost: nothing applies it

    with time_machine.travel(start + limit - dt.timedelta(minutes=1), tick=False):
        still = client.get(status_url, **ZH).json()
    with time_machine.travel(start + limit + dt.timedelta(minutes=1), tick=False):
        stopped = client.get(status_url, **ZH).json()
        page = client.get(batch_url(batch), **ZH).content.decode()

    assert (still["status"], still["finished"]) == ("applying", False)
    assert (stopped["status"], stopped["finished"]) == ("failed", True)
    assert "重新上传" in stopped["message"]
    assert "重新上传" in page
    assert Project.objects.count() == 0


def test_a_batch_stuck_in_analysis_fails_counting_from_its_upload(staff_user, plan):
    batch = ImportBatch.objects.create(
        kind="ledger", plan=plan, file_name="台账.xlsx", data=b"", user=staff_user, status="analysing"
    )
    created = batch.created_at

    assert jobs.fail_if_stuck(batch, created + jobs.stuck_after()).status == "analysing"
    assert jobs.fail_if_stuck(batch, created + jobs.stuck_after() + dt.timedelta(seconds=1)).status == "failed"
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert batch.finished_at is not None
