#!/usr/bin/env bash
# Install (Debian package) and start a PostgreSQL server on 127.0.0.1:5432 with a
# database and role for the tests. Idempotent: a running server is reused.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq postgresql >/dev/null
fi
ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q online; then
  pg_lsclusters -h | grep -q "^$ver main" || pg_createcluster "$ver" main >/dev/null
  pg_ctlcluster "$ver" main start
fi
for _ in $(seq 1 30); do
  su postgres -c "psql -h 127.0.0.1 -c 'select 1'" >/dev/null 2>&1 && break || true
  su postgres -c "psql -c 'select 1'" >/dev/null 2>&1 && break || sleep 1
done
su postgres -c "psql -v ON_ERROR_STOP=1 -q" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'matcher') THEN
    CREATE ROLE matcher LOGIN PASSWORD 'matcher' CREATEDB;
  END IF;
END $$;
SQL
su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='matcher_test'\"" | grep -q 1 \
  || su postgres -c "createdb -O matcher matcher_test"
PGPASSWORD=matcher psql -h 127.0.0.1 -U matcher -d matcher_test -c 'select 1' >/dev/null
echo "PostgreSQL $ver ready on 127.0.0.1:5432"
