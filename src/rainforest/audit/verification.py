"""Verify the trail against its keys and against the checkpoints kept outside the database.

``verify()`` seals first (nothing committed is left out), then walks the chain from #1 checking
each event's content MAC, its link to the one before and its link MAC, the head row's MAC, and
every checkpoint: one at seq N must match event N ("rewritten" otherwise); one beyond the last
event means events were cut, and the answer names them and the checkpoint that proves it. The
first break is reported; warnings (events left unsealed too long, a checkpoint line torn by a crash)
do not make the chain broken.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from rainforest.audit import checkpoints, macs
from rainforest.audit.checkpoints import Checkpoint
from rainforest.audit.keys import LEGACY, Keyring
from rainforest.audit.models import AuditChainHead, AuditEvent
from rainforest.audit.sealer import head_holds, seal


@dataclass(frozen=True)
class Verification:
    """The answer: ``ok``, how many events were checked, and for a break its first seq, a reason
    code, the range of missing events and the checkpoint that shows it, and a sentence."""

    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""  # content, link, key, legacy, missing, truncated, rewritten, head, checkpoint, forged, duplicate
    missing: tuple[int, int] | None = None
    checkpoint: Checkpoint | None = None
    message: str = ""
    warnings: tuple[str, ...] = ()
    checkpoints_checked: int = 0
    checkpoint_file: str = ""


def _when(checkpoint: Checkpoint) -> str:
    return timezone.localtime(checkpoint.time).strftime("%Y-%m-%d %H:%M:%S")


def _missing_message(first: int, last: int, checkpoint: Checkpoint | None) -> str:
    values = {"first": first, "last": last}
    if checkpoint is not None:
        values |= {"time": _when(checkpoint), "seq": checkpoint.seq}
        if first == last:
            return gettext("event #%(first)s missing since checkpoint of %(time)s (seq %(seq)s)") % values
        return gettext("events #%(first)s–#%(last)s missing since checkpoint of %(time)s (seq %(seq)s)") % values
    if first == last:
        return gettext("event #%(first)s missing: the head of the chain says #%(last)s") % values
    return gettext("events #%(first)s–#%(last)s missing: the head of the chain says #%(last)s") % values


@dataclass
class _Walk:
    """What the walk has seen so far."""

    keyring: Keyring
    by_seq: dict[int, list[Checkpoint]]
    checked: int = 0
    last_seq: int = 0
    prev_hash: str = macs.GENESIS
    keyed_seen: bool = False
    warnings: list[str] = field(default_factory=list)


def _gap_break(walk: _Walk, seq: int) -> dict | None:
    first, last = walk.last_seq + 1, seq - 1
    if seq == first:
        return None
    message = (
        gettext("event #%(first)s missing from the chain")
        if first == last
        else gettext("events #%(first)s–#%(last)s missing from the chain")
    )
    return {"broken_seq": first, "reason": "missing", "missing": (first, last),
            "message": message % {"first": first, "last": last}}  # fmt: skip


def _legacy_break(walk: _Walk, event: AuditEvent) -> dict | None:
    """An event from before the keyed chain: only at the start, with its plain SHA-256."""
    if walk.keyed_seen:
        message = gettext("event #%(seq)s claims the unkeyed format after keyed events: rewritten")
        return {"reason": "legacy", "message": message % {"seq": event.seq}}
    if event.prev_hash != walk.prev_hash:
        return {"reason": "link", "message": _link_message(event.seq)}
    if macs.legacy(event) != event.hash:
        return {"reason": "content", "message": _content_message(event.seq)}
    return None


def _keyed_break(walk: _Walk, event: AuditEvent) -> dict | None:
    walk.keyed_seen = True
    key = walk.keyring.get(event.key_id)
    if key is None:
        message = gettext("event #%(seq)s is sealed with key %(key)s, which is not in the keyring")
        return {"reason": "key", "message": message % {"seq": event.seq, "key": event.key_id}}
    if event.content_mac != macs.content(key, event):
        return {"reason": "content", "message": _content_message(event.seq)}
    link = macs.link(key, seq=event.seq, prev_hash=walk.prev_hash, content_mac=event.content_mac)
    if event.prev_hash != walk.prev_hash or event.hash != link:
        return {"reason": "link", "message": _link_message(event.seq)}
    return None


def _checkpoint_break(walk: _Walk, event: AuditEvent) -> dict | None:
    for checkpoint in walk.by_seq.get(event.seq, ()):
        if checkpoint.head_hash != event.hash:
            message = gettext("event #%(seq)s differs from the checkpoint of %(time)s: the chain was rewritten")
            return {"reason": "rewritten", "checkpoint": checkpoint,
                    "message": message % {"seq": event.seq, "time": _when(checkpoint)}}  # fmt: skip
    return None


def _event_break(walk: _Walk, event: AuditEvent) -> dict | None:
    return (
        _gap_break(walk, event.seq)
        or (_legacy_break if event.key_id == LEGACY else _keyed_break)(walk, event)
        or _checkpoint_break(walk, event)
    )


def _content_message(seq: int) -> str:
    return gettext("event #%(seq)s does not match its seal: rewritten, or sealed with another key") % {"seq": seq}


def _link_message(seq: int) -> str:
    return gettext("event #%(seq)s does not follow the event before it: reordered or re-chained") % {"seq": seq}


def _walk(walk: _Walk, using: str, batch: int) -> dict | None:
    while True:
        rows = list(AuditEvent.objects.using(using).filter(seq__gt=walk.last_seq).order_by("seq")[:batch])
        if not rows:
            return None
        for event in rows:
            broken = _event_break(walk, event)
            if broken is not None:
                broken.setdefault("broken_seq", event.seq)
                return broken
            walk.checked += 1
            walk.last_seq, walk.prev_hash = event.seq, event.hash


def _tail_break(walk: _Walk, head: AuditChainHead | None, beyond: Checkpoint | None) -> dict | None:
    """Events cut from the end, shown by a checkpoint or by a head that still holds."""
    head_ahead = head is not None and head.last_seq > walk.last_seq and head_holds(head, walk.keyring)
    if beyond is None and not head_ahead:
        return None
    last = max(beyond.seq if beyond else 0, head.last_seq if head_ahead else 0)
    first = walk.last_seq + 1
    return {"broken_seq": first, "reason": "truncated", "missing": (first, last), "checkpoint": beyond,
            "message": _missing_message(first, last, beyond)}  # fmt: skip


def _head_break(walk: _Walk, head: AuditChainHead | None, any_checkpoint: bool) -> dict | None:
    seq = walk.last_seq + 1
    if head is None:
        if walk.checked:
            return {"broken_seq": seq, "reason": "head", "message": gettext("the head of the chain is missing")}
        return None
    if head.key_id == LEGACY and not head.mac:
        if walk.keyed_seen or any_checkpoint:
            return {"broken_seq": seq, "reason": "head", "message": _head_altered()}
        walk.warnings.append(gettext("the chain has not been anchored with a key yet: run `rainforest audit seal`"))
    elif not head_holds(head, walk.keyring):
        return {"broken_seq": seq, "reason": "head", "message": _head_altered()}
    if head.last_seq < walk.last_seq:
        message = gettext("the head of the chain was moved back to #%(head)s, but events up to #%(last)s exist")
        return {"broken_seq": head.last_seq + 1, "reason": "head",
                "message": message % {"head": head.last_seq, "last": walk.last_seq}}  # fmt: skip
    if head.last_seq == walk.last_seq and head.last_hash != walk.prev_hash:
        return {"broken_seq": seq, "reason": "head", "message": _head_altered()}
    return None


def _head_altered() -> str:
    return gettext("the head of the chain does not match its seal: altered")


def _file_break(reading: checkpoints.Reading, invalid: list[Checkpoint], path) -> dict | None:
    lines = sorted([*reading.damaged, *(c.line for c in invalid)])
    if not lines:
        return None
    message = gettext("line %(line)s of the checkpoint file %(path)s is not a checkpoint we signed: altered")
    return {"reason": "checkpoint", "message": message % {"line": lines[0], "path": path}}


def _unsealed_break(keyring: Keyring, using: str) -> dict | None:
    for event in AuditEvent.objects.using(using).filter(seq__isnull=True).order_by("id").iterator(chunk_size=500):
        key = keyring.get(event.key_id)
        if key is None or event.content_mac != macs.content(key, event):
            message = gettext("an unsealed event (id %(id)s) does not match its MAC: forged or altered")
            return {"reason": "forged", "message": message % {"id": event.pk}}
    return None


def _duplicate_break(using: str) -> dict | None:
    twice = (
        AuditEvent.objects.using(using).filter(content_mac__isnull=False)
        .values("content_mac").annotate(n=Count("id")).filter(n__gt=1).values_list("content_mac", flat=True)
    )  # fmt: skip
    mac = next(iter(twice[:1]), None)
    if mac is None:
        return None
    seqs = list(AuditEvent.objects.using(using).filter(content_mac=mac).order_by("seq").values_list("seq", flat=True))
    message = gettext("event #%(seq)s is a copy of event #%(first)s: inserted")
    return {"broken_seq": seqs[-1], "reason": "duplicate", "message": message % {"seq": seqs[-1], "first": seqs[0]}}


def _unsealed_warning(using: str) -> str | None:
    seconds = settings.AUDIT_UNSEALED_WARN_SECONDS
    old = AuditEvent.objects.using(using).filter(
        seq__isnull=True, at__lt=timezone.now() - dt.timedelta(seconds=seconds)
    )
    count = old.count()
    if not count:
        return None
    return ngettext(
        "%(count)s event written more than %(seconds)s seconds ago is not sealed yet: is the worker running?",
        "%(count)s events written more than %(seconds)s seconds ago are not sealed yet: is the worker running?",
        count,
    ) % {"count": count, "seconds": int(seconds)}


def verify(
    *, using: str = "default", checkpoint_file: str | os.PathLike | None = None, batch: int = 5000, seal_first=True
) -> Verification:
    """Seal, then check the whole trail of database ``using`` against the keys and the checkpoints
    in ``checkpoint_file`` (default: the configured file). The first break is returned."""
    keyring: Keyring = settings.AUDIT_KEYRING
    path = checkpoints.configured(checkpoint_file)
    had_file = path.exists()
    if seal_first:
        seal(using=using, checkpoint_file=path)
    reading = checkpoints.read(path)
    if reading.unreadable:
        message = gettext(
            "the checkpoint file %(path)s cannot be read (%(error)s): a cut tail or an emptied table cannot be checked"
        ) % {"path": path, "error": reading.unreadable}
        return Verification(False, 0, reason="checkpoint", message=message, checkpoint_file=str(path))
    holds = [c.holds(keyring) for c in reading.checkpoints]
    valid = [c for c, ok in zip(reading.checkpoints, holds, strict=True) if ok]
    invalid = [c for c, ok in zip(reading.checkpoints, holds, strict=True) if not ok]
    by_seq: dict[int, list[Checkpoint]] = defaultdict(list)
    for checkpoint in valid:
        by_seq[checkpoint.seq].append(checkpoint)
    walk = _Walk(keyring, by_seq)
    if reading.torn:
        torn = gettext("line %(line)s of the checkpoint file was cut short (a crash while writing?)")
        walk.warnings.append(torn % {"line": reading.torn[0]})
    head = AuditChainHead.objects.using(using).filter(pk=1).first()
    beyond = max((c for c in valid if c.seq > 0), key=lambda c: c.seq, default=None)
    broken = _walk(walk, using, batch)
    if broken is None:
        beyond = beyond if beyond is not None and beyond.seq > walk.last_seq else None
        broken = (
            _tail_break(walk, head, beyond)
            or _head_break(walk, head, bool(reading.checkpoints))
            or _file_break(reading, invalid, path)
            or _unsealed_break(keyring, using)
            or _duplicate_break(using)
        )
    if (warning := _unsealed_warning(using)) is not None:
        walk.warnings.append(warning)
    if not had_file and walk.checked:
        walk.warnings.append(
            gettext("there was no checkpoint file at %(path)s: events cut before this check cannot be detected")
            % {"path": path}
        )
    common = {"warnings": tuple(walk.warnings), "checkpoints_checked": len(valid), "checkpoint_file": str(path)}
    if broken is None:
        return Verification(True, walk.checked, **common)
    return Verification(False, walk.checked, **broken, **common)
