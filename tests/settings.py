"""Test settings: the production settings module with a test secret and a fast hasher.

DATABASE_URL and REDIS_URL come from the environment as in production, so the same suite
runs on SQLite with local memory and on PostgreSQL with Redis.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-" + "k" * 50)
os.environ.setdefault("RAINFOREST_AUDIT_KEY", "tests:" + "a1" * 32)  # the audit trail's key (rainforest/audit/keys.py)
os.environ.setdefault("RAINFOREST_VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "var", "tests"))

from rainforest.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
if "rainforest.demo" not in INSTALLED_APPS:  # noqa: F405 (the demo's commands and its mark are tested)
    INSTALLED_APPS = [*INSTALLED_APPS, "rainforest.demo"]  # noqa: F405
LOGIN_RATE_PER_MINUTE = 1000
SECURE_SSL_REDIRECT = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True  # nothing is collected for tests: look in STATIC_ROOT per request, without a warning
if os.environ.get("REDIS_URL"):
    CACHES["default"]["KEY_PREFIX"] = "rainforest-tests"  # noqa: F405
