"""A unit's user sees every item but writes progress only on its own unit's items; staff write everything.

Personas (conftest): unit_user reports for departments["alpha"], other_unit_user for departments["beta"].
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import Blocker, Project
from targets.models import Checkpoint, Milestone, ProgressReport
from targets.tests.admin_forms import add_inline_row, changeform_data, form_errors
from targets.tests.factories import CheckpointFactory, ProgressReportFactory, TargetFactory

from .factories import BlockerFactory, ProjectFactory

D = dt.date


@pytest.fixture
def own_project(plan, departments):
    project = ProjectFactory(plan=plan, code="P-A", title="交通局的项目", lead_department=departments["alpha"])
    ProgressReportFactory(item=project, as_of=D(2023, 3, 31), value=Decimal("1000"))
    CheckpointFactory(item=project, date=D(2023, 6, 30), expected_value=Decimal("4000"))
    return project


@pytest.fixture
def other_project(plan, departments):
    project = ProjectFactory(plan=plan, code="P-B", title="教育局的项目", lead_department=departments["beta"])
    ProgressReportFactory(item=project, as_of=D(2023, 3, 31), value=Decimal("2000"))
    return project


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def add_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


# --- What a unit may do on its own items -------------------------------------------------------


def test_it_lets_a_unit_add_a_report_on_its_own_project_page(client, unit_user, own_project):
    client.force_login(unit_user)
    page = client.get(change_url(own_project))
    data = add_inline_row(changeform_data(page), page, ProgressReport, as_of=D(2023, 4, 30), value="1500", narrative="桩基施工")

    response = client.post(change_url(own_project), data)

    assert response.status_code == 302
    report = own_project.reports.get(as_of=D(2023, 4, 30))
    assert report.value == Decimal("1500")
    assert report.reporter == unit_user
    assert report.period == D(2023, 4, 1)  # derived from the date


def test_it_lets_a_unit_add_milestones_and_blockers_on_its_own_project_page(client, unit_user, own_project):
    client.force_login(unit_user)
    page = client.get(change_url(own_project))
    data = changeform_data(page)
    add_inline_row(data, page, Milestone, kind="start", title="开工", planned_date=D(2023, 5, 1), actual_date=D(2023, 5, 3))
    add_inline_row(data, page, Blocker, category="land", description="政策处理滞后", raised_on=D(2023, 5, 10))

    response = client.post(change_url(own_project), data)

    assert response.status_code == 302
    assert own_project.milestones.filter(title="开工", actual_date=D(2023, 5, 3)).exists()
    assert own_project.blockers.filter(description="政策处理滞后").exists()


def test_it_lets_a_unit_add_a_report_on_its_own_goal_page(client, unit_user, plan, departments):
    goal = TargetFactory(plan=plan, lead_department=departments["alpha"])
    client.force_login(unit_user)
    page = client.get(change_url(goal))
    data = add_inline_row(changeform_data(page), page, ProgressReport, as_of=D(2023, 6, 30), value="55")

    response = client.post(change_url(goal), data)

    assert response.status_code == 302
    assert goal.reports.get().reporter == unit_user


def test_it_lets_a_unit_add_a_report_on_the_report_page(client, unit_user, own_project):
    client.force_login(unit_user)

    response = client.post(add_url(ProgressReport), {"item": own_project.pk, "as_of": "2023-05-31", "value": "2500"})

    assert response.status_code == 302
    report = ProgressReport.objects.get(item=own_project, as_of=D(2023, 5, 31))
    assert (report.reporter, report.period) == (unit_user, D(2023, 5, 1))


def test_it_lets_a_unit_correct_its_own_report(client, unit_user, own_project):
    report = own_project.reports.get()
    client.force_login(unit_user)
    data = changeform_data(client.get(change_url(report)))
    data.update(value="1100")

    response = client.post(change_url(report), data)

    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.value, report.reporter) == (Decimal("1100"), unit_user)


@pytest.mark.parametrize("model", [ProgressReport, Milestone, Blocker], ids=lambda m: m._meta.model_name)
def test_it_offers_a_unit_only_its_own_items_on_add_forms(
    client, unit_user, plan, departments, own_project, other_project, model
):
    own_goal = TargetFactory(plan=plan, lead_department=departments["alpha"])
    TargetFactory(plan=plan, lead_department=departments["beta"])
    client.force_login(unit_user)

    response = client.get(add_url(model))

    field = "project" if model is Blocker else "item"
    offered = {item.pk for item in response.context["adminform"].form.fields[field].queryset}
    assert offered == ({own_project.pk} if model is Blocker else {own_project.pk, own_goal.pk})


def test_it_refuses_a_report_for_another_units_item_on_the_report_page(client, unit_user, other_project):
    client.force_login(unit_user)

    response = client.post(add_url(ProgressReport), {"item": other_project.pk, "as_of": "2023-05-31", "value": "9"})

    assert response.status_code == 200
    assert form_errors(response) == {"item": ["invalid_choice"]}
    assert not other_project.reports.filter(as_of=D(2023, 5, 31)).exists()


def test_it_keeps_a_projects_own_fields_read_only_for_its_unit(client, unit_user, own_project):
    client.force_login(unit_user)
    page = client.get(change_url(own_project))
    assert page.context["adminform"].form.fields == {}  # every project field is shown read-only
    data = changeform_data(page)
    data.update(title="改名的项目", target_value="1", lead_department=str(own_project.lead_department_id))

    response = client.post(change_url(own_project), data)

    assert response.status_code == 302
    own_project.refresh_from_db()
    assert (own_project.title, own_project.target_value) == ("交通局的项目", Decimal("8000"))
    assert own_project.history.count() == 1  # the project itself was not saved again


def test_it_keeps_the_monthly_plan_read_only_for_units(client, unit_user, own_project):
    client.force_login(unit_user)
    page = client.get(change_url(own_project))
    data = changeform_data(page)
    data["checkpoints-0-expected_value"] = "1"
    data["checkpoints-TOTAL_FORMS"] = "2"
    data.update({"checkpoints-1-date": "2023-07-31", "checkpoints-1-expected_value": "5000"})

    client.post(change_url(own_project), data)

    assert list(Checkpoint.objects.filter(item=own_project).values_list("expected_value", flat=True)) == [Decimal("4000")]


def test_it_can_save_a_units_report_even_when_the_project_itself_has_data_errors(client, unit_user, own_project):
    # A rule the project breaks (annual plan above total) is for staff to fix; it must not block the unit.
    Project.objects.filter(pk=own_project.pk).update(target_value=Decimal("99999"))
    client.force_login(unit_user)
    page = client.get(change_url(own_project))
    data = add_inline_row(changeform_data(page), page, ProgressReport, as_of=D(2023, 4, 30), value="1500")

    response = client.post(change_url(own_project), data)

    assert response.status_code == 302
    assert own_project.reports.filter(as_of=D(2023, 4, 30)).exists()


# --- What a unit may not do ----------------------------------------------------------------------


def test_it_shows_another_units_project_read_only(client, unit_user, other_project):
    client.force_login(unit_user)

    response = client.get(change_url(other_project))

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert all(not inline.has_add_permission for inline in response.context["inline_admin_formsets"])


def test_it_forbids_posting_to_another_units_project_page(client, unit_user, other_project):
    client.force_login(unit_user)
    page = client.get(change_url(other_project))
    data = changeform_data(page)
    data.update({"reports-TOTAL_FORMS": "2", "reports-1-as_of": "2023-04-30", "reports-1-value": "2500"})
    data.update({"reports-0-value": "1", "title": "改名"})

    response = client.post(change_url(other_project), data)

    assert response.status_code == 403
    other_project.refresh_from_db()
    assert other_project.title == "教育局的项目"
    assert list(other_project.reports.values_list("value", flat=True)) == [Decimal("2000")]


def test_it_forbids_changing_another_units_report(client, unit_user, other_project):
    report = other_project.reports.get()
    client.force_login(unit_user)

    response = client.post(change_url(report), {"item": other_project.pk, "as_of": "2023-03-31", "value": "1"})

    assert response.status_code == 403
    report.refresh_from_db()
    assert report.value == Decimal("2000")


def test_it_forbids_moving_a_report_to_another_units_item(client, unit_user, own_project, other_project):
    report = own_project.reports.get()
    client.force_login(unit_user)

    response = client.post(change_url(report), {"item": other_project.pk, "as_of": "2023-03-31", "value": "1000"})

    assert response.status_code == 200
    assert form_errors(response) == {"item": ["invalid_choice"]}
    assert ProgressReport.objects.get(pk=report.pk).item_id == own_project.pk


@pytest.mark.parametrize("kind", ["report", "blocker"])
def test_it_lets_no_unit_delete(client, unit_user, own_project, kind):
    obj = own_project.reports.get() if kind == "report" else BlockerFactory(project=own_project)
    client.force_login(unit_user)
    delete_url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_delete", args=[obj.pk])

    response = client.post(delete_url, {"post": "yes"})

    assert response.status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_it_ignores_a_units_delete_flag_in_the_inline(client, unit_user, own_project):
    client.force_login(unit_user)
    data = changeform_data(client.get(change_url(own_project)))
    data["reports-0-DELETE"] = "on"

    client.post(change_url(own_project), data)

    assert own_project.reports.count() == 1


def test_it_forbids_a_unit_to_revert_a_project(client, unit_user, own_project, other_project):
    client.force_login(unit_user)
    for project in (own_project, other_project):
        version = project.history.get()
        revert_url = reverse("admin:projects_project_simple_history", args=[project.pk, version.history_id])
        assert client.get(revert_url).status_code == 200  # an old version may be read

        response = client.post(revert_url, {"title": "回滚"})

        assert response.status_code == 403
    assert not Project.objects.filter(title="回滚").exists()


def test_it_forbids_a_unit_to_revert_another_units_report(client, unit_user, other_project):
    report = other_project.reports.get()
    client.force_login(unit_user)
    revert_url = reverse("admin:targets_progressreport_simple_history", args=[report.pk, report.history.get().history_id])

    response = client.post(revert_url, {"item": other_project.pk, "as_of": "2023-03-31", "value": "1"})

    assert response.status_code == 403
    report.refresh_from_db()
    assert report.value == Decimal("2000")


def test_it_gives_a_reporter_without_a_unit_no_writes(client, django_user_model, own_project):
    from django.conf import settings
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("nobody", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=settings.DUBAN_UNIT_REPORTER_GROUP))
    client.force_login(user)

    assert client.get(add_url(ProgressReport)).status_code == 403
    response = client.post(add_url(ProgressReport), {"item": own_project.pk, "as_of": "2023-05-31", "value": "1"})
    assert response.status_code == 403


def test_it_lets_units_browse_every_list(client, unit_user, own_project, other_project):
    client.force_login(unit_user)

    for name in ("projects_project", "projects_blocker", "targets_target", "targets_progressreport", "targets_milestone"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    mine = client.get(reverse("admin:projects_project_changelist"), {"mine": "1"})
    assert [p.pk for p in mine.context["cl"].result_list] == [own_project.pk]


# --- Staff --------------------------------------------------------------------------------------


def test_it_lets_staff_change_any_project_and_its_rows(client, staff_user, own_project, other_project):
    client.force_login(staff_user)
    for project in (own_project, other_project):
        page = client.get(change_url(project))
        data = add_inline_row(changeform_data(page), page, ProgressReport, as_of=D(2023, 4, 30), value="2500")
        data["title"] = project.title + "（更名）"
        data["checkpoints-0-expected_value"] = "4500"
        data["reports-0-DELETE"] = "on"  # the March report

        response = client.post(change_url(project), data)

        assert response.status_code == 302, getattr(response, "context", None) and form_errors(response)
        project.refresh_from_db()
        assert project.title.endswith("（更名）")
        assert list(project.reports.values_list("as_of", "reporter")) == [(D(2023, 4, 30), staff_user.pk)]


def test_it_lets_staff_delete_and_add_projects(client, staff_user, other_project):
    client.force_login(staff_user)

    assert client.get(add_url(Project)).status_code == 200
    delete_url = reverse("admin:projects_project_delete", args=[other_project.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Project.objects.filter(pk=other_project.pk).exists()
