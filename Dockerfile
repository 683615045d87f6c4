# Itaku dashboard (Dash app served by gunicorn). Used by docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Copy only what the package needs: no .env, .neo4j/, .venv or test data.
COPY pyproject.toml README* ./
COPY itaku ./itaku
COPY loaders ./loaders
COPY graph ./graph
COPY queries ./queries
COPY dashboard ./dashboard

RUN pip install . gunicorn \
 && useradd --create-home --uid 10001 itaku

USER itaku
EXPOSE 8050

# NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD and ITAKU_DASHBOARD_USER /
# ITAKU_DASHBOARD_PASSWORD come from the environment (docker-compose.yml, .env).
CMD ["gunicorn", "itaku.wsgi:server", "-b", "0.0.0.0:8050"]
