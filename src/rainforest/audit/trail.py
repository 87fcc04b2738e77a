"""The hash-chained audit trail: append inside the caller's transaction, verify on demand.

Each event's hash covers its own fields and the previous event's hash, so editing, deleting
or reordering any row breaks the chain at that row, and the head row catches a removed tail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from rainforest.audit import context
from rainforest.audit.models import AuditChainHead, AuditEvent

if TYPE_CHECKING:  # the actor is any principal-like object: this app imports no other
    from rainforest.accounts.permissions import Principal

GENESIS = "0" * 64
# The columns of an export, in order (the auditor's page and `rainforest audit export`).
COLUMNS = (
    "seq", "at", "actor_label", "role", "organisation_label", "action", "subject_type",
    "subject_id", "subject_label", "before", "after", "ip", "request_id", "prev_hash", "hash",
)  # fmt: skip
HASHED_FIELDS = (
    "seq", "at", "actor_id", "actor_label", "role", "organisation_id", "organisation_label",
    "action", "subject_type", "subject_id", "subject_label", "before", "after", "ip",
    "request_id", "prev_hash",
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


def _digest(event: AuditEvent) -> str:
    payload = {name: getattr(event, name) for name in HASHED_FIELDS}
    payload["at"] = event.at.astimezone(dt.UTC).isoformat()
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Change:
    """One thing to record: an action on a subject, with its state before and after."""

    action: str
    subject_type: str = ""
    subject_id: str = ""
    subject_label: str = ""
    before: dict | None = None
    after: dict | None = None


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
        ip=ctx.ip,
        request_id=ctx.request_id,
    )


def record_many(actor: Principal | None, changes: list[Change]) -> list[AuditEvent]:
    """Append events in order. Must run inside the transaction of the change itself."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit events must be written in the transaction of the change")
    if not changes:
        return []
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    at = timezone.now()
    events = []
    for change in changes:
        event = _event(actor, change, at)
        event.seq = head.last_seq + 1
        event.prev_hash = head.last_hash
        event.hash = _digest(event)
        head.last_seq, head.last_hash = event.seq, event.hash
        events.append(event)
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    head.save(update_fields=["last_seq", "last_hash"])
    return events


def record(actor: Principal | None, action: str, **fields) -> AuditEvent:
    return record_many(actor, [Change(action=action, **fields)])[0]


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def verify(batch: int = 5000) -> Verification:
    """Walk the chain from the start; name the first link that does not hold."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    last_seen = 0
    while True:
        rows = list(AuditEvent.objects.filter(seq__gt=last_seen).order_by("seq")[:batch])
        if not rows:
            break
        for event in rows:
            if event.seq != expected_seq:
                return Verification(False, checked, expected_seq, "missing")
            if event.prev_hash != prev_hash:
                return Verification(False, checked, event.seq, "link")
            if _digest(event) != event.hash:
                return Verification(False, checked, event.seq, "content")
            prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
            last_seen = event.seq
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and (head.last_seq != last_seen or head.last_hash != prev_hash):
        return Verification(False, checked, last_seen + 1, "truncated")
    return Verification(True, checked)
