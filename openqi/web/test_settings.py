"""Settings for the test suite: the production settings, with a fast password hasher."""

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests serve static files through the finders (node_modules); no collectstatic run.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Every test client comes from 127.0.0.1 and the cast shares a few accounts:
# production's per-IP and per-person limits would trip across unrelated tests.
# The tests of the limits themselves set small ones with override_settings.
ACCOUNT_RATE_LIMITS = {  # noqa: F405
    **ACCOUNT_RATE_LIMITS,  # noqa: F405
    "login": "10000/m/ip",
    "login_failed": "10000/m/ip,10000/m/key",
    "reset_password": "10000/m/ip,10000/m/key",
    "reset_password_from_key": "10000/m/ip",
    "api_token_failed": "10000/m/ip",
    "api_token": "10000/m/key",
}
