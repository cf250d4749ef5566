"""Settings for the test suite: the production settings, with a fast password hasher."""

import os

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

# The browser pass runs the live server and the import runner's thread on
# connections of their own. An in-memory SQLite database shared between threads
# locks whole tables (SQLITE_LOCKED, which no busy timeout waits for), so there
# they share a file in WAL mode, as a real server does (Makefile: test-browser).
_test_database_file = os.environ.get("OPENQI_TEST_DATABASE_FILE", "")
if _test_database_file and DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": _test_database_file}  # noqa: F405
