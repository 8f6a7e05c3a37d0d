from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Major projects")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the register's roll-ups with the engine (targets never imports projects).
        from targets import rollups as engine

        from . import rollups

        engine.register_provider(rollups.compute_all, rollups.POOLS)
