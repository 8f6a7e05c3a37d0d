"""Settings shared by every environment. Values come from the environment (see .env.example)."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from .env import BASE_DIR, env_bool, env_db, env_email, env_int, env_list, env_str, env_url

# --- Core ---------------------------------------------------------------------------------------
DEVELOPMENT_SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
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
    # Per-account login lockout (its access attempts are the lock staff see and lift).
    "axes",
    # Duban, in dependency order: projects uses targets, notifications uses both.
    "targets",
    "projects",
    "notifications",
    # The security audit log and password age; after auth, whose user admin it adjusts.
    "security",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # JSON errors under /api/ (body size limit, unknown paths, Django's own 400/500 pages).
    "targets.api.middleware.ApiErrorMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # Records request.user on every history row (the audit trail's "who").
    "simple_history.middleware.HistoryRequestMiddleware",
    "security.middleware.IdleSessionMiddleware",
    "security.middleware.PasswordExpiryMiddleware",
    "security.middleware.AuditDownloadsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
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

# --- Content-Security-Policy (django-csp) -----------------------------------------------------------
# Scripts only from our own origin (static files, Swagger UI's start-up script): no inline script, no
# eval. Inline styles stay allowed: the admin's widgets and Swagger UI set style attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# The per-address throttle is security.backends' (a higher limit than per account: offices share an
# address behind NAT), so django-axes locks by username only, which its check W006 warns about.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# --- Auth (等保 身份鉴别; docs/security.md) --------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # Refuse first: too many failures from the client's address, or a locked account (django-axes).
    "security.backends.AddressThrottleBackend",
    "security.backends.AccountLockBackend",
    "django.contrib.auth.backends.ModelBackend",
]
DUBAN_PASSWORD_MIN_LENGTH = env_int("DUBAN_PASSWORD_MIN_LENGTH", default=10)
# Days after which a password must be changed (0: never).
DUBAN_PASSWORD_MAX_AGE_DAYS = env_int("DUBAN_PASSWORD_MAX_AGE_DAYS", default=90)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": DUBAN_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Three of: lower case, upper case, digits, symbols.
    {"NAME": "security.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "security.passwords.PasswordAgeValidator"},
]
LOGIN_URL = "admin:login"
# Lockout: this many failed logins in a row lock the account for DUBAN_LOCKOUT_MINUTES (at least 15);
# a success resets the count. Staff see and lift locks under the admin's access attempts.
DUBAN_LOGIN_FAILURES_PER_ACCOUNT = min(5, max(1, env_int("DUBAN_LOGIN_FAILURES_PER_ACCOUNT", default=5)))
DUBAN_LOCKOUT_MINUTES = max(15, env_int("DUBAN_LOCKOUT_MINUTES", default=15))
# The per-address throttle: failed logins from one client address within DUBAN_LOCKOUT_MINUTES before
# every login from it is refused (higher than per account: an office shares one address behind NAT).
DUBAN_LOGIN_FAILURES_PER_ADDRESS = env_int("DUBAN_LOGIN_FAILURES_PER_ADDRESS", default=20)
# Reverse proxies in front of gunicorn whose X-Forwarded-For is trusted for the client's address.
DUBAN_TRUSTED_PROXIES = env_int("DUBAN_TRUSTED_PROXIES", default=0)
AXES_FAILURE_LIMIT = DUBAN_LOGIN_FAILURES_PER_ACCOUNT
AXES_COOLOFF_TIME = timedelta(minutes=DUBAN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "security.client.client_ip"
AXES_LOCKOUT_CALLABLE = "security.views.locked_out"
# Logins and logouts go to the security audit log (security.signals), not to a second table.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Idle sessions end: requests renew the session (security.middleware.IdleSessionMiddleware, at most
# every 5 minutes), DUBAN_SESSION_IDLE_MINUTES without one end it.
DUBAN_SESSION_IDLE_MINUTES = env_int("DUBAN_SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = DUBAN_SESSION_IDLE_MINUTES * 60
# Security audit log retention in days (never below 180: security.audit.purge).
DUBAN_AUDIT_RETENTION_DAYS = env_int("DUBAN_AUDIT_RETENTION_DAYS", default=365)

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
# A pool child killed mid-task (OOM killer, SIGKILL) requeues its task at once instead of losing it
# with a WorkerLostError.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - min(5 * 60, CELERY_TASK_TIME_LIMIT // 6)
# Redis hands an unacknowledged task to another worker after this many seconds: a whole worker
# killed mid-task has its tasks back soon after the time limit (Redis' default is one hour). It must
# stay above the time limit, or a task still running would be delivered twice. No task here uses a
# countdown or ETA (those are redelivered after the visibility timeout as well). Workers look for
# such tasks every 10 s (kombu's default sweeps only every 100 s).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + min(60, max(2, CELERY_TASK_TIME_LIMIT // 10)),
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
# Schedules live in the database so staff can see and edit them in the admin.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Cache --------------------------------------------------------------------------------------
# Import progress crosses processes (a worker writes it, the admin page polls it), so the cache is
# Redis when REDIS_URL (else a Redis broker) is set; local memory otherwise, where Celery tasks run
# in the web process.
CACHE_REDIS_URL = env_str("REDIS_URL", default="") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
)
# With Redis down the cache degrades (misses, dropped writes, a warning a minute) rather than
# failing requests; short socket timeouts keep a hung Redis from holding requests.
CACHES = {
    "default": {
        "BACKEND": "config.cache.DegradingRedisCache",
        "LOCATION": CACHE_REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
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
    # JSON only: one request body per operation in the schema, and PATCH can send null to clear a field.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_FILTER_BACKENDS": [
        "targets.api.filters.FilterBackend",
        "targets.api.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "config.api_schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "targets.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["targets.api.throttling.TokenRateThrottle"],
    # Requests per token (per login for sessions): "<n>/second|minute|hour|day".
    "DEFAULT_THROTTLE_RATES": {"api": env_str("DUBAN_API_RATE", default="1000/hour")},
    "EXCEPTION_HANDLER": "targets.api.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}
API_DESCRIPTION = (
    "督办系统 REST API（v1）：年度计划、目标、重大项目、进度报送、节点、堵点、督办事项与督查轮次。"
    "认证：`Authorization: Bearer <令牌>`（或 `Token <令牌>`），令牌由 `manage.py issue_token` 签发。"
    "只接受 JSON 请求体；错误一律为带 `code` 的 Error 对象。变更记录见 docs/api-changelog.md。\n\n"
    "Duban REST API (v1): annual plans, goals, major projects, progress reports, milestones, blockers, "
    "findings and supervision rounds. Authenticate with `Authorization: Bearer <token>` (or `Token <token>`); "
    "tokens are issued by `manage.py issue_token`. Request bodies are JSON only; every error is an Error "
    "object carrying a `code`. Changes are listed in docs/api-changelog.md."
)
# Request bodies larger than this are refused under /api/ with a JSON 413 (the API takes small JSON).
DUBAN_API_MAX_BODY_BYTES = env_int("DUBAN_API_MAX_BODY_BYTES", default=1024 * 1024)

SPECTACULAR_SETTINGS = {
    "TITLE": "Duban API",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its Swagger UI need a login (a token or the admin's session), like the API.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Tags, summaries, descriptions, the error model and enum references (config/api_schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api_schema.postprocess",
    ],
    "DESCRIPTION": API_DESCRIPTION,
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
    "filters": {"client_errors_without_traceback": {"()": "config.log_filters.ClientErrorsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default config gives "django" its own console handler (with DEBUG on) that also
        # propagates to the root's: every line twice. Here it only propagates.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.request": {"handlers": [], "filters": ["client_errors_without_traceback"], "propagate": True},
    },
}

# --- Duban --------------------------------------------------------------------------------------
# Name of the group whose members manage every item (局机关督办人员).
DUBAN_BUREAU_STAFF_GROUP = "局机关督办人员"
DUBAN_UNIT_REPORTER_GROUP = "责任单位填报人员"
# 三员: system administrator, security administrator, auditor (config/roles.py).
DUBAN_SYSTEM_ADMIN_GROUP = "系统管理员"
DUBAN_SECURITY_ADMIN_GROUP = "安全管理员"
DUBAN_AUDITOR_GROUP = "审计员"
DUBAN_ADMIN_TITLE = _("椒江区发改局目标督办系统")
# Evidence uploads (佐证材料, targets.evidence): the largest file accepted, in MB. Files are stored
# under MEDIA_ROOT (never under STATIC_ROOT) and served only through the application's download view.
DUBAN_UPLOAD_MAX_MB = env_int("DUBAN_UPLOAD_MAX_MB", default=20)

# --- Retention (notifications.retention, daily at 03:15) -----------------------------------------
# Daily status snapshots are kept day by day this long, then thinned to month ends and each item's
# latest snapshot; delivery ledger rows (发送记录) and audit history (历史) are kept this many days
# (history 0 = for good). 等保 2.0 level 2 asks for audit records of at least 180 days.


def retention_days(name: str, default: int, *, minimum: int, forever: bool = False) -> int:
    """Days from the environment, refused below `minimum` (0 means "for good" where `forever`)."""
    days = env_int(name, default=default)
    if (days == 0 and forever) or days >= minimum:
        return days
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"Environment variable {name} must be at least {minimum} (days), got {days}.")


DUBAN_SNAPSHOT_DAILY_DAYS = retention_days("DUBAN_SNAPSHOT_DAILY_DAYS", 400, minimum=35)
DUBAN_DELIVERY_RETENTION_DAYS = retention_days("DUBAN_DELIVERY_RETENTION_DAYS", 730, minimum=180)
DUBAN_HISTORY_RETENTION_DAYS = retention_days("DUBAN_HISTORY_RETENTION_DAYS", 0, minimum=180, forever=True)

# --- Supervision --------------------------------------------------------------------------------
# Seconds a supervision run waits for another run of the same plan to finish before it gives up with
# "another run in progress" (a hung run must not block every later one).
DUBAN_SUPERVISE_LOCK_TIMEOUT = env_int("DUBAN_SUPERVISE_LOCK_TIMEOUT", default=600)

# Seconds the dashboard keeps the figures it counted for a selection (projects.dashboard.cache); 0: count on every request.
DUBAN_DASHBOARD_CACHE_SECONDS = env_int("DUBAN_DASHBOARD_CACHE_SECONDS", default=600)
# Seconds the dashboard's cells (projects.dashboard.cells: counted after each run, renewed in the
# background once older than DUBAN_DASHBOARD_CACHE_SECONDS) are kept at most: a day, as runs are daily.
DUBAN_DASHBOARD_KEEP_SECONDS = env_int("DUBAN_DASHBOARD_KEEP_SECONDS", default=86400)
# Admin change lists count exactly up to this many rows, and show the planner's estimate above it (targets.admin.paging).
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
# Outgoing requests (webhooks, group robots) never go to loopback, link-local, multicast or private
# addresses, except to the hosts and networks listed here (comma-separated: "10.1.2.0/24,hooks.intra").
# Empty by default; tests and the CI smoke test list 127.0.0.0/8 for their local listener.
DUBAN_OUTGOING_ALLOW = env_list("DUBAN_OUTGOING_ALLOW", default=[])
# The first monthly report reminder goes this many days before the report deadline (Plan.report_due_day,
# the 5th by default: so on the 3rd, or the working day before it); the second on the first working
# day after the deadline, copied to the unit head.
DUBAN_REMINDER_BEFORE_DAYS = env_int("DUBAN_REMINDER_BEFORE_DAYS", default=2)
