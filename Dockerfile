# Duban's one image: the web process (gunicorn), the Celery worker and beat all run from it.
# Build: docker build -t duban .   (docker-compose.yml builds it for you)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

WORKDIR /app

# psycopg[binary] bundles libpq, so no system packages are needed.
COPY requirements.txt ./
RUN pip install -r requirements.txt

RUN groupadd --system duban && useradd --system --gid duban --home-dir /app --no-create-home duban

# Code stays owned by root (read-only for the app user); only static and media are writable.
COPY . .

# Static files are collected at build time (whitenoise serves them with hashed names). The throwaway
# values only let the production settings load; the real ones come from the environment at run time.
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" ALLOWED_HOSTS=localhost \
        python manage.py collectstatic --noinput \
    && mkdir -p /app/media \
    && chown -R duban:duban /app/staticfiles /app/media

USER duban

EXPOSE 8000
# Threaded workers, keep-alive, heartbeat on tmpfs: config/gunicorn_conf.py (WEB_CONCURRENCY, GUNICORN_THREADS).
CMD ["gunicorn", "config.wsgi", "--config", "config/gunicorn_conf.py", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
