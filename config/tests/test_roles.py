"""After migrate, both login roles exist with the permissions config/roles.py describes."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission

from config.roles import DUBAN_APPS, ensure_roles

pytestmark = pytest.mark.django_db


def codes(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_bureau_staff_hold_every_duban_permission_and_the_account_locks_and_nothing_else():
    every = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.filter(content_type__app_label__in=DUBAN_APPS).select_related("content_type")
    }
    assert len(every) > 20
    locks = {"axes.view_accessattempt", "axes.delete_accessattempt", "axes.view_accessfailurelog"}
    assert codes(settings.DUBAN_BUREAU_STAFF_GROUP) == every | locks


def test_unit_reporters_view_the_register_and_write_only_their_reports():
    unit = codes(settings.DUBAN_UNIT_REPORTER_GROUP)
    views = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.filter(content_type__app_label__in=DUBAN_APPS, codename__startswith="view_")
        .exclude(content_type__app_label="notifications")
        .exclude(content_type__model="apitoken")
        .select_related("content_type")
    }
    assert views <= unit
    writes = unit - views
    assert writes == {
        "targets.add_progressreport",
        "targets.change_progressreport",
        "targets.add_milestone",
        "targets.change_milestone",
        "projects.add_blocker",
        "projects.change_blocker",
        "targets.change_target",
        "projects.change_project",
        "targets.change_finding",
        "targets.add_findingupdate",
        "targets.change_findingupdate",
        "targets.add_extensionrequest",
        "targets.change_extensionrequest",
        "targets.add_findingreply",
        "targets.change_findingreply",
        "targets.add_evidence",
        "targets.change_evidence",
    }
    assert not any(code.split(".")[1].startswith("delete_") for code in unit)
    assert not any(code.startswith("auth.") for code in unit)


def test_roles_are_idempotent():
    from config.roles import ensure_roles

    before = (codes(settings.DUBAN_BUREAU_STAFF_GROUP), codes(settings.DUBAN_UNIT_REPORTER_GROUP))
    ensure_roles()
    ensure_roles()
    assert Group.objects.filter(name__in=[settings.DUBAN_BUREAU_STAFF_GROUP, settings.DUBAN_UNIT_REPORTER_GROUP]).count() == 2
    assert (codes(settings.DUBAN_BUREAU_STAFF_GROUP), codes(settings.DUBAN_UNIT_REPORTER_GROUP)) == before


def test_unit_reporters_never_see_secrets_tokens_or_delivery_ledgers():
    unit = codes(settings.DUBAN_UNIT_REPORTER_GROUP)
    assert not {c for c in unit if c.startswith("notifications.")}
    assert "targets.view_apitoken" not in unit


def test_a_permission_units_must_not_hold_is_taken_away_on_migrate():
    group = Group.objects.get(name=settings.DUBAN_UNIT_REPORTER_GROUP)
    secret = Permission.objects.get(content_type__app_label="notifications", codename="view_webhooksubscriber")
    group.permissions.add(secret)  # as an older release granted it
    ensure_roles()
    assert "notifications.view_webhooksubscriber" not in codes(settings.DUBAN_UNIT_REPORTER_GROUP)
