"""PostgreSQL through its own tools: pg_dump of one snapshot, pg_restore into a scratch database.

The connection reaches pg_dump and pg_restore through libpq's environment (PGHOST, PGPORT, PGUSER,
PGPASSWORD, PGDATABASE and the TLS settings), never on a command line that ``ps`` shows.

Backup exports the snapshot of a read-only REPEATABLE READ transaction, counts the tables in it and
hands it to ``pg_dump --snapshot``: the dump and the manifest describe the same moment, and a
transaction that had not committed at that moment is in neither.

Restore creates ``<name>_restore_<stamp>`` and pg_restores into it; the caller verifies it. The swap
then closes the live database to new connections, ends the open ones and renames both databases in
one transaction: the application sees the old database or the new one, never half of either, and
the old one stays as ``<name>_before_restore_<stamp>``. Renaming needs the role to own the database
and hold CREATEDB; ending other sessions needs the same role or pg_signal_backend.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import DatabaseError, transaction
from psycopg import IsolationLevel

from rainforest.ops.backup import BackupError
from rainforest.ops.backup.state import runtime_alias

logger = logging.getLogger("rainforest.ops.backup")

_VERSION = re.compile(r"\S+ \(PostgreSQL\) (\d+)[\d.]*")
# libpq reads these; those the settings do not name are removed, so the operator's shell cannot
# redirect a dump or a restore to another server or database.
_LIBPQ_CONNECTION = ("PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSERVICE",
                     "PGPASSFILE", "PGSSLMODE", "PGSSLROOTCERT", "PGSSLCERT", "PGSSLKEY", "PGOPTIONS")  # fmt: skip
_OPTION_ENV = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
               "passfile": "PGPASSFILE", "service": "PGSERVICE"}  # fmt: skip
SWAP_WAIT_SECONDS = 10
MAINTENANCE_DATABASES = ("postgres", "template1")


@dataclass(frozen=True)
class Tool:
    path: str
    version: str  # as the tool prints it: "pg_dump (PostgreSQL) 15.20"
    major: int


def major_of(version_text: str) -> int:
    match = _VERSION.search(version_text)
    if match is None:
        raise BackupError(f"Cannot read a PostgreSQL version from {version_text!r}.")
    return int(match.group(1))


def server_major(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def find_tool(name: str, major: int) -> Tool:
    """The tool of the server's own major version where Debian's layout has it, else the one on PATH."""
    for path in (f"/usr/lib/postgresql/{major}/bin/{name}", shutil.which(name)):
        if path and os.access(path, os.X_OK):
            out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout  # noqa: S603
            major = major_of(out)
            return Tool(path, _VERSION.search(out).group(0), major)  # "pg_dump (PostgreSQL) 15.20"
    raise BackupError(
        f"{name} is not installed: install the PostgreSQL {major} client tools (postgresql-client-{major})."
    )


def check_dump_tool(tool: Tool, server: int) -> None:
    if tool.major < server:
        raise BackupError(
            f"{tool.path} is {tool.version}, which cannot dump a PostgreSQL {server} server (pg_dump must be at "
            f"least the server's major version): install postgresql-client-{server} or put its pg_dump first on PATH."
        )


def check_restore_tool(tool: Tool, dump_tool_version: str, backup_server: int, server: int) -> None:
    dump_major = major_of(dump_tool_version)
    if tool.major < dump_major:
        raise BackupError(
            f"{tool.path} is {tool.version}; the backup was written by {dump_tool_version}, which it cannot read: "
            f"install postgresql-client-{dump_major} or newer."
        )
    if backup_server > server:
        raise BackupError(
            f"The backup comes from PostgreSQL {backup_server} and this server runs PostgreSQL {server}: restore it "
            f"into PostgreSQL {backup_server} or newer."
        )


def libpq_env(settings_dict: dict, dbname: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _LIBPQ_CONNECTION}
    values = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": dbname,
    }
    values |= {env_name: settings_dict["OPTIONS"].get(option) for option, env_name in _OPTION_ENV.items()}
    env.update({k: str(v) for k, v in values.items() if v not in (None, "")})
    return env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    started = time.monotonic()
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603 (no shell)
    if done.returncode != 0:
        detail = done.stderr.strip()[-2000:] or f"exit status {done.returncode}"
        raise BackupError(f"{what} failed: {detail}")
    logger.info("%s finished in %.1f s.", what, time.monotonic() - started)


@contextmanager
def snapshot(settings_dict: dict) -> Iterator[tuple[object, str]]:
    """A read-only REPEATABLE READ transaction on its own connection, and its exported snapshot id."""
    options = {**settings_dict["OPTIONS"], "isolation_level": IsolationLevel.REPEATABLE_READ}
    with runtime_alias("rainforest_backup_snapshot", OPTIONS=options) as connection:
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot_id = cursor.fetchone()[0]
            yield connection, snapshot_id


def dump(tool: Tool, settings_dict: dict, snapshot_id: str, target: Path) -> None:
    logger.info("pg_dump of database %s (snapshot %s) to %s.", settings_dict["NAME"], snapshot_id, target.name)
    args = [tool.path, "--format=custom", "--no-password", f"--snapshot={snapshot_id}", f"--file={target}"]
    _run(args, libpq_env(settings_dict, settings_dict["NAME"]), "pg_dump")


def restore(tool: Tool, settings_dict: dict, database: str, source: Path) -> None:
    logger.info("pg_restore into the scratch database %s.", database)
    # --dbname is the scratch database's name only: the connection itself comes from the environment.
    args = [tool.path, "--no-owner", "--exit-on-error", "--no-password", f"--dbname={database}", str(source)]
    _run(args, libpq_env(settings_dict, database), "pg_restore")


def scratch_names(live: str, stamp: str) -> tuple[str, str]:
    """``<name>_restore_<stamp>`` and ``<name>_before_restore_<stamp>``, within PostgreSQL's 63 bytes."""
    room = 63 - len(f"_before_restore_{stamp}")
    base = live.encode()[:room].decode(errors="ignore")
    return f"{base}_restore_{stamp}", f"{base}_before_restore_{stamp}"


