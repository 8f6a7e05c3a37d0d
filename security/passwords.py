"""Password rules (等保 身份鉴别): character classes, and the age after which a password must change.

Both are AUTH_PASSWORD_VALIDATORS, so every form that sets a password (admin, password change,
create_demo_logins' validation) applies them, and Django calls password_changed() after each save
of a new password, which restarts the expiry clock.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CLASSES = (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum())


class CharacterClassValidator:
    """At least `min_classes` of: lower-case letters, upper-case letters, digits, other characters."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:  # noqa: ARG002 (Django's signature)
        used = sum(1 for test in CLASSES if any(test(c) for c in password))
        if used < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must mix at least %(count)d kind of character: lower-case letters, upper-case letters, "
            "digits, symbols.",
            "Your password must mix at least %(count)d kinds of characters: lower-case letters, upper-case letters, "
            "digits, symbols.",
            self.min_classes,
        ) % {"count": self.min_classes}


class PasswordAgeValidator:
    """Validates nothing; records when a password was set (the expiry clock, see password_expired)."""

    def validate(self, password: str, user=None) -> None:
        pass

    def password_changed(self, password: str, user=None) -> None:  # noqa: ARG002
        from .audit import record
        from .models import AuditAction, PasswordAge

        if user is None or user.pk is None:
            return
        PasswordAge.objects.update_or_create(user=user, defaults={"changed_at": timezone.now()})
        record(AuditAction.PASSWORD_CHANGED, target=f"user:{user.get_username()}")

    def get_help_text(self) -> str:
        days = settings.DUBAN_PASSWORD_MAX_AGE_DAYS
        if not days:
            return ""
        return _("Passwords must be changed every %(days)d days.") % {"days": days}


def last_changed(user) -> dt.datetime | None:
    from .models import PasswordAge

    return PasswordAge.objects.filter(user=user).values_list("changed_at", flat=True).first()


def password_expired(user, now: dt.datetime | None = None) -> bool:
    days = settings.DUBAN_PASSWORD_MAX_AGE_DAYS
    if not days or not getattr(user, "is_authenticated", False):
        return False
    changed = last_changed(user)
    return changed is not None and (now or timezone.now()) - changed > dt.timedelta(days=days)
