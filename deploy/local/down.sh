#!/usr/bin/env bash
# Stop exactly what `make up` started: every process with a PID file under .run/pids.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO=sudo

# stop_pid NAME [COMMAND...]: ask the process to stop (COMMAND, default SIGTERM), wait up to
# 15 s for it to exit, then SIGKILL it.
stop_pid() {
  local file="$PIDS/$1.pid" pid
  shift
  [[ -f "$file" ]] || return 0
  pid="$(cat "$file")"
  if kill -0 "$pid" 2>/dev/null; then
    if (($#)); then "$@" >/dev/null 2>&1 || true; else kill "$pid" 2>/dev/null || true; fi
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
infra=(minio postgres rabbitmq)
if [[ "${1:-}" == "--services-only" ]]; then
  infra=()  # `make restart`: keep the servers running
else
  remove_cli
fi
for name in "${names[@]}" "${infra[@]}"; do
  [[ -f "$PIDS/$name.pid" ]] || continue
  case "$name" in
    rabbitmq)
      say "stopping RabbitMQ"
      stop_pid rabbitmq $SUDO rabbitmqctl -q stop
      # epmd is started by the Erlang VM for RabbitMQ and outlives it.
      epmd -kill >/dev/null 2>&1 || true ;;
    postgres)
      say "stopping PostgreSQL"
      stop_pid postgres $SUDO pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" stop -m fast ;;
    *)
      say "stopping $name"
      stop_pid "$name" ;;
  esac
done
