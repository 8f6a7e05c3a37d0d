"""An integrator's script that uses only the client openapi-python-client generated (no hand-written HTTP).

Run by .ci/api_client_check.sh against a live server holding plan_2023, a demo register and a
supervision run on 2023-07-10: python api_client_demo.py BASE_URL STAFF_TOKEN UNIT_TOKEN
(the unit token is the demo login `unit`'s). Any unexpected answer stops it with a message.
"""

from __future__ import annotations

import datetime as dt
import sys

from duban_client import AuthenticatedClient
from duban_client.api.me import v1_me_retrieve
from duban_client.api.milestones import v1_milestones_create, v1_milestones_partial_update
from duban_client.api.plans import v1_plans_list
from duban_client.api.progress_reports import (
    v1_progress_reports_create,
    v1_progress_reports_list,
    v1_progress_reports_partial_update,
)
from duban_client.api.projects import v1_projects_list
from duban_client.api.status import v1_status_retrieve
from duban_client.models import (
    Error,
    Me,
    Milestone,
    MilestoneKindEnum,
    MilestoneRequest,
    PaginatedPlanList,
    PaginatedProgressReportList,
    PaginatedProjectList,
    PatchedMilestoneRequest,
    PatchedProgressReportRequest,
    PlanStatus,
    ProgressReport,
    ProgressReportRequest,
    Project,
    StatusReasonEnum,
)
from duban_client.models.v1_progress_reports_list_ordering import V1ProgressReportsListOrdering


def check(condition: bool, message: str) -> None:
    if not condition:
        sys.exit(f"FAILED: {message}")
    print(f"ok: {message}")


def main(base_url: str, staff_token: str, unit_token: str) -> None:
    staff = AuthenticatedClient(base_url=base_url, token=staff_token, raise_on_unexpected_status=True)
    unit = AuthenticatedClient(base_url=base_url, token=unit_token, raise_on_unexpected_status=True)

    plans = v1_plans_list.sync(client=staff)
    assert isinstance(plans, PaginatedPlanList)
    check(any(p.year == 2023 for p in plans.results), "plans listed, 2023 among them")
    plan_id = next(p.id for p in plans.results if p.year == 2023)

    seen: list[int] = []
    page = 1
    while True:
        projects = v1_projects_list.sync(client=staff, plan=plan_id, page=page, page_size=20)
        assert isinstance(projects, PaginatedProjectList)
        seen += [project.id for project in projects.results]
        if projects.next_ is None:
            break
        page += 1
    check(len(seen) == projects.count == len(set(seen)) and page > 1, f"paged through {len(seen)} projects in {page} pages")

    status = v1_status_retrieve.sync(client=staff, plan=plan_id, as_of=dt.date(2023, 7, 31))
    check(isinstance(status, PlanStatus) and status.run_date == dt.date(2023, 7, 10), "status as of 2023-07-31: the 07-10 run")
    early = v1_status_retrieve.sync(client=staff, plan=plan_id, as_of=dt.date(2023, 1, 15))
    check(
        isinstance(early, PlanStatus) and early.status_reason == StatusReasonEnum.NO_RUN, "before any run: status_reason no_run"
    )

    me = v1_me_retrieve.sync(client=unit)
    assert isinstance(me, Me)
    assert me.department is not None
    check(not me.is_bureau_staff and not me.read_only, f"the unit token is {me.username}'s, a unit's that may write")
    own = v1_projects_list.sync(client=unit, plan=plan_id, lead_department=me.department.id)
    assert isinstance(own, PaginatedProjectList)
    check(own.count > 0, f"{me.department.name} leads {own.count} projects")
    everyone = v1_projects_list.sync(client=unit, plan=plan_id, page_size=200)
    assert isinstance(everyone, PaginatedProjectList)
    foreign = next(p for p in everyone.results if p.lead_department != me.department.id)

    # A date with no report yet: the day after a project's latest report (2023-06-30 for a project
    # without one), inside its period, so the script can run again on the same database.
    chosen: tuple[Project, dt.date, str] | None = None
    for candidate in own.results:
        latest = v1_progress_reports_list.sync(
            client=unit, project=candidate.id, ordering=V1ProgressReportsListOrdering.AS_OF_DESC, page_size=1
        )
        assert isinstance(latest, PaginatedProgressReportList)
        if not latest.results:
            chosen = (candidate, dt.date(2023, 6, 30), "1000.00")
            break
        day = latest.results[0].as_of + dt.timedelta(days=1)
        if day <= candidate.period_end:
            chosen = (candidate, day, latest.results[0].value or "1000.00")
            break
    check(chosen is not None, "reports of the unit's projects read, newest first")
    assert chosen is not None
    project, as_of, value = chosen
    body = ProgressReportRequest(as_of=as_of, value=value, project=project.id, note="CI 生成客户端报送")

    filed = v1_progress_reports_create.sync_detailed(client=unit, body=body)
    check(filed.status_code == 201 and isinstance(filed.parsed, ProgressReport), f"report filed for {project.code} as of {as_of}")
    assert isinstance(filed.parsed, ProgressReport)
    etag = filed.headers["ETag"]

    duplicate = v1_progress_reports_create.sync_detailed(client=unit, body=body)
    error = duplicate.parsed
    check(
        duplicate.status_code == 400
        and isinstance(error, Error)
        and error.code == "duplicate"
        and error.additional_properties["as_of"][0].code == "duplicate",
        "a duplicate is a typed 400 (code duplicate, on as_of)",
    )

    other = ProgressReportRequest(as_of=as_of, value="1.00", project=foreign.id)
    denied = v1_progress_reports_create.sync_detailed(client=unit, body=other)
    check(
        denied.status_code == 403 and isinstance(denied.parsed, Error) and denied.parsed.code == "permission_denied",
        f"another unit's project ({foreign.code}): 403 permission_denied",
    )

    change = PatchedProgressReportRequest(note="CI 更正说明")
    first = v1_progress_reports_partial_update.sync_detailed(filed.parsed.id, client=unit, body=change, if_match=etag)
    check(first.status_code == 200 and first.headers["ETag"] != etag, "PATCH with the current If-Match: 200, a new ETag")
    stale = v1_progress_reports_partial_update.sync_detailed(filed.parsed.id, client=unit, body=change, if_match=etag)
    check(
        stale.status_code == 412 and isinstance(stale.parsed, Error) and stale.parsed.code == "precondition_failed",
        "PATCH with a stale If-Match: 412 precondition_failed",
    )

    # PATCH is JSON: null clears a nullable date (v1's multipart sent "None" and got a 400).
    node = MilestoneRequest(
        title="CI 节点", project=project.id, kind=MilestoneKindEnum.OTHER, planned_date=as_of, actual_date=dt.date(2023, 6, 1)
    )
    milestone = v1_milestones_create.sync(client=unit, body=node)
    assert isinstance(milestone, Milestone)
    cleared = v1_milestones_partial_update.sync(milestone.id, client=unit, body=PatchedMilestoneRequest(actual_date=None))
    check(isinstance(cleared, Milestone) and cleared.actual_date is None, "PATCH actual_date=None clears the date")
    print("generated client: all calls answered as documented")


if __name__ == "__main__":
    main(*sys.argv[1:4])
