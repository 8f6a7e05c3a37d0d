"""One assigned matter (交办事项) from creation to close-out in a real browser (headless Chromium, Playwright).

Bureau staff enter a leader's instruction; the unit answers with a written reply, a photo and its
measures and asks for close-out; staff send the reply back, accept the second one and close the
matter out; the timeline on the finding's page shows each step. Screenshots go to artifacts/.

Time is frozen at 10 July 2023 for the server thread; the cookies are browser-session cookies.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from PIL import Image

from conftest import make_user
from targets.models import AssignedMatter, Department, Finding
from targets.tests.factories import PlanFactory, TargetFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "artifacts"
NOW = dt.datetime(2023, 7, 10, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def people(settings, django_user_model, tmp_path):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    settings.MEDIA_ROOT = str(tmp_path / "media")
    unit = Department.objects.create(name="区住房和城乡建设局", short_name="住建局")
    goal = TargetFactory(plan=PlanFactory(year=2023), code="2023-G50", title="新建公共充电桩", lead_department=unit)
    contact = make_user(django_user_model, "unit-contact", group=settings.DUBAN_UNIT_REPORTER_GROUP, department=unit)
    staff = make_user(django_user_model, "bureau-staff", group=settings.DUBAN_BUREAU_STAFF_GROUP)
    return goal, contact, staff


def log_in(context, base_url: str, user, next_url: str):
    page = context.new_page()
    page.goto(f"{base_url}{reverse('admin:login')}?next={next_url}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-" + user.username)
    page.click("input[type=submit]")
    page.wait_for_load_state()
    return page


def pick(page, field: str, text: str) -> None:
    """Choose in an autocomplete (select2) field by typing and taking the first match."""
    page.click(f"#id_{field} + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", text)
    page.wait_for_selector(".select2-results__option--highlighted")
    page.keyboard.press("Enter")


def saved(page, name: str) -> None:
    page.wait_for_load_state()
    errors = page.locator(".errornote, .errorlist").all_inner_texts()
    assert page.locator(".messagelist .success").count() >= 1, errors
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def photo(path: Path) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 120, 40)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_an_assigned_matter_from_instruction_to_close_out(chromium, live_server, people, tmp_path):
    goal, contact, staff = people
    ARTIFACTS.mkdir(exist_ok=True)
    with time_machine.travel(NOW, tick=True):
        # --- Staff enter the leader's instruction.
        staff_context = chromium.new_context(locale="zh-CN", viewport={"width": 1440, "height": 1000})
        page = log_in(staff_context, live_server.url, staff, reverse("admin:targets_assignedmatter_add"))
        page.select_option("#id_source", "instruction")
        page.fill("#id_title", "加快推进公共充电桩建设")
        page.fill("#id_requirement", "7月底前完成年度目标的60%")
        pick(page, "item", "2023-G50")
        page.fill("#id_document_number", "区领导批示〔2023〕12号")
        page.fill("#id_leader", "王副区长")
        page.fill("#id_instructed_on", "2023-07-03")
        page.fill("#id_original_text", "请住建局牵头，抓紧推进。")
        pick(page, "department", "住建局")
        page.fill("#id_assigned_on", "2023-07-05")
        page.fill("#id_deadline", "2023-07-31")
        page.click("input[name=_save]")
        saved(page, "matter-created.png")
        finding = AssignedMatter.objects.get().finding
        assert (finding.source, finding.department, finding.state) == ("instruction", goal.lead_department, "open")
        finding_url = reverse("admin:targets_finding_change", args=[finding.pk])

        # --- The unit answers in writing with a photo, enters its measures.
        unit_context = chromium.new_context(locale="zh-CN", viewport={"width": 1440, "height": 1000})
        unit_page = log_in(unit_context, live_server.url, contact, finding_url)
        unit_page.click("#replies-group .add-row a")
        unit_page.fill("#id_replies-0-text", "已召开专题会，选定120个点位")
        unit_page.set_input_files("#id_replies-0-attachments", str(photo(tmp_path / "点位.jpg")))
        unit_page.click("input[name=_continue]")
        saved(unit_page, "matter-unit-reply.png")
        reply = finding.replies.get()
        assert [f.name for f in reply.files.all()] == ["点位.jpg"]

        # --- Staff send the reply back with a comment.
        page.goto(f"{live_server.url}{finding_url}")
        page.click(f"a[href$='/reply/{reply.pk}/return/']")
        page.fill("#id_note", "请补充建设时间表")
        page.click("input[type=submit]")
        saved(page, "matter-reply-sent-back.png")

        # --- The unit replies again, enters the measures and asks for close-out.
        unit_page.goto(f"{live_server.url}{finding_url}")
        unit_page.click("#replies-group .add-row a")
        unit_page.fill("#id_replies-1-text", "时间表：7月25日前全部建成")
        unit_page.fill("#id_measures", "分三批建设，每周调度")
        unit_page.click("input[name=_continue]")
        saved(unit_page, "matter-unit-second-reply.png")
        unit_page.click("text=申请销号")
        saved(unit_page, "matter-closure-requested.png")
        second = finding.replies.exclude(pk=reply.pk).get()

        # --- Staff accept the reply and close the matter out.
        page.goto(f"{live_server.url}{finding_url}")
        page.click(f"button[formaction$='/reply/{second.pk}/accept/']")
        saved(page, "matter-reply-accepted.png")
        page.click(f"a[href$='/{finding.pk}/transition/close-out/']")
        page.fill("#id_note", "现场核验：120个充电桩已建成通电")
        page.click("input[type=submit]")
        saved(page, "matter-closed.png")
        staff_context.close()
        unit_context.close()

    finding = Finding.objects.get(pk=finding.pk)
    assert (finding.state, finding.verified_by, finding.recheck_due) == ("closed", staff, finding.closed_on + dt.timedelta(90))
    assert list(finding.replies.order_by("pk").values_list("state", flat=True)) == ["returned", "accepted"]
    steps = list(finding.events.order_by("pk").values_list("kind", flat=True))
    # The second save wrote the measures (the form) before the reply (its inline).
    assert steps == ["assigned", "reply", "evidence", "reply_returned", "measures", "reply", "closure_requested",
                     "reply_accepted", "closed"]  # fmt: skip
