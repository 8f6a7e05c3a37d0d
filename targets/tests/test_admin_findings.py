"""The finding register in the admin: the three lists, bulk actions, unit isolation, extensions, rounds and runs.

Personas (conftest): staff_user (bureau staff), unit_user (departments["alpha"]), other_unit_user
(departments["beta"]). Findings are made with the ORM (supervision_data), not by the rules.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from targets.engine.supervision import RunSummary
from targets.findings import rounds
from targets.models import ExtensionRequest, Finding, FindingUpdate, HolidayOverride, StatusOverride, SupervisionRound

from .admin_forms import add_inline_row, changeform_data
from .factories import AmountGoalFactory, DepartmentFactory, PersonFactory, TargetFactory
from .supervision_data import make_finding, make_run

D = dt.date


def url(name: str, *args) -> str:
    return reverse(f"admin:targets_{name}", args=args)


CHANGELIST = url("finding_changelist")


def change_url(finding) -> str:
    return url("finding_change", finding.pk)


@pytest.fixture
def own_finding(plan, departments):
    """A red finding of an amount goal led by 区市场监督管理局 (unit_user's unit)."""
    leader = PersonFactory(name="王副区长", is_leader=True, department=departments["bureau"])
    goal = AmountGoalFactory(
        plan=plan, code="P-A", title="交通局的投资目标", lead_department=departments["alpha"], responsible_leader=leader
    )
    return make_finding(goal)


@pytest.fixture
def other_finding(plan, departments):
    """A finding of a goal led by 区卫生健康局 (other_unit_user's unit)."""
    goal = TargetFactory(plan=plan, code="G-B", title="卫健局的目标", lead_department=departments["beta"])
    return make_finding(goal, cause="milestone_missed")


# --- Pages --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["", "?list=problem", "?list=responsibility", "?list=rectification", "?list=bogus"])
def test_it_renders_each_list_for_staff(client, staff_user, own_finding, other_finding, mode):
    client.force_login(staff_user)

    response = client.get(CHANGELIST + mode)

    assert response.status_code == 200
    assert own_finding in response.context["cl"].result_list


def test_it_switches_the_columns_with_the_list_parameter(client, staff_user, own_finding):
    client.force_login(staff_user)

    def columns(query: str) -> list[str]:
        return list(client.get(CHANGELIST + query).context["cl"].list_display)

    assert columns("")[3:] == [
        "cause",
        "category",
        "description_display",
        "problems_display",
        "opened_on",
        "light_display",
        "level",
        "state",
        "confirmed_display",
    ]
    assert "responsible_leader" in columns("?list=responsibility")
    assert "owner_company_display" in columns("?list=responsibility")
    assert "measures_display" in columns("?list=rectification")
    assert "measures_display" not in columns("?list=problem")
    page = client.get(CHANGELIST + "?list=responsibility&level__exact=1").content.decode()
    assert "王副区长" in page  # the responsibility list's own column (a project's owner: projects/tests)
    # The tabs keep the filters and switch the list.
    assert "?level__exact=1&amp;list=rectification" in page


def test_it_shows_open_findings_by_default_and_the_others_on_request(client, staff_user, own_finding, other_finding):
    other_finding.state = "closed"
    other_finding.save()
    client.force_login(staff_user)

    assert list(client.get(CHANGELIST).context["cl"].result_list) == [own_finding]
    assert list(client.get(CHANGELIST + "?state=closed").context["cl"].result_list) == [other_finding]
    assert len(client.get(CHANGELIST + "?state=all").context["cl"].result_list) == 2


@pytest.mark.parametrize(
    "query",
    ["?department__id__exact={alpha}", "?level__exact=1", "?cause__exact=red", "?source__exact=automatic", "?confirmed=no",
     "?ready_to_close__exact=0", "?item__plan__id__exact={plan}", "?responsible_leader__id__exact={leader}", "?item__id__exact={item}"],
)  # fmt: skip
def test_it_filters_the_register(client, staff_user, own_finding, other_finding, departments, plan, query):
    client.force_login(staff_user)
    query = query.format(
        alpha=departments["alpha"].pk, plan=plan.pk, leader=own_finding.responsible_leader_id, item=own_finding.item_id
    )

    response = client.get(CHANGELIST + query)

    assert response.status_code == 200
    assert own_finding in response.context["cl"].result_list


def test_it_renders_the_pages_of_a_finding_for_staff(client, staff_user, own_finding):
    client.force_login(staff_user)
    ExtensionRequest.objects.create(
        finding=own_finding, reason="汛期", requested_deadline=D(2023, 8, 1), previous_deadline=D(2023, 7, 14)
    )

    page = client.get(change_url(own_finding))

    assert page.status_code == 200
    text = page.content.decode()
    assert [str(fs.name) for fs in page.context["adminform"]][1:4] == ["问题清单", "责任清单", "整改清单"]
    assert url("finding_transition", own_finding.pk, "close-out") in text
    assert url("finding_extension", own_finding.pk, own_finding.extensions.get().pk, "approve") in text
    assert client.get(url("finding_add")).status_code == 200
    assert client.get(url("finding_transition", own_finding.pk, "close-out")).status_code == 200
    assert client.get(url("finding_history", own_finding.pk)).status_code == 200


@pytest.mark.parametrize(
    "name",
    ["extensionrequest_changelist", "dispatch_changelist", "supervisionround_changelist", "supervisionround_add",
     "supervisionrun_changelist", "supervisionrun_run", "statusoverride_changelist", "statusoverride_add",
     "holidayoverride_changelist", "holidayoverride_add"],
)  # fmt: skip
def test_it_renders_the_supervision_pages_for_staff(client, staff_user, own_finding, plan, name):
    make_run(plan, D(2023, 6, 30), items=3, counts={"red": 1, "green": 2})
    rounds.dispatch(rounds.start_round(plan, D(2023, 7, 3), "7月", "site_inspection"), own_finding.department)
    client.force_login(staff_user)

    assert client.get(url(name)).status_code == 200


def test_it_renders_the_change_pages_of_the_supervision_records_for_staff(client, staff_user, own_finding, plan):
    run = make_run(plan, D(2023, 6, 30), items=1, counts={"red": 1})
    sent = rounds.dispatch(rounds.start_round(plan, D(2023, 7, 3), "7月", "site_inspection"), own_finding.department)
    extension = ExtensionRequest.objects.create(
        finding=own_finding, reason="汛期", requested_deadline=D(2023, 8, 1), previous_deadline=D(2023, 7, 14)
    )
    override = StatusOverride.objects.create(item=own_finding.item, status="yellow", reason="已核实", valid_from=D(2023, 7, 1))
    holiday = HolidayOverride.objects.create(date=D(2023, 7, 5), is_workday=False, note="台风")
    client.force_login(staff_user)

    for name, obj in [("supervisionrun", run), ("dispatch", sent), ("extensionrequest", extension), ("statusoverride", override),
                      ("holidayoverride", holiday)]:  # fmt: skip
        assert client.get(url(f"{name}_change", obj.pk)).status_code == 200, name


def test_it_renders_a_rounds_page_with_its_findings_and_notices(client, staff_user, own_finding, plan):
    round_ = rounds.start_round(plan, D(2023, 7, 3), "7月现场督查", "site_inspection", staff_user)
    client.force_login(staff_user)

    page = client.get(url("supervisionround_change", round_.pk))

    assert page.status_code == 200
    text = page.content.decode()
    assert f"2023-{own_finding.pk:04d}" in text
    assert url("supervisionround_xlsx", round_.pk) in text
    assert url("supervisionround_notice", round_.pk, own_finding.department_id) in text
    assert url("supervisionround_dispatch", round_.pk, own_finding.department_id) in text


def test_the_supervision_pages_render_for_a_unit(client, unit_user, own_finding, plan):
    round_ = rounds.start_round(plan, D(2023, 7, 3), "7月", "site_inspection")
    client.force_login(unit_user)

    for name, args in [("finding_changelist", ()), ("finding_change", (own_finding.pk,)), ("supervisionround_change", (round_.pk,)),
                       ("supervisionrun_changelist", ()), ("extensionrequest_changelist", ())]:  # fmt: skip
        assert client.get(url(name, *args)).status_code == 200, name
    for name in ("statusoverride_changelist", "holidayoverride_changelist", "supervisionrun_run", "finding_add"):
        assert client.get(url(name)).status_code == 403, name


# --- Bulk actions ----------------------------------------------------------------------------------------


def test_it_confirms_the_selected_findings(client, staff_user, own_finding, other_finding):
    client.force_login(staff_user)

    response = client.post(CHANGELIST, {"action": "confirm_findings", "_selected_action": [own_finding.pk]})

    assert response.status_code == 302
    own_finding.refresh_from_db()
    other_finding.refresh_from_db()
    assert own_finding.confirmed_by == staff_user
    assert own_finding.confirmed_at is not None
    assert other_finding.confirmed_at is None


def test_it_closes_out_with_a_verification_note(client, staff_user, own_finding, other_finding):
    client.force_login(staff_user)
    selected = {"action": "close_out_findings", "_selected_action": [own_finding.pk, other_finding.pk]}

    asked = client.post(CHANGELIST, selected)
    assert asked.status_code == 200
    assert "note" in asked.content.decode()
    done = client.post(CHANGELIST, {**selected, "post": "yes", "note": "现场核验：已开工"})

    assert done.status_code == 302
    for finding in (own_finding, other_finding):
        finding.refresh_from_db()
        assert finding.state == "closed"
        assert finding.verification_note == "现场核验：已开工"
        assert finding.verified_by == staff_user
        assert finding.closed_on is not None


def test_it_closes_nothing_without_a_note(client, staff_user, own_finding):
    client.force_login(staff_user)

    response = client.post(
        CHANGELIST, {"action": "close_out_findings", "_selected_action": [own_finding.pk], "post": "yes", "note": "  "}
    )

    assert response.status_code == 200
    assert response.context["error"]
    own_finding.refresh_from_db()
    assert own_finding.state == "open"


def test_it_dismisses_with_a_reason(client, staff_user, own_finding):
    client.force_login(staff_user)

    client.post(
        CHANGELIST, {"action": "dismiss_findings", "_selected_action": [own_finding.pk], "post": "yes", "note": "重复登记"}
    )

    own_finding.refresh_from_db()
    assert own_finding.state == "dismissed"
    assert own_finding.dismissed_reason == "重复登记"


def test_it_closes_out_from_the_findings_page(client, staff_user, own_finding):
    client.force_login(staff_user)
    close = url("finding_transition", own_finding.pk, "close-out")

    assert client.post(close, {"post": "yes", "note": ""}).status_code == 200
    own_finding.refresh_from_db()
    assert own_finding.state == "open"
    assert client.post(close, {"post": "yes", "note": "资料核验"}).status_code == 302
    own_finding.refresh_from_db()
    assert own_finding.state == "closed"


def test_staff_add_a_finding_by_hand(client, staff_user, own_finding):
    client.force_login(staff_user)
    item = own_finding.item
    page = client.get(url("finding_add"))
    data = changeform_data(page)
    data.update(item=item.pk, source="meeting", description="调度会：征迁滞后", deadline="2023-08-31", opened_on="2023-07-20")

    response = client.post(url("finding_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    added = Finding.objects.exclude(pk=own_finding.pk).get()
    assert added.cause == "manual"
    assert added.source == "meeting"
    assert added.department_id == item.lead_department_id
    assert added.responsible_leader_id == item.responsible_leader_id
    assert added.confirmed_by == staff_user
    assert added.dedupe_key.startswith("manual:")


# --- Units: their own findings only ------------------------------------------------------------------------


def test_a_unit_enters_measures_on_its_own_finding(client, unit_user, own_finding):
    client.force_login(unit_user)
    page = client.get(change_url(own_finding))
    assert set(page.context["adminform"].form.fields) == {"measures", "evidence"}
    data = changeform_data(page)
    data["measures"] = "倒排工期，每周调度"
    data["evidence"] = "调度会纪要"

    response = client.post(change_url(own_finding), data)

    assert response.status_code == 302
    own_finding.refresh_from_db()
    assert own_finding.state == "in_progress"
    assert own_finding.measures == "倒排工期，每周调度"
    assert own_finding.evidence == "调度会纪要"


def test_a_unit_adds_a_progress_note_and_asks_for_an_extension(client, unit_user, own_finding):
    client.force_login(unit_user)
    page = client.get(change_url(own_finding))
    data = changeform_data(page)
    data = add_inline_row(data, page, FindingUpdate, date=D(2023, 7, 10), text="桩基完成60%")
    data = add_inline_row(data, page, ExtensionRequest, requested_deadline=D(2023, 8, 15), reason="汛期停工")

    response = client.post(change_url(own_finding), data)

    assert response.status_code == 302
    note = own_finding.updates.get()
    assert (note.text, note.author) == ("桩基完成60%", unit_user)
    extension = own_finding.extensions.get()
    assert (extension.previous_deadline, extension.requested_deadline, extension.decision) == (
        D(2023, 7, 14),
        D(2023, 8, 15),
        "pending",
    )


def test_an_extension_must_move_the_deadline_later(client, unit_user, own_finding):
    client.force_login(unit_user)
    page = client.get(change_url(own_finding))
    data = add_inline_row(changeform_data(page), page, ExtensionRequest, requested_deadline=D(2023, 7, 1), reason="汛期")

    response = client.post(change_url(own_finding), data)

    assert response.status_code == 200
    assert not own_finding.extensions.exists()


def test_a_unit_cannot_change_another_units_finding(client, unit_user, own_finding, other_finding):
    client.force_login(unit_user)
    data = changeform_data(client.get(change_url(own_finding)))  # a well-formed form, posted elsewhere
    data["measures"] = "越权录入"

    assert client.get(change_url(other_finding)).context["has_change_permission"] is False
    response = client.post(change_url(other_finding), data)

    assert response.status_code == 403
    other_finding.refresh_from_db()
    assert other_finding.measures == ""
    assert other_finding.state == "open"
    assert client.post(url("finding_transition", other_finding.pk, "request-closure")).status_code == 403
    other_finding.refresh_from_db()
    assert other_finding.state == "open"


def test_a_unit_cannot_add_notes_to_another_units_finding(client, unit_user, other_finding):
    client.force_login(unit_user)
    page = client.get(change_url(other_finding))
    data = add_inline_row(changeform_data(page), page, FindingUpdate, date=D(2023, 7, 10), text="越权")

    assert client.post(change_url(other_finding), data).status_code == 403
    assert not other_finding.updates.exists()


def test_a_unit_cannot_close_out_dismiss_or_confirm(client, unit_user, own_finding):
    client.force_login(unit_user)

    for action in ("close_out_findings", "dismiss_findings", "confirm_findings"):
        client.post(CHANGELIST, {"action": action, "_selected_action": [own_finding.pk], "post": "yes", "note": "自行销号"})
    for kind in ("close-out", "dismiss", "confirm"):
        assert (
            client.post(url("finding_transition", own_finding.pk, kind), {"post": "yes", "note": "自行销号"}).status_code == 403
        )

    own_finding.refresh_from_db()
    assert own_finding.state == "open"
    assert own_finding.confirmed_at is None
    actions = client.get(CHANGELIST).context["action_form"].fields["action"].choices
    assert {name for name, _label in actions} == {"", "request_closure_of_findings", "export_three_lists"}


def test_a_unit_cannot_change_the_register_fields(client, unit_user, own_finding, departments):
    client.force_login(unit_user)
    data = changeform_data(client.get(change_url(own_finding)))
    data.update(measures="措施", deadline="2024-12-31", department=departments["beta"].pk, state="closed")

    client.post(change_url(own_finding), data)

    own_finding.refresh_from_db()
    assert own_finding.deadline == D(2023, 7, 14)
    assert own_finding.department == departments["alpha"]
    assert own_finding.state == "in_progress"


def test_a_unit_requests_close_out_of_its_finding(client, unit_user, own_finding):
    client.force_login(unit_user)
    request_closure = url("finding_transition", own_finding.pk, "request-closure")

    client.post(request_closure)  # refused: no measures yet
    own_finding.refresh_from_db()
    assert own_finding.state == "open"

    own_finding.measures = "已完成政策处理"
    own_finding.save()
    assert client.post(request_closure).status_code == 302
    own_finding.refresh_from_db()
    assert own_finding.state == "closure_requested"
    assert own_finding.closure_requested_on is not None


def test_the_close_out_request_action_skips_other_units_findings(client, unit_user, own_finding, other_finding):
    for finding in (own_finding, other_finding):
        finding.measures = "措施"
        finding.save()
    client.force_login(unit_user)

    client.post(CHANGELIST, {"action": "request_closure_of_findings", "_selected_action": [own_finding.pk, other_finding.pk]})

    assert Finding.objects.get(pk=own_finding.pk).state == "closure_requested"
    assert Finding.objects.get(pk=other_finding.pk).state == "open"


# --- Extensions --------------------------------------------------------------------------------------------


def test_staff_approve_an_extension_and_the_old_deadline_is_kept(client, staff_user, own_finding):
    extension = ExtensionRequest.objects.create(
        finding=own_finding, reason="汛期", requested_deadline=D(2023, 8, 15), previous_deadline=D(2023, 7, 14)
    )
    client.force_login(staff_user)

    response = client.post(url("finding_extension", own_finding.pk, extension.pk, "approve"))

    assert response.status_code == 302
    own_finding.refresh_from_db()
    extension.refresh_from_db()
    assert own_finding.deadline == D(2023, 8, 15)
    assert own_finding.original_deadline == D(2023, 7, 14)
    assert (extension.decision, extension.decided_by) == ("approved", staff_user)


def test_staff_decide_extensions_in_bulk(client, staff_user, own_finding, other_finding):
    approve = ExtensionRequest.objects.create(
        finding=own_finding, reason="汛期", requested_deadline=D(2023, 8, 15), previous_deadline=D(2023, 7, 14)
    )
    reject = ExtensionRequest.objects.create(
        finding=other_finding, reason="无", requested_deadline=D(2023, 9, 1), previous_deadline=D(2023, 7, 14)
    )
    client.force_login(staff_user)
    changelist = url("extensionrequest_changelist")

    client.post(changelist, {"action": "approve", "_selected_action": [approve.pk]})
    client.post(changelist, {"action": "reject", "_selected_action": [reject.pk]})

    own_finding.refresh_from_db()
    other_finding.refresh_from_db()
    assert (own_finding.deadline, own_finding.original_deadline) == (D(2023, 8, 15), D(2023, 7, 14))
    assert (other_finding.deadline, other_finding.original_deadline) == (D(2023, 7, 14), None)
    assert ExtensionRequest.objects.get(pk=reject.pk).decision == "rejected"


def test_a_unit_cannot_approve_its_own_extension(client, unit_user, own_finding):
    extension = ExtensionRequest.objects.create(
        finding=own_finding, reason="汛期", requested_deadline=D(2023, 8, 15), previous_deadline=D(2023, 7, 14)
    )
    client.force_login(unit_user)

    assert client.post(url("finding_extension", own_finding.pk, extension.pk, "approve")).status_code == 403
    client.post(url("extensionrequest_changelist"), {"action": "approve", "_selected_action": [extension.pk]})

    own_finding.refresh_from_db()
    assert own_finding.deadline == D(2023, 7, 14)
    assert ExtensionRequest.objects.get(pk=extension.pk).decision == "pending"


# --- Rounds, runs, overrides -----------------------------------------------------------------------------------


def test_staff_open_a_round_which_snapshots_the_open_findings(client, staff_user, own_finding, other_finding, plan):
    other_finding.state = "dismissed"
    other_finding.save()
    client.force_login(staff_user)
    data = {
        "plan": plan.pk,
        "date": "2023-07-03",
        "title": "7月现场督查",
        "kind": "site_inspection",
        "issuing_office": "区发展改革局督查室",
        "notes": "",
    }

    first = client.post(url("supervisionround_add"), data)
    second = client.post(url("supervisionround_add"), {**data, "title": "8月调度会", "kind": "meeting"})

    assert first.status_code == second.status_code == 302
    made = list(SupervisionRound.objects.order_by("number"))
    assert [r.number for r in made] == [1, 2]
    assert [set(r.entries.values_list("finding_id", flat=True)) for r in made] == [{own_finding.pk}, {own_finding.pk}]


def test_staff_mark_a_notice_sent_once(client, staff_user, own_finding, plan):
    round_ = rounds.start_round(plan, D(2023, 7, 3), "7月", "site_inspection")
    client.force_login(staff_user)
    dispatch = url("supervisionround_dispatch", round_.pk, own_finding.department_id)

    client.post(dispatch)
    client.post(dispatch)

    assert round_.dispatches.count() == 1
    assert round_.dispatches.get().number == "2023-R1-001"
    page = client.get(url("supervisionround_changelist"))
    assert page.context["duban_plans"][0].duban_sent == 1


def test_a_unit_cannot_mark_a_notice_sent(client, unit_user, own_finding, plan):
    round_ = rounds.start_round(plan, D(2023, 7, 3), "7月", "site_inspection")
    client.force_login(unit_user)

    assert client.post(url("supervisionround_dispatch", round_.pk, own_finding.department_id)).status_code == 403
    assert not round_.dispatches.exists()


def test_staff_run_supervision_now(client, staff_user, plan, monkeypatch):
    calls = []

    def fake_supervise(plan_, as_of):
        calls.append((plan_, as_of))
        summary = RunSummary(plan=plan_.year, dates=[as_of], items=3, opened=1)
        summary.counts.update({"red": 1, "green": 2})
        return summary

    monkeypatch.setattr("targets.engine.supervision.supervise", fake_supervise)
    client.force_login(staff_user)

    response = client.post(url("supervisionrun_run"), {"plan": plan.pk, "as_of": "2023-06-30"}, follow=True)

    assert calls == [(plan, D(2023, 6, 30))]
    text = " ".join(str(m) for m in response.context["messages"])
    assert "2023-06-30" in text
    assert "3" in text


def test_the_run_page_defaults_to_today_and_the_current_plan(client, staff_user, plan):
    client.force_login(staff_user)

    form = client.get(url("supervisionrun_run")).context["form"]

    assert form.initial["plan"] == plan


def test_a_status_override_needs_a_reason_and_is_audited(client, staff_user, own_finding):
    client.force_login(staff_user)
    data = {"item": own_finding.item_id, "status": "yellow", "reason": "  ", "valid_from": "2023-07-01", "valid_until": ""}

    refused = client.post(url("statusoverride_add"), data)
    assert refused.status_code == 200
    assert not StatusOverride.objects.exists()

    client.post(url("statusoverride_add"), {**data, "reason": "政策处理已完成，待统计入库"})
    override = StatusOverride.objects.get()
    assert override.created_by == staff_user
    assert override.history.get().history_user == staff_user


def test_units_cannot_override_a_status_or_a_working_day(client, unit_user, own_finding):
    client.force_login(unit_user)

    response = client.post(
        url("statusoverride_add"), {"item": own_finding.item_id, "status": "green", "reason": "自评", "valid_from": "2023-07-01"}
    )
    assert response.status_code == 403
    assert client.post(url("holidayoverride_add"), {"date": "2023-07-05", "note": "x"}).status_code == 403
    assert not StatusOverride.objects.exists()
    assert not HolidayOverride.objects.exists()


# --- Query counts ------------------------------------------------------------------------------------------------


def add_findings(plan, count: int) -> None:
    for _ in range(count):
        unit = DepartmentFactory()
        leader = PersonFactory(department=unit, is_leader=True)
        goal = AmountGoalFactory(plan=plan, lead_department=unit, responsible_leader=leader, contact=leader)
        goal.cooperating_departments.add(DepartmentFactory())
        finding = make_finding(goal)
        finding.cooperating_departments.add(*goal.cooperating_departments.all())
        FindingUpdate.objects.create(finding=finding, text="进展", date=D(2023, 7, 10))
        ExtensionRequest.objects.create(
            finding=finding, reason="汛期", requested_deadline=D(2023, 8, 1), previous_deadline=D(2023, 7, 14)
        )


def queries(client, path: str) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("persona", ["staff_user", "unit_user"])
def test_the_lists_cost_the_same_queries_for_5_or_50_findings(client, plan, request, persona):
    client.force_login(request.getfixturevalue(persona))
    paths = [CHANGELIST + f"?list={mode}" for mode in ("problem", "responsibility", "rectification")]
    paths += [url("extensionrequest_changelist"), url("supervisionround_changelist"), url("dispatch_changelist")]

    add_findings(plan, 5)
    few = {path: queries(client, path) for path in paths}
    add_findings(plan, 45)
    many = {path: queries(client, path) for path in paths}

    assert many == few
