# Duban: the commands in README.md. `make run` and `make test` work on a bare machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed
MANAGE := $(PY) manage.py
PORT ?= 8000

.PHONY: venv venv-qa run tour test lint format migrate worker beat demo messages backup restore
.DEFAULT_GOAL := run

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall only when a requirements file changed since the last install.
$(STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

venv: $(STAMP)

# QA tools (schemathesis, locust) in their own venv: see requirements-qa.txt.
QA_STAMP := .venv-qa/.requirements-installed
.venv-qa/bin/python:
	$(PYTHON) -m venv .venv-qa
$(QA_STAMP): requirements.txt requirements-dev.txt requirements-qa.txt | .venv-qa/bin/python
	.venv-qa/bin/python -m pip install --disable-pip-version-check -q -r requirements-qa.txt
	touch $@

venv-qa: $(QA_STAMP)

migrate: venv
	$(MANAGE) migrate --noinput

# Safe to repeat: setup_demo checks the port, migrates, loads plan_2023 only where rows are absent and
# creates the demo logins once (targets/management/commands/setup_demo.py).
run: venv
	$(MANAGE) setup_demo --port $(PORT)
	$(MANAGE) runserver 127.0.0.1:$(PORT)

# Brings the demo alive at a date in 2023 and prints where to look (notifications/management/commands/tour.py).
tour: venv
	$(MANAGE) setup_demo
	$(MANAGE) tour --port $(PORT)

test: venv
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Worker and beat need a broker: set REDIS_URL (in .env or the environment) for them and for `make run`.
worker: venv
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.local} $(VENV)/bin/celery -A config worker --loglevel INFO

beat: venv
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.local} $(VENV)/bin/celery -A config beat --loglevel INFO -S django_celery_beat.schedulers:DatabaseScheduler

demo: migrate
	$(MANAGE) seed_demo --projects 240 --seed 1

# Needs GNU gettext (apt-get install gettext). Commit the .po and the compiled .mo.
messages: venv
	$(MANAGE) makemessages --locale zh_Hans --ignore '.venv/*' --ignore 'staticfiles/*'
	$(MANAGE) compilemessages --locale zh_Hans --ignore '.venv/*'

# Backup and restore (PostgreSQL + uploaded files; docs/resilience.md). DATABASE_URL and MEDIA_ROOT
# from the environment or .env; needs pg_dump/pg_restore. Under docker compose: `docker compose run --rm backup`.
BACKUP_DIR ?= backups
backup:
	scripts/backup.sh $(BACKUP_DIR)

# make restore BACKUP=backups/duban-20230710T000000Z [FORCE=1]  (FORCE replaces a non-empty database)
restore:
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=$(BACKUP_DIR)/duban-<stamp> [FORCE=1]" >&2; exit 2; }
	scripts/restore.sh "$(BACKUP)" $(if $(FORCE),--force)
