#!/usr/bin/env bash
# Start RabbitMQ (with the management plugin), PostgreSQL, MinIO on loopback, each only if it
# is not already running. A PID file under .run/pids marks what *we* started, so `make down`
# stops exactly that.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_secrets
SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO=sudo
# What this machine may already have (another checkout's stack, a program on one of our ports,
# a RabbitMQ of its own): each works as it is or stops make up here, saying what to do.
"$REPO/deploy/local/preflight.sh"
# The servers and their tools in one locale every Debian has, whatever the user's default
# (LANG=C made a SQL_ASCII cluster; a LANG not generated made pg_createcluster refuse).
export LC_ALL=C.UTF-8

# --- RabbitMQ ---------------------------------------------------------------------------
if [[ -f "$PIDS/rabbitmq.pid" ]] && $SUDO rabbitmqctl -q status >/dev/null 2>&1; then
  $SUDO rabbitmqctl -q eval 'list_to_integer(os:getpid()).' >"$PIDS/rabbitmq.pid"
fi
if ! $SUDO rabbitmqctl -q status >/dev/null 2>&1; then
  say "starting RabbitMQ"
  $SUDO rabbitmq-plugins -q enable --offline rabbitmq_management >/dev/null
  # Run as root, rabbitmq-plugins leaves the file unreadable for the broker's own user.
  $SUDO chown rabbitmq:rabbitmq /etc/rabbitmq/enabled_plugins 2>/dev/null || true
  # Each queue holds a file handle; the default 1024 is too few once many queues exist.
  ulimit -n 65536 2>/dev/null || true
  $SUDO env RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 rabbitmq-server -detached >/dev/null 2>&1
  wait_for "RabbitMQ" 60 $SUDO rabbitmqctl -q await_startup
  $SUDO rabbitmqctl -q eval 'list_to_integer(os:getpid()).' >"$PIDS/rabbitmq.pid"
fi
if ! $SUDO rabbitmqctl -q list_users | grep -q "^$KECHUANG_AMQP_USER\b"; then
  $SUDO rabbitmqctl -q add_user "$KECHUANG_AMQP_USER" "$KECHUANG_AMQP_PASSWORD" >/dev/null
fi
$SUDO rabbitmqctl -q change_password "$KECHUANG_AMQP_USER" "$KECHUANG_AMQP_PASSWORD" >/dev/null
$SUDO rabbitmqctl -q set_user_tags "$KECHUANG_AMQP_USER" administrator >/dev/null
# (Tests make vhosts of their own through the management API: the user is administrator.)
$SUDO rabbitmqctl -q set_permissions -p / "$KECHUANG_AMQP_USER" '.*' '.*' '.*' >/dev/null

# --- PostgreSQL: our own cluster, one role and database per service (and one for tests) --
if ! pg_lsclusters -h | awk '{print $2}' | grep -qx "$PG_CLUSTER"; then
  say "creating PostgreSQL cluster $PG_CLUSTER on port $KECHUANG_PG_PORT"
  $SUDO env LC_ALL=C.UTF-8 pg_createcluster -q --locale C.UTF-8 "$PG_VERSION" "$PG_CLUSTER" \
    -p "$KECHUANG_PG_PORT" -- --auth-local=peer --auth-host=scram-sha-256 >/dev/null
fi
# The connection budget (services-up.sh checks every pool fits in it).
if [[ "$($SUDO pg_conftool -s "$PG_VERSION" "$PG_CLUSTER" show max_connections 2>/dev/null)" != "$KECHUANG_PG_MAX_CONNECTIONS" ]]; then
  $SUDO pg_conftool "$PG_VERSION" "$PG_CLUSTER" set max_connections "$KECHUANG_PG_MAX_CONNECTIONS"
  if pg_lsclusters -h | awk -v c="$PG_CLUSTER" '$2==c {print $4}' | grep -qx online; then
    say "restarting PostgreSQL for max_connections=$KECHUANG_PG_MAX_CONNECTIONS"
    $SUDO pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" restart
    head -1 "/var/lib/postgresql/$PG_VERSION/$PG_CLUSTER/postmaster.pid" >"$PIDS/postgres.pid"
  fi
