"""The admin, the dashboard and the API docs work in a real browser under the Content-Security-Policy.

Chromium reports every refused script or style on the console ("Refused to ... Content Security
Policy"); none may appear, and the pages' scripts must still run: the language switch submits on
change (static/duban/admin.js) and Swagger UI renders the schema.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_dashboard_and_api_docs_run_under_the_policy(chromium, live_server, plan, django_user_model):
    staff = make_user(django_user_model, "csp-staff", group=settings.DUBAN_BUREAU_STAFF_GROUP)
    del staff
    context = chromium.new_context(locale="zh-CN")
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)

    page.goto(f"{live_server.url}{reverse('admin:login')}")
    page.fill("#id_username", "csp-staff")
    page.fill("#id_password", "pw-csp-staff")
    page.click("input[type=submit]")
    page.wait_for_load_state()
    assert page.url.rstrip("/").endswith("/admin")

    # admin.js: choosing English submits the form (no inline onchange any more).
    with page.expect_navigation():
        page.select_option("#duban-language-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"

    page.goto(f"{live_server.url}{reverse('admin:dashboard')}")
    page.wait_for_load_state()
    assert page.locator("[data-duban-print]").count() == 1

    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20000)
    assert "Duban API" in page.inner_text(".swagger-ui .info .title")

    context.close()
    assert refused == []
