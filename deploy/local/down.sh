#!/usr/bin/env bash
# Stop exactly what `make up` started: every process with a PID file under .run/pids.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO=sudo

stop_pid() {  # NAME: SIGTERM, wait up to 15 s, then SIGKILL
  local file="$PIDS/$1.pid" pid
  [[ -f "$file" ]] || return 0
  pid="$(cat "$file")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.3; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

# Services first, then what they depend on.
names=()
for file in "$PIDS"/*.pid; do
  [[ -e "$file" ]] || continue
  name="$(basename "$file" .pid)"
  case "$name" in minio | postgres | rabbitmq) ;; *) names+=("$name") ;; esac
done
for name in "${names[@]}" minio postgres rabbitmq; do
  [[ -f "$PIDS/$name.pid" ]] || continue
  case "$name" in
    rabbitmq)
      say "stopping RabbitMQ"
      $SUDO rabbitmqctl -q stop >/dev/null 2>&1 || stop_pid rabbitmq
      # epmd is started by the Erlang VM for RabbitMQ and outlives it.
      epmd -kill >/dev/null 2>&1 || true
      rm -f "$PIDS/rabbitmq.pid" ;;
    postgres)
      say "stopping PostgreSQL"
      $SUDO pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" stop -m fast >/dev/null 2>&1 || stop_pid postgres
      rm -f "$PIDS/postgres.pid" ;;
    *)
      say "stopping $name"
      stop_pid "$name" ;;
  esac
done
