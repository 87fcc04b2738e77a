"""The scratch installation the load runs against: its PostgreSQL database, its folder (server
files, uploads, static files, logs), the environment of its processes, and the steps that fill it.

Only ever on this machine: the database and Redis must be on the loopback address, and the
database's name must start with ``rf_load`` (it is dropped and made again).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import urllib.parse
from pathlib import Path

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
PREFIX = "rf_load"
# Settings the parent process may carry that must not leak into the scratch installation's.
_NOT_INHERITED = (
    "DJANGO_SETTINGS_MODULE", "RAINFOREST_EPHEMERAL_KEY", "RAINFOREST_DEMO", "DEBUG", "DATABASE_URL",
    "REDIS_URL", "SECRET_KEY", "RAINFOREST_VAR_DIR", "MEDIA_ROOT", "STATIC_ROOT", "ALLOWED_HOSTS",
    "CACHE_KEY_PREFIX", "RAINFOREST_MATCH_INDEX_DIR", "TRUSTED_PROXIES", "LOGIN_RATE_PER_MINUTE",
    "RAINFOREST_AUDIT_KEY", "RAINFOREST_AUDIT_KEYS", "RAINFOREST_AUDIT_KEY_FILE", "RAINFOREST_AUDIT_CHECKPOINTS",
    "RAINFOREST_BIND", "RAINFOREST_WORKERS", "RAINFOREST_THREADS",
)  # fmt: skip


def refuse_unsafe(postgres: str, redis: str, database: str) -> None:
    for label, url in (("PostgreSQL", postgres), ("Redis", redis)):
        host = urllib.parse.urlsplit(url).hostname
        if host not in LOOPBACK:
            raise ValueError(f"{label} must be on this machine (127.0.0.1), not {host!r}")
    if not database.startswith(PREFIX) or not database.replace("_", "").isalnum():
        raise ValueError(f"the scratch database's name must start with {PREFIX!r} (it is dropped): {database!r}")


def database_url(postgres: str, database: str) -> str:
    parts = urllib.parse.urlsplit(postgres)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{database}"))


class ScratchDatabase:
    def __init__(self, postgres: str, name: str):
        self.name = name
        self.url = database_url(postgres, name)
        self._admin = database_url(postgres, "postgres")

    def _execute(self, sql: str) -> list[tuple]:
        import psycopg

        with psycopg.connect(self._admin, autocommit=True) as connection:
            cursor = connection.execute(sql)
            return cursor.fetchall() if cursor.description else []

    def exists(self) -> bool:
        return bool(self._execute(f"SELECT 1 FROM pg_database WHERE datname = '{self.name}'"))

    def create(self) -> None:
        self._execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class Folder:
    """``var/loadtest/<database>/``: what the server and the run write; ``var/loadtest/static/``: the
    collected static files, shared by every scratch database (one release, one collection)."""

    def __init__(self, root: Path, database: str):
        self.root = (root / database).resolve()
        self.var, self.media, self.static = self.root / "var", self.root / "media", self.root.parent / "static"
        self.manifest, self.ledger = self.root / "manifest.json", self.root / "ledger.json"
        self.log = self.root / "prepare.log"

    def secret(self, name: str, make) -> str:
        """The installation's own secret (SECRET_KEY, the audit trail's key), kept with it."""
        path = self.root / name
        if not path.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            path.write_text(make())
            path.chmod(0o600)
        return path.read_text().strip()


def environment(folder: Folder, database: str, redis: str) -> dict[str, str]:
    """Production settings on plain HTTP on the loopback address, behind a pretend proxy: each
    simulated person sends its own X-Forwarded-For, as nginx would add it."""
    env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
    return env | {
        "DJANGO_SETTINGS_MODULE": "rainforest.settings",
        "DATABASE_URL": database,
        "REDIS_URL": redis,
        "CACHE_KEY_PREFIX": f"{folder.root.name}-cache",
        "SECRET_KEY": folder.secret("secret_key", lambda: secrets.token_urlsafe(50)),
        "RAINFOREST_AUDIT_KEY": folder.secret("audit_key", lambda: secrets.token_hex(32)),
        "DEBUG": "0",
        "RAINFOREST_VAR_DIR": str(folder.var),
        "MEDIA_ROOT": str(folder.media),
        "STATIC_ROOT": str(folder.static),
        "ALLOWED_HOSTS": "127.0.0.1",
        "TRUSTED_PROXIES": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }


class Step:
    """One preparation step in its own process; its output goes to the log, and into the error."""

    def __init__(self, env: dict[str, str], log: Path, *argv: str):
        self.argv, self.log = argv, log
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as out:
            out.write(f"\n$ {' '.join(argv)}\n".encode())
            out.flush()
            self.process = subprocess.Popen([sys.executable, *argv], env=env, stdout=out, stderr=subprocess.STDOUT)

    def wait(self) -> None:
        if self.process.wait():
            tail = self.log.read_text(errors="replace").splitlines()[-15:]
            raise RuntimeError(f"`{' '.join(self.argv)}` failed (exit {self.process.returncode}):\n" + "\n".join(tail))


def run_step(env: dict[str, str], log: Path, *argv: str) -> None:
    Step(env, log, *argv).wait()


def forget_cache(redis: str, prefix: str) -> None:
    """The previous run's sessions and counters (this installation's keys only)."""
    import redis as redis_client

    client = redis_client.Redis.from_url(redis)
    for key in client.scan_iter(match=f"{prefix}*", count=1000):
        client.delete(key)
