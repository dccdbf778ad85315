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
# Servers we started: stopped with their own tools, even if the PID file is stale.
if [[ -f "$PIDS/postgres.pid" ]]; then
  say "stopping PostgreSQL"
  $SUDO pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" stop -m fast >/dev/null 2>&1 || true
  rm -f "$PIDS/postgres.pid"
fi
if [[ -f "$PIDS/rabbitmq.pid" ]]; then
  say "stopping RabbitMQ"
  if $SUDO rabbitmqctl -q status >/dev/null 2>&1; then $SUDO rabbitmqctl -q stop >/dev/null 2>&1 || true; fi
  # epmd is started by the Erlang VM for RabbitMQ and outlives it.
  epmd -kill >/dev/null 2>&1 || true
  rm -f "$PIDS/rabbitmq.pid"
fi
