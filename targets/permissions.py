"""Who may change what. One place for the unit rule used by the admin, the API and imports.

Bureau staff (superusers or members of settings.DUBAN_BUREAU_STAFF_GROUP) manage everything.
A unit's user sees everything but adds and changes progress reports, milestones and blockers only
for items its own unit leads.
"""

from __future__ import annotations

from django.conf import settings


def is_bureau_staff(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_duban_is_bureau_staff", None)
    if cached is None:
        cached = user.groups.filter(name=settings.DUBAN_BUREAU_STAFF_GROUP).exists()
        user._duban_is_bureau_staff = cached
    return cached


def user_department_id(user) -> int | None:
    """The unit a login belongs to, through its Person record (None if it has none)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_duban_department_id"):
        from .models import Person

        user._duban_department_id = Person.objects.filter(user=user).values_list("department_id", flat=True).first()
    return user._duban_department_id


def can_edit_item(user, item) -> bool:
    """May this user add or change progress, milestones and blockers of the item?"""
    if is_bureau_staff(user):
        return True
    department_id = user_department_id(user)
    return department_id is not None and item is not None and item.lead_department_id == department_id
