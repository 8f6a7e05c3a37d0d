"""What every state change of the finding service checks before it writes, and who may do what.

- require_state(), require_staff(), required(): the finding is in a state the step applies to (open,
  unless told otherwise); only bureau staff; a text the step cannot do without. Each raises the
  error the admin and the API show as they are.
- may_work_on(), may_answer(), may_confirm(): the pure rules of targets.findings.rules, asked with a
  finding and a user. The admin asks them to show only what the user may do; the state changes ask
  them again.
- holiday_overrides(): the bureau's corrections to the working-day calendar, which every deadline
  counted in working days reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from ..choices import OPEN_FINDING_STATES
from ..models import Finding, HolidayOverride
from ..permissions import is_bureau_staff, user_department_id
from . import rules


def holiday_overrides() -> dict[dt.date, bool]:
    return dict(HolidayOverride.objects.values_list("date", "is_workday"))


def require_state(finding: Finding, action: str, allowed: Iterable[str] = OPEN_FINDING_STATES) -> None:
    if finding.state not in allowed:
        raise ValidationError(
            _("A finding in state “%(state)s” cannot be %(action)s.") % {"state": finding.get_state_display(), "action": action},
            code="invalid_state",
        )


def require_staff(user) -> None:
    if not is_bureau_staff(user):
        raise PermissionDenied(_("Only bureau staff may do this."))


def required(field: str, text: str, message: str) -> None:
    if not (text or "").strip():
        raise ValidationError({field: ValidationError(message, code="required")})


# --- who may ------------------------------------------------------------------------------------------


def may_work_on(finding: Finding | None, user) -> bool:
    """Measures, evidence, progress notes, extension and close-out requests (rules.may_work_on)."""
    if finding is None or not rules.is_open(finding.state):
        return False
    staff = is_bureau_staff(user)
    department_id = None if staff else user_department_id(user)
    return rules.may_work_on(finding.state, finding.department_id, staff=staff, department_id=department_id)


def may_answer(finding: Finding, user) -> bool:
    """Written replies (rules.may_answer): the lead unit's or a cooperating unit's login, or staff."""
    if not rules.is_open(finding.state):
        return False
    staff = is_bureau_staff(user)
    department_id = None if staff else user_department_id(user)
    # The cooperating units are read only when the answer depends on them.
    cooperates = (
        department_id is not None
        and finding.department_id != department_id
        and finding.cooperating_departments.filter(pk=department_id).exists()
    )
    return rules.may_answer(finding.state, finding.department_id, staff=staff, department_id=department_id, cooperates=cooperates)


def may_confirm(finding: Finding, user) -> bool:
    return rules.may_confirm(finding.state, finding.confirmed_at is not None, staff=is_bureau_staff(user))
