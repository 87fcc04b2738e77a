"""The sealer: chains committed events in the order it finds them, away from the writers' path.

Writers insert events unsealed in their own transaction and take no shared lock. The sealer, in a
transaction of its own, locks the head row (only sealers wait on it), reads the unsealed events it
can see, in id order, checks each one's content MAC, gives it the next seq, the previous link and
its keyed link hash, and moves the head, whose MAC it renews.

The order: on PostgreSQL an event with a lower id may commit after one with a higher id (ids are
taken at insert, rows become visible at commit). The sealer seals whatever is committed when it
looks, so an event committed later is sealed later: seq is the sealing order, which follows commit
order up to one sealing pass (``AUDIT_SEAL_SECONDS``). ``at`` keeps the time the event was written.

Before extending the chain the sealer checks that the head still holds (its MAC, its last event,
the last checkpoint): it never signs over a chain someone cut or rewrote. It then refuses, logs an
error and leaves the events unsealed (they are kept; ``rainforest audit verify`` names the break).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from rainforest.audit import checkpoints, macs
from rainforest.audit.checkpoints import Checkpoint
from rainforest.audit.keys import LEGACY, Keyring
from rainforest.audit.models import AuditChainHead, AuditEvent

logger = logging.getLogger("rainforest.audit")

BATCH = 1000


@dataclass(frozen=True)
class SealResult:
    sealed: int
    last_seq: int
    refused: str = ""  # why the sealer stopped short of the unsealed events; "" when it did not
    checkpoint: Checkpoint | None = None  # the checkpoint this call wrote, if any


def head_holds(head: AuditChainHead, keyring: Keyring) -> bool:
    key = keyring.get(head.key_id)
    return bool(key) and head.mac == macs.head(key, last_seq=head.last_seq, last_hash=head.last_hash)


def _sign(head: AuditChainHead, keyring: Keyring) -> None:
    key = keyring.signing
    head.key_id, head.mac = key.id, macs.head(key, last_seq=head.last_seq, last_hash=head.last_hash)


def _valid_last_checkpoint(path, keyring: Keyring) -> Checkpoint | None:
    last = checkpoints.last(path)
    return last if last and last.holds(keyring) else None


def _new_head(events, heads, last_checkpoint: Checkpoint | None, keyring: Keyring):
    """Start the chain, unless the head went missing from one that existed."""
    if events.filter(seq__isnull=False).exists():
        return None, "the head row is missing while sealed events exist", False
    if last_checkpoint is not None:
        return None, f"the chain is empty but checkpoint seq {last_checkpoint.seq} exists: truncated", False
    start = AuditChainHead(pk=1, last_seq=0, last_hash=macs.GENESIS)
    _sign(start, keyring)
    heads.bulk_create([start], ignore_conflicts=True)  # a sealer starting the chain at once wins quietly
    return heads.select_for_update().get(pk=1), "", False


def _head_problem(events, head: AuditChainHead, last_checkpoint: Checkpoint | None, keyring: Keyring) -> str:
    if head.key_id == LEGACY and not head.mac:
        # The head as migration audit/0002 left it: acceptable once, before anything keyed exists.
        if events.filter(seq__isnull=False).exclude(key_id=LEGACY).exists() or last_checkpoint is not None:
            return "the head row claims the unkeyed format after keyed events: altered"
    elif not head_holds(head, keyring):
        return "the head row does not match its MAC: altered"
    if head.last_seq and events.filter(seq=head.last_seq).values_list("hash", flat=True).first() != head.last_hash:
        return f"event #{head.last_seq}, the head's last link, is missing or altered"
    if events.filter(seq__gt=head.last_seq).exists():
        return f"events exist beyond the head's #{head.last_seq}: the head was moved back"
    if last_checkpoint is None:
        return ""
    if last_checkpoint.seq > head.last_seq:
        return f"the chain ends at #{head.last_seq}, before checkpoint seq {last_checkpoint.seq}: cut"
    if events.filter(seq=last_checkpoint.seq).values_list("hash", flat=True).first() != last_checkpoint.head_hash:
        return f"event #{last_checkpoint.seq} differs from its checkpoint: rewritten"
    return ""


def _locked_head(using: str, path, keyring: Keyring) -> tuple[AuditChainHead | None, str, bool]:
    """The head, locked, after checking it still holds: (head, problem, anchored now)."""
    events = AuditEvent.objects.using(using)
    heads = AuditChainHead.objects.using(using)
    head = heads.select_for_update().filter(pk=1).first()
    last_checkpoint = _valid_last_checkpoint(path, keyring)
    if head is None:
        return _new_head(events, heads, last_checkpoint, keyring)
    if problem := _head_problem(events, head, last_checkpoint, keyring):
        return None, problem, False
    anchoring = head.key_id == LEGACY and not head.mac
    if anchoring:
        _sign(head, keyring)  # the old chain, anchored under the key; a checkpoint follows at once
    return head, "", anchoring


def _chain(rows: list[AuditEvent], head: AuditChainHead, keyring: Keyring) -> tuple[list[AuditEvent], str]:
    """Give each row its place after the head, stopping at the first one that is not ours."""
    sealed = []
    seq, prev = head.last_seq, head.last_hash
    for row in rows:
        key = keyring.get(row.key_id)
        if key is None:
            return sealed, f"unsealed event id {row.pk} names key {row.key_id!r}, which is not in the keyring"
        if row.content_mac != macs.content(key, row):
            return sealed, f"unsealed event id {row.pk} does not match its MAC: forged or altered before sealing"
        seq += 1
        row.seq, row.prev_hash = seq, prev
        row.hash = prev = macs.link(key, seq=seq, prev_hash=prev, content_mac=row.content_mac)
        sealed.append(row)
    return sealed, ""


def _write_links(using: str, sealed: list[AuditEvent]) -> None:
    # One prepared statement run for every row (pipelined by psycopg): bulk_update's CASE per
    # column grows with the batch squared.
    table = connections[using].ops.quote_name(AuditEvent._meta.db_table)
    with connections[using].cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [(e.seq, e.prev_hash, e.hash, e.pk) for e in sealed],
        )


def _seal_batch(using: str, path, keyring: Keyring, batch: int) -> tuple[int, int, str, bool, bool]:
    """One transaction: (sealed, last seq, problem, anchored, more may wait)."""
    with transaction.atomic(using=using, durable=True):
        head, problem, anchored = _locked_head(using, path, keyring)
        if head is None:
            return 0, 0, problem, False, False
        rows = list(AuditEvent.objects.using(using).filter(seq__isnull=True).order_by("id")[:batch])
        sealed, problem = _chain(rows, head, keyring)
        if sealed:
            _write_links(using, sealed)
            head.last_seq, head.last_hash = sealed[-1].seq, sealed[-1].hash
            _sign(head, keyring)
        if sealed or anchored:
            head.save(using=using, update_fields=["last_seq", "last_hash", "key_id", "mac"])
        return len(sealed), head.last_seq, problem, anchored, len(rows) == batch and not problem


def _checkpoint(using: str, path, keyring: Keyring, *, force: bool) -> Checkpoint | None:
    """Write a checkpoint of the committed head when the last one is old enough or far enough behind."""
    with transaction.atomic(using=using, durable=True):
        # Under the head's lock, so two sealers write their checkpoints in the chain's order.
        head = AuditChainHead.objects.using(using).select_for_update().filter(pk=1).first()
        if head is None or head.last_seq == 0 or not head_holds(head, keyring):
            return None
        previous = _valid_last_checkpoint(path, keyring)
        now = timezone.now()
        if previous is not None:
            if previous.seq >= head.last_seq:
                return None
            young = now - previous.time < dt.timedelta(seconds=settings.AUDIT_CHECKPOINT_SECONDS)
            if not force and young and head.last_seq - previous.seq < settings.AUDIT_CHECKPOINT_EVENTS:
                return None
        checkpoint = Checkpoint.sign(keyring.signing, seq=head.last_seq, head_hash=head.last_hash, at=now)
        checkpoints.append(path, checkpoint)
        return checkpoint


def seal(
    *,
    using: str = "default",
    checkpoint_file: str | os.PathLike | None = None,
    batch: int = BATCH,
    force_checkpoint: bool = False,
) -> SealResult:
    """Seal every committed unsealed event, then write a checkpoint if one is due. Idempotent.

    Must run outside any transaction (it commits its own). Never raises for a broken chain: the
    result says why it stopped, and the error is logged.
    """
    keyring: Keyring = settings.AUDIT_KEYRING
    path = checkpoints.configured(checkpoint_file)
    total, last_seq, anchored_any = 0, 0, False
    try:
        while True:
            sealed, last_seq, problem, anchored, more = _seal_batch(using, path, keyring, batch)
            total += sealed
            anchored_any = anchored_any or anchored
            if problem:
                logger.error("Audit trail: sealing stopped after %s events: %s", total, problem)
                return SealResult(total, last_seq, problem)
            if not more:
                break
        checkpoint = _checkpoint(using, path, keyring, force=force_checkpoint or anchored_any)
    except OSError as error:  # the checkpoint file, which the sealer reads and writes, is out of reach
        logger.error("Audit trail: the checkpoint file %s cannot be used: %s", path, error)
        return SealResult(total, last_seq, f"the checkpoint file {path} cannot be used: {error.strerror}")
    return SealResult(total, last_seq, "", checkpoint)
