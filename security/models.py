"""The security audit log: append-only, through the application nobody changes or deletes a row.

Who (user and the login name typed), when, from where (client address), what (action and target),
and whether it succeeded. Written by security.audit.record only; the admin shows it read-only to
auditors; save() refuses to update a row and delete() refuses everywhere (superusers included). Only
the retention purge (security.audit.purge, never younger than 180 days) removes old rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logged out")
    LOCKED_OUT = "locked_out", _("Account locked")
    LOCK_LIFTED = "lock_lifted", _("Lock lifted")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    USER_CREATED = "user_created", _("Login created")
    USER_DELETED = "user_deleted", _("Login deleted")
    USER_FLAGS = "user_flags", _("Login status or superuser flag changed")
    GROUP_MEMBERSHIP = "group_membership", _("Group membership changed")
    USER_PERMISSIONS = "user_permissions", _("User permissions changed")
    GROUP_PERMISSIONS = "group_permissions", _("Group permissions changed")
    GROUP_CREATED = "group_created", _("Group created")
    GROUP_DELETED = "group_deleted", _("Group deleted")
    TOKEN_ISSUED = "token_issued", _("API token issued")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    EXPORT = "export", _("Export")
    IMPORT_UPLOADED = "import_uploaded", _("Import uploaded")
    IMPORT_APPLIED = "import_applied", _("Import applied")
    MONTH_CLOSED = "month_closed", _("Month closed")
    MONTH_REOPENED = "month_reopened", _("Month reopened")


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: ARG002
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only: rows leave only through the retention purge.")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,  # the row outlives the login (the name is kept in `username`)
    )
    username = models.CharField(_("login name"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices, db_index=True)
    success = models.BooleanField(_("succeeded"), default=True)
    target = models.CharField(_("object"), max_length=200, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("security audit log")
        ordering = ["-at", "-id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *_args, **_kwargs):
        raise PermissionError("The audit log is append-only.")


class PasswordAge(models.Model):
    """When a login last set its password: the start of its expiry clock (DUBAN_PASSWORD_MAX_AGE_DAYS)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_age")
    changed_at = models.DateTimeField(_("password changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("password age")
        verbose_name_plural = _("password ages")
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.user_id}: {self.changed_at:%Y-%m-%d}"
