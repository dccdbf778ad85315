#!/usr/bin/env bash
# Stop exactly what `make up` started: every process with a PID file under .run/pids.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO=sudo

# Services first (supervisord stops its programs: the services, relays, nginx, MinIO), then
# the servers we started.
if [[ "${1:-}" == "--services-only" ]]; then
  # `make restart`: keep the servers (and MinIO) running.
  if supervisor_running; then
    say "stopping the services"
    find "$SUPERVISOR/programs" -name '*.conf' ! -name 'minio.conf' -delete
    supervisorctl update >/dev/null || true
  fi
  for file in "$PIDS"/*.pid; do
    [[ -e "$file" ]] || continue
    name="$(basename "$file" .pid)"
    case "$name" in minio | postgres | rabbitmq) ;; *) stop_pid "$name" ;; esac
  done
  exit 0
fi
remove_cli
if supervisor_running; then
  say "stopping supervised processes"
  stop_pid_file() { local pid; pid="$(cat "$1")"; kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.3; done
    kill -9 "$pid" 2>/dev/null || true; }
  stop_pid_file "$SUPERVISOR/supervisord.pid"
fi
rm -f "$SUPERVISOR/supervisord.pid"
for file in "$PIDS"/*.pid; do
  [[ -e "$file" ]] || continue
  name="$(basename "$file" .pid)"
  case "$name" in
    postgres | rabbitmq) ;;
    *) stop_pid "$name" ;;  # left from an older runner, or not yet gone
  esac
done
# Servers we started: their PID files may be stale (restarted behind our back), so each is
# first asked for its PID, then stopped with its own tool and waited for (stop_pid).
if [[ -f "$PIDS/postgres.pid" ]]; then
  say "stopping PostgreSQL"
  postmaster="/var/lib/postgresql/$PG_VERSION/$PG_CLUSTER/postmaster.pid"
  [[ -f "$postmaster" ]] && head -1 "$postmaster" >"$PIDS/postgres.pid"
  stop_pid postgres $SUDO pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" stop -m fast
fi
if [[ -f "$PIDS/rabbitmq.pid" ]]; then
  say "stopping RabbitMQ"
  if pid="$($SUDO rabbitmqctl -q eval 'list_to_integer(os:getpid()).' 2>/dev/null)"; then
    echo "$pid" >"$PIDS/rabbitmq.pid"
  fi
  stop_pid rabbitmq $SUDO rabbitmqctl -q stop
  # epmd is started by the Erlang VM for RabbitMQ and outlives it.
  epmd -kill >/dev/null 2>&1 || true
fi
