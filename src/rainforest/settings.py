"""Django settings, all read from the environment (12-factor).

With no environment at all this is a production configuration that refuses to start without
SECRET_KEY; ``rainforest demo`` sets RAINFOREST_DEMO=1, which keeps a generated secret key under
./var/ and serves plain http on this machine (LOCAL), without Django's debug pages: a visitor to
the demo meets the platform's own 404 and 500 pages, in Chinese.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEMO = envbool("RAINFOREST_DEMO", False)
DEBUG = envbool("DEBUG", False)
# One's own machine (the demo, or a developer's debug run): plain http on localhost, files served
# from the source folders, mail to the console, readable logs.
LOCAL = DEMO or DEBUG
VAR_DIR = Path(os.environ.get("RAINFOREST_VAR_DIR", Path.cwd() / "var")).resolve()


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if envbool("RAINFOREST_EPHEMERAL_KEY", False):
        return secrets.token_urlsafe(50)  # offline commands (screen, bench): nothing is signed
    path = VAR_DIR / "secret_key"
    # A key kept by an earlier demo run serves every later command in the same folder
    # (``rainforest audit verify`` against the demo database, say); elsewhere it must be set.
    if not path.exists() and not LOCAL:
        raise ImproperlyConfigured("SECRET_KEY must be set outside demo and debug mode.")
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if LOCAL else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks_db",
    "rainforest.jobs",
    "rainforest.audit",
    "rainforest.accounts",
    "rainforest.registry",
    "rainforest.policy",
    "rainforest.exchange",
    "rainforest.matching",
    "rainforest.seedling",
    "rainforest.fund",
    "rainforest.cockpit",
    "rainforest.ops",
]
# The demo city and its commands exist only in a demo installation (`rainforest demo` sets
# RAINFOREST_DEMO=1); their own guard then also asks the database for the demo's mark.
if DEMO:
    INSTALLED_APPS.append("rainforest.demo")
# The offline commands (screen, match, fund check, bench) serve no page and no API: the API's
# documentation app (and pydantic behind it) is not loaded for them, so they answer at once.
if envbool("RAINFOREST_EPHEMERAL_KEY", False):
    INSTALLED_APPS.remove("ninja")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files, hashed and compressed, answered here before any session or sign-in work.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "rainforest.security_headers.PermissionsPolicyMiddleware",
    "rainforest.accounts.middleware.RequestContextMiddleware",
    # /healthz and /readyz answered with their request id, before sessions, sign-in and the second factor.
    "rainforest.ops.middleware.ProbeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "rainforest.accounts.language.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # django-otp's, answering from the user's own read instead of a query of its own.
    "rainforest.accounts.middleware.OTPMiddleware",
    "rainforest.input_guard.RefuseNulCharactersMiddleware",
    "rainforest.input_guard.BadRequestPageMiddleware",
    "rainforest.accounts.middleware.SessionPolicyMiddleware",
    "rainforest.accounts.middleware.MembershipMiddleware",
    "rainforest.accounts.middleware.SecondFactorMiddleware",
    "rainforest.accounts.middleware.PasswordExpiryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "rainforest.urls"
WSGI_APPLICATION = "rainforest.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "rainforest.accounts.context_processors.navigation",
            ],
            # Money, dates and ratios are shown the same way on every page, export and PDF; districts
            # and industry clusters by their names in the reader's language.
            "builtins": ["rainforest.formatting_tags", "rainforest.place_names"],
        },
    },
]

if not os.environ.get("DATABASE_URL") and not envbool("RAINFOREST_EPHEMERAL_KEY", False):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
# Offline commands (screen, bench) read files only: an in-memory database satisfies Django's checks.
_DEFAULT_DB = (
    "sqlite://:memory:" if envbool("RAINFOREST_EPHEMERAL_KEY", False) else f"sqlite:///{VAR_DIR / 'rainforest.sqlite3'}"
)
# Connections are Django's, one per thread that serves a request. Under `rainforest serve` (gunicorn)
# the threads are a fixed pool, workers x threads, so each keeps its connection for
# RAINFOREST_DB_CONN_MAX_AGE seconds (default 60) and the total stays within the budget `serve` checks
# (ops.server_config.connections_needed, docs/deploy.md). The development server (`runserver`, which
# `rainforest demo` runs) starts a thread per browser connection and never closes what a finished
# thread held: there every connection is closed at the end of its request, or they pile up until
# PostgreSQL refuses more. Each kept connection is checked before a request reuses it: after the
# database restarts or drops connections, the next request reconnects instead of failing.
_THREAD_PER_CONNECTION = DEMO or sys.argv[1:2] == ["runserver"]
DATABASES = {
    "default": dj_database_url.config(
        default=_DEFAULT_DB,
        conn_max_age=int(os.environ.get("RAINFOREST_DB_CONN_MAX_AGE", "0" if _THREAD_PER_CONNECTION else "60")),
        conn_health_checks=True,
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's server and its job worker write the same file: in WAL mode readers never wait for the
    # writer, and a transaction takes the write lock when it begins (waiting up to 20 s for it) instead
    # of failing with "database is locked" when a read inside it turns into a write.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache (Redis when REDIS_URL is set) only helps: with Redis down a read is a miss, a write is
# dropped, and after a failure each process leaves Redis alone for a few seconds (a circuit breaker
# in rainforest.cache_health, which logs the outage once a minute and answers /readyz). Short socket
# timeouts keep what an unreachable Redis costs small. "local" is each process's own memory: the
# sign-in rate limit counts there while the shared cache cannot.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "rainforest.cache_health.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "rainforest"),
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": float(os.environ.get("REDIS_CONNECT_TIMEOUT", "0.25")),
                "SOCKET_TIMEOUT": float(os.environ.get("REDIS_TIMEOUT", "0.5")),
                "RETRY_SECONDS": float(os.environ.get("REDIS_RETRY_SECONDS", "5")),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CACHES["local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "rainforest-local",
    "OPTIONS": {"MAX_ENTRIES": 10000},  # a counter per client address: many addresses must not evict them
}
# Logged once a minute by the breaker rather than once per failed call by django-redis.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False
# Sessions live in the database only: a session deleted (sign-out, deactivation) while Redis was
# unreachable would otherwise come back from Redis with it. A signed-in request reads its row (one
# primary-key query) and writes it only when it changes: the idle clock moves once a minute at most
# (accounts.middleware.SessionPolicyMiddleware).
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Background jobs (rainforest.jobs): Django's own Tasks framework on a queue kept in the database,
# so an enqueued job survives a restart of every process; `rainforest worker` runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A failed job is tried again after BACKOFF x 2^(attempt-1) seconds (at most BACKOFF_MAX) until
# ATTEMPTS attempts failed; a RUNNING job whose worker has not beaten for LEASE seconds is tried
# again; finished results are pruned after RETENTION days, failed ones after FAILED_RETENTION days.
RAINFOREST_JOB_ATTEMPTS = int(os.environ.get("RAINFOREST_JOB_ATTEMPTS", "5"))
RAINFOREST_JOB_BACKOFF_SECONDS = float(os.environ.get("RAINFOREST_JOB_BACKOFF_SECONDS", "30"))
RAINFOREST_JOB_BACKOFF_MAX_SECONDS = float(os.environ.get("RAINFOREST_JOB_BACKOFF_MAX_SECONDS", "3600"))
RAINFOREST_JOB_LEASE_SECONDS = float(os.environ.get("RAINFOREST_JOB_LEASE_SECONDS", "60"))
RAINFOREST_JOB_RETENTION_DAYS = int(os.environ.get("RAINFOREST_JOB_RETENTION_DAYS", "14"))
RAINFOREST_JOB_FAILED_RETENTION_DAYS = int(os.environ.get("RAINFOREST_JOB_FAILED_RETENTION_DAYS", "90"))

# The audit trail (rainforest.audit): events are sealed into a chain of keyed MACs whose keys live
# outside the database (RAINFOREST_AUDIT_KEY or RAINFOREST_AUDIT_KEYS, else the key file; see
# rainforest/audit/keys.py), refused at start in production when missing, as SECRET_KEY is. The
# worker seals every AUDIT_SEAL_SECONDS; a signed checkpoint goes to AUDIT_CHECKPOINTS (a file the
# database owner cannot reach) when the last one is AUDIT_CHECKPOINT_SECONDS old or
# AUDIT_CHECKPOINT_EVENTS events behind; `audit verify` warns of events unsealed for longer than
# AUDIT_UNSEALED_WARN_SECONDS.
from rainforest.audit.keys import load as _load_audit_keys  # noqa: E402 (pure Python, no app)

AUDIT_KEYRING = _load_audit_keys(
    os.environ, VAR_DIR, may_create=LOCAL, ephemeral=envbool("RAINFOREST_EPHEMERAL_KEY", False)
)
AUDIT_CHECKPOINTS = Path(os.environ.get("RAINFOREST_AUDIT_CHECKPOINTS", VAR_DIR / "audit-checkpoints.jsonl"))
AUDIT_SEAL_SECONDS = float(os.environ.get("RAINFOREST_AUDIT_SEAL_SECONDS", "5"))
AUDIT_CHECKPOINT_SECONDS = float(os.environ.get("RAINFOREST_AUDIT_CHECKPOINT_SECONDS", "10"))
AUDIT_CHECKPOINT_EVENTS = int(os.environ.get("RAINFOREST_AUDIT_CHECKPOINT_EVENTS", "1000"))
AUDIT_UNSEALED_WARN_SECONDS = float(os.environ.get("RAINFOREST_AUDIT_UNSEALED_WARN_SECONDS", "60"))

AUTH_USER_MODEL = "accounts.User"
# Django's password backend; the user it reads for each request brings their TOTP devices along.
AUTHENTICATION_BACKENDS = ["rainforest.accounts.authentication.SessionUserBackend"]
# Length, character classes, username and reuse rules read the security policy held in the
# database (accounts.SecurityPolicy), which the security administrator keeps.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "rainforest.accounts.passwords.PolicyPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Idle timeout and absolute lifetime come from the security policy; this is the ceiling.
SESSION_COOKIE_AGE = 12 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
# Outside debug mode static files are served by WhiteNoise from STATIC_ROOT, as collected by
# `rainforest collectstatic --noinput` (once per release): names carry a content hash, so they are
# cached for a year (immutable), and each has a gzip copy. In debug and demo mode they come straight
# from the source folders.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if LOCAL
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# WhiteNoise would read DEBUG: on one's own machine it finds files in the source folders too.
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = LOCAL
# htmx and ECharts come from the npm registry at install time (package.json); never committed by hand.
_NODE_MODULES = Path(os.environ.get("RAINFOREST_NODE_MODULES", Path.cwd() / "node_modules"))
# Each front-end package's served folder, under its static prefix; `rainforest serve` refuses to start
# while one is missing (ops/preflight.py), since every page links it.
VENDOR_STATIC = {"vendor/htmx": _NODE_MODULES / "htmx.org" / "dist"}
# Packages whose folder holds far more than pages use are served file by file (vendor_static.py).
VENDOR_FILES = {"vendor/echarts/echarts.min.js": _NODE_MODULES / "echarts" / "dist" / "echarts.min.js"}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "rainforest.vendor_static.VendorFileFinder",
]
# The PDFs embed this TrueType CJK font (rainforest.pdf.cjk_font), so they print the same in any reader.
PDF_FONT_DIR = _NODE_MODULES / "@expo-google-fonts" / "noto-sans-sc"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATICFILES_DIRS += [(prefix, folder) for prefix, folder in VENDOR_STATIC.items() if folder.is_dir()]

# Uploaded attachments: never served directly, only through views that check permissions.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/files/"
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
# Exports built in the background (registry/export_jobs.py) wait under MEDIA_ROOT/exports for their
# requester this many days; then a periodic job deletes them. Web nodes and workers share MEDIA_ROOT.
EXPORT_KEEP_DAYS = int(os.environ.get("RAINFOREST_EXPORT_KEEP_DAYS", "7"))

# Matching (issue 5). The dense encoder: "lsa" (fitted on the indexed texts, nothing to download)
# or "sentence-transformers:/path/to/model" (a model the operator copied there). An index saved by
# `rainforest match_index save` in MATCH_INDEX_DIR is loaded at start instead of rebuilt. Workers
# apply other workers' changes at most MATCH_SYNC_SECONDS after them; results are always checked
# against the database, so a withdrawn item is never shown even within that window.
MATCH_ENCODER = os.environ.get("RAINFOREST_MATCH_ENCODER", "lsa")
MATCH_INDEX_DIR = Path(os.environ.get("RAINFOREST_MATCH_INDEX_DIR", VAR_DIR / "match-index"))
# Seedling programme: working days within which a good seedling's raised need should be resolved
# (a service level the bureau sets, not a policy number).
SEEDLING_NEED_WORKING_DAYS = int(os.environ.get("RAINFOREST_NEED_WORKING_DAYS", "10"))
MATCH_SYNC_SECONDS = float(os.environ.get("RAINFOREST_MATCH_SYNC_SECONDS", "2"))

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Security headers; behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER_NAME.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not LOCAL)
# A load balancer probes over plain HTTP: the probes answer there instead of redirecting to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not LOCAL)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not LOCAL)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if LOCAL else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not LOCAL
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not LOCAL)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Everything the pages use is served from here (no CDN): no inline script or style, no plug-ins,
# no framing, forms post only to us. The TOTP QR code is inline SVG markup, not an image fetch.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Powerful browser features no page needs.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), "
    "magnetometer=(), gyroscope=(), accelerometer=()"
)
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
if os.environ.get("SECURE_PROXY_SSL_HEADER_NAME"):
    SECURE_PROXY_SSL_HEADER = (os.environ["SECURE_PROXY_SSL_HEADER_NAME"], "https")
SILENCED_SYSTEM_CHECKS = envlist("SILENCED_SYSTEM_CHECKS")

# E-mail (notices to enterprises). The demo prints mail to the console; production sends by SMTP.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "rainforest@localhost")
MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "EMAIL_BACKEND", f"django.core.mail.backends.{'console' if LOCAL else 'smtp'}.EmailBackend"
        ),
        "OPTIONS": {
            k.lower(): v
            for k, v in {
                "HOST": os.environ.get("EMAIL_HOST"),
                "PORT": int(os.environ["EMAIL_PORT"]) if os.environ.get("EMAIL_PORT") else None,
                "USERNAME": os.environ.get("EMAIL_HOST_USER"),
                "PASSWORD": os.environ.get("EMAIL_HOST_PASSWORD"),
                "USE_TLS": envbool("EMAIL_USE_TLS", False) or None,
            }.items()
            if v is not None
        }
        if not LOCAL
        else {},
    }
}

OTP_TOTP_ISSUER = _("Rainforest")
# Addresses of the platform's own reverse proxies: only behind them is X-Forwarded-For believed.
TRUSTED_PROXIES = frozenset(envlist("TRUSTED_PROXIES"))
# Login attempts per client address per minute, on top of per-account lockout.
LOGIN_RATE_PER_MINUTE = int(os.environ.get("LOGIN_RATE_PER_MINUTE", "30"))

# Logs: every logger (Django's, the server's access and error lines, the platform's) goes through one
# handler on stderr: one JSON object per line with the request id (rainforest.logs), or plain text
# for a person at a console (the default in debug and demo mode). No request body, cookie, header,
# query string, e-mail address or phone number is logged.
LOG_FORMAT = os.environ.get("RAINFOREST_LOG_FORMAT", "text" if LOCAL else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"RAINFOREST_LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "rainforest.logs.RequestIdFilter"}},
    "formatters": {"json": {"()": "rainforest.logs.JsonFormatter"}, "text": {"()": "rainforest.logs.TextFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's defaults print to the console in debug mode and mail ADMINS otherwise: here its
        # records reach the one handler above, once.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # SQL with its parameters (personal data) is never logged, whatever LOG_LEVEL says.
        "django.db.backends": {"level": "INFO"},
        # Each job's start and success (the audit sealer alone runs every 5 s) only at DEBUG; failures
        # and retries are warnings and errors, and stay on the jobs page.
        "django.tasks": {"level": os.environ.get("RAINFOREST_TASK_LOG_LEVEL", "WARNING")},
        "django_tasks_db": {"level": os.environ.get("RAINFOREST_TASK_LOG_LEVEL", "WARNING")},
    },
}
