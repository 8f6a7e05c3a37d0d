#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh: the database, then the uploaded files.
#
#   scripts/restore.sh BACKUP_PATH [--force]      (make restore BACKUP=backups/duban-… [FORCE=1])
#
# The database is DATABASE_URL (or .env, or the PG* variables, as for backup.sh); it must exist. An
# empty database (a new one: createdb, or a fresh compose volume) is restored into as is; one that
# already has tables is refused unless --force, which replaces what the backup holds. The restore is
# one transaction: it fails whole or succeeds whole. Stop web, worker and beat first.
# The files are unpacked into MEDIA_ROOT (default ./media); with --force, files the backup does not
# have are removed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

usage() { echo "usage: scripts/restore.sh BACKUP_PATH [--force]" >&2; exit 2; }
[[ $# -ge 1 ]] || usage
SRC=$1
FORCE=${2:-}
[[ -z $FORCE || $FORCE == --force ]] || usage

env_file_value() {
  local file=${DUBAN_ENV_FILE-$ROOT/.env}
  [[ -n $file && -f $file ]] || return 0
  sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$file" | tail -1 | sed 's/^["'\'']//; s/["'\'']$//'
}

DB_URL=${DATABASE_URL:-$(env_file_value DATABASE_URL)}
MEDIA=${MEDIA_ROOT:-$(env_file_value MEDIA_ROOT)}
MEDIA=${MEDIA:-$ROOT/media}
if [[ -n $DB_URL && ! $DB_URL =~ ^postgres(ql)?:// ]]; then
  echo "restore: DATABASE_URL is not PostgreSQL ($DB_URL)." >&2
  exit 2
fi
DB_ARGS=()
[[ -n $DB_URL ]] && DB_ARGS=(--dbname "$DB_URL")

[[ -f $SRC/db.dump && -f $SRC/media.tar.gz && -f $SRC/SHA256SUMS ]] || {
  echo "restore: $SRC is not a complete backup (db.dump, media.tar.gz, SHA256SUMS)." >&2
  exit 2
}
(cd "$SRC" && sha256sum --check --quiet SHA256SUMS) || {
  echo "restore: $SRC is damaged: a checksum does not match." >&2
  exit 1
}

TABLES=$(psql "${DB_ARGS[@]}" -X -At -v ON_ERROR_STOP=1 -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [[ $TABLES != 0 && -z $FORCE ]]; then
  echo "restore: the target database already has $TABLES tables; pass --force (make restore … FORCE=1) to replace them." >&2
  exit 1
fi
CLEAN=()
[[ $TABLES != 0 ]] && CLEAN=(--clean --if-exists)
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction "${CLEAN[@]}" "${DB_ARGS[@]}" "$SRC/db.dump"

mkdir -p "$MEDIA"
if [[ -n $FORCE ]]; then
  find "$MEDIA" -mindepth 1 -delete
fi
tar -C "$MEDIA" -xzf "$SRC/media.tar.gz"
echo "restore: database and files restored from $SRC"
