#!/usr/bin/env bash
# Start the five services (MEDIA_WORKERS media processes), the outbox relays and the nginx
# front door, then wait until every /healthz answers through the front door.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_secrets
cd "$REPO"
BIN="$REPO/.venv/bin"

# Every pool from one budget: service processes × pool, five relays × 2, the CLI's 3, and a
# reserve for the test suite's in-process services; PostgreSQL keeps 3 for superusers.
needed=$(( (INTAKE_WORKERS + MEDIA_WORKERS + 4) * KECHUANG_DB_POOL_SIZE + 5 * 2 + 3 + KECHUANG_DB_TEST_RESERVE ))
allowed=$(( KECHUANG_PG_MAX_CONNECTIONS - 3 ))
if (( needed > allowed )); then
  say "connection budget exceeded: $needed connections needed (INTAKE_WORKERS=$INTAKE_WORKERS, MEDIA_WORKERS=$MEDIA_WORKERS, KECHUANG_DB_POOL_SIZE=$KECHUANG_DB_POOL_SIZE, reserve $KECHUANG_DB_TEST_RESERVE), PostgreSQL allows $allowed; raise KECHUANG_PG_MAX_CONNECTIONS or lower the pool"
  exit 1
fi

"$BIN/kechuang" migrate >/dev/null
"$BIN/kechuang" keygen >/dev/null  # once: the token signing key stays in .run/keys
"$BIN/kechuang" declare-topology >/dev/null
# The whole API's OpenAPI document, assembled above the services (ops/openapi.py); intake
# serves this file at /api/v1/openapi.json.
export KECHUANG_API_DOCUMENT="$RUN/openapi.json"
"$BIN/python" -m ops.openapi "$KECHUANG_API_DOCUMENT"