fi
# A server we started and someone restarted (pg_ctlcluster restart) runs under a new PID: the
# PID file follows it, so neither this script nor `make down` mistakes it for a dead one.
if [[ -f "$PIDS/postgres.pid" ]] && pg_lsclusters -h | awk -v c="$PG_CLUSTER" '$2==c {print $4}' | grep -qx online; then
  head -1 "/var/lib/postgresql/$PG_VERSION/$PG_CLUSTER/postmaster.pid" >"$PIDS/postgres.pid"
fi
if ! pg_lsclusters -h | awk -v c="$PG_CLUSTER" '$2==c {print $4}' | grep -qx online; then
  say "starting PostgreSQL"
  $SUDO pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
  head -1 "/var/lib/postgresql/$PG_VERSION/$PG_CLUSTER/postmaster.pid" >"$PIDS/postgres.pid"
fi
wait_for "PostgreSQL" 30 pg_isready -q -h 127.0.0.1 -p "$KECHUANG_PG_PORT"
encoding="$(cd / && $SUDO su postgres -c "psql -X -Atq -p $KECHUANG_PG_PORT -c 'SHOW server_encoding'")"
if [[ "$encoding" != UTF8 ]]; then  # a cluster an older make up created under LANG=C
  say "PostgreSQL cluster $PG_VERSION/$PG_CLUSTER has encoding $encoding, not UTF8, and cannot hold Chinese text: remove it (its data goes with it) with pg_dropcluster --stop $PG_VERSION $PG_CLUSTER, then run make up again"
  exit 1
fi
sql=""
for s in intake media screening reporting matching identity test; do
  var="KECHUANG_DB_PASSWORD_${s^^}"
  sql+="SELECT 'CREATE ROLE kechuang_$s LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname='kechuang_$s')\\gexec
ALTER ROLE kechuang_$s PASSWORD '${!var}';
SELECT 'CREATE DATABASE kechuang_$s OWNER kechuang_$s' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname='kechuang_$s')\\gexec
"
done
# Tests create throw-away databases of their own.
sql+="ALTER ROLE kechuang_test CREATEDB;"
# ... and drop them WITH (FORCE), which must end every session in them: autovacuum's workers
# and other roles' too (a test may connect as a service), hence pg_signal_backend.
sql+="
SELECT 'GRANT pg_signal_backend TO kechuang_test' WHERE NOT pg_has_role('kechuang_test', 'pg_signal_backend', 'MEMBER')\\gexec"
# From / : the postgres user may not enter the checkout (a clone only its owner can read).
printf '%s\n' "$sql" | (cd / && $SUDO su postgres -c "psql -q -X -v ON_ERROR_STOP=1 -p $KECHUANG_PG_PORT") >/dev/null

# --- ffprobe's own user ------------------------------------------------------------------
# Media probes uploaded videos (untrusted bytes) with ffprobe as this unprivileged user with
# an empty environment (services/media/adapters/inspection.py): a parser bug exploited there
# reads neither the signing key nor any password (root's 0600 files, root's processes).
if [[ $(id -u) -eq 0 ]] && ! id kechuang-probe >/dev/null 2>&1; then
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin kechuang-probe
fi

# --- MinIO ------------------------------------------------------------------------------
if ! curl -fsS "http://$KECHUANG_MINIO_ENDPOINT/minio/health/live" >/dev/null 2>&1; then
  say "starting MinIO"
  mkdir -p "$RUN/minio"
  ensure_supervisor
  OWN_SECRETS="MINIO_ROOT_PASSWORD" supervise minio env MINIO_BROWSER=off "$MINIO_BIN" server "$RUN/minio" --address "$KECHUANG_MINIO_ENDPOINT" --quiet
  supervisorctl update >/dev/null
  wait_for "MinIO" 60 curl -fsS "http://$KECHUANG_MINIO_ENDPOINT/minio/health/live"
fi
# Media's own user, allowed its bucket's objects only; the root credentials stay here.
"$REPO/.venv/bin/kechuang" provision-storage >>"$LOGS/provision-storage.log" 2>&1 \
  || { say "could not make media's MinIO user; see $LOGS/provision-storage.log"; exit 1; }
