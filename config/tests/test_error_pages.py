"""403, 404 and 500 are styled pages in the admin's look, in Chinese by default; 4xx log one line."""

from __future__ import annotations

import logging

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_a_unit_refused_the_dashboard_gets_a_styled_chinese_403(client, unit_user, caplog):
    client.force_login(unit_user)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/admin/dashboard/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "您无权打开此页面" in page
    assert "admin/css/base.css" in page
    assert "椒江区发改局目标督办系统" in page
    # The expected refusal is one log line, without a traceback.
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    assert records[0].exc_info is None
    assert "Traceback" not in caplog.text


def test_an_unknown_address_gets_a_styled_404_in_the_chosen_language(client, staff_user):
    client.force_login(staff_user)
    response = client.get("/admin/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    client.cookies["django_language"] = "en"
    english = client.get("/no-such-page/").content.decode()
    assert "Page not found" in english
    assert "admin/css/base.css" in english


def test_the_500_page_renders_without_a_request_context():
    request = RequestFactory().get("/admin/")
    with translation.override("zh-hans"):
        response = server_error(request)
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器出错了" in page
    assert "duban/admin.css" in page
