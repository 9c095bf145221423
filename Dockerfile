# The familycard API/CLI image (used by docker-compose.yml's `api` service).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# Only what the package needs (the build context also holds .venv, data, ...).
# README* may be absent: an empty wildcard is allowed.
COPY pyproject.toml README* ./
COPY src ./src
RUN pip install . && useradd --create-home --uid 10001 familycard

USER familycard
EXPOSE 8000
# `familycard serve` arrives with the API issue.
CMD ["familycard", "serve", "--host", "0.0.0.0"]
