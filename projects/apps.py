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

        # ... and lends the engine what it shows of a project: its admin page and its owner (项目业主).
        from targets import item_kinds
        from targets.choices import ItemKind

        item_kinds.register(ItemKind.PROJECT, admin="projects_project", child="project", owner="owner_company")

        from targets.engine.supervision import run_finished

        run_finished.connect(warm_dashboard_after_run, dispatch_uid="projects.warm_dashboard")

        # ... and tells the dashboard's kept figures how to queue their renewal.
        from .dashboard import cells
        from .tasks import warm_dashboard_task

        cells.Renewal.queue = lambda plan_id: warm_dashboard_task.delay(plan_id)


def warm_dashboard_after_run(*, plan, **_kwargs) -> None:
    """Count the dashboard's kept figures again after a run, in the background (inline without a broker)."""
    from django.conf import settings

    from .dashboard import cells

    if settings.DUBAN_DASHBOARD_CACHE_SECONDS > 0:  # else nothing is kept
        cells.renew(plan)
