"""安全审计: who, when, from where, what and the outcome, in a log nobody changes through the application."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from config.roles import ensure_roles
from conftest import make_user
from projects.imports import jobs
from projects.models import ImportBatch
from security import audit
from security.models import AuditAction, AuditEvent
from targets.models import ApiToken

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
AUDIT = reverse("admin:security_auditevent_changelist")


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", "pw-root")


@pytest.fixture
def auditor(django_user_model):
    return make_user(django_user_model, "auditor", group=settings.DUBAN_AUDITOR_GROUP)


def actions(**filters) -> list[tuple]:
    return list(AuditEvent.objects.filter(**filters).order_by("id").values_list("action", "username", "ip", "success"))


def test_logins_failures_and_logouts_are_recorded_with_address_and_outcome(client, staff_user):
    client.post(LOGIN, {"username": "staff", "password": "wrong"}, REMOTE_ADDR="192.0.2.1")
    client.post(LOGIN, {"username": "nobody", "password": "x"}, REMOTE_ADDR="192.0.2.1")
    client.post(LOGIN, {"username": "staff", "password": "pw-staff"}, REMOTE_ADDR="192.0.2.1")
    client.post(reverse("admin:logout"), REMOTE_ADDR="192.0.2.1")

    assert actions(action__in=["login", "login_failed", "logout"]) == [
        ("login_failed", "staff", "192.0.2.1", False),
        ("login_failed", "nobody", "192.0.2.1", False),
        ("login", "staff", "192.0.2.1", True),
        ("logout", "staff", "192.0.2.1", True),
    ]
    assert AuditEvent.objects.filter(action="login_failed", username="staff").get().user == staff_user


def test_group_and_permission_changes_in_the_admin_are_recorded_with_the_actor(client, superuser, django_user_model):
    target = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    staff_group = Group.objects.get(name=settings.DUBAN_BUREAU_STAFF_GROUP)
    client.force_login(superuser)
    data = {
        "username": "clerk",
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "groups": [staff_group.pk],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
    }
    response = client.post(reverse("admin:auth_user_change", args=[target.pk]), data, REMOTE_ADDR="192.0.2.9")
    assert response.status_code == 302, response.content[:2000]

    membership = AuditEvent.objects.get(action=AuditAction.GROUP_MEMBERSHIP, target="user:clerk")
    assert (membership.username, membership.ip, membership.detail) == ("root", "192.0.2.9", {"added": [staff_group.name]})
    flags = AuditEvent.objects.get(action=AuditAction.USER_FLAGS, target="user:clerk")
    assert flags.detail == {"is_superuser": [False, True]}


def test_only_a_superuser_grants_superuser_status(client, django_user_model):
    security_admin = make_user(django_user_model, "secadmin", group=settings.DUBAN_SECURITY_ADMIN_GROUP)
    client.force_login(security_admin)
    page = client.get(reverse("admin:auth_user_change", args=[security_admin.pk]))
    assert page.status_code == 200
    assert b'name="is_superuser"' not in page.content


def test_tokens_issued_and_revoked_are_recorded(client, staff_user, capsys):
    call_command("issue_token", "staff", "--name", "OA")
    key = capsys.readouterr().out.strip()
    token = ApiToken.objects.get()
    issued = AuditEvent.objects.get(action=AuditAction.TOKEN_ISSUED)
    assert issued.target == f"token:{token.prefix} user:staff"
    assert key not in str(issued.detail)

    client.force_login(staff_user)
    client.post(
        reverse("admin:targets_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
        REMOTE_ADDR="192.0.2.5",
    )
    revoked = AuditEvent.objects.get(action=AuditAction.TOKEN_REVOKED)
    assert (revoked.username, revoked.ip, revoked.target) == ("staff", "192.0.2.5", issued.target)


def test_exports_are_recorded(client, staff_user, plan):
    client.force_login(staff_user)
    response = client.get(reverse("admin:projects_project_template_ledger"), REMOTE_ADDR="192.0.2.3")
    assert response.status_code == 200
    export = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (export.username, export.ip, export.success) == ("staff", "192.0.2.3", True)
    assert "attachment" in export.detail["file"]


def test_imports_uploaded_and_applied_are_recorded(staff_user, plan):
    batch = jobs.create_batch(ImportBatch.Kind.LEDGER, plan, "台账.xlsx", b"data", staff_user)
    jobs._fail(batch, "坏文件")

    assert actions(action__startswith="import") == [
        ("import_uploaded", "staff", None, True),
        ("import_applied", "staff", None, False),
    ]


def test_nobody_changes_or_deletes_the_log_through_the_application(client, superuser):
    event = audit.record(AuditAction.LOGIN, user=superuser)
    client.force_login(superuser)

    assert client.get(AUDIT).status_code == 200
    assert client.get(reverse("admin:security_auditevent_change", args=[event.pk])).status_code == 200
    assert client.post(reverse("admin:security_auditevent_change", args=[event.pk]), {"action": "logout"}).status_code == 403
    assert client.post(reverse("admin:security_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:security_auditevent_add")).status_code == 403
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(action="logout")
    assert AuditEvent.objects.filter(pk=event.pk, action="login").exists()


def test_the_auditor_reads_the_log_and_nothing_else(client, auditor, staff_user):
    audit.record(AuditAction.LOGIN, user=staff_user)
    client.force_login(auditor)

    assert client.get(AUDIT).status_code == 200
    index = client.get(reverse("admin:index")).content.decode()
    assert "/admin/security/auditevent/" in index
    assert "/admin/targets/" not in index
    assert "/admin/auth/" not in index
    assert client.get(reverse("admin:targets_target_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_the_three_administrator_roles_are_separate():
    ensure_roles()
    perms = {
        name: {f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=name).permissions.all()}
        for name in (settings.DUBAN_SYSTEM_ADMIN_GROUP, settings.DUBAN_SECURITY_ADMIN_GROUP, settings.DUBAN_AUDITOR_GROUP)
    }
    system, security, auditor = perms.values()
    assert auditor == {"security.view_auditevent"}
    assert "auth.change_user" in security
    assert "auth.change_user" not in system
    assert "django_celery_beat.change_periodictask" in system
    assert "security.view_auditevent" not in system | security
    staff = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=settings.DUBAN_BUREAU_STAFF_GROUP).permissions.all()
    }
    assert {"axes.view_accessattempt", "axes.delete_accessattempt"} <= staff
    assert "security.view_auditevent" not in staff


def test_retention_never_drops_below_180_days(settings, staff_user):
    settings.DUBAN_AUDIT_RETENTION_DAYS = 30
    now = timezone.now()
    old = audit.record(AuditAction.LOGIN, user=staff_user)
    raw = QuerySet(AuditEvent)  # past the append-only guard, to age the row
    raw.filter(pk=old.pk).update(at=now - dt.timedelta(days=179))
    assert audit.purge(now) == 0
    raw.filter(pk=old.pk).update(at=now - dt.timedelta(days=181))
    assert audit.purge(now) == 1


def test_a_migrate_that_changes_no_role_writes_no_audit_row():
    ensure_roles()
    before = AuditEvent.objects.count()
    ensure_roles()
    assert AuditEvent.objects.count() == before
