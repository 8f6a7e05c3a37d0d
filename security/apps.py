from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    """The security audit log (安全审计), password age and the hooks that feed them."""

    name = "security"
    verbose_name = _("Security audit")

    def ready(self) -> None:
        from . import signals

        signals.connect()
