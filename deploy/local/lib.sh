# Common helpers for the local runner. Sourced, not executed.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUN="${KECHUANG_RUN_DIR:-$REPO/.run}"
PIDS="$RUN/pids"
LOGS="$RUN/logs"
mkdir -p "$PIDS" "$LOGS"

# Pinned: MinIO publishes no semver tags, so we pin the module's pseudo-version (a 2026-02 commit).
MINIO_VERSION="${MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}"
MINIO_BIN="${KECHUANG_CACHE:-$HOME/.cache/kechuang}/minio-$MINIO_VERSION/minio"
PG_VERSION=15
PG_CLUSTER=kechuang
export KECHUANG_PG_PORT="${KECHUANG_PG_PORT:-5433}"
export KECHUANG_PORT="${KECHUANG_PORT:-8080}"
# The 2021 call and an open demonstration call (see the file); KECHUANG_CALLS picks another.
export KECHUANG_CALLS="${KECHUANG_CALLS:-$REPO/deploy/calls.demo.yaml}"
export MEDIA_WORKERS="${MEDIA_WORKERS:-2}"
export INTAKE_WORKERS="${INTAKE_WORKERS:-2}"
# The connection budget: each service process holds at most KECHUANG_DB_POOL_SIZE connections;
# services-up.sh refuses to start when the processes' pools, the relays, the CLI and the tests'
# reserve do not fit in PostgreSQL's max_connections (set by infra-up.sh).
export KECHUANG_DB_POOL_SIZE="${KECHUANG_DB_POOL_SIZE:-5}"
export KECHUANG_PG_MAX_CONNECTIONS="${KECHUANG_PG_MAX_CONNECTIONS:-200}"
KECHUANG_DB_TEST_RESERVE="${KECHUANG_DB_TEST_RESERVE:-80}"
export KECHUANG_MINIO_ENDPOINT="${KECHUANG_MINIO_ENDPOINT:-127.0.0.1:9000}"
# Presigned URLs are signed for the front door, which routes the media bucket to MinIO, so a
# browser uploads to the same origin it loaded the console from.
export KECHUANG_MINIO_PUBLIC_URL="${KECHUANG_MINIO_PUBLIC_URL:-http://127.0.0.1:$KECHUANG_PORT}"

# Where `make up` puts the `kechuang` command (see install_cli).
KECHUANG_BIN_DIR="${KECHUANG_BIN_DIR:-/usr/local/bin}"

say() { printf '\033[1m[kechuang]\033[0m %s\n' "$*"; }

# wait_for DESCRIPTION SECONDS COMMAND... : retry COMMAND until it succeeds or time runs out.
wait_for() {
  local what="$1" limit="$2"; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      say "timed out after ${limit}s waiting for $what"; return 1
    fi
    sleep 0.3
  done
}

# running NAME: true when the process recorded in $PIDS/NAME.pid is alive.
running() { [[ -f "$PIDS/$1.pid" ]] && kill -0 "$(cat "$PIDS/$1.pid")" 2>/dev/null; }

# start_bg NAME COMMAND...: start COMMAND in the background, log and PID under the run folder.
start_bg() {
  local name="$1"; shift
  if running "$name"; then return 0; fi
  nohup "$@" >>"$LOGS/$name.log" 2>&1 &
  echo $! >"$PIDS/$name.pid"
}

# Secrets: taken from the environment when set, else generated once into the run folder
# (never into the repository).
load_secrets() {
  local file="$RUN/secrets.env" name
  (
    umask 077
    touch "$file"
    for name in KECHUANG_DB_PASSWORD_{INTAKE,MEDIA,SCREENING,REPORTING,TEST} \
      KECHUANG_AMQP_PASSWORD MINIO_ROOT_PASSWORD KECHUANG_S3_SECRET_KEY; do
      # A secret added in a later version is generated into an older file too.
      grep -q "^$name=" "$file" || echo "$name=$(openssl rand -hex 16)" >>"$file"
    done
  )
  local line key
  while IFS= read -r line; do
    key="${line%%=*}"
    [[ -n "${!key:-}" ]] || export "$line"
  done <"$file"
  export KECHUANG_AMQP_USER="${KECHUANG_AMQP_USER:-kechuang}"
  export KECHUANG_AMQP_URI="${KECHUANG_AMQP_URI:-amqp://$KECHUANG_AMQP_USER:$KECHUANG_AMQP_PASSWORD@127.0.0.1:5672/}"
  export MINIO_ROOT_USER="${MINIO_ROOT_USER:-kechuang}"
  export KECHUANG_S3_ACCESS_KEY="${KECHUANG_S3_ACCESS_KEY:-kechuang-media}"  # media's own user
}

# install_cli: put `kechuang` on the PATH as the operator CLI inside this stack's environment
# (secrets, databases, calls), so `make up && kechuang demo` works from any shell. It names the
# repository that last ran `make up`: the one whose stack holds the ports. A `kechuang` that
# this function did not write is left alone.
install_cli() {
  local target="$KECHUANG_BIN_DIR/kechuang" marker="# kechuang local runner"
  if [[ -e "$target" ]] && ! grep -qF "$marker" "$target"; then
    say "$target exists and is not ours; use $REPO/deploy/local/with-env.sh $REPO/.venv/bin/kechuang"
    return 0
  fi
  if ! { [[ -d "$KECHUANG_BIN_DIR" && -w "$KECHUANG_BIN_DIR" ]] || mkdir -p "$KECHUANG_BIN_DIR" 2>/dev/null; }; then
    say "cannot write $KECHUANG_BIN_DIR; use $REPO/deploy/local/with-env.sh $REPO/.venv/bin/kechuang"
    return 0
  fi
  printf '#!/bin/sh\n%s (make up in %s)\nexec %q %q "$@"\n' "$marker" "$REPO" \
    "$REPO/deploy/local/with-env.sh" "$REPO/.venv/bin/kechuang" >"$target.tmp"
  chmod 755 "$target.tmp" && mv -f "$target.tmp" "$target"
}

# remove_cli: `make down` takes back the `kechuang` that this repository's `make up` wrote.
remove_cli() {
  local target="$KECHUANG_BIN_DIR/kechuang"
  if [[ -f "$target" ]] && grep -qF "# kechuang local runner (make up in $REPO)" "$target"; then
    rm -f "$target"
  fi
}
