"""Settings shared by every environment. Values come from the environment (see .env.example)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .env import BASE_DIR, env_bool, env_db, env_email, env_int, env_list, env_str, env_url

# --- Core ---------------------------------------------------------------------------------------
SECRET_KEY = env_str("SECRET_KEY", default="insecure-local-development-key-do-not-use-in-production")
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
SITE_URL = env_url("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    # The project's own admin config replaces django.contrib.admin (custom site with the plan's
    # headline numbers on the index page).
    "config.apps.DubanAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    # Duban, in dependency order: projects uses targets, notifications uses both.
    "targets",
    "projects",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records request.user on every history row (the audit trail's "who").
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
# Default: a SQLite file beside manage.py, so a bare machine boots with no services.
DATABASES = {"default": env_db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# Keep a connection per worker thread between requests (seconds; 0 = one connection per request):
# opening one costs PostgreSQL a backend process and the client a handshake, on every API call.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", default=60)
# A kept connection is checked before a request reuses it, so a restarted database costs no 500s.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ---------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------
# Everything is vendored: the bureau's intranet reaches no CDN.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env_str("MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# --- Email --------------------------------------------------------------------------------------
# EMAIL_URL uses django-environ's form, e.g. smtp://user:pass@127.0.0.1:1025 or smtp+tls://…
# Default: print messages to the console.
vars().update(env_email("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="督办系统 <duban@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", default=30)

# --- Celery -------------------------------------------------------------------------------------
# Without a broker URL, tasks run eagerly in-process (the zero-setup default).
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", default="") or env_str("REDIS_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TIMEZONE = TIME_ZONE
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# Ack after the task finishes so a worker crash re-delivers it; our jobs are idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
# Schedules live in the database so staff can see and edit them in the admin.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Cache --------------------------------------------------------------------------------------
# Import progress crosses processes (a worker writes it, the admin page polls it), so the cache is
# Redis when REDIS_URL (else a Redis broker) is set; local memory otherwise, where Celery tasks run
# in the web process.
CACHE_REDIS_URL = env_str("REDIS_URL", default="") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_REDIS_URL}
    if CACHE_REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# --- REST framework -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "targets.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "targets.api.filters.FilterBackend",
        "targets.api.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "targets.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["targets.api.throttling.TokenRateThrottle"],
    # Requests per token (per login for sessions): "<n>/second|minute|hour|day".
    "DEFAULT_THROTTLE_RATES": {"api": env_str("DUBAN_API_RATE", default="1000/hour")},
    "EXCEPTION_HANDLER": "targets.api.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Duban API",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    # Separate request and response components, so a response component can differ (see
    # targets.api.serializers.FieldsMixinSchema: `?fields=` makes every response field optional).
    "COMPONENT_SPLIT_REQUEST": True,
    # Two choice sets share the field name "category" (projects and problem categories).
    "ENUM_NAME_OVERRIDES": {
        "ProjectCategoryEnum": "projects.choices.Category",
        "ProblemCategoryEnum": "targets.choices.ProblemCategory",
        # Traffic lights: a goal's status and a finding's light when found.
        "StatusEnum": "targets.choices.StatusChoice",
    },
}

# --- Audit history ------------------------------------------------------------------------------
SIMPLE_HISTORY_REVERT_DISABLED = False
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# --- Import / export ----------------------------------------------------------------------------
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# --- Logging ------------------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# --- Duban --------------------------------------------------------------------------------------
# Name of the group whose members manage every item (局机关督办人员).
DUBAN_BUREAU_STAFF_GROUP = "局机关督办人员"
DUBAN_UNIT_REPORTER_GROUP = "责任单位填报人员"
DUBAN_ADMIN_TITLE = _("椒江区发改局目标督办系统")
# Seconds the dashboard keeps the figures it counted for a selection (projects.dashboard.cache); 0: count on every request.
DUBAN_DASHBOARD_CACHE_SECONDS = env_int("DUBAN_DASHBOARD_CACHE_SECONDS", default=600)
# Admin change lists count exactly up to this many rows, and show the planner's estimate above it (targets.admin_paging).
DUBAN_ADMIN_EXACT_COUNT = env_int("DUBAN_ADMIN_EXACT_COUNT", default=10000)

# --- Notifications ------------------------------------------------------------------------------
# SMTP attempts per message within one run, and the first pause between them in milliseconds
# (doubled after each failure).
DUBAN_NOTIFY_ATTEMPTS = env_int("DUBAN_NOTIFY_ATTEMPTS", default=3)
DUBAN_NOTIFY_BACKOFF_MS = env_int("DUBAN_NOTIFY_BACKOFF_MS", default=2000)
# A claim older than this (seconds) is taken to be abandoned by a crashed worker and may be retried.
DUBAN_NOTIFY_LEASE = env_int("DUBAN_NOTIFY_LEASE", default=600)
# Outgoing webhooks: a subscriber is switched off after this many failed deliveries in a row
# (each delivery retried DUBAN_NOTIFY_ATTEMPTS times with the backoff above); seconds per POST.
DUBAN_WEBHOOK_DISABLE_AFTER = env_int("DUBAN_WEBHOOK_DISABLE_AFTER", default=10)
DUBAN_WEBHOOK_TIMEOUT = env_int("DUBAN_WEBHOOK_TIMEOUT", default=5)
# The first monthly report reminder goes this many days before the report deadline (Plan.report_due_day,
# the 5th by default: so on the 3rd, or the working day before it); the second on the first working
# day after the deadline, copied to the unit head.
DUBAN_REMINDER_BEFORE_DAYS = env_int("DUBAN_REMINDER_BEFORE_DAYS", default=2)
