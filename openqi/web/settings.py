"""Django settings for OpenQI, driven by environment variables.

With no environment at all the app runs on SQLite in DEBUG mode, so `runserver`
works straight after cloning. Every setting read here is documented in
docs/configuration.md (a test checks). Production sets OPENQI_SECRET_KEY,
OPENQI_DEBUG=false, OPENQI_ALLOWED_HOSTS and DATABASE_URL.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .env import database_from_url, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parents[2]

DEBUG = env_bool("OPENQI_DEBUG", True)
_INSECURE_KEY = "django-insecure-openqi-development-only"
SECRET_KEY = env_str("OPENQI_SECRET_KEY", _INSECURE_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "OPENQI_SECRET_KEY must be set when OPENQI_DEBUG is false; generate one with "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
ALLOWED_HOSTS = env_list(
    "OPENQI_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("OPENQI_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "openqi.core",
    "openqi.accounts",
    "openqi.organisations",
    "openqi.audit",
    "openqi.strategy",
    "openqi.measures",
    "openqi.projects",
    "openqi.assessments",
    "openqi.journey",
    "openqi.barriers",
    "openqi.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Inside SecurityMiddleware, so its headers still reach the JSON it answers.
    "openqi.api.errors.JsonErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "openqi.audit.middleware.AuditUserMiddleware",
]

ROOT_URLCONF = "openqi.web.urls"
WSGI_APPLICATION = "openqi.web.wsgi.application"
ASGI_APPLICATION = "openqi.web.asgi.application"

TEMPLATES = [
    {
        # Pages are Jinja2, so the NHS.UK frontend macros (nhsuk-frontend-jinja)
        # can be used as NHS England's own Django services do (docs/adr/0003).
        "BACKEND": "openqi.core.jinja2.Jinja2Templates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "openqi.core.jinja2.environment"},
    },
]

DATABASES = {
    "default": database_from_url(env_str("DATABASE_URL"))
    if env_str("DATABASE_URL")
    else {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(BASE_DIR / "openqi.sqlite3"),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Each process keeps computed chart summaries in memory until their data change
# (the measures overview); room for every measure of a large trust.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
}

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:sign_in"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = env_int("OPENQI_PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("OPENQI_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end packages come from the npm registry (`make install` runs `npm ci`);
# they are served from node_modules, never copied into the repository.
NODE_MODULES = Path(env_str("OPENQI_NODE_MODULES", str(BASE_DIR / "node_modules")))
STATICFILES_DIRS = [
    ("nhsuk", NODE_MODULES / "nhsuk-frontend" / "dist" / "nhsuk"),
    ("htmx", NODE_MODULES / "htmx.org" / "dist"),
]
# Off: no page asks another host for anything; the NHS.UK frontend stylesheet is
# served without its @font-face rules for the NHS CDN (openqi/core/nhsuk_stylesheet.py),
# so text is in Arial. On: the Frutiger fonts load from https://assets.nhs.uk.
OPENQI_NHS_FONTS_CDN = env_bool("OPENQI_NHS_FONTS_CDN", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Development prints e-mail in the console, and the page that sent it shows its
# link (openqi/accounts/mail.py); a server sets the SMTP backend.
EMAIL_BACKEND = env_str(
    "OPENQI_EMAIL_BACKEND", "openqi.accounts.mail.ConsoleEmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("OPENQI_FROM_EMAIL", "OpenQI <no-reply@openqi.invalid>")
EMAIL_HOST = env_str("OPENQI_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("OPENQI_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("OPENQI_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("OPENQI_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("OPENQI_EMAIL_USE_TLS", False)

# Security: strict in production, relaxed only for DEBUG on a laptop.
SECURE_SSL_REDIRECT = env_bool("OPENQI_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("OPENQI_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("OPENQI_HSTS_PRELOAD", False)
# Preloading commits the whole registered domain (usually the trust's, not ours)
# to HTTPS in browsers for good: the domain's owner opts in, so its warning is not ours.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env_bool("OPENQI_BEHIND_PROXY", False)
    else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("OPENQI_SESSION_AGE", 12 * 3600)
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("OPENQI_LOG_LEVEL", "INFO")},
}

try:  # an optional, git-ignored local_settings.py is imported last
    from .local_settings import *  # type: ignore[import-not-found]  # noqa: F403
except ImportError:
    pass
