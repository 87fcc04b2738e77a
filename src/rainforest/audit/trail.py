"""The audit trail: append inside the caller's transaction, seal and verify apart.

``record``/``record_many`` write events unsealed, each with a MAC over its content made with the
current audit key (``rainforest.audit.keys``), and take no lock shared with other writers. The
sealer (``seal``, run every few seconds by the worker) chains them; ``verify`` checks the chain,
the head and the checkpoints kept outside the database. See ``sealer`` and ``verification``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rainforest.audit import context, macs
from rainforest.audit.models import AuditEvent
from rainforest.audit.sealer import SealResult, seal
from rainforest.audit.verification import Verification, verify

if TYPE_CHECKING:  # the actor is any principal-like object: this app imports no other
    from rainforest.accounts.permissions import Principal

__all__ = ["COLUMNS", "Change", "SealResult", "Verification", "jsonable", "record", "record_many", "seal", "verify"]

GENESIS = macs.GENESIS
# The columns of an export, in order (the auditor's page and `rainforest audit export`).
COLUMNS = (
    "seq", "at", "actor_label", "role", "organisation_label", "action", "subject_type",
    "subject_id", "subject_label", "before", "after", "ip", "request_id", "key_id", "prev_hash", "hash",
)  # fmt: skip


def jsonable(value):
    """Values as they will read back from a JSON column, so hashes stay stable."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return value


@dataclass(frozen=True)
class Change:
    """One thing to record: an action on a subject, with its state before and after."""

    action: str
    subject_type: str = ""
    subject_id: str = ""
    subject_label: str = ""
    before: dict | None = None
    after: dict | None = None


_IP_FIELD = AuditEvent._meta.get_field("ip")


def _event(actor: Principal | None, change: Change, at: dt.datetime) -> AuditEvent:
    ctx = context.get()
    org = actor.organisation if actor else None
    return AuditEvent(
        at=at,
        actor_id=actor.user.pk if actor and not actor.is_system else None,
        actor_label=actor.label if actor else "anonymous",
        role=actor.role if actor else "",
        organisation_id=org.pk if org else None,
        organisation_label=org.name[:200] if org else "",
        action=change.action,
        subject_type=change.subject_type,
        subject_id=str(change.subject_id)[:64],
        subject_label=str(change.subject_label)[:200],
        before=jsonable(change.before),
        after=jsonable(change.after),
        ip=_IP_FIELD.to_python(ctx.ip),  # as the database will give it back (IPv6 compressed), so the MAC holds
        request_id=ctx.request_id,
    )


def record_many(actor: Principal | None, changes: list[Change], *, using: str = "default") -> list[AuditEvent]:
    """Append events, unsealed, in order. Must run inside the transaction of the change itself."""
    if not transaction.get_connection(using).in_atomic_block:
        raise RuntimeError("audit events must be written in the transaction of the change")
    if not changes:
        return []
    events = unsealed_events(actor, changes)
    AuditEvent.objects.using(using).bulk_create(events, batch_size=1000)
    return events


def unsealed_events(actor: Principal | None, changes: list[Change]) -> list[AuditEvent]:
    """The events, not saved yet, each with its nonce and content MAC under the current key."""
    key = settings.AUDIT_KEYRING.signing
    at = timezone.now()
    events = []
    for change in changes:
        event = _event(actor, change, at)
        event.key_id, event.nonce = key.id, secrets.token_hex(8)
        event.content_mac = macs.content(key, event)
        events.append(event)
    return events


def record(actor: Principal | None, action: str, *, using: str = "default", **fields) -> AuditEvent:
    return record_many(actor, [Change(action=action, **fields)], using=using)[0]
