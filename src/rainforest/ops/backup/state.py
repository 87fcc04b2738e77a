"""What a database holds, read through a Django connection: table counts, migrations, the audit head.

Backup reads it inside the snapshot it dumps (PostgreSQL) or from the copy it archives (SQLite), so
the manifest describes exactly what the archive holds; restore reads it again from the scratch
database and compares. Scratch and snapshot databases are Django aliases added at run time.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader

from rainforest.audit.models import AuditEvent

# Shown in the summaries; every table is counted and compared all the same.
KEY_TABLES = (
    ("organisations", "accounts_organisation"),
    ("users", "accounts_user"),
    ("enterprises", "registry_enterprise"),
    ("yearly facts", "registry_yearlyfacts"),
    ("scenarios", "exchange_scenario"),
    ("applications", "exchange_application"),
    ("attachments", "exchange_attachment"),
    ("seedling candidacies", "seedling_candidacy"),
    ("fund deals", "fund_deal"),
    ("audit events", AuditEvent._meta.db_table),
)


@contextmanager
def runtime_alias(alias: str, **overrides) -> Iterator:
    """The default database's settings with ``overrides``, as a connection alias for the duration.

    Django reads DATABASES once into ``connections.settings`` (defaults filled in); an entry added
    there afterwards is served like any other by ``connections[alias]``. The copy of the configured
    default already carries every default, so nothing else needs filling in.
    """
    if alias in connections.settings:
        raise RuntimeError(f"database alias {alias!r} is in use")
    config = copy.deepcopy(connections.settings[DEFAULT_DB_ALIAS])
    config.update(overrides, CONN_MAX_AGE=0, ATOMIC_REQUESTS=False, AUTOCOMMIT=True)
    connections.settings[alias] = config
    try:
        yield connections[alias]
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]


@dataclass(frozen=True)
class State:
    tables: dict[str, int]
    migrations: dict[str, list[str]]
    audit_head_seq: int
    audit_events: int

    def key_counts(self) -> list[tuple[str, int]]:
        return [(label, self.tables[table]) for label, table in KEY_TABLES if table in self.tables]


def read_state(connection) -> State:
    """Counts of every table and the applied migrations, in the connection's current transaction."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        tables = {}
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (names from the catalogue)
            tables[table] = cursor.fetchone()[0]
        migrations: dict[str, list[str]] = {}
        if "django_migrations" in tables:
            cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
            for app, name in cursor.fetchall():
                migrations.setdefault(app, []).append(name)
        head = 0
        audit_table = AuditEvent._meta.db_table
        if audit_table in tables:
            cursor.execute(f"SELECT COALESCE(MAX(seq), 0) FROM {quote(audit_table)}")  # noqa: S608
            head = cursor.fetchone()[0]
    return State(tables=tables, migrations=migrations, audit_head_seq=head, audit_events=tables.get(audit_table, 0))


def holds_data(connection) -> bool:
    """Whether anything a person or the platform recorded is there: an account or an audit event."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for table in ("accounts_user", "accounts_organisation", AuditEvent._meta.db_table):
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    return True
    return False


def unknown_migrations(applied: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """Migrations the backup applied that this code does not have, and the apps not installed here."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    unknown, not_installed = [], []
    for app, names in sorted(applied.items()):
        if app not in loader.migrated_apps:
            not_installed.append(app)
            continue
        unknown.extend(f"{app}.{name}" for name in names if (app, name) not in known)
    return unknown, not_installed
