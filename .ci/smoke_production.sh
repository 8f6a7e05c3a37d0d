#!/usr/bin/env bash
# Production-shape smoke test (see .ci/smoke_production.py): web (gunicorn), worker and beat started
# with docker-compose.yml's own commands and environment, on loopback PostgreSQL and Redis, with an
# SMTP sink and a webhook listener; checked end to end; every process stopped. Run by hand as
#   bash .ci/smoke_production.sh
# SMOKE_DATABASE_URL (dropped and created again) and SMOKE_REDIS_URL (flushed) must be yours alone.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python .ci/smoke_production.py \
  --database-url "${SMOKE_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/duban_smoke}" \
  --redis-url "${SMOKE_REDIS_URL:-redis://127.0.0.1:6379/13}"
