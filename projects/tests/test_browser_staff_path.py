"""The staff's path through the admin in a real browser (headless Chromium driven by Playwright).

A unit contact enters this month's progress on one of the unit's projects and sees the colour; bureau
staff then run supervision from the admin, open the dashboard and the three lists and export the
.xlsx. Screenshots of what they saw go to artifacts/ (git-ignored) for a person to look at.

Time is frozen at 10 July 2023 (the 2023 plan's year) for the server thread; Chromium keeps real
time, so the session and CSRF cookies are made browser-session cookies (no expiry date in 2023).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from conftest import make_user
from projects.dashboard.battle_map import ROWS_PER_PAGE
from projects.models import Project
from targets.engine.evaluation import evaluate_item
from targets.models import Finding, ProgressReport, SupervisionRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "artifacts"
TODAY = dt.date(2023, 7, 10)
NOW = dt.datetime(2023, 7, 10, 9, 30, tzinfo=dt.UTC)
LIGHTS = {"green", "yellow", "red", "blue", "grey"}


@pytest.fixture
def frozen_register(settings, django_user_model):
    """The 2023 plan, a 40-project demo register reported up to June, and a staff and a unit login."""
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    with time_machine.travel(NOW, tick=True):
        call_command("loaddata", "plan_2023", verbosity=0)
        call_command("seed_demo", projects=40, seed=1, verbosity=0)
        project = (
            Project.objects.filter(is_demo=True, checkpoints__isnull=False, reports__as_of=dt.date(2023, 6, 30))
            .select_related("lead_department", "plan")
            .distinct()
            .order_by("code")
            .first()
        )
        unit = make_user(
            django_user_model, "unit-contact", group=settings.DUBAN_UNIT_REPORTER_GROUP, department=project.lead_department
        )
        staff = make_user(django_user_model, "bureau-staff", group=settings.DUBAN_BUREAU_STAFF_GROUP)
        yield project, unit, staff


def log_in(context, base_url: str, user, next_url: str):
    page = context.new_page()
    page.goto(f"{base_url}{reverse('admin:login')}?next={next_url}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-" + user.username)
    page.click("input[type=submit]")
    page.wait_for_load_state()
    return page


def saved_workbook(download):
    """Keep a downloaded .xlsx in artifacts/ under the name the server gave it, and open it."""
    path = ARTIFACTS / download.suggested_filename
    download.save_as(path)
    return openpyxl.load_workbook(path)


def test_it_walks_the_unit_contacts_and_the_staffs_path(chromium, live_server, frozen_register):
    project, unit, staff = frozen_register
    ARTIFACTS.mkdir(exist_ok=True)
    june = ProgressReport.objects.get(item=project, as_of=dt.date(2023, 6, 30)).value
    july_value = june + Decimal("150.00")
    project_url = reverse("admin:projects_project_change", args=[project.pk])

    with time_machine.travel(NOW, tick=True):
        # --- The unit contact enters this month's progress and sees the colour.
        context = chromium.new_context(locale="zh-CN", viewport={"width": 1440, "height": 1000})
        page = log_in(context, live_server.url, unit, project_url)
        assert page.url.endswith(project_url)
        row = int(page.input_value("#id_reports-TOTAL_FORMS")) - 1  # the empty row the page offers
        page.fill(f"#id_reports-{row}-as_of", TODAY.isoformat())
        page.fill(f"#id_reports-{row}-value", str(july_value))
        page.fill(f"#id_reports-{row}-narrative", "主体结构施工，完成形象进度60%")
        page.click("input[name=_continue]")
        page.wait_for_load_state()
        assert page.locator(".messagelist .success").count() == 1, page.locator(".errornote, .errorlist").all_inner_texts()
        preview = page.locator(".duban-status-preview")
        shown = preview.get_attribute("data-status")
        preview_text = preview.inner_text()
        assert "2023-07-10" in preview_text
        page.screenshot(path=str(ARTIFACTS / "project-page-unit.png"), full_page=True)
        context.close()

        report = ProgressReport.objects.get(item=project, as_of=TODAY)
        assert report.value == july_value
        assert report.reporter == unit
        assert report.review_state == "submitted"  # 审核: it counts once staff approve it
        assert shown == evaluate_item(project, TODAY, pending=True).status  # the preview shows it, marked pending
        assert "待审核" in preview_text
        report.review_state = "approved"  # staff approve it before the run (issue 11 §1)
        report.save(update_fields=["review_state"])

        # --- Bureau staff run supervision from the admin.
        context = chromium.new_context(locale="zh-CN", viewport={"width": 1440, "height": 1000}, accept_downloads=True)
        run_url = reverse("admin:targets_supervisionrun_run")
        page = log_in(context, live_server.url, staff, run_url)
        page.fill("#id_as_of", TODAY.isoformat())
        page.click("input[type=submit]")
        page.wait_for_load_state()
        assert page.locator(".messagelist .success").count() == 1
        run = SupervisionRun.objects.get(plan=project.plan, as_of=TODAY)
        assert run.finished_at is not None
        assert Finding.objects.filter(opened_on=TODAY).exists()  # a 40-project register always has laggards

        # The dashboard for July, with the unit's figures in it (the battle map's page that holds its project).
        codes = list(Project.objects.filter(plan=project.plan).order_by("code", "pk").values_list("code", flat=True))
        map_page = codes.index(project.code) // ROWS_PER_PAGE + 1
        page.goto(f"{live_server.url}{reverse('admin:dashboard')}?month=2023-07&map={map_page}")
        for section in ("headlines", "battle-map", "investment", "responsibility", "ranking"):
            assert page.locator(f"#dash-{section}").is_visible(), section
        assert page.locator("#dash-battle-map").get_by_text(project.code).count() >= 1
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard-top.png"))  # the first screen, readable at a glance
        with page.expect_download() as download:
            page.click("a.dash-xlsx")
        dashboard_book = saved_workbook(download.value)
        assert "作战图" in dashboard_book.sheetnames
        assert any(project.code in str(cell) for row in dashboard_book["作战图"].iter_rows(values_only=True) for cell in row)

        # The three lists, one tab each, then the export of what the list shows.
        for mode in ("problem", "responsibility", "rectification"):
            page.goto(f"{live_server.url}{reverse('admin:targets_finding_changelist')}?list={mode}")
            assert page.locator(".duban-tab-active").count() == 1
            assert page.locator("#result_list tbody tr").count() >= 1
        page.screenshot(path=str(ARTIFACTS / "three-lists.png"), full_page=True)
        with page.expect_download() as download:
            page.click("a.duban-export")
        lists_book = saved_workbook(download.value)
        assert lists_book.sheetnames == ["问题清单", "责任清单", "整改清单"]
        assert lists_book["问题清单"].max_row - 1 == Finding.objects.count()  # headers, then one row each

        # The project page as staff see it after the run.
        page.goto(f"{live_server.url}{project_url}")
        assert page.locator(".duban-status-head").count() == 1
        page.screenshot(path=str(ARTIFACTS / "project-page-staff.png"), full_page=True)
        context.close()


def progress_workbook(path: Path, rows: list[tuple]) -> Path:
    """A monthly progress sheet as units fill it: a merged title row above the headers."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "月度进度"
    sheet.append(["2023年7月重大项目进度报送表"])
    sheet.merge_cells("A1:E1")
    sheet.append(["项目编号", "月份", "累计完成投资（万元）", "形象进度", "存在问题"])
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def test_it_imports_a_units_monthly_progress_sheet(chromium, live_server, frozen_register):
    project, unit, _staff = frozen_register
    other = Project.objects.filter(is_demo=True).exclude(lead_department=project.lead_department).order_by("code").first()
    june = ProgressReport.objects.get(item=project, as_of=dt.date(2023, 6, 30)).value
    other_june = ProgressReport.objects.filter(item=other, as_of=dt.date(2023, 6, 30)).values_list("value", flat=True).first()
    ARTIFACTS.mkdir(exist_ok=True)
    upload_url = reverse("admin:projects_project_import_progress")

    with time_machine.travel(NOW, tick=True):
        context = chromium.new_context(locale="zh-CN", viewport={"width": 1440, "height": 1000}, accept_downloads=True)
        page = log_in(context, live_server.url, unit, upload_url)

        # The template lists only the items this unit may report on.
        with page.expect_download() as download:
            page.click("text=下载模板")
        template = saved_workbook(download.value)
        listed = {row[0] for sheet in template.worksheets[1:] for row in sheet.iter_rows(values_only=True) if row and row[0]}
        assert project.code in listed
        assert other.code not in listed

        # A row for another unit's project is an error naming the row; nothing can be applied.
        bad = progress_workbook(
            ARTIFACTS / "progress-bad.xlsx",
            [(project.code, "2023年6月", float(june + 100), "主体完工", ""), (other.code, "6月", 10, "", "")],
        )
        page.set_input_files("#id_file", str(bad))
        page.click("input[type=submit]")
        page.wait_for_load_state()
        errors = page.locator(".duban-import-errors tbody tr")
        assert errors.count() == 1
        assert errors.first.locator("td").first.inner_text() == "4"  # the sheet's row: title, header, then rows 3–4
        assert page.locator("form[action$='/apply/']").count() == 0
        page.screenshot(path=str(ARTIFACTS / "import-preview-errors.png"), full_page=True)

        # The unit's own row alone: preview, confirm, written.
        good = progress_workbook(
            ARTIFACTS / "progress-good.xlsx", [(project.code, "2023年6月", float(june + 100), "主体完工", "")]
        )
        page.goto(f"{live_server.url}{upload_url}")
        page.set_input_files("#id_file", str(good))
        page.click("input[type=submit]")
        page.wait_for_load_state()
        assert page.locator(".duban-changed strong").inner_text() == "1"  # June was reported: a correction
        page.click("form[action$='/apply/'] input[type=submit]")
        page.wait_for_load_state()
        page.wait_for_selector(".duban-import-ok")
        page.screenshot(path=str(ARTIFACTS / "import-applied.png"), full_page=True)
        context.close()

    report = ProgressReport.objects.get(item=project, as_of=dt.date(2023, 6, 30))
    assert report.value == june + 100
    assert report.narrative == "主体完工"
    assert (
        other_june
        == ProgressReport.objects.filter(item=other, as_of=dt.date(2023, 6, 30)).values_list("value", flat=True).first()
    )
    assert report.history.latest().history_user == unit
