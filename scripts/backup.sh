#!/usr/bin/env bash
# Back up Duban: a consistent PostgreSQL dump plus the uploaded files (MEDIA_ROOT).
#
#   scripts/backup.sh [BACKUP_DIR]        (make backup; BACKUP_DIR defaults to ./backups)
#
# Writes BACKUP_DIR/duban-<UTC stamp>/ with
#   db.dump         pg_dump custom format: one repeatable-read snapshot of the whole database, taken
#                   while the application keeps running (no lock blocks its writes);
#   media.tar.gz    the uploaded files (milestone attachments, finding evidence), read after the dump,
#                   so every file a dumped row names is in the archive (files are never rewritten);
#   SHA256SUMS      checked by scripts/restore.sh before it touches anything.
# The directory appears only when complete (written as .partial, then renamed) and its path is the
# last line printed.
#
# The database: DATABASE_URL (postgres://…; read from .env beside manage.py when not set), else the
# libpq variables PGHOST, PGUSER, PGPASSWORD, PGDATABASE (the compose `backup` service uses those).
# The files: MEDIA_ROOT (default ./media beside manage.py). Needs pg_dump of the server's major
# version or newer, and tar.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

env_file_value() { # NAME: its value in .env (the settings' own file), if any
  local file=${DUBAN_ENV_FILE-$ROOT/.env}
  [[ -n $file && -f $file ]] || return 0
  sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$file" | tail -1 | sed 's/^["'\'']//; s/["'\'']$//'
}

DB_URL=${DATABASE_URL:-$(env_file_value DATABASE_URL)}
MEDIA=${MEDIA_ROOT:-$(env_file_value MEDIA_ROOT)}
MEDIA=${MEDIA:-$ROOT/media}
OUT_ROOT=${1:-${BACKUP_DIR:-$ROOT/backups}}

if [[ -n $DB_URL && ! $DB_URL =~ ^postgres(ql)?:// ]]; then
  echo "backup: DATABASE_URL is not PostgreSQL ($DB_URL); back up that database by other means." >&2
  exit 2
fi
if [[ -z $DB_URL && -z ${PGDATABASE:-} ]]; then
  echo "backup: set DATABASE_URL=postgres://… (or PGHOST/PGUSER/PGDATABASE)." >&2
  exit 2
fi
# libpq reads postgresql:// and postgres:// alike.
DB_ARGS=()
[[ -n $DB_URL ]] && DB_ARGS=(--dbname "$DB_URL")

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$OUT_ROOT/duban-$STAMP
mkdir -p "$OUT.partial"
trap 'rm -rf "$OUT.partial"' EXIT

pg_dump --format=custom --no-owner --no-privileges "${DB_ARGS[@]}" --file "$OUT.partial/db.dump"
if [[ -d $MEDIA ]]; then
  tar -C "$MEDIA" -czf "$OUT.partial/media.tar.gz" .
else
  echo "backup: no uploaded files yet ($MEDIA does not exist)" >&2
  tar -czf "$OUT.partial/media.tar.gz" -T /dev/null
fi
(cd "$OUT.partial" && sha256sum db.dump media.tar.gz >SHA256SUMS)

mv "$OUT.partial" "$OUT"
trap - EXIT
echo "backup: $(du -sh "$OUT" | cut -f1) written"
echo "$OUT"
