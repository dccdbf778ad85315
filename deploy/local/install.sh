#!/usr/bin/env bash
# Install what the stack needs, only where it is missing: Debian packages, MinIO (built from
# source once with `go install`, then cached) and the Python virtual environment.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

missing=()
command -v rabbitmq-server >/dev/null || missing+=(rabbitmq-server)
[[ -x /usr/lib/postgresql/$PG_VERSION/bin/postgres ]] || missing+=("postgresql-$PG_VERSION")
command -v nginx >/dev/null || missing+=(nginx)
command -v ffprobe >/dev/null || missing+=(ffmpeg)
command -v openssl >/dev/null || missing+=(openssl)
# The console's browser tests drive Debian's /usr/bin/chromium (tests/browser), not another
# Chromium the machine may have elsewhere on the PATH (a snap, a build in /usr/local/bin).
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
# The printed documents' fonts (shared/printing: FONTS, by file), installed whatever other
# Chinese fonts the machine has, so a 回执 is the same on every machine; Chinese in screenshots.
for package in fonts-wqy-microhei fonts-dejavu-core; do
  dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
# WeasyPrint (the printed 回执 and 汇总表) lays text out with pango; poppler-utils reads PDFs back.
ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
command -v zbarimg >/dev/null || missing+=(zbar-tools)             # reads the 报送函's QR code in tests
command -v docker-compose >/dev/null || missing+=(docker-compose)  # checks docker-compose.yml
command -v npm >/dev/null || missing+=(npm)                        # the console's libraries
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO=sudo
  # The packages may start their own default daemons; we run our own instances. Only those
  # installed now are stopped: an nginx or RabbitMQ the machine already had is left as it was.
  fresh=()
  for daemon in nginx rabbitmq-server; do [[ -x /usr/sbin/$daemon ]] || fresh+=("$daemon"); done
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$LOGS/apt.log"
  for daemon in "${fresh[@]}"; do
    $SUDO systemctl disable --now "$daemon" >/dev/null 2>&1 || true
  done
fi

if [[ ! -x "$MINIO_BIN" ]]; then
  say "building MinIO $MINIO_VERSION with go install (once; takes a few minutes)"
  command -v go >/dev/null || { say "Go >= 1.24 is needed to build MinIO"; exit 1; }
  GOBIN="$(dirname "$MINIO_BIN")" go install "github.com/minio/minio@$MINIO_VERSION" >"$LOGS/minio-build.log" 2>&1 \
    || { say "MinIO build failed, see $LOGS/minio-build.log"; exit 1; }
fi

# The console's browser libraries (web/package-lock.json), again only when the lock changed.
if [[ -f "$REPO/web/package-lock.json" ]]; then
  stamp="$REPO/web/node_modules/.installed-$(sha256sum "$REPO/web/package-lock.json" | cut -c1-16)"
  if [[ ! -f "$stamp" || ! -d "$REPO/web/vendor" ]]; then
    say "installing the console's libraries in web/node_modules"
    npm ci --prefix "$REPO/web" --omit=dev --no-audit --no-fund >"$LOGS/npm.log" 2>&1 \
      || { say "npm ci failed, see $LOGS/npm.log"; exit 1; }
    "$REPO/web/vendor.sh"  # the few files the console uses, into the served web/vendor/
    touch "$stamp"
  fi
fi

# The virtual environment is rebuilt only when pyproject.toml changed.
stamp="$REPO/.venv/.installed-$(sha256sum "$REPO/pyproject.toml" | cut -c1-16)"
if [[ ! -f "$stamp" ]]; then
  say "installing the Python environment in .venv"
  [[ -x "$REPO/.venv/bin/python" ]] || python3 -m venv "$REPO/.venv"
  "$REPO/.venv/bin/pip" install -q --upgrade "pip>=24" >"$LOGS/pip.log" 2>&1
  "$REPO/.venv/bin/pip" install -q -e "$REPO[dev]" >>"$LOGS/pip.log" 2>&1
  rm -f "$REPO"/.venv/.installed-*
  touch "$stamp"
fi
