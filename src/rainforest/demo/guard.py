"""Whether this database is a demo installation, and the refusals of the demo commands."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db import DatabaseError

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


def is_empty() -> bool:
    """Nothing a person or the registry created: the only kind of database the demo may fill."""
    return not User.objects.exists() and not Organisation.objects.exists()


def mark(seed: int) -> None:
    DemoInstallation.objects.create(seed=seed)
