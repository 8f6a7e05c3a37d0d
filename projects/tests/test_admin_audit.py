"""Every change made through the admin is audited: who, when and what, on each object's history page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from projects.tests.factories import ProjectFactory
from targets.models import ProgressReport
from targets.tests.admin_forms import add_inline_row, changeform_data


def test_it_records_the_staff_member_who_changed_a_project(client, staff_user, plan):
    project = ProjectFactory(plan=plan, title="旧名称")
    client.force_login(staff_user)
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = changeform_data(client.get(url))
    data["title"] = "新名称"

    assert client.post(url, data).status_code == 302

    latest = project.history.latest()
    assert (latest.history_type, latest.history_user, latest.title) == ("~", staff_user, "新名称")
    assert latest.diff_against(latest.prev_record).changed_fields == ["title"]


def test_it_records_who_added_a_report_inline(client, unit_user, plan, departments):
    project = ProjectFactory(plan=plan, lead_department=departments["alpha"])
    client.force_login(unit_user)
    url = reverse("admin:projects_project_change", args=[project.pk])
    page = client.get(url)

    client.post(url, add_inline_row(changeform_data(page), page, ProgressReport, as_of=dt.date(2023, 5, 31), value="900"))

    report = project.reports.get()
    assert report.history.get().history_user == unit_user


def test_it_shows_who_changed_what_on_the_history_page(client, staff_user, plan):
    project = ProjectFactory(plan=plan)
    client.force_login(staff_user)
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = changeform_data(client.get(url))
    data["target_value"] = "9000"
    client.post(url, data)

    response = client.get(reverse("admin:projects_project_history", args=[project.pk]))

    assert response.status_code == 200
    text = response.content.decode()
    assert staff_user.username in text
    assert "9000" in text
    assert project.history.latest().target_value == Decimal("9000")
