#!/usr/bin/env bash
# The generated-client check (issue 17), called by .ci/run after the schemathesis fuzz:
#   1. download /api/schema/ from a live server with a token, as an integrator would;
#   2. openapi-spec-validator must pass;
#   3. openapi-python-client generates a client, and every module of it must import;
#   4. .ci/api_client_demo.py type-checks against it with mypy --strict (no casts needed) and, using
#      only that generated client (no hand-written HTTP), lists plans, pages through projects, reads a
#      status as of a date, files a report, gets a typed 400 on a duplicate, a 403 for another unit's item and a 412 on a stale If-Match.
# Usage: .ci/api_client_check.sh BASE_URL STAFF_TOKEN UNIT_TOKEN (tools from .venv-qa).
set -euo pipefail

BASE_URL=$1
STAFF_TOKEN=$2
UNIT_TOKEN=$3
ROOT=$(cd "$(dirname "$0")/.." && pwd)
QA=$ROOT/.venv-qa/bin
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

"$QA/python" - "$BASE_URL/api/schema/?format=json" "$STAFF_TOKEN" "$WORK/schema.json" <<'PYEOF'
import sys, urllib.request
request = urllib.request.Request(sys.argv[1], headers={"Authorization": f"Bearer {sys.argv[2]}"})
with urllib.request.urlopen(request, timeout=60) as response, open(sys.argv[3], "wb") as out:
    out.write(response.read())
PYEOF
echo "schema: $(wc -c <"$WORK/schema.json") bytes"

"$QA/openapi-spec-validator" "$WORK/schema.json"

# The generator formats its output with ruff, which it finds on PATH.
(cd "$WORK" && PATH="$QA:$PATH" "$QA/openapi-python-client" generate --path schema.json --meta none \
  --output-path duban_client --fail-on-warning)

PYTHONPATH=$WORK "$QA/python" - <<'PYEOF'
import importlib, pkgutil
import duban_client
names = [m.name for m in pkgutil.walk_packages(duban_client.__path__, "duban_client.")]
for name in names:
    importlib.import_module(name)
print(f"imported all {len(names)} modules of the generated client")
PYEOF

# Typed callers read response fields without casts: every field a response always has is required.
# (--follow-imports=silent: the generated package's own typing is the generator's business.)
MYPYPATH=$WORK "$QA/mypy" --strict --follow-imports=silent --cache-dir "$WORK/.mypy_cache" "$ROOT/.ci/api_client_demo.py"

PYTHONPATH=$WORK "$QA/python" "$ROOT/.ci/api_client_demo.py" "$BASE_URL" "$STAFF_TOKEN" "$UNIT_TOKEN"
