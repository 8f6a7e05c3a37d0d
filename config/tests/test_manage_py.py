"""`./manage.py` works from a fresh shell: with a Python that has no Django it re-runs itself in .venv."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

MANAGE = Path(settings.BASE_DIR) / "manage.py"


def python_without_django() -> str:
    for candidate in ("/usr/bin/python3", shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin")):
        if candidate and Path(candidate).exists():
            probe = subprocess.run([candidate, "-c", "import django"], capture_output=True, env={"PATH": "/usr/bin:/bin"})
            if probe.returncode != 0:
                return candidate
    pytest.skip("no system python3 without Django on this machine")


@pytest.mark.skipif(not (MANAGE.parent / ".venv" / "bin" / "python").exists(), reason="needs the project's .venv")
def test_manage_py_finds_the_virtualenv_from_a_fresh_shell(tmp_path):
    done = subprocess.run(
        [python_without_django(), str(MANAGE), "version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # any directory: the venv is found beside manage.py
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith("5.")
