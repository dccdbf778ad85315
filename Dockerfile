# syntax=docker/dockerfile:1
# One image for every Kechuang process (the five nameko services, the outbox relays, the
# `kechuang` CLI: the command is chosen in docker-compose.yml / deploy/k8s/), and a small
# nginx image for the front door. Targets:
#   docker build --target app   -t kechuang:local .         (the default, last stage)
#   docker build --target front -t kechuang-front:local .
#
# Base images are pinned to exact tags so a rebuild gets the same Python, Debian and nginx:
# - python:3.11.14-slim-bookworm: Python 3.11 and Debian 12 (bookworm) are what the stack was
#   measured on (docs/stack-notes.md: nameko 2.14.1, eventlet, psycopg 3 on Debian 12), and
#   bookworm's ffmpeg/ffprobe is the one media's tests use. Slim: no compilers are needed,
#   every dependency ships a manylinux wheel (psycopg[binary], cryptography).
# - node:22.12.0-alpine: only runs `npm ci` for the console's browser libraries.
# - nginx:1.28.0-alpine: stable line, >= 1.27.3, the first open-source nginx whose upstream
#   `server ... resolve;` re-resolves names at run time, so `docker compose up --scale media=4`
#   adds media containers to the upstream without restarting nginx.
# Bump a tag on purpose (and re-run the tests), never implicitly.

ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# --- build: a virtualenv with the project and its runtime dependencies (no dev extras) -----
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
WORKDIR /src
# Dependencies first, read from pyproject.toml, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
      >/tmp/requirements.txt \
 && /opt/venv/bin/pip install -r /tmp/requirements.txt
COPY shared/ shared/
COPY services/ services/
COPY ops/ ops/
# A regular (not editable) install: the code, its migrations and config.yml files land in
# the venv's site-packages.
RUN /opt/venv/bin/pip install --no-deps . \
 && /opt/venv/bin/kechuang --help >/dev/null
# The whole API's OpenAPI document, assembled above the services (ops/openapi.py); intake
# serves this file (KECHUANG_API_DOCUMENT) at /api/v1/openapi.json.
RUN /opt/venv/bin/python -m ops.openapi /app/openapi.json
# What the processes read by path, relative to the working directory /app: the nameko
# configs (`nameko run --config services/<svc>/config.yml`) and the calls files.
COPY deploy/calls.yaml deploy/calls.demo.yaml /app/deploy/
RUN for svc in intake media screening reporting matching identity; do \
      install -D -m 0644 "services/$svc/config.yml" "/app/services/$svc/config.yml"; \
    done

# --- web: the console's browser libraries (only if web/package-lock.json exists) ---------
FROM node:22.12.0-alpine AS web
WORKDIR /web
COPY web/ ./
# Only the console's own files go on: the libraries' few files copied into vendor/ (vendor.sh),
# never package*.json nor node_modules/.
RUN npm ci --omit=dev --no-audit --no-fund && sh vendor.sh \
    && rm -rf node_modules package.json package-lock.json vendor.sh

# --- front: nginx, the one base URL (deploy/nginx/compose.conf + deploy/nginx/routes.conf) -
FROM nginx:1.28.0-alpine AS front
COPY --from=web /web /usr/share/kechuang/web
COPY deploy/nginx/http.conf deploy/nginx/routes.conf deploy/nginx/compose.conf /etc/nginx/kechuang/
# Runs as the image's unprivileged `nginx` user (uid 101): listens on 8080, pid and temp
# files under /tmp (see compose.conf). The stock entrypoint rewrites /etc/nginx/conf.d,
# which we do not use, so it is skipped.
USER 101:101
EXPOSE 8080
ENTRYPOINT []
CMD ["nginx", "-e", "stderr", "-c", "/etc/nginx/kechuang/compose.conf", "-g", "daemon off;"]

# --- app: every Python process (the default target) ------------------------------------
FROM ${PYTHON_IMAGE} AS app
# ffprobe (from Debian's ffmpeg) is how media checks that a video has a real video stream.
# pango and the printed documents' fonts (shared/printing: FONTS, by file) are what WeasyPrint
# needs to print the 回执 and the 汇总表 as PDF (intake and reporting), the fonts embedded.
# The versions come from bookworm's archive (security updates included), pinned by the base.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg libpango-1.0-0 libpangoft2-1.0-0 \
      fonts-wqy-microhei fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 kechuang \
 && useradd --system --uid 10001 --gid kechuang --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin kechuang \
 && mkdir -p /keys/private /keys/public \
 && chown kechuang:kechuang /keys/private /keys/public \
 && chmod 0700 /keys/private
# /keys/private and /keys/public exist, owned by the app user, so the named volumes compose
# mounts there start with that owner and the non-root init container can write the key pair.
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONWARNINGS=ignore::DeprecationWarning \
    KECHUANG_CALLS=/app/deploy/calls.yaml \
    KECHUANG_API_DOCUMENT=/app/openapi.json
WORKDIR /app
USER 10001:10001
EXPOSE 8000
CMD ["kechuang", "--help"]
