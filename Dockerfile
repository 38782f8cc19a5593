# GoalGetter in one container: the production build served on port 3000.
# The frontend is built when the container starts. Point it at real services with MONGODB_URI, REDIS_URL, ANTHROPIC_API_KEY, ...
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    REFLEX_CHECK_LATEST_VERSION=0 REFLEX_TELEMETRY_ENABLED=false
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm unzip curl \
        fonts-dejavu-core fonts-dejavu-extra \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY scripts/ scripts/
RUN scripts/ensure-bun
ENV PATH=/app/.tools/node_modules/.bin:$PATH
COPY . .

EXPOSE 3000
HEALTHCHECK CMD curl -fs http://localhost:3000/health || exit 1
CMD ["reflex", "run", "--env", "prod", "--single-port", "--backend-host", "0.0.0.0"]