@contextmanager
def maintenance(settings_dict: dict) -> Iterator[object]:
    """A connection to the server outside the live database (CREATE, RENAME and DROP DATABASE)."""
    last_error = None
    for name in MAINTENANCE_DATABASES:
        with runtime_alias("rainforest_backup_maintenance", NAME=name) as connection:
            try:
                connection.ensure_connection()
            except DatabaseError as exc:
                last_error = exc
                continue
            yield connection
            return
    raise BackupError(f"Cannot connect to the server's maintenance database (postgres or template1): {last_error}")


def exists(connection, name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def create(connection, name: str, like: str) -> None:
    """An empty database with the live one's encoding and collation (a dump does not carry them)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database"
            " WHERE datname IN (%s, 'template1') ORDER BY datname = %s DESC LIMIT 1",
            [like, like],
        )
        encoding, collate, ctype = cursor.fetchone()
        cursor.execute(
            f"CREATE DATABASE {quote(name)} TEMPLATE template0 ENCODING {_literal(encoding)} "
            f"LC_COLLATE {_literal(collate)} LC_CTYPE {_literal(ctype)}"
        )
    logger.info("Created the scratch database %s.", name)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def drop(connection, name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)} WITH (FORCE)")
    logger.info("Dropped the database %s.", name)


def _end_sessions(connection, names: list[str]) -> None:
    deadline = time.monotonic() + SWAP_WAIT_SECONDS
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = ANY(%s) AND pid <> pg_backend_pid()",
                [names],
            )
            if not cursor.fetchall():
                return
            if time.monotonic() > deadline:
                raise BackupError(f"Sessions on {', '.join(names)} did not end within {SWAP_WAIT_SECONDS} s.")
            time.sleep(0.1)


def swap(connection, live: str, scratch: str, aside: str) -> bool:
    """Rename live -> aside and scratch -> live in one transaction; True if a live database was moved."""
    quote = connection.ops.quote_name
    had_live = exists(connection, live)
    with connection.cursor() as cursor:
        if had_live:
            cursor.execute(f"ALTER DATABASE {quote(live)} ALLOW_CONNECTIONS false")
        try:
            _end_sessions(connection, [live, scratch])
            with transaction.atomic(using=connection.alias):
                if had_live:
                    cursor.execute(f"ALTER DATABASE {quote(live)} RENAME TO {quote(aside)}")
                cursor.execute(f"ALTER DATABASE {quote(scratch)} RENAME TO {quote(live)}")
        except BaseException:
            if had_live and exists(connection, live):
                cursor.execute(f"ALTER DATABASE {quote(live)} ALLOW_CONNECTIONS true")
            raise
    if had_live:
        try:  # the swap has committed: opening the previous database again is a convenience
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER DATABASE {quote(aside)} ALLOW_CONNECTIONS true")
        except DatabaseError as exc:
            logger.warning("The previous database %s stays closed to connections: %s", aside, exc)
    logger.info("Swapped the databases: %s is the restored one%s.", live, f", the previous one is {aside}" * had_live)
    return had_live
