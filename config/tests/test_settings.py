"""Settings come from the environment: bad values fail at start naming the variable; defaults boot bare.

Each case starts a fresh Python with a controlled environment (nothing inherited from the test run,
and no .env file: DUBAN_ENV_FILE is empty), because settings are read once at import.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
django.setup()
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "db_name": str(db["NAME"]), "debug": s.DEBUG,
    "eager": s.CELERY_TASK_ALWAYS_EAGER, "broker": s.CELERY_BROKER_URL,
    "email_backend": s.EMAIL_BACKEND, "email_host": s.EMAIL_HOST, "email_port": s.EMAIL_PORT,
    "site_url": s.SITE_URL, "allowed_hosts": s.ALLOWED_HOSTS,
    "cache": s.CACHES["default"]["BACKEND"], "cache_location": s.CACHES["default"].get("LOCATION", ""),
}))
"""


def bare_env(settings_module: str, **overrides: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DUBAN_ENV_FILE": "",
    }
    env.update(overrides)
    return env


def run(args: list[str], settings_module: str = "config.settings.local", **overrides: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=bare_env(settings_module, **overrides),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def probe(settings_module: str = "config.settings.local", **overrides: str) -> dict:
    result = run(["-c", PROBE], settings_module, **overrides)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def production_env(**overrides: str) -> dict[str, str]:
    return {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "duban.example.gov.cn", **overrides}


# --- Bad values fail at start, naming the variable ----------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "nonsense://somewhere/db"),
        ("DATABASE_URL", "not a url"),
        ("EMAIL_URL", "pigeon://127.0.0.1"),
        ("DEBUG", "maybe"),
        ("SITE_URL", "duban.example.gov.cn"),
        ("EMAIL_TIMEOUT", "thirty"),
        # Retention: audit and ledger rows are kept at least 180 days (等保 2.0), snapshots 35 days.
        ("DUBAN_HISTORY_RETENTION_DAYS", "30"),
        ("DUBAN_DELIVERY_RETENTION_DAYS", "0"),
        ("DUBAN_SNAPSHOT_DAILY_DAYS", "7"),
    ],
)
def test_bad_value_fails_naming_the_variable(variable, value):
    result = run(["-c", PROBE], **{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"Environment variable {variable}" in result.stderr


def test_manage_py_reports_a_bad_value_with_the_variable_name():
    result = run(["manage.py", "check"], DEBUG="sometimes")
    assert result.returncode == 1
    assert "Environment variable DEBUG must be true or false, got 'sometimes'" in result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_requires_secrets_from_the_environment(missing):
    env = production_env()
    del env[missing]
    result = run(["manage.py", "check"], "config.settings.production", **env)
    assert result.returncode == 1
    assert f"Environment variable {missing} is required" in result.stderr


# --- Defaults and values ------------------------------------------------------------------------


def test_defaults_boot_on_a_bare_environment():
    values = probe()
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["db_name"] == str(ROOT / "db.sqlite3")
    assert values["debug"] is True  # config.settings.local, what manage.py uses
    assert values["eager"] is True
    assert values["broker"] == ""
    assert values["email_backend"] == "django.core.mail.backends.console.EmailBackend"
    assert values["site_url"] == "http://127.0.0.1:8000"

    result = run(["manage.py", "check"])
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_email_url_gives_the_smtp_backend():
    values = probe(EMAIL_URL="smtp://127.0.0.1:1025")
    assert values["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (values["email_host"], values["email_port"]) == ("127.0.0.1", 1025)


def test_database_url_selects_postgresql():
    values = probe(DATABASE_URL="postgres://postgres@127.0.0.1:5432/duban")
    assert (values["engine"], values["db_name"]) == ("django.db.backends.postgresql", "duban")


def test_a_broker_url_turns_eager_celery_off():
    values = probe(REDIS_URL="redis://127.0.0.1:6379/0")
    assert values["broker"] == "redis://127.0.0.1:6379/0"
    assert values["eager"] is False


@pytest.mark.parametrize(
    ("variables", "location"),
    [
        ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, "redis://127.0.0.1:6379/0"),
        ({"CELERY_BROKER_URL": "redis://127.0.0.1:6379/3"}, "redis://127.0.0.1:6379/3"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/0", "CELERY_BROKER_URL": "amqp://guest@127.0.0.1//"}, "redis://127.0.0.1:6379/0"),
    ],
)
def test_the_cache_is_redis_whenever_a_worker_may_write_to_it(variables, location):
    values = probe(**variables)
    assert (values["cache"], values["cache_location"]) == ("config.cache.DegradingRedisCache", location)


def test_without_redis_the_cache_is_local_memory():
    assert probe()["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert probe(CELERY_BROKER_URL="amqp://guest@127.0.0.1//")["cache"] == "django.core.cache.backends.locmem.LocMemCache"


def test_env_file_is_read_and_real_environment_wins(tmp_path):
    env_file = tmp_path / "duban.env"
    env_file.write_text("SITE_URL=https://duban.example.gov.cn/\nALLOWED_HOSTS=from-file.example\n", encoding="utf-8")
    values = probe(DUBAN_ENV_FILE=str(env_file), ALLOWED_HOSTS="from-env.example")
    assert values["site_url"] == "https://duban.example.gov.cn"
    assert values["allowed_hosts"] == ["from-env.example"]


# --- Production ---------------------------------------------------------------------------------


def test_check_deploy_is_clean_with_production_settings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], "config.settings.production", **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_catches_a_weak_secret_key():
    env = production_env(SECRET_KEY="short")
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], "config.settings.production", **env)
    assert result.returncode != 0
    assert "security.W009" in result.stderr


# --- .env.example stays complete ----------------------------------------------------------------


def test_env_example_lists_every_variable_the_settings_read():
    source = "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "config" / "settings").glob("*.py"))
    read = set(re.findall(r"env_\w+\(\s*\"([A-Z][A-Z0-9_]*)\"", source))
    assert {"SECRET_KEY", "DATABASE_URL", "EMAIL_URL"} <= read
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))
    assert read - listed == set(), "add these to .env.example"
