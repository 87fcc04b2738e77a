"""Whether this database is a demo installation, and the refusals of the demo commands."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db import DatabaseError, connection

from rainforest.accounts.models import Organisation, User
from rainforest.demo.models import DemoInstallation

NOT_A_DEMO = (
    "This database was not created by `rainforest demo`: demo commands never run against real data "
    "(start the demo in an empty folder or an empty database)."
)


def is_demo() -> bool:
    try:
        return DemoInstallation.objects.exists()
    except DatabaseError:  # the table does not exist: not a demo database
        return False


def require_demo() -> None:
    if not is_demo():
        raise CommandError(NOT_A_DEMO)


def may_migrate() -> bool:
    """Whether the demo may run its migrations here, checked before it writes a table or a migration
    row: a database with no table yet, or one migrated in demo mode (its mark's table exists) that is
    the demo's or still empty. A database migrated without the demo app is a real installation."""
    tables = set(connection.introspection.table_names())
    if not tables:
        return True
    return DemoInstallation._meta.db_table in tables and (is_demo() or is_empty())


def is_empty() -> bool:
    """Nothing a person or the registry created: the only kind of database the demo may fill."""
    return not User.objects.exists() and not Organisation.objects.exists()


def mark(seed: int) -> None:
    DemoInstallation.objects.create(seed=seed)
