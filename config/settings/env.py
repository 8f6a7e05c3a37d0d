"""Strict readers for environment variables.

django-environ does the parsing; these helpers turn any parse error into an
ImproperlyConfigured that names the variable, so a bad deployment fails at start
with a message an operator can act on.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A .env file beside manage.py is read if present; real environment variables win.
# DUBAN_ENV_FILE names another file, or turns the file off when empty (the settings tests do this).
ENV_FILE = os.environ.get("DUBAN_ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE and Path(ENV_FILE).is_file():
    environ.Env.read_env(ENV_FILE, overwrite=False)


def _wrap(name: str, reader, *args: Any, **kwargs: Any) -> Any:
    try:
        return reader(name, *args, **kwargs)
    except ImproperlyConfigured:
        raise
    except Exception as exc:  # environ raises ValueError, KeyError, TypeError …
        raise ImproperlyConfigured(f"Environment variable {name} is invalid: {exc}") from exc


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    if required and not env.str(name, default=""):
        raise ImproperlyConfigured(f"Environment variable {name} is required in this configuration.")
    return _wrap(name, env.str, default=default)


def env_bool(name: str, default: bool) -> bool:
    raw = env.str(name, default="")
    if raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"Environment variable {name} must be true or false, got {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = env.str(name, default="")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"Environment variable {name} must be an integer, got {raw!r}.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env.str(name, default="")
    if raw == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_db(name: str, default: str) -> dict[str, Any]:
    raw = env.str(name, default=default)
    scheme = urlsplit(raw).scheme
    if scheme not in environ.Env.DB_SCHEMES:
        raise ImproperlyConfigured(
            f"Environment variable {name} names an unknown database scheme {scheme!r} "
            "(use e.g. postgres://user:password@host:5432/name or sqlite:////absolute/path.db)."
        )
    try:
        config = environ.Env.db_url_config(raw)
    except Exception as exc:
        raise ImproperlyConfigured(f"Environment variable {name} is not a database URL: {exc}") from exc
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(f"Environment variable {name} names an unknown database scheme: {raw!r}.")
    return config


def env_email(name: str, default: str) -> dict[str, Any]:
    raw = env.str(name, default=default)
    try:
        config = environ.Env.email_url_config(raw)
    except Exception as exc:
        raise ImproperlyConfigured(f"Environment variable {name} is not an email URL: {exc}") from exc
    if not config.get("EMAIL_BACKEND"):
        raise ImproperlyConfigured(f"Environment variable {name} names an unknown email scheme: {raw!r}.")
    return config


def env_url(name: str, default: str) -> str:
    raw = env.str(name, default=default)
    if raw and not (raw.startswith("http://") or raw.startswith("https://")):
        raise ImproperlyConfigured(f"Environment variable {name} must start with http:// or https://, got {raw!r}.")
    return raw.rstrip("/")
