"""One env-driven settings file (see README "Configuration").

Everything that differs between a laptop, CI and production comes from the environment; the
defaults are the embedded set-up of `make run`: SQLite in the project folder and Celery tasks run
eagerly in-process, so nothing else has to be running.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# Only ever used by local runs with DEBUG on (make run, make test).
DEVELOPMENT_KEY = "insecure-local-development-key-never-use-in-production-0123456789"
# Keys that are public (this file, docker-compose.yml's trial default): signing with one lets
# anyone forge what the app signs.
PUBLIC_KEYS = {DEVELOPMENT_KEY, "change-me"}
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY in PUBLIC_KEYS):
    raise ImproperlyConfigured(
        "With DEBUG off, SECRET_KEY must be set to a secret of your own, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )
SECRET_KEY = SECRET_KEY or DEVELOPMENT_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "reviewapp",
    "screening",
    "extraction",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "reviewapp.middleware.HtmxLoginRedirectMiddleware",
    "reviewapp.middleware.SecurityHeadersMiddleware",
    "reviewapp.middleware.BadParameterMiddleware",
]

ROOT_URLCONF = "reviewapp.urls"
WSGI_APPLICATION = "reviewapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while an eager import writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# The cache: Redis where CACHE_URL names it (production, CI), else this process's memory.
# Sessions are read through it (cached_db: the database stays the record, so a restart of
# Redis logs nobody out): every request reads its session, and screening answers thousands of
# them, one fewer query each. A memory cache is per process: it only backs sessions where one
# process serves every request (runserver, tests); several workers without CACHE_URL read
# sessions from the database, or one worker would still accept a session another logged out.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "reviewapp.cache.TolerantRedisCache",
            "LOCATION": CACHE_URL,
            # An outage costs a request 0.2 s at most, then the database answers (cache.py).
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SINGLE_PROCESS = env_bool("SINGLE_PROCESS", DEBUG)
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if CACHE_URL or SINGLE_PROCESS
    else "django.contrib.sessions.backends.db"
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Failed logins allowed per username and address before a lockout of this length (login.py).
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "10"))
LOGIN_LOCKOUT = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
# Reverse proxies in front of the app that append to X-Forwarded-For (1 behind nginx or Caddy):
# the client's address is then read from there (login.client_address).
FORWARDED_FOR_HOPS = int(os.environ.get("FORWARDED_FOR_HOPS", "0"))
LOGIN_REDIRECT_URL = "home"
# Who may start a review (and so become a lead): "anyone" signed in, or "permission": those the
# site admin gives reviewapp.add_review (a user's or group's permission in /admin/).
REVIEW_CREATION = os.environ.get("REVIEW_CREATION", "anyone")
if REVIEW_CREATION not in {"anyone", "permission"}:
    raise ImproperlyConfigured("REVIEW_CREATION is 'anyone' or 'permission'.")
# Team invitations (reviewapp.invitations): how many one lead may send an hour (a lead could
# otherwise learn nothing but still flood people's home pages), and how long one stays open.
INVITATIONS_PER_HOUR = int(os.environ.get("INVITATIONS_PER_HOUR", "30"))
INVITATION_DAYS = int(os.environ.get("INVITATION_DAYS", "14"))
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Uploads: search exports can be large; the importer streams them from disk.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(200 * 1024 * 1024)))
FULLTEXT_MAX_BYTES = int(os.environ.get("FULLTEXT_MAX_BYTES", str(50 * 1024 * 1024)))
# What one bulk upload of PDFs (zips unpacked) may add up to.
FULLTEXT_BATCH_MAX_BYTES = int(
    os.environ.get("FULLTEXT_BATCH_MAX_BYTES", str(20 * FULLTEXT_MAX_BYTES))
)
# One field of an imported record (an abstract, a title) longer than this is a mistake in the
# export, not text anyone screens: it is cut here and the import summary names the record.
IMPORT_MAX_FIELD_CHARS = int(os.environ.get("IMPORT_MAX_FIELD_CHARS", "100000"))
# Term highlighting (screening.highlight): what the settings form accepts, and how much of a
# title or abstract is marked (the rest is shown unmarked), so one card stays milliseconds.
REVIEW_MAX_TERMS = int(os.environ.get("REVIEW_MAX_TERMS", "500"))
REVIEW_MAX_TERM_CHARS = int(os.environ.get("REVIEW_MAX_TERM_CHARS", "100"))
HIGHLIGHT_MAX_CHARS = int(os.environ.get("HIGHLIGHT_MAX_CHARS", "20000"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000  # bulk actions on a records page post many ids

# Content-Security-Policy of every page (reviewapp.middleware.SecurityHeadersMiddleware): scripts
# and styles only from our own static files (vendored htmx and Bootstrap, static/js, static/css),
# nothing inline, so markup that slipped past escaping still cannot run. style-src is 'self'
# too: templates carry no style attributes (widths set from data-* by static/js/widths.js) and
# htmx's own <style> is turned off (includeIndicatorStyles in base.html). Bootstrap's icons are
# data: SVGs (img-src). Framing is X-Frame-Options' job (DENY; the PDF view SAMEORIGIN).
# A page that needs more widens this here, with a comment saying why.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}
# Report violations in the browser's console without blocking (to try a widened policy).
CONTENT_SECURITY_POLICY_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", False)
# Nothing here uses the camera, microphone, location, sensors, payments or USB.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)

# Celery: without a broker, tasks run eagerly in-process (the embedded default).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that is down is said within a second (the job fails with the reason: reviewapp.jobs
# send_or_fail), not after the 19 s of retries the defaults add up to (bench/faults.py).
_QUICK_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_TASK_PUBLISH_RETRY_POLICY = _QUICK_RETRY
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": _QUICK_RETRY}
# Without a broker (make run), ranking retrains run in a background thread, not in the request.
RANKING_EAGER_IN_THREAD = env_bool("RANKING_EAGER_IN_THREAD", True)

# Production hardening: on whenever DEBUG is off, so `check --deploy` is clean.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    # Opt-in: both bind every subdomain of the site's domain (other people's sites, perhaps)
    # to HTTPS, and a preload list entry takes months to undo.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
    # security.W005 (no includeSubDomains) and W021 (no preload) are the opt-in choice above.
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]
    SILENCED_SYSTEM_CHECKS += [] if SECURE_HSTS_PRELOAD else ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # bibtexparser narrates its own recovery from a broken entry; the importer reports the
    # problem itself in one line (record and line), so only its errors are worth a log line.
    "loggers": {"bibtexparser": {"level": "ERROR"}},
}
