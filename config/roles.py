"""The login roles, kept in step with the models after every migrate.

- Bureau staff (局机关督办人员): every permission on Duban's own models.
- Unit reporters (责任单位填报人员): view the register; add and change progress reports, milestones
  and blockers. Which items they may touch is narrowed to their own unit by targets.permissions.
  Least privilege: never the notification machinery (webhook secrets, robot URLs, the delivery
  ledgers with everyone's addresses) nor API tokens; a permission a unit must not hold is removed
  from the group on every migrate, so an old database loses it too.

三员 separation (等保 2.0), beside the two working roles; the superuser is for break-glass only:
- System administrators (系统管理员): schedules, webhooks and group robots, API tokens.
- Security administrators (安全管理员): logins, groups and their permissions, account locks.
- Auditors (审计员): read the security audit log and nothing else.
Bureau staff also see and lift account locks (the issue's "liftable by staff").
"""

from __future__ import annotations

from django.conf import settings

DUBAN_APPS = ("targets", "projects", "notifications")
# What a unit's user adds and changes (always within its own unit's items).
UNIT_WRITABLE = {
    ("targets", "progressreport"),
    ("targets", "milestone"),
    ("projects", "blocker"),
    # Findings of their own unit: measures, progress notes, extension requests (targets.admin.findings).
    ("targets", "findingupdate"),
    ("targets", "extensionrequest"),
    # Written replies to their findings and evidence files of their items (targets.findings, targets.evidence).
    ("targets", "findingreply"),
    ("targets", "evidence"),
}
# What units never see: secrets, tokens, robot URLs and other people's contact details and deliveries.
UNIT_HIDDEN_APPS = {"notifications"}
UNIT_HIDDEN_MODELS = {("targets", "apitoken")}
# Pages whose inlines units save; the admin keeps their own fields read-only for units.
UNIT_PARENT_PAGES = {("targets", "target"), ("projects", "project"), ("targets", "finding")}


def unit_may(permission) -> bool:
    action = permission.codename.split("_", 1)[0]
    model = (permission.content_type.app_label, permission.content_type.model)
    if model[0] in UNIT_HIDDEN_APPS or model in UNIT_HIDDEN_MODELS:
        return False
    if action == "view":
        return True
    if model in UNIT_PARENT_PAGES:
        return action == "change"
    return model in UNIT_WRITABLE and action in {"add", "change"}


SYSTEM_ADMIN_PERMS = {
    ("django_celery_beat", None),
    ("notifications", "unitwebhook"),
    ("notifications", "webhooksubscriber"),
    ("notifications", "webhookdelivery"),
    ("notifications", "delivery"),
    ("targets", "apitoken"),
}
SECURITY_ADMIN_PERMS = {("auth", "user"), ("auth", "group"), ("auth", "permission"), ("axes", None)}
LOCK_PERMS = {("axes", "accessattempt"): {"view", "delete"}, ("axes", "accessfailurelog"): {"view"}}


def _matches(permission, wanted: set[tuple[str, str | None]]) -> bool:
    app, model = permission.content_type.app_label, permission.content_type.model
    return (app, model) in wanted or (app, None) in wanted


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
    # Only those it holds: remove() reports every pk it is given (an audit row per migrate otherwise).
    held = set(unit.permissions.values_list("pk", flat=True))
    unit.permissions.remove(*[p for p in perms if not unit_may(p) and p.pk in held])
    ensure_admin_roles()


def ensure_admin_roles() -> None:
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    for label in ("auth", "axes", "django_celery_beat", "security"):
        if apps.is_installed(label) or any(c.label == label for c in apps.get_app_configs()):
            create_permissions(apps.get_app_config(label), verbosity=0)
    every = list(Permission.objects.select_related("content_type"))
    locks = [
        p for p in every if p.codename.split("_", 1)[0] in LOCK_PERMS.get((p.content_type.app_label, p.content_type.model), ())
    ]
    Group.objects.get_or_create(name=settings.DUBAN_BUREAU_STAFF_GROUP)[0].permissions.add(*locks)
    system, _ = Group.objects.get_or_create(name=settings.DUBAN_SYSTEM_ADMIN_GROUP)
    system.permissions.add(*[p for p in every if _matches(p, SYSTEM_ADMIN_PERMS)])
    security, _ = Group.objects.get_or_create(name=settings.DUBAN_SECURITY_ADMIN_GROUP)
    security.permissions.add(*[p for p in every if _matches(p, SECURITY_ADMIN_PERMS)])
    auditor, _ = Group.objects.get_or_create(name=settings.DUBAN_AUDITOR_GROUP)
    audit = [p for p in every if p.content_type.app_label == "security" and p.codename == "view_auditevent"]
    auditor.permissions.set(audit)  # read-only on the audit log, nothing else, whatever was added by hand
