"""The two login roles, kept in step with the models after every migrate.

- Bureau staff (局机关督办人员): every permission on Duban's own models.
- Unit reporters (责任单位填报人员): view everything; add and change progress reports, milestones and
  blockers. Which items they may touch is narrowed to their own unit by targets.permissions.
"""

from __future__ import annotations

from django.conf import settings

DUBAN_APPS = ("targets", "projects", "notifications")
# What a unit's user adds and changes (always within its own unit's items).
UNIT_WRITABLE = {
    ("targets", "progressreport"),
    ("targets", "milestone"),
    ("projects", "blocker"),
    # Findings of their own unit: measures, progress notes, extension requests (targets.admin_supervision).
    ("targets", "findingupdate"),
    ("targets", "extensionrequest"),
    # Written replies to their findings and evidence files of their items (targets.followup, targets.evidence).
    ("targets", "findingreply"),
    ("targets", "evidence"),
}
# Pages whose inlines units save; the admin keeps their own fields read-only for units.
UNIT_PARENT_PAGES = {("targets", "target"), ("projects", "project"), ("targets", "finding")}


def unit_may(permission) -> bool:
    action = permission.codename.split("_", 1)[0]
    model = (permission.content_type.app_label, permission.content_type.model)
    if action == "view":
        return True
    if model in UNIT_PARENT_PAGES:
        return action == "change"
    return model in UNIT_WRITABLE and action in {"add", "change"}


def ensure_roles(**_kwargs) -> None:
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    # post_migrate handlers run in connection order, and this one may run before auth has created
    # the permissions of the last migrated app: create them first (idempotent).
    for label in DUBAN_APPS:
        create_permissions(apps.get_app_config(label), verbosity=0)

    perms = list(Permission.objects.filter(content_type__app_label__in=DUBAN_APPS).select_related("content_type"))
    staff, _ = Group.objects.get_or_create(name=settings.DUBAN_BUREAU_STAFF_GROUP)
    staff.permissions.add(*perms)
    unit, _ = Group.objects.get_or_create(name=settings.DUBAN_UNIT_REPORTER_GROUP)
    unit.permissions.add(*[p for p in perms if unit_may(p)])
