# Production image for reviewapp (Django + gunicorn; the same image runs the
# Celery worker, see docker-compose.yml). Build: docker build -t reviewapp .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so code edits don't invalidate this layer.
# All runtime deps (psycopg2-binary etc.) ship manylinux wheels: no compiler needed.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Static files are collected into STATIC_ROOT at build time (whitenoise serves
# them) with the production storage (DEBUG=0: hashed names + manifest). The SECRET_KEY/DEBUG values below exist only for this one command and
# are not part of the image's environment; collectstatic opens no database.
RUN SECRET_KEY=build-only DEBUG=0 DATABASE_URL=sqlite:////tmp/build.sqlite3 \
        python manage.py collectstatic --noinput \
    && rm -f /tmp/build.sqlite3

# Unprivileged runtime user. /data/media is created here owned by that user so
# a fresh named volume mounted there (compose `media:`) inherits the ownership.
RUN useradd --system --create-home --uid 10001 --user-group app \
    && mkdir -p /data/media \
    && chown -R app:app /data
USER app

EXPOSE 8000

CMD ["gunicorn", "reviewapp.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
