#!/usr/bin/env python3
"""Django's command-line utility for administrative tasks.

Run with any Python: when Django is not importable (a fresh shell, the system python3), it re-runs
itself with the project's virtualenv, `.venv/bin/python` beside this file, if that exists.
"""

import os
import sys
from pathlib import Path


def _reexec_in_venv() -> None:
    venv_python = Path(__file__).resolve().parent / ".venv" / "bin" / "python"
    # Compare the venv's own path, not the interpreter it links to: a venv's python is a symlink.
    if venv_python.exists() and Path(sys.prefix).resolve() != venv_python.parent.parent.resolve():
        os.execv(str(venv_python), [str(venv_python), *sys.argv])
    sys.exit(
        "Django is not installed for this Python and there is no .venv beside manage.py: run `make venv` (or `make run`) first."
    )


def main() -> None:
    try:
        import django  # noqa: F401
    except ModuleNotFoundError:
        _reexec_in_venv()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