# The services, relays and the front door run under supervisord (lib.sh): one that dies is
# restarted with a growing delay. Running this again is safe: unchanged programs keep running,
# changed ones restart, and programs no longer wanted (fewer MEDIA_WORKERS) stop.
ensure_supervisor
if [[ ! -f "$SUPERVISOR/programs/nginx.conf" ]]; then
  # Processes an older runner started outside supervision hold the ports: stop them first.
  for file in "$PIDS"/*.pid; do
    [[ -e "$file" ]] || continue
    name="$(basename "$file" .pid)"
    case "$name" in minio | postgres | rabbitmq) ;; *) stop_pid "$name" ;; esac
  done
fi
rm -f "$SUPERVISOR/programs/"{intake,media,screening,reporting,matching,identity,relay,nginx}*.conf
supervise_service() {  # NAME PACKAGE CLASS HTTP_VAR ADDRESS
  # Services verify tokens with the public key; the private key is not theirs to read, nor
  # MinIO's root credentials (media has its own user, see `kechuang provision-storage`), nor
  # another service's database password (lib.sh: OWN_SECRETS).
  local own="KECHUANG_DB_PASSWORD_${2^^}"
  [[ "$2" == media ]] && own+=" KECHUANG_S3_SECRET_KEY"
  OWN_SECRETS="$own" supervise "$1" env -u KECHUANG_JWT_PRIVATE_KEY_FILE -u MINIO_ROOT_USER -u MINIO_ROOT_PASSWORD \
    PYTHONWARNINGS=ignore::DeprecationWarning "KECHUANG_API_DOCUMENT=$KECHUANG_API_DOCUMENT" "$4=$5" \
    "$BIN/nameko" run --config "services/$2/config.yml" "services.$2.service:$3"
}
# Stateless HTTP services scale by process behind nginx (intake for the offices' rush, media
# for the uploads'): COUNT processes on ports FIRST, FIRST+10, ...; sets $servers for nginx.
supervise_pool() {  # NAME CLASS HTTP_VAR FIRST_PORT COUNT
  servers=""
  for ((i = 1; i <= $5; i++)); do
    local port=$(($4 + 10 * (i - 1)))
    supervise_service "$1-$i" "$1" "$2" "$3" "127.0.0.1:$port"
    servers+="server 127.0.0.1:$port; "
  done
}
supervise_pool intake IntakeService KECHUANG_INTAKE_HTTP 8101 "$INTAKE_WORKERS"
intake_servers="$servers"
supervise_pool media MediaService KECHUANG_MEDIA_HTTP 8102 "$MEDIA_WORKERS"
media_servers="$servers"
supervise_service screening screening ScreeningService KECHUANG_SCREENING_HTTP 127.0.0.1:8103
supervise_service reporting reporting ReportingService KECHUANG_REPORTING_HTTP 127.0.0.1:8104
supervise_service matching matching MatchingService KECHUANG_MATCHING_HTTP 127.0.0.1:8105
# Identity: people's accounts and sign-in. Besides the operator's CLI, the one process given
# the signing key (KECHUANG_JWT_PRIVATE_KEY_FILE): it signs people's access tokens.
OWN_SECRETS="KECHUANG_DB_PASSWORD_IDENTITY KECHUANG_TOTP_KEY" \
  supervise identity env -u MINIO_ROOT_USER -u MINIO_ROOT_PASSWORD \
  PYTHONWARNINGS=ignore::DeprecationWarning "KECHUANG_API_DOCUMENT=$KECHUANG_API_DOCUMENT" \
  "KECHUANG_JWT_PRIVATE_KEY_FILE=${KECHUANG_JWT_PRIVATE_KEY_FILE:-$RUN/keys/jwt-private.pem}" \
  KECHUANG_IDENTITY_HTTP=127.0.0.1:8106 \
  "$BIN/nameko" run --config services/identity/config.yml services.identity.service:IdentityService
for service in intake media screening identity matching; do
  OWN_SECRETS="KECHUANG_DB_PASSWORD_${service^^}" \
    supervise "relay-$service" env -u MINIO_ROOT_USER -u MINIO_ROOT_PASSWORD "$BIN/kechuang" relay "$service"
done

# nginx's workers run as the checkout's owner, so the console is served from any checkout,
# even one only its owner can read (a clone in /root or in `mktemp -d`).
mkdir -p "$RUN/nginx"/{body,proxy,fastcgi,uwsgi,scgi}
if [[ $(id -u) -eq 0 ]]; then user_line="user $(stat -c %U "$REPO") $(stat -c %G "$REPO");"; else user_line=""; fi
real_ip=""
for cidr in ${KECHUANG_TRUSTED_PROXIES:-}; do
  [[ "$cidr" =~ ^[0-9a-fA-F.:/]+$ ]] || { say "KECHUANG_TRUSTED_PROXIES: not an address or CIDR: $cidr"; exit 1; }
  real_ip+="set_real_ip_from $cidr; "
done
sed -e "s|@RUN@|$RUN|g" -e "s|@REAL_IP@|$real_ip|" -e "s|@REPO@|$REPO|g" -e "s|@PORT@|$KECHUANG_PORT|g" \
  -e "s|@MINIO@|$KECHUANG_MINIO_ENDPOINT|" -e "s|@USER@|$user_line|" \
  -e "s|@MEDIA_SERVERS@|$media_servers|" -e "s|@INTAKE_SERVERS@|$intake_servers|" \
  deploy/local/nginx.conf.template >"$RUN/nginx/nginx.conf.new"
changed=1; cmp -s "$RUN/nginx/nginx.conf.new" "$RUN/nginx/nginx.conf" && changed=0
mv -f "$RUN/nginx/nginx.conf.new" "$RUN/nginx/nginx.conf"
supervise nginx nginx -q -g "daemon off;" -e "$RUN/logs/nginx-error.log" -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf"

supervisorctl update >/dev/null
supervisorctl start all >/dev/null || true  # anything stopped (or given up on) starts again
if ((changed)) && running nginx; then
  nginx -q -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf" -s reload 2>/dev/null || true
fi

base="http://127.0.0.1:$KECHUANG_PORT"
for service in intake media screening reporting matching identity; do
  if ! wait_for "$service /healthz (see $LOGS)" 60 curl -fsS "$base/healthz/$service"; then
    supervisorctl status; exit 1
  fi
done
install_cli
say "all services healthy; base URL: $base"
say "console: $base/ (sign in with an account: \`kechuang user add\`; or a token: \`kechuang demo\` prints some)"
