"""The project list's exports: the ledger (导出Excel / 导出所选) and the monthly table, as the list shows them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from targets.tests.factories import CheckpointFactory, DepartmentFactory, PersonFactory, ProgressReportFactory
from targets.tests.supervision_data import make_run, make_snapshot
from targets.tests.test_admin_exports import book_of, column

from .factories import ProjectFactory

D = dt.date
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
EXPORT = reverse("admin:projects_project_export")
MONTHLY = reverse("admin:projects_project_monthly")
CHANGELIST = reverse("admin:projects_project_changelist")


@pytest.fixture(autouse=True)
def _today_is_10_august_2023(time_machine):
    time_machine.move_to(dt.datetime(2023, 8, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)


@pytest.fixture
def register(plan, departments):
    alpha = ProjectFactory(
        plan=plan,
        code="P-001",
        title="椒江大桥改建工程",
        total_investment=Decimal("50000"),
        target_value=Decimal("12000"),
        lead_department=departments["alpha"],
        is_provincial_key=True,
    )
    beta = ProjectFactory(
        plan=plan,
        code="P-002",
        title="城西污水处理厂",
        total_investment=Decimal("30000"),
        target_value=Decimal("6000"),
        lead_department=departments["beta"],
    )
    beta_two = ProjectFactory(
        plan=plan,
        code="P-003",
        title="滨海大桥引线",
        total_investment=Decimal("8000"),
        target_value=Decimal("2000"),
        lead_department=departments["beta"],
    )
    ProgressReportFactory(item=alpha, as_of=D(2023, 7, 31), value=Decimal("6000"), narrative="主体施工")
    ProgressReportFactory(item=beta, as_of=D(2023, 7, 31), value=Decimal("1500"), narrative="设备安装")
    make_run(plan, D(2023, 7, 31))
    make_snapshot(alpha, D(2023, 7, 31), "green")
    make_snapshot(beta, D(2023, 7, 31), "red")
    return alpha, beta, beta_two


def codes(sheet) -> list:
    """The project codes of the body rows (the last row is the totals row)."""
    assert sheet.cell(sheet.max_row, 1).value == "合计（亿元）"
    return column(sheet, "项目编号")[:-1]


def test_it_exports_the_whole_list_with_chinese_headers_from_an_english_page(client, staff_user, register):
    client.force_login(staff_user)

    response = client.get(EXPORT, **EN)

    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote("重大项目台账-2023-08-10.xlsx")
    sheet = book_of(response)["重大项目台账"]
    assert sheet["A1"].value == "2023年重大项目台账（截至2023年8月10日）"
    assert [c.value for c in sheet[2]][:6] == ["序号", "项目编号", "项目名称", "业主单位", "所在乡镇（街道）", "项目类别"]
    assert sheet.freeze_panes == "A3"
    assert codes(sheet) == ["P-001", "P-002", "P-003"]
    assert column(sheet, "项目类别")[0] == "产业类"
    assert column(sheet, "项目层级")[0] == "省重点、区重点、重大"
    assert column(sheet, "状态")[:3] == ["绿", "红", None]
    # The totals row: sums in 亿元 (万元 ÷ 10,000) and the overall completion rate.
    assert column(sheet, "总投资（万元）")[-1] == pytest.approx(8.8)
    assert column(sheet, "年度计划投资（万元）")[-1] == pytest.approx(2.0)
    assert column(sheet, "累计完成投资（万元）")[-1] == pytest.approx(0.75)
    assert column(sheet, "完成率（%）") == [50, 25, None, pytest.approx(37.5)]


def test_it_exports_what_the_filter_search_and_ordering_leave(client, staff_user, register, departments):
    client.force_login(staff_user)

    by_unit = book_of(client.get(EXPORT, {"lead_department__id__exact": departments["beta"].pk, "o": "-1"}))
    assert codes(by_unit.active) == ["P-003", "P-002"]
    assert column(by_unit.active, "年度计划投资（万元）")[-1] == pytest.approx(0.8)

    searched = book_of(client.get(EXPORT, {"q": "大桥"}))
    assert codes(searched.active) == ["P-001", "P-003"]

    red = book_of(client.get(EXPORT, {"light": "red"}))
    assert codes(red.active) == ["P-002"]


def test_it_exports_every_page_not_only_the_first(client, staff_user, plan, departments):
    for _ in range(105):  # the list shows 100 a page
        ProjectFactory(plan=plan, lead_department=departments["alpha"])
    client.force_login(staff_user)

    sheet = book_of(client.get(EXPORT, {"p": "1"})).active

    assert sheet.max_row == 2 + 105 + 1


def test_it_exports_the_selected_projects(client, staff_user, register):
    alpha, _beta, beta_two = register
    client.force_login(staff_user)

    response = client.post(CHANGELIST, {"action": "export_selected", "_selected_action": [alpha.pk, beta_two.pk]})

    assert codes(book_of(response).active) == ["P-001", "P-003"]


def test_the_list_offers_the_button_with_its_query_and_the_month_form(client, staff_user, register, departments):
    client.force_login(staff_user)

    page = client.get(CHANGELIST, {"lead_department__id__exact": departments["beta"].pk, "q": "大桥"}, **EN).content.decode()

    assert f'href="{EXPORT}?lead_department__id__exact={departments["beta"].pk}&amp;q=%E5%A4%A7%E6%A1%A5"' in page
    assert f'action="{MONTHLY}"' in page
    assert '<option value="2023-07" selected>2023年1—7月</option>' in page
    assert '<option value="2023-02">2023年1—2月</option>' in page
    assert 'name="q" value="大桥"' in page


def test_a_unit_user_exports_what_its_list_shows_and_no_more(client, unit_user, other_unit_user, register):
    client.force_login(unit_user)
    own = book_of(client.get(EXPORT, {"mine": "1"}))
    assert codes(own.active) == ["P-001"]

    client.force_login(other_unit_user)
    # The same link gives another unit only its own rows: "mine" is the logged-in user's unit.
    theirs = book_of(client.get(EXPORT, {"mine": "1"}))
    assert codes(theirs.active) == ["P-002", "P-003"]
    monthly = book_of(client.get(MONTHLY, {"month": "2023-07", "mine": "1"}))
    assert codes(monthly.active) == ["P-002", "P-003"]


def test_a_login_without_access_to_the_list_cannot_export(client, django_user_model, register):
    nobody = django_user_model.objects.create_user(username="nobody", password="pw-nobody", is_staff=True)
    client.force_login(nobody)

    assert client.get(EXPORT).status_code == 403
    assert client.get(MONTHLY, {"month": "2023-07"}).status_code == 403


def test_it_downloads_the_monthly_table_of_the_filtered_list(client, staff_user, register, departments):
    client.force_login(staff_user)

    response = client.get(MONTHLY, {"month": "2023-07", "lead_department__id__exact": departments["beta"].pk}, **EN)

    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote("月度调度表-2023-07.xlsx")
    sheet = book_of(response)["月度调度表"]
    assert sheet["A1"].value == "2023年1—7月重大项目月度调度表（截至2023年7月31日）"
    assert codes(sheet) == ["P-002", "P-003"]
    assert column(sheet, "累计完成投资（万元）")[:2] == [1500, None]
    assert column(sheet, "状态")[:2] == ["红", "灰"]
    assert column(sheet, "形象进度")[:2] == ["设备安装", None]


def test_the_monthly_table_defaults_to_the_last_complete_month(client, staff_user, register):
    client.force_login(staff_user)

    sheet = book_of(client.get(MONTHLY)).active

    assert sheet["A1"].value.endswith("（截至2023年7月31日）")


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2023-7x", "Choose the month as YYYY-MM"),
        ("2023-01", "January is reported together with February"),
        ("2023-09", "That month has not begun yet"),
        ("2021-05", "There is no plan for 2021"),
    ],
)
def test_it_explains_a_month_it_cannot_make_a_table_for(client, staff_user, register, month, message):
    client.force_login(staff_user)

    response = client.get(MONTHLY, {"month": month, "q": "大桥"}, **EN)

    assert response.status_code == 302
    assert response["Location"] == f"{CHANGELIST}?q=%E5%A4%A7%E6%A1%A5"
    assert any(message in str(m) for m in get_messages(response.wsgi_request))


def test_an_invalid_filter_is_refused_with_a_message(client, staff_user, register):
    client.force_login(staff_user)

    response = client.get(EXPORT, {"no_such_field": "1"})

    assert response.status_code == 302
    assert response["Location"].startswith(CHANGELIST)


def add_projects(plan, count: int) -> None:
    for n in range(count):
        unit = DepartmentFactory()
        project = ProjectFactory(plan=plan, lead_department=unit, responsible_leader=PersonFactory(department=unit))
        CheckpointFactory(item=project, date=D(2023, 7, 31), expected_value=Decimal("100"))
        ProgressReportFactory(item=project, as_of=D(2023, 7, 31), value=Decimal(n))


@pytest.mark.parametrize("url", [EXPORT, f"{MONTHLY}?month=2023-07"])
def test_the_exports_query_count_does_not_grow_with_the_projects(client, staff_user, plan, url, django_assert_max_num_queries):
    client.force_login(staff_user)
    add_projects(plan, 5)
    with CaptureQueriesContext(connection) as five:
        assert book_of(client.get(url)).active.max_row == 2 + 5 + 1
    add_projects(plan, 45)

    with django_assert_max_num_queries(len(five)):
        assert book_of(client.get(url)).active.max_row == 2 + 50 + 1
