"""Django settings for OpenQI, driven by environment variables.

With no environment at all the app runs on SQLite in DEBUG mode, so `runserver`
works straight after cloning. Every setting read here is documented in
docs/configuration.md (a test checks). Production sets OPENQI_SECRET_KEY,
OPENQI_DEBUG=false, OPENQI_ALLOWED_HOSTS and DATABASE_URL.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .env import (
    cache_from_url,
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    session_engine,
    sqlite_database,
)

BASE_DIR = Path(__file__).resolve().parents[2]

DEBUG = env_bool("OPENQI_DEBUG", True)
_INSECURE_KEY = "django-insecure-openqi-development-only"
SECRET_KEY = env_str("OPENQI_SECRET_KEY", _INSECURE_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "OPENQI_SECRET_KEY must be set when OPENQI_DEBUG is false; generate one with "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
# The development key is published in this file: anyone could sign sessions with it.
if not DEBUG and SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured(
        "OPENQI_SECRET_KEY is the published development key (or another "
        "'django-insecure' one), which must not be used when OPENQI_DEBUG is false; "
        "generate a new one with python -c 'import secrets; print(secrets.token_urlsafe(50))'"
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
    "openqi.improvement",
    "openqi.portfolio",
    "openqi.assessments",
    "openqi.journey",
    "openqi.barriers",
    "openqi.capability",
    "openqi.sustainability",
    "openqi.value",
    "openqi.benchmark",
    "openqi.library",
    "openqi.system",
    "openqi.reports",
    "openqi.reminders",
    "openqi.api",
    "openqi.demo",
    "csp",
    # After OpenQI's apps, so their NHS.UK-styled Jinja2 pages override allauth's.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy header on every response (see CONTENT_SECURITY_POLICY).
    "csp.middleware.CSPMiddleware",
    # Inside SecurityMiddleware, so its headers still reach the JSON it answers.
    "openqi.api.errors.JsonErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # An administrator of an organisation that asks for MFA sets it up first.
    "openqi.accounts.middleware.AdministratorMfaMiddleware",
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
        "OPTIONS": {
            "environment": "openqi.core.jinja2.environment",
            # The header's organisation navigation and switcher: the organisations
            # app's, so core's layout shows them without depending on that app.
            "context_processors": [
                "openqi.organisations.context_processors.organisation_header"
            ],
        },
    },
    {
        # django-allauth's own templates (e-mails, pages OpenQI does not override).
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]

DATABASES = {
    "default": database_from_url(env_str("DATABASE_URL"))
    if env_str("DATABASE_URL")
    else sqlite_database(str(BASE_DIR / "openqi.sqlite3"))
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds the sign-in and API rate limits: Redis in production
# (OPENQI_CACHE_URL), else the database when DEBUG is off, so several workers and
# servers share one count; each process's memory on a laptop. Sessions are in the
# database either way (env.session_engine).
CACHES = {"default": cache_from_url(env_str("OPENQI_CACHE_URL"), debug=DEBUG)}
SESSION_ENGINE = session_engine(CACHES["default"])

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

# Signing in goes through django-allauth (docs/configuration.md, "Signing in"):
# its login flow (rate limits, the MFA step), MFA and OpenID Connect.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_ADAPTER = "openqi.accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "openqi.accounts.adapters.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_REDIRECT_URL = LOGOUT_REDIRECT_URL
ACCOUNT_REAUTHENTICATION_TIMEOUT = 10 * 60
# Lockout: after OPENQI_SIGN_IN_ATTEMPTS failed sign-ins for one address (or
# four times as many from one IP address) within OPENQI_SIGN_IN_LOCKOUT_MINUTES.
SIGN_IN_ATTEMPTS = env_int("OPENQI_SIGN_IN_ATTEMPTS", 5)
SIGN_IN_LOCKOUT_MINUTES = env_int("OPENQI_SIGN_IN_LOCKOUT_MINUTES", 15)
API_REQUESTS_PER_MINUTE = env_int("OPENQI_API_REQUESTS_PER_MINUTE", 600)
ACCOUNT_RATE_LIMITS = {
    "login": "60/m/ip",
    "login_failed": f"{4 * SIGN_IN_ATTEMPTS}/{SIGN_IN_LOCKOUT_MINUTES}m/ip,"
    f"{SIGN_IN_ATTEMPTS}/{SIGN_IN_LOCKOUT_MINUTES}m/key",
    "reset_password": "20/h/ip,5/h/key",
    "reset_password_from_key": "20/m/ip",
    "reauthenticate": "10/m/user",
    # OpenQI's own: API tokens that do not match, per IP address; calls per person.
    "api_token_failed": "30/m/ip",
    "api_token": f"{API_REQUESTS_PER_MINUTE}/m/key",
}
# Behind a reverse proxy, the client's address is the last X-Forwarded-For entry.
ALLAUTH_TRUSTED_PROXY_COUNT = 1 if env_bool("OPENQI_BEHIND_PROXY", False) else 0
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
# Passkeys (WebAuthn): as a second factor after the password, or on their own
# ("Sign in with a passkey"), since a passkey checks the person's PIN or
# fingerprint itself. No MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN, even in DEBUG: the
# fido2 library already accepts http://localhost, and browsers refuse an IP
# address such as 127.0.0.1 as a WebAuthn site, so it would only weaken the check.
MFA_PASSKEY_LOGIN_ENABLED = True
# A malformed passkey answer is a form error, not a server error (see the module).
MFA_FORMS = {
    name: f"openqi.accounts.webauthn_forms.{cls}"
    for name, cls in {
        "add_webauthn": "AddWebAuthnForm",
        "signup_webauthn": "SignupWebAuthnForm",
        "authenticate_webauthn": "AuthenticateWebAuthnForm",
        "login_webauthn": "LoginWebAuthnForm",
        "reauthenticate_webauthn": "ReauthenticateWebAuthnForm",
    }.items()
}
# The one-time code forms, saying what to enter when the code is left out.
MFA_FORMS |= {
    "authenticate": "openqi.accounts.forms.MFAAuthenticateForm",
    "reauthenticate": "openqi.accounts.forms.MFAReauthenticateForm",
    "activate_totp": "openqi.accounts.forms.ActivateTOTPForm",
    "edit_webauthn": "openqi.accounts.forms.EditPasskeyForm",
}
ACCOUNT_FORMS = {"reauthenticate": "openqi.accounts.forms.ReauthenticateForm"}
MFA_TOTP_ISSUER = env_str("OPENQI_MFA_ISSUER", "OpenQI")
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
# One OpenID Connect identity provider (Microsoft Entra ID or any standard one),
# found through its discovery document when someone first signs in with it.
OIDC_SERVER_URL = env_str("OPENQI_OIDC_SERVER_URL")
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        # Whether its "email" claim alone is trusted (Entra ID sends no email_verified).
        "TRUST_EMAIL": env_bool("OPENQI_OIDC_TRUST_EMAIL", True),
        "APPS": [
            {
                "provider_id": env_str("OPENQI_OIDC_PROVIDER_ID", "organisation"),
                "name": env_str("OPENQI_OIDC_NAME", "your organisation's account"),
                "client_id": env_str("OPENQI_OIDC_CLIENT_ID"),
                "secret": env_str("OPENQI_OIDC_CLIENT_SECRET"),
                "settings": {"server_url": OIDC_SERVER_URL},
            }
        ]
        if OIDC_SERVER_URL
        else [],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("OPENQI_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Where collectstatic gathers the static files and WhiteNoise serves them from.
STATIC_ROOT = Path(env_str("OPENQI_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
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
# Where people report an accessibility problem or ask for content in another format:
# the accessibility statement (openqi/core/views.py) names it; empty, it says to ask
# the organisation's administrators in OpenQI or its IT service desk.
OPENQI_ACCESSIBILITY_CONTACT = env_str("OPENQI_ACCESSIBILITY_CONTACT")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Bounds on a data file uploaded to a measure (openqi/measures/imports.py,
# openqi/tabular.py): what it may be and what it may expand to. Past one, the
# upload is refused with the limit and the advice to split the file.
OPENQI_IMPORT_MAX_BYTES = env_int("OPENQI_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
OPENQI_IMPORT_MAX_ROWS = env_int("OPENQI_IMPORT_MAX_ROWS", 100_000)
OPENQI_IMPORT_MAX_CELLS = env_int("OPENQI_IMPORT_MAX_CELLS", 2_000_000)
OPENQI_IMPORT_MAX_UNCOMPRESSED_BYTES = env_int(
    "OPENQI_IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024
)
# Seconds an upload waits in the database between its preview and its commit.
OPENQI_IMPORT_LIFETIME = env_int("OPENQI_IMPORT_LIFETIME", 24 * 3600)
# Uploads are read, checked and saved outside the web request, by `manage.py
# run_imports`. On (the default with DEBUG), a thread of the web process does it
# after the response instead, so `make run` needs no second process.
OPENQI_IMPORTS_IN_PROCESS = env_bool("OPENQI_IMPORTS_IN_PROCESS", DEBUG)

# The most a request's body may carry, files apart (Django's own default): a form
# or an API call over it is refused with a 413 (openqi/core/errors.py, openqi/api/errors.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("OPENQI_MAX_REQUEST_BYTES", 2_621_440)

# Development prints e-mail in the console, and the page that sent it shows its
# link (openqi/core/mail.py); a server sets the SMTP backend.
EMAIL_BACKEND = env_str("OPENQI_EMAIL_BACKEND", "openqi.core.mail.ConsoleEmailBackend")
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
# Load balancers probe over plain HTTP; the health check answers them there too.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content-Security-Policy (django-csp; Django 6.0 has the same built in; docs/adr/0005): pages load
# scripts, styles, fonts and images from this site only. No inline script and no
# 'unsafe-inline' or 'unsafe-eval': scripts are static files (each app's
# static/<app>/*.js), htmx runs with allowEval off and its indicator styles in
# core/openqi.css (the htmx-config meta tag in core/base.html). No inline style
# either: no template writes a style attribute or a <style> element (a test walks
# every page for them), and scripts that move things set element.style, which CSP
# allows. Off-site fonts only when OPENQI_NHS_FONTS_CDN is on; browsers apply
# form-action to a form's redirects too, so signing in through OpenID Connect needs
# the identity provider's origin there.
_FONT_SOURCES = ["'self'"] + (["https://assets.nhs.uk"] if OPENQI_NHS_FONTS_CDN else [])
_OIDC = urlsplit(env_str("OPENQI_OIDC_SERVER_URL"))
_FORM_ACTIONS = ["'self'"] + (
    [f"{_OIDC.scheme}://{_OIDC.netloc}"] if _OIDC.scheme and _OIDC.netloc else []
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": _FONT_SOURCES,
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": _FORM_ACTIONS,
        "frame-ancestors": ["'none'"],
    }
}

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
