# GoalGetter in one container: the production build, pages and backend on one port (3000).
# Every setting comes from the environment (README, "Configuration" and "Production").
#
#   docker build -t goalgetter .        (BuildKit, Docker's builder since 23.0; or podman)
#   docker run -p 3000:3000 -v goalgetter-data:/data goalgetter
#
# Build arguments:
#   BASE_IMAGE       a Debian-based Python 3.13 image with `python` and `pip` on PATH.
#   PUBLIC_URL       where browsers reach the app (default http://localhost:3000). The pages
#                    are built knowing it: behind HTTPS give the public https:// address;
#                    with plain HTTP publish the container on the port named here.
#   EXTRA_CA_CERTS   PEM text of extra certificate authorities to trust, for a company proxy
#                    that inspects HTTPS: --build-arg EXTRA_CA_CERTS="$(cat corp-ca.crt)".
ARG BASE_IMAGE=python:3.13-slim

# ---- Build: Python packages into a venv, the frontend with bun. Build tools stay here. ----
FROM ${BASE_IMAGE} AS build
ARG EXTRA_CA_CERTS=""
ARG PUBLIC_URL=http://localhost:3000
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    REFLEX_CHECK_LATEST_VERSION=0 REFLEX_TELEMETRY_ENABLED=false \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
COPY scripts/image-add-ca-certificates /usr/local/bin/
RUN image-add-ca-certificates
# npm only installs bun (scripts/ensure-bun); bun builds the pages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.txt .
# Wheels kept in /wheels: the runtime stage installs from them, with no network.
RUN pip wheel --no-cache-dir --quiet --wheel-dir /wheels -r requirements.txt \
    && pip install --no-cache-dir --quiet --no-index --find-links /wheels -r requirements.txt
COPY scripts/ensure-bun scripts/
RUN scripts/ensure-bun
ENV PATH=/app/.tools/node_modules/.bin:$PATH
COPY rxconfig.py ./
COPY reflex.lock/ reflex.lock/
COPY assets/ assets/
COPY goalgetter/ goalgetter/
# The pages (.web/build/client), then the list of pages the backend must evaluate at start
# (.web/backend), written by one start of the app without compiling; no node_modules.
ENV REFLEX_API_URL=${PUBLIC_URL} REFLEX_DEPLOY_URL=${PUBLIC_URL} DATA_DIR=/tmp/build-data
RUN reflex export --frontend-only --no-zip --env prod \
    && rm -rf .web/backend \
    && __REFLEX_SKIP_COMPILE=true REFLEX_ENV_MODE=prod \
        python -c 'from goalgetter.goalgetter import app; app()' \
    && test -f .web/backend/stateful_pages.json \
    && mkdir -p /out/.web && cp -a .web/build .web/backend /out/.web/

# ---- Runtime: Python, the venv, the app and its built pages. Runs as a user, not root. ----
FROM ${BASE_IMAGE}
COPY scripts/image-add-ca-certificates /usr/local/bin/
ARG EXTRA_CA_CERTS=""
ARG PUBLIC_URL=http://localhost:3000
RUN image-add-ca-certificates \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin goalgetter \
    && mkdir -p /data && chown goalgetter:goalgetter /data
# __REFLEX_*: Reflex's own switches (what `reflex run --env prod` sets for its server):
# compile nothing at start and serve the built pages from the backend.
# GRANIAN_*: the server (GRANIAN_WORKERS > 1 needs REDIS_URL).
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONPATH=/app \
    PATH=/opt/venv/bin:$PATH \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    REFLEX_CHECK_LATEST_VERSION=0 REFLEX_TELEMETRY_ENABLED=false \
    REFLEX_ENV_MODE=prod __REFLEX_SKIP_COMPILE=true __REFLEX_MOUNT_FRONTEND_COMPILED_APP=true \
    REFLEX_API_URL=${PUBLIC_URL} REFLEX_DEPLOY_URL=${PUBLIC_URL} PUBLIC_URL=${PUBLIC_URL} \
    REFLEX_STATES_WORKDIR=/data/states DATA_DIR=/data \
    GRANIAN_HOST=0.0.0.0 GRANIAN_PORT=3000 GRANIAN_INTERFACE=asgi GRANIAN_WORKERS=1
WORKDIR /app
# The venv from the build stage's wheels (mounted, not copied: no layer holds them), then
# without pip. Cached on requirements.txt alone, whatever else changed.
COPY requirements.txt /tmp/
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m venv /opt/venv \
    && pip install --no-cache-dir --quiet --no-index --find-links /wheels \
        -r /tmp/requirements.txt \
    && python -m pip uninstall --yes --quiet pip \
    && rm /tmp/requirements.txt
COPY --from=build /out/.web .web
COPY rxconfig.py ./
COPY assets/ assets/
COPY goalgetter/ goalgetter/
# Byte code compiled now: the user cannot write it at start (and need not, every start).
RUN python -m compileall -q goalgetter
COPY scripts/image-healthcheck scripts/
USER goalgetter
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "scripts/image-healthcheck"]
STOPSIGNAL SIGTERM
CMD ["granian", "--factory", "goalgetter.goalgetter:app"]
