"""Production refuses published development keys; Celery refuses to start without settings."""

from __future__ import annotations

import pytest

from config.tests.test_settings import bare_env, production_env, run


@pytest.mark.parametrize(
    "key",
    [
        "insecure-local-development-key-do-not-use-in-production",
        "collectstatic-only-not-a-secret",
        "django-insecure-" + "x" * 50,
    ],
)
def test_production_refuses_a_published_development_key(key):
    result = run(["manage.py", "check"], "config.settings.production", **production_env(SECRET_KEY=key))
    assert result.returncode == 1
    assert "SECRET_KEY is a published development key" in result.stderr


def test_celery_fails_loudly_without_django_settings_module():
    import subprocess
    import sys

    env = bare_env("unused")
    del env["DJANGO_SETTINGS_MODULE"]
    result = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "config", "inspect", "ping", "--timeout", "1"],
        cwd=env["PYTHONPATH"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SETTINGS_MODULE is not set" in result.stdout + result.stderr
