"""Writing events, and tampering with them as a database owner would: raw SQL on the real tables,
with the append-only trigger switched off first where PostgreSQL has one."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from rainforest.audit import trail
from rainforest.audit.models import AuditEvent
from tests.conftest import SYSTEM

EVENTS = "accounts_auditevent"
HEAD = "accounts_auditchainhead"
TRIGGER = "accounts_auditevent_append_only"
HEAD_TRIGGER = "accounts_auditchainhead_guard"


def write(n: int, action: str = "test.event") -> None:
    """n events in one transaction, as a service writes them."""
    with transaction.atomic():
        for i in range(n):
            trail.record(SYSTEM, action, subject_type="thing", subject_id=i, subject_label=f"第{i}号", after={"i": i})


def sealed(n: int) -> trail.SealResult:
    write(n)
    result = trail.seal()
    assert not result.refused, result.refused
    return result


def tamper(sql: str, params=()) -> None:
    """What the owner of the database can do, guard or no guard."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {EVENTS} DISABLE TRIGGER {TRIGGER}")
            cursor.execute(f"ALTER TABLE {HEAD} DISABLE TRIGGER {HEAD_TRIGGER}")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {EVENTS} ENABLE TRIGGER {TRIGGER}")
            cursor.execute(f"ALTER TABLE {HEAD} ENABLE TRIGGER {HEAD_TRIGGER}")


def empty_table(name: str) -> None:
    tamper(f"TRUNCATE {name}" if connection.vendor == "postgresql" else f"DELETE FROM {name}")


def row(seq: int) -> AuditEvent:
    return AuditEvent.objects.get(seq=seq)


@pytest.fixture
def checkpoint_every_seal(settings):
    """A checkpoint after every seal that moved the chain, so a test can see each one."""
    settings.AUDIT_CHECKPOINT_SECONDS = 0
    settings.AUDIT_CHECKPOINT_EVENTS = 1


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (its trigger, or writers that run at once)"
)
