from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = _("Plan and goals")
    default_auto_field = "django.db.models.BigAutoField"
