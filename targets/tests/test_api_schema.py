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
