"""The admin's unit rule for the API (targets.permissions does the deciding).

Reads need a login (session or token). Writes: a read-only token writes nothing; bureau staff
change everything; a unit's user changes progress, milestones and blockers of items its unit leads.
The create check runs in the viewset (perform_create) once the item is known.
"""

from __future__ import annotations

from rest_framework import permissions

from ..models import ApiToken
from ..permissions import can_edit_item, is_bureau_staff


def is_read_only_token(request) -> bool:
    return isinstance(request.auth, ApiToken) and request.auth.read_only


class UnitRule(permissions.IsAuthenticated):
    """For resources a unit edits for its own items (view.get_item(obj) names the item)."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        return request.method in permissions.SAFE_METHODS or not is_read_only_token(request)

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return can_edit_item(request.user, view.get_item(obj))


class StaffWrites(permissions.IsAuthenticated):
    """For resources only bureau staff change (plans, goals, projects, units …)."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return not is_read_only_token(request) and is_bureau_staff(request.user)
