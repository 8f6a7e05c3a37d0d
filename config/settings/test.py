"""Test settings: fast hasher, in-memory mail, eager Celery unless a test opts into a real worker."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Tests clear the cache (throttling): never a developer's Redis from REDIS_URL.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The webhook tests post to a listener on loopback: allowed here, and only here (see docs/security.md).
DUBAN_OUTGOING_ALLOW = ["127.0.0.0/8", "::1"]
# The dashboard counts on every request unless a test turns its cache on (projects.dashboard.cache).
DUBAN_DASHBOARD_CACHE_SECONDS = 0
