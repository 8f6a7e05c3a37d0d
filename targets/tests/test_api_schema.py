"""The OpenAPI schema validates without warnings; Swagger UI is served from the vendored assets."""

from __future__ import annotations

import io

from django.core.management import call_command


def test_schema_validates_without_warnings(db):
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert "/api/v1/progress-reports/" in out.getvalue()


def test_schema_and_docs_pages(client, unit_user):
    client.force_login(unit_user)
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"drf_spectacular_sidecar" in docs.content
    # The page's script is a separate file (no inline script for a CSP to allow).
    assert b"<script>" not in docs.content
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"/api/schema/" in script.content


def test_schema_and_docs_need_a_login(client, api, unit_user):
    anonymous = client.get("/api/schema/")
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "not_authenticated"
    docs = client.get("/api/docs/")
    assert docs.status_code == 302
    assert docs["Location"].startswith("/admin/login/?next=/api/docs/")
    # A token is enough for the schema (a generator downloads it).
    assert api(unit_user).get("/api/schema/").status_code == 200


def test_response_components_require_every_field_and_null_statuses(db):
    """Without `?fields=` a response has every field: all are required, the figures nullable."""
    import yaml

    out = io.StringIO()
    call_command("spectacular", stdout=out)
    components = yaml.safe_load(out.getvalue())["components"]["schemas"]
    for name in ("Target", "Project", "Finding", "Department", "ProgressReport", "Milestone", "Blocker", "Me"):
        assert set(components[name]["required"]) == set(components[name]["properties"]), name
    # Requests keep their own required fields.
    assert "as_of" in components["ProgressReportRequest"]["required"]
    assert "id" not in components["ProgressReportRequest"]["properties"]
    for field in ("expected_value", "actual_value", "ratio", "forecast_value", "status_date", "status_reason"):
        assert components["Target"]["properties"][field]["nullable"] is True
    assert components["Project"]["properties"]["annual_plan_investment"]["nullable"] is True
    # A finding's category is blank until staff classify it: one of the enum or the blank enum.
    refs = {ref["$ref"].rsplit("/", 1)[1] for ref in components["Finding"]["properties"]["category"]["oneOf"]}
    assert any(components[name].get("enum") == [""] for name in refs), refs
