#!/usr/bin/env bash
# Before `make up` starts anything (run by infra-up.sh): what a machine may already have that a
# clean one does not. Each thing either works as it is (said, when it matters) or stops
# `make up` here with what to do, rather than later with a timeout, or worse, with the stack's
# roles and users made in somebody else's server:
# - the stack of another checkout still running (the one that wrote `kechuang` on the PATH);
# - a program on a port the stack needs: PostgreSQL's (another cluster or version), MinIO's,
#   the front door's, the services';
# - the project's PostgreSQL cluster set to another port than KECHUANG_PG_PORT;
# - a RabbitMQ already running that make up did not start: used as it is (make down leaves it
#   running) when it answers on 127.0.0.1 with the management API the tests use.
# (A different default locale is handled where it matters, in infra-up.sh; Chromium and the
# fonts in install.sh; another nginx on another port, or a PostgreSQL on 5432, is no concern.)
# Sourced by the tests (tests/deployment/test_preflight.py) to check each function alone.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO=sudo

problems=()
problem() { problems+=("$*"); }

# listening PORT: something accepts connections on 127.0.0.1:PORT.
listening() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# holder PORT: the program listening on PORT ("nginx, PID 123"), when ss can tell.
holder() {
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -o '(("[^"]*",pid=[0-9]*' | head -1 \
    | sed -E 's/\(\("([^"]*)",pid=([0-9]*)/\1, PID \2/'
}

# taken PORT WHAT FIX: a problem when something listens on PORT.
taken() {
  listening "$1" || return 0
  local who; who="$(holder "$1" || true)"
  problem "port $1 ($2) is in use by ${who:-another program}: $3"
}

# check_other_checkout: `kechuang` on the PATH names the checkout whose `make up` wrote it; if
# that is another checkout whose stack still runs, the two would share the servers' ports,
# users and cluster.
check_other_checkout() {
  local cli="$KECHUANG_BIN_DIR/kechuang" other pid
  [[ -f "$cli" ]] || return 0
  other="$(sed -n 's/^# kechuang local runner (make up in \(.*\))$/\1/p' "$cli")"
  [[ -n "$other" && "$other" != "$REPO" ]] || return 0
  [[ "$(realpath -m "$other/.run")" != "$(realpath -m "$RUN")" ]] || return 0  # the same stack
  pid="$(cat "$other/.run/supervisor/supervisord.pid" 2>/dev/null)" || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  problem "the stack of another checkout, $other, is running (its make up wrote $cli): stop it first with \`make -C $other down\`, then run make up here"
}

# check_postgres: the project's own cluster ($PG_VERSION/$PG_CLUSTER) on KECHUANG_PG_PORT, and
# no other server there (another cluster or version, which would otherwise be given our roles).
check_postgres() {
  local version cluster port state ours_port="" ours_state=""
  while read -r version cluster port state _; do
    if [[ "$version" == "$PG_VERSION" && "$cluster" == "$PG_CLUSTER" ]]; then
      ours_port="$port"; ours_state="$state"
    elif [[ "$port" == "$KECHUANG_PG_PORT" && "$state" == online* ]]; then
      problem "PostgreSQL cluster $version/$cluster runs on port $port, the port of the project's own cluster: stop it (pg_ctlcluster $version $cluster stop) or give the project another port, e.g. KECHUANG_PG_PORT=$((port + 1)) make up"
      return 0
    fi
  done < <(pg_lsclusters -h 2>/dev/null)
  if [[ -n "$ours_port" && "$ours_port" != "$KECHUANG_PG_PORT" ]]; then
    problem "PostgreSQL cluster $PG_VERSION/$PG_CLUSTER is set to port $ours_port, not KECHUANG_PG_PORT=$KECHUANG_PG_PORT: run make up with KECHUANG_PG_PORT=$ours_port, or move the cluster (pg_conftool $PG_VERSION $PG_CLUSTER set port $KECHUANG_PG_PORT, then pg_ctlcluster $PG_VERSION $PG_CLUSTER restart)"
  elif [[ "$ours_state" != online* ]]; then
    taken "$KECHUANG_PG_PORT" "PostgreSQL, the project's own cluster $PG_VERSION/$PG_CLUSTER" \
      "stop that program, or give the project another port, e.g. KECHUANG_PG_PORT=$((KECHUANG_PG_PORT + 1)) make up"
  fi
}

# check_rabbitmq AMQP_PORT MANAGEMENT_PORT: the broker rabbitmqctl reaches, on those ports.
check_rabbitmq() {
  local amqp="$1" management="$2" port
  if ! $SUDO rabbitmqctl -q status >/dev/null 2>&1; then
    # make up starts its own: nothing else may hold its ports.
    for port in "$amqp" "$management"; do
      taken "$port" "RabbitMQ" "it is not a RabbitMQ node rabbitmqctl can reach (another user's, or a container's): stop it, then run make up again"
    done
    return 0
  fi
  [[ -f "$PIDS/rabbitmq.pid" ]] && return 0  # make up started it
  if ! listening "$amqp"; then
    problem "RabbitMQ is already running on this machine (not started by make up) but does not listen on 127.0.0.1:$amqp: stop it (rabbitmqctl stop) so make up starts its own"
  elif ! listening "$management"; then
    problem "RabbitMQ is already running on this machine (not started by make up) without the management API the tests use (port $management): enable it (rabbitmq-plugins enable rabbitmq_management), or stop that RabbitMQ (rabbitmqctl stop) so make up starts its own"
  else
    say "using the RabbitMQ already running on this machine (not started by make up, so make down leaves it running; make test's fault tests restart its app): make up adds its user ${KECHUANG_AMQP_USER:-kechuang} there"
  fi
}

# check_minio, check_front_door, check_services: their ports, unless this stack's own hold them.
check_minio() {
  local port="${KECHUANG_MINIO_ENDPOINT##*:}"
  running minio || taken "$port" "MinIO, $KECHUANG_MINIO_ENDPOINT" \
    "stop that program, or give MinIO another address, e.g. KECHUANG_MINIO_ENDPOINT=127.0.0.1:$((port + 10)) make up"
}
check_front_door() {
  running nginx || taken "$KECHUANG_PORT" "the front door, nginx" \
    "stop that program, or serve the stack on another port, e.g. KECHUANG_PORT=$((KECHUANG_PORT + 1)) make up"
}
check_services() {
  local name port i
  # The services' ports (services-up.sh): the pools' processes 10 apart.
  local -a services=() busy=()
  for ((i = 1; i <= INTAKE_WORKERS; i++)); do services+=("intake-$i:$((8101 + 10 * (i - 1)))"); done
  for ((i = 1; i <= MEDIA_WORKERS; i++)); do services+=("media-$i:$((8102 + 10 * (i - 1)))"); done
  services+=(screening:8103 reporting:8104 matching:8105 identity:8106)
  for name in "${services[@]}"; do
    port="${name##*:}"; name="${name%:*}"
    running "$name" || ! listening "$port" || busy+=("$port ($name$(holder "$port" | sed 's/^/: /' || true))")
  done
  ((${#busy[@]} == 0)) || problem "the services' ports are in use: ${busy[*]}; stop those programs (make up's services listen on 127.0.0.1:8101-8106, and 10 apart for more workers)"
}

# report: say every problem found and stop, or nothing.
report() {
  ((${#problems[@]})) || return 0
  local p
  for p in "${problems[@]}"; do say "cannot start: $p"; done
  return 1
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  check_other_checkout
  report  # the rest would only list that stack's ports
  check_postgres
  check_rabbitmq 5672 15672
  check_minio
  check_front_door
  check_services
  report
fi
