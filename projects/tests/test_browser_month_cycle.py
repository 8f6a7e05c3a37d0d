"""The monthly cycle in a real browser (issue 11): file, return, correct, approve, run, close.

A unit's user files July's figure on its project's page; bureau staff return it with a comment; the
unit corrects it on the report's page and files it again; staff approve it; the supervision run
(the command, as the scheduled job runs it) turns the project's colour; staff close July in the
月度锁定 admin, after which the unit cannot change July's figure. Headless Chromium (Debian's
`chromium`) driven by Playwright; screenshots go to artifacts/ (git-ignored).

Time is frozen at 10 August 2023 for the server thread; Chromium keeps real time, so the session and
CSRF cookies are made browser-session cookies (no expiry date in 2023).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from conftest import make_user
from projects.tests.factories import ProjectFactory
from targets.models import MonthClose, MonthSnapshot, ProgressReport
from targets.tests.factories import CheckpointFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "artifacts"
NOW = dt.datetime(2023, 8, 10, 9, 30, tzinfo=dt.UTC)
JULY_END = dt.date(2023, 7, 31)


@pytest.fixture
def cycle(settings, django_user_model, plan, departments):
    """A project of unit alpha planned at 100 a month, reported 400 for June (behind), run on 31 July."""
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    with time_machine.travel(NOW, tick=True):
        project = ProjectFactory(plan=plan, code="NP01", lead_department=departments["alpha"], target_value=Decimal("1200"))
        for month in range(2, 13):
            end = dt.date(2023, month + 1, 1) - dt.timedelta(days=1) if month < 12 else dt.date(2023, 12, 31)
            CheckpointFactory(item=project, date=end, expected_value=Decimal(100 * month))
        ProgressReport.objects.create(item=project, as_of=dt.date(2023, 6, 30), value=Decimal("400"))  # approved: the default
        unit = make_user(
            django_user_model, "unit-contact", group=settings.DUBAN_UNIT_REPORTER_GROUP, department=departments["alpha"]
        )
        staff = make_user(django_user_model, "bureau-staff", group=settings.DUBAN_BUREAU_STAFF_GROUP)
        call_command("supervise", "--as-of", JULY_END.isoformat(), "--plan", str(plan.year), verbosity=0)
        yield project, unit, staff


def log_in(context, base_url: str, user, next_url: str):
    page = context.new_page()
    page.goto(f"{base_url}{reverse('admin:login')}?next={next_url}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-" + user.username)
    page.click("input[type=submit]")
    page.wait_for_load_state()
    return page


def colour(page) -> str:
    """The light of the item page's latest supervision run (its badge's duban-light-<status> class)."""
    classes = page.locator(".duban-status-head .duban-light").get_attribute("class").split()
    return next(c.removeprefix("duban-light-") for c in classes if c.startswith("duban-light-"))


def save(page, button: str = "input[name=_continue]") -> None:
    page.click(button)
    page.wait_for_load_state()
    assert page.locator(".messagelist .success").count() >= 1, page.locator(".errornote, .errorlist").all_inner_texts()


def test_a_unit_files_staff_return_the_unit_corrects_staff_approve_run_and_close(chromium, live_server, cycle, plan):
    project, unit, staff = cycle
    ARTIFACTS.mkdir(exist_ok=True)
    base = live_server.url
    project_url = reverse("admin:projects_project_change", args=[project.pk])

    with time_machine.travel(NOW, tick=True):
        # --- The unit files July's figure on its project's page: submitted, not counted.
        unit_context = chromium.new_context(locale="zh-CN", viewport={"width": 1440, "height": 1000})
        unit_page = log_in(unit_context, base, unit, project_url)
        before = colour(unit_page)
        assert before != "green"  # 400 of 600 by June, nothing for July yet
        row = int(unit_page.input_value("#id_reports-TOTAL_FORMS")) - 1
        unit_page.fill(f"#id_reports-{row}-as_of", JULY_END.isoformat())
        unit_page.fill(f"#id_reports-{row}-value", "450")
        unit_page.fill(f"#id_reports-{row}-narrative", "主体结构施工")
        save(unit_page)
        report = ProgressReport.objects.get(item=project, as_of=JULY_END)
        assert report.review_state == "submitted"
        report_url = reverse("admin:targets_progressreport_change", args=[report.pk])

        # --- Staff return it with a comment, from the report's page.
        staff_context = chromium.new_context(locale="zh-CN", viewport={"width": 1440, "height": 1000})
        staff_page = log_in(staff_context, base, staff, report_url)
        staff_page.click(f"a[href$='{reverse('admin:targets_progressreport_review', args=[report.pk, 'return'])}']")
        staff_page.wait_for_load_state()
        staff_page.fill("#id_comment", "7月累计完成投资与统计局口径不一致，请核实后重报")
        staff_page.click("input[type=submit]")
        staff_page.wait_for_load_state()
        report.refresh_from_db()
        assert (report.review_state, report.review_comment) == ("returned", "7月累计完成投资与统计局口径不一致，请核实后重报")

        # --- The unit sees why on the report's page, corrects the figure and files it again.
        unit_page.goto(f"{base}{report_url}")
        assert "请核实后重报" in unit_page.content()
        unit_page.fill("#id_value", "700")
        save(unit_page)
        report.refresh_from_db()
        assert (report.review_state, report.value) == ("submitted", Decimal("700.000"))

        # --- Staff approve it.
        staff_page.goto(f"{base}{report_url}")
        staff_page.click(f"form[action$='{reverse('admin:targets_progressreport_review', args=[report.pk, 'approve'])}'] button")
        staff_page.wait_for_load_state()
        report.refresh_from_db()
        assert report.review_state == "approved"

        # --- The next run changes the colour on the item page.
        staff_page.goto(f"{base}{project_url}")
        assert colour(staff_page) == before  # not until the run
        call_command("supervise", "--as-of", JULY_END.isoformat(), "--plan", str(plan.year), verbosity=0)
        staff_page.goto(f"{base}{project_url}")
        assert colour(staff_page) == "green"
        staff_page.screenshot(path=str(ARTIFACTS / "month-cycle-project.png"), full_page=True)

        # --- Staff close July in the 月度锁定 admin.
        staff_page.goto(f"{base}{reverse('admin:targets_monthclose_changelist')}")
        staff_page.click(f"a[href$='{reverse('admin:targets_monthclose_close')}']")
        staff_page.wait_for_load_state()
        staff_page.select_option("#id_plan", str(plan.pk))
        staff_page.fill("#id_month", "2023-07")
        staff_page.click("input[type=submit]")
        staff_page.wait_for_load_state()
        assert staff_page.locator(".messagelist .success").count() == 1, staff_page.locator(".errornote").all_inner_texts()
        assert "2023-07" in staff_page.locator("#result_list").inner_text()
        staff_page.screenshot(path=str(ARTIFACTS / "month-cycle-closed.png"), full_page=True)
        close = MonthClose.objects.get(plan=plan, month=dt.date(2023, 7, 1))
        assert (close.closed, close.closed_by) == (True, staff)
        assert MonthSnapshot.objects.get(month_close=close, item=project).status == "green"

        # --- July is closed: the unit's further change is refused with the reason.
        unit_page.goto(f"{base}{report_url}")
        unit_page.fill("#id_value", "720")
        unit_page.click("input[name=_continue]")
        unit_page.wait_for_load_state()
        assert "已月度锁定" in unit_page.locator(".errorlist").all_inner_texts()[0]
        assert ProgressReport.objects.get(pk=report.pk).value == Decimal("700.000")
        unit_context.close()
        staff_context.close()
