"""What a client generated from the schema relies on (issue 17): one error model, JSON bodies,
Bearer tokens, /me, typed filters, ordering checked, and a schema that says all of it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import yaml
from django.core.management import call_command
from django.test import override_settings

from targets.models import ApiToken
from targets.tests.factories import MilestoneFactory, ProgressReportFactory, TargetFactory


@pytest.fixture
def goal(plan, departments):
    return TargetFactory(plan=plan, lead_department=departments["alpha"])


@pytest.fixture
def foreign_goal(plan, departments):
    return TargetFactory(plan=plan, lead_department=departments["beta"])


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        out = io.StringIO()
        call_command("spectacular", stdout=out)
    return yaml.safe_load(out.getvalue())


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


# --- errors -------------------------------------------------------------------------------------


def test_every_error_carries_a_code(api, unit_user, goal, foreign_goal):
    anonymous = api().get("/api/v1/plans/")
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "not_authenticated"
    assert anonymous.json()["detail"]

    alpha = api(unit_user)
    missing = alpha.get("/api/v1/targets/999999/")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")

    first = alpha.post("/api/v1/progress-reports/", {"target": goal.pk, "as_of": "2023-04-30", "value": "5"})
    assert first.status_code == 201, first.content
    duplicate = alpha.post("/api/v1/progress-reports/", {"target": goal.pk, "as_of": "2023-04-30", "value": "6"})
    body = duplicate.json()
    assert duplicate.status_code == 400
    assert body["code"] == "duplicate"
    assert body["as_of"][0]["code"] == "duplicate"
    assert body["detail"] == body["as_of"][0]["message"]

    foreign = alpha.post("/api/v1/progress-reports/", {"target": foreign_goal.pk, "as_of": "2023-04-30", "value": "5"})
    assert (foreign.status_code, foreign.json()["code"]) == (403, "permission_denied")


def test_unknown_paths_and_large_bodies_answer_json(api, unit_user):
    alpha = api(unit_user)
    unknown = alpha.get("/api/v1/no-such-thing/")
    assert unknown.status_code == 404
    assert unknown["Content-Type"].startswith("application/json")
    assert unknown.json()["code"] == "not_found"
    with override_settings(DUBAN_API_MAX_BODY_BYTES=1000):
        big = alpha.post("/api/v1/progress-reports/", {"note": "x" * 2000})
    assert big.status_code == 413
    assert big.json()["code"] == "request_too_large"


def test_permission_is_checked_before_validation(api, unit_user, foreign_goal):
    # An invalid body for another unit's goal: 403, not the 400 its fields would give.
    response = api(unit_user).post("/api/v1/progress-reports/", {"target": foreign_goal.pk, "value": "-1"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    report = ProgressReportFactory(item=foreign_goal)
    patch = api(unit_user).patch(f"/api/v1/progress-reports/{report.pk}/", {"value": "not a number"})
    assert patch.status_code == 403


def test_a_stale_if_match_is_a_412_with_a_code(api, unit_user, goal):
    client = api(unit_user)
    created = client.post("/api/v1/progress-reports/", {"target": goal.pk, "as_of": "2023-04-30", "value": "5"})
    etag = created["ETag"]
    url = f"/api/v1/progress-reports/{created.json()['id']}/"
    assert client.get(url)["ETag"] == etag
    assert client.patch(url, {"note": "更正说明"}, HTTP_IF_MATCH=etag).status_code == 200
    stale = client.patch(url, {"note": "又一次"}, HTTP_IF_MATCH=etag)
    assert (stale.status_code, stale.json()["code"]) == (412, "precondition_failed")


# --- bodies, auth, /me -----------------------------------------------------------------------


def test_json_only_and_null_clears_a_nullable_field(api, unit_user, goal):
    client = api(unit_user)
    milestone = MilestoneFactory(item=goal, actual_date=dt.date(2023, 5, 1))
    url = f"/api/v1/milestones/{milestone.pk}/"
    form = client.patch(url, {"title": "表单"}, format="multipart")
    assert (form.status_code, form.json()["code"]) == (415, "unsupported_media_type")
    cleared = client.patch(url, {"actual_date": None})
    assert cleared.status_code == 200, cleared.content
    milestone.refresh_from_db()
    assert milestone.actual_date is None


def test_bearer_and_token_are_both_accepted(client, unit_user):
    _token, key = ApiToken.issue(unit_user)
    for scheme in ("Bearer", "bearer", "Token"):
        assert client.get("/api/v1/plans/", HTTP_AUTHORIZATION=f"{scheme} {key}").status_code == 200, scheme
    assert client.get("/api/v1/plans/", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/api/v1/plans/", HTTP_AUTHORIZATION="Basic abc").status_code == 401


def test_me_names_the_unit_and_the_token(client, unit_user, staff_user, departments):
    expires = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    _token, key = ApiToken.issue(unit_user, name="系统对接", read_only=True, expires_at=expires)
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert me["username"] == "alpha"
    assert me["is_bureau_staff"] is False
    assert me["department"] == {"id": departments["alpha"].pk, "name": "区市场监督管理局"}
    assert (me["auth"], me["read_only"], me["can_write"], me["token_name"]) == ("token", True, False, "系统对接")
    assert dt.datetime.fromisoformat(me["token_expires_at"]) == expires

    client.force_login(staff_user)
    me = client.get("/api/v1/me/").json()
    assert (me["is_bureau_staff"], me["department"], me["auth"], me["can_write"]) == (True, None, "session", True)
    assert me["token_expires_at"] is None


def test_api_root_lists_the_resources(api, unit_user):
    assert api().get("/api/v1/").status_code == 401
    root = api(unit_user).get("/api/v1/").json()
    assert root["me"].endswith("/api/v1/me/")
    assert root["progress-reports"].endswith("/api/v1/progress-reports/")
    assert root["schema"].endswith("/api/schema/")


# --- filters ---------------------------------------------------------------------------------


def test_departments_filter_by_name(api, unit_user, departments):
    client = api(unit_user)
    exact = client.get("/api/v1/departments/", {"name": "区市场监督管理局"}).json()
    assert [row["id"] for row in exact["results"]] == [departments["alpha"].pk]
    contains = client.get("/api/v1/departments/", {"name_contains": "卫生"}).json()
    assert [row["id"] for row in contains["results"]] == [departments["beta"].pk]


def test_unknown_ordering_is_a_400_and_fields_keep_the_id(api, unit_user, goal):
    client = api(unit_user)
    bad = client.get("/api/v1/targets/", {"ordering": "title"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_ordering"
    assert client.get("/api/v1/targets/", {"ordering": "-code,id"}).status_code == 200
    row = client.get("/api/v1/targets/", {"fields": "code"}).json()["results"][0]
    assert row == {"id": goal.pk, "code": goal.code}
    assert client.get("/api/v1/progress-reports/", {"target": "1.5"}).status_code == 400


def test_a_date_before_any_run_says_so(api, unit_user, goal):
    client = api(unit_user)
    row = client.get(f"/api/v1/targets/{goal.pk}/", {"as_of": "2023-01-31"}).json()
    assert (row["status"], row["status_reason"], row["actual_value"]) == ("grey", "no_run", None)
    status = client.get("/api/v1/status/", {"plan": goal.plan_id, "as_of": "2023-01-31"}).json()
    assert (status["run_date"], status["status_reason"]) == (None, "no_run")


# --- the schema says it ---------------------------------------------------------------------


def test_every_operation_has_a_tag_summary_description_and_its_errors(schema):
    for path, method, operation in operations(schema):
        where = f"{method.upper()} {path}"
        assert operation["tags"] != ["v1"], where
        assert operation.get("summary"), where
        assert operation.get("description"), where
        assert "OFFSET" not in operation["description"], where
        responses = operation["responses"]
        for status in ("401", "429"):
            assert responses[status]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, where
        assert "Retry-After" in responses["429"]["headers"], where
        if method in {"post", "put", "patch"}:
            assert {"400", "403", "413", "415"} <= responses.keys(), where
            if "requestBody" in operation:
                assert list(operation["requestBody"]["content"]) == ["application/json"], where
        if method in {"put", "patch"}:
            assert "412" in responses, where
            assert "ETag" in responses["200"]["headers"], where
            assert any(p["in"] == "header" and p["name"] == "If-Match" for p in operation["parameters"]), where
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["code", "detail"]


def test_parameters_are_typed_and_enums_reused(schema):
    components = schema["components"]["schemas"]
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    parameters = {(path, method, p["name"]): p for path, method, op in operations(schema) for p in op.get("parameters", [])}
    assert parameters[("/api/v1/progress-reports/", "get", "target")]["schema"]["type"] == "integer"
    assert parameters[("/api/v1/findings/", "get", "project")]["schema"]["type"] == "integer"
    assert parameters[("/api/v1/projects/", "get", "category")]["schema"] == {"$ref": "#/components/schemas/ProjectCategoryEnum"}
    assert parameters[("/api/v1/projects/", "get", "page_size")]["schema"]["maximum"] == 200
    ordering = parameters[("/api/v1/projects/", "get", "ordering")]["schema"]
    assert dict(zip(ordering["enum"], ordering["x-enum-varnames"], strict=True))["-code"] == "CODE_DESC"
    for key, parameter in parameters.items():
        assert "title" not in parameter.get("schema", {}), key
    download = schema["paths"]["/api/v1/supervision-rounds/{id}/three-lists/"]["get"]["responses"]["200"]["content"]
    assert download["application/octet-stream"]["schema"] == {"type": "string", "format": "binary"}
    assert "ProjectCategoryEnum" in components


def test_examples_come_from_the_demo_register_and_match_their_components(schema):
    components = schema["components"]["schemas"]
    assert components["Project"]["example"]["code"].startswith("DEMO-")
    for name in ("Project", "ProgressReport", "Me"):
        example = components[name]["example"]
        assert set(example) <= set(components[name]["properties"]), name
        assert "id" in example or name == "Me", name
    assert set(components["ProgressReportRequest"]["example"]) <= set(components["ProgressReportRequest"]["properties"])
