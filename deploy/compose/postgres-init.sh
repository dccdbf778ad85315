#!/bin/sh
# PostgreSQL's first start under Docker Compose (mounted into /docker-entrypoint-initdb.d):
# one login role and one database per service, each owned by its role, like the local runner
# does (deploy/local/infra-up.sh). Passwords come from the container's environment
# (KECHUANG_DB_PASSWORD_<SERVICE>, from .env) and reach SQL as psql variables, quoted by psql.
# The official image runs this once, on an empty data volume; to change a password later:
#   docker compose exec postgres psql -U postgres -c "ALTER ROLE kechuang_media PASSWORD '…'"
set -eu
for service in intake media screening reporting matching identity; do
  var="KECHUANG_DB_PASSWORD_$(echo "$service" | tr '[:lower:]' '[:upper:]')"
  password="$(printenv "$var" || true)"
  if [ -z "$password" ]; then
    echo "postgres-init: $var is not set" >&2
    exit 1
  fi
  psql -v ON_ERROR_STOP=1 -q -X --username "$POSTGRES_USER" --dbname postgres \
    -v role="kechuang_$service" -v password="$password" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"role" OWNER :"role";
REVOKE ALL ON DATABASE :"role" FROM PUBLIC;
SQL
done
