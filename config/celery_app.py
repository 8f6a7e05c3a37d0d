"""The Celery application. All CELERY_* settings live in config/settings/base.py."""

import os

from celery import Celery
from celery.signals import setup_logging
from django.core.exceptions import ImproperlyConfigured

# No fallback: a worker started without settings must not quietly run with DEBUG settings and their
# development key against production data (`make worker` names the local settings explicitly).
if not os.environ.get("DJANGO_SETTINGS_MODULE"):
    raise ImproperlyConfigured(
        "DJANGO_SETTINGS_MODULE is not set: start Celery with e.g. "
        "DJANGO_SETTINGS_MODULE=config.settings.production celery -A config worker"
    )

app = Celery("duban")
app.config_from_object("django.conf:settings", namespace="CELERY")


@setup_logging.connect
def config_loggers(*args, **kwargs):  # noqa: ARG001 - signal signature
    # Route worker logging through Django's LOGGING instead of Celery's own setup.
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


app.autodiscover_tasks()
