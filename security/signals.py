# ruff: noqa: ARG001 - signal receivers take sender whether they use it or not
"""What feeds the audit log: logins, failed logins, logouts, lockouts (django-axes), lifted locks,
group and permission changes, superuser/staff/active flags, logins created and deleted, API tokens
issued and revoked, imports uploaded and applied. Exports are recorded by security.middleware.

Models of other apps are looked up by label here, so no Duban app imports this one's handlers.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone

from .audit import record
from .models import AuditAction, PasswordAge

A = AuditAction
USER_FLAGS = ("is_active", "is_staff", "is_superuser")


def on_login(sender, request, user, **_kwargs):
    age, _created = PasswordAge.objects.get_or_create(user=user)  # the expiry clock starts at the first login it sees
    session = getattr(request, "session", None)
    if session is not None:
        # What security.middleware would otherwise write on the first page (saved with the login's session).
        session["duban_seen"] = timezone.now().timestamp()
        session["duban_password_changed"] = [user.pk, age.changed_at.isoformat()]
    record(A.LOGIN, request=request, user=user)


def on_login_failed(sender, credentials, request=None, **_kwargs):
    username = str(credentials.get("username", ""))
    known = get_user_model().objects.filter(username=username).first() if username else None
    locked = bool(getattr(request, "axes_locked_out", False))
    record(A.LOGIN_FAILED, request=request, user=known, username=username, success=False, detail={"while_locked": locked})


def on_logout(sender, request, user, **_kwargs):
    record(A.LOGOUT, request=request, user=user if user is not None and user.pk else None)


def on_locked_out(sender, request, username, ip_address, **_kwargs):
    known = get_user_model().objects.filter(username=username).first() if username else None
    record(A.LOCKED_OUT, request=request, user=known, username=username or "", success=False, target=f"ip:{ip_address}")


def on_attempt_deleted(sender, instance, **_kwargs):
    # A lock lifted by staff in the admin (or axes_reset): who lifted whose lock.
    record(A.LOCK_LIFTED, target=f"user:{instance.username} ip:{instance.ip_address}")


def user_before_save(sender, instance, **_kwargs):
    if instance.pk:
        old = sender.objects.filter(pk=instance.pk).values(*USER_FLAGS).first()
        instance._audit_flags_before = old


def user_after_save(sender, instance, created, **_kwargs):
    if created:
        record(A.USER_CREATED, target=f"user:{instance.get_username()}", detail={f: getattr(instance, f) for f in USER_FLAGS})
        return
    before = getattr(instance, "_audit_flags_before", None)
    if before:
        changed = {f: [before[f], getattr(instance, f)] for f in USER_FLAGS if before[f] != getattr(instance, f)}
        if changed:
            record(A.USER_FLAGS, target=f"user:{instance.get_username()}", detail=changed)


def user_deleted(sender, instance, **_kwargs):
    record(A.USER_DELETED, target=f"user:{instance.get_username()}")


def group_saved(sender, instance, created, **_kwargs):
    if created:
        record(A.GROUP_CREATED, target=f"group:{instance.name}")


def group_deleted(sender, instance, **_kwargs):
    record(A.GROUP_DELETED, target=f"group:{instance.name}")


def _names(model, pks) -> list[str]:
    if not pks:
        return []
    if model is Group:
        return sorted(Group.objects.filter(pk__in=pks).values_list("name", flat=True))
    if model is get_user_model():
        return sorted(model.objects.filter(pk__in=pks).values_list("username", flat=True))
    return sorted(
        f"{p.content_type.app_label}.{p.codename}" for p in model.objects.filter(pk__in=pks).select_related("content_type")
    )


def m2m_recorder(action_name: str, label):
    def handler(sender, instance, action, model, pk_set, **_kwargs):
        if action not in {"post_add", "post_remove", "pre_clear"} or (action != "pre_clear" and not pk_set):
            return
        change = {"post_add": "added", "post_remove": "removed", "pre_clear": "cleared"}[action]
        record(action_name, target=label(instance), detail={change: _names(model, pk_set) if pk_set is not None else "all"})

    return handler


def token_before_save(sender, instance, **_kwargs):
    if instance.pk:
        instance._audit_revoked_before = sender.objects.filter(pk=instance.pk).values_list("revoked_at", flat=True).first()


def token_after_save(sender, instance, created, **_kwargs):
    target = f"token:{instance.prefix} user:{instance.user.get_username()}"
    if created:
        detail = {"name": instance.name, "read_only": instance.read_only}
        detail["expires_at"] = instance.expires_at.isoformat() if instance.expires_at else None
        record(A.TOKEN_ISSUED, target=target, detail=detail)
    elif instance.revoked_at and not getattr(instance, "_audit_revoked_before", None):
        record(A.TOKEN_REVOKED, target=target)


def import_saved(sender, instance, created, update_fields=None, **_kwargs):
    target = f"import:{instance.pk} {instance.kind} {instance.file_name}"
    if created:
        record(A.IMPORT_UPLOADED, user=instance.user, target=target)
        return
    status = getattr(instance, "status", "")
    if status in {"applied", "failed"} and (update_fields is None or "status" in update_fields):
        actor = instance.applied_by or instance.user
        record(
            A.IMPORT_APPLIED, user=actor, success=status == "applied", target=target, detail={"message": instance.message[:500]}
        )


def connect() -> None:
    from axes.models import AccessAttempt
    from axes.signals import user_locked_out

    user_model = get_user_model()
    uid = "duban_audit_"
    user_logged_in.connect(on_login, dispatch_uid=uid + "login")
    user_login_failed.connect(on_login_failed, dispatch_uid=uid + "login_failed")
    user_logged_out.connect(on_logout, dispatch_uid=uid + "logout")
    user_locked_out.connect(on_locked_out, dispatch_uid=uid + "locked_out")
    post_delete.connect(on_attempt_deleted, sender=AccessAttempt, dispatch_uid=uid + "lock_lifted")
    pre_save.connect(user_before_save, sender=user_model, dispatch_uid=uid + "user_pre")
    post_save.connect(user_after_save, sender=user_model, dispatch_uid=uid + "user_post")
    post_delete.connect(user_deleted, sender=user_model, dispatch_uid=uid + "user_delete")
    post_save.connect(group_saved, sender=Group, dispatch_uid=uid + "group_post")
    post_delete.connect(group_deleted, sender=Group, dispatch_uid=uid + "group_delete")

    def user_label(instance):
        return f"user:{instance.get_username()}" if isinstance(instance, user_model) else f"group:{instance.name}"

    m2m_changed.connect(
        m2m_recorder(A.GROUP_MEMBERSHIP, user_label), sender=user_model.groups.through, dispatch_uid=uid + "groups", weak=False
    )
    m2m_changed.connect(
        m2m_recorder(A.USER_PERMISSIONS, user_label),
        sender=user_model.user_permissions.through,
        dispatch_uid=uid + "user_perms",
        weak=False,
    )
    m2m_changed.connect(
        m2m_recorder(A.GROUP_PERMISSIONS, lambda g: f"group:{g.name}"),
        sender=Group.permissions.through,
        dispatch_uid=uid + "group_perms",
        weak=False,
    )
    if apps.is_installed("targets"):
        token = apps.get_model("targets", "ApiToken")
        pre_save.connect(token_before_save, sender=token, dispatch_uid=uid + "token_pre")
        post_save.connect(token_after_save, sender=token, dispatch_uid=uid + "token_post")
    if apps.is_installed("projects"):
        post_save.connect(import_saved, sender=apps.get_model("projects", "ImportBatch"), dispatch_uid=uid + "import")
