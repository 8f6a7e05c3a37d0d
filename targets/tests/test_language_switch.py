"""Staff can switch the admin between Simplified Chinese (the default) and English."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_it_offers_the_language_switch_on_every_admin_page(admin_client, client):
    for response in (admin_client.get("/admin/"), client.get("/admin/login/")):
        html = response.content.decode()
        assert 'action="/i18n/setlang/"' in html
        assert '<option value="zh-hans" selected>简体中文</option>' in html
        assert '<option value="en">English</option>' in html


def test_it_switches_to_english_and_back(admin_client):
    response = admin_client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    html = admin_client.get("/admin/").content.decode()
    assert '<html lang="en"' in html
    assert '<option value="en" selected>English</option>' in html

    admin_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/admin/"})
    assert '<html lang="zh-hans"' in admin_client.get("/admin/").content.decode()
