from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate


class DubanAdminConfig(AdminConfig):
    """django.contrib.admin with Duban's site (headline numbers on the index page) and roles."""

    default_site = "config.admin_site.DubanAdminSite"

    def ready(self) -> None:
        super().ready()
        from .roles import ensure_roles

        # After every migrate, so new models' permissions reach the groups.
        post_migrate.connect(ensure_roles, dispatch_uid="duban_ensure_roles")
