"""What each MAC of the trail covers. One domain per use, so a MAC made for one thing proves
nothing about another (an event's MAC is no head's, a head's no checkpoint's).

- content: an event's own fields, its key id and a random nonce, made when the event is written
  (so an unsealed event cannot be altered, or one invented, before the sealer reaches it);
- link: the event's place in the chain: seq, the previous link and the content MAC (the ``hash``);
- head: the head row's last seq and hash;
- checkpoint: a line of the checkpoint file.

Events from before the keyed chain (``key_id = LEGACY``) keep their plain SHA-256 hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from rainforest.audit.keys import Key

GENESIS = "0" * 64
CONTENT_FIELDS = (
    "at", "actor_id", "actor_label", "role", "organisation_id", "organisation_label", "action",
    "subject_type", "subject_id", "subject_label", "before", "after", "ip", "request_id", "key_id", "nonce",
)  # fmt: skip
LEGACY_FIELDS = (
    "seq", "at", "actor_id", "actor_label", "role", "organisation_id", "organisation_label",
    "action", "subject_type", "subject_id", "subject_label", "before", "after", "ip",
    "request_id", "prev_hash",
)  # fmt: skip


def canonical(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _fields(event, names) -> dict:
    payload = {name: getattr(event, name) for name in names}
    payload["at"] = event.at.astimezone(dt.UTC).isoformat()
    return payload


def content(key: Key, event) -> str:
    return key.mac(b"rainforest.audit.content.v1", canonical(_fields(event, CONTENT_FIELDS)))


def link(key: Key, *, seq: int, prev_hash: str, content_mac: str) -> str:
    payload = {"seq": seq, "prev_hash": prev_hash, "content_mac": content_mac, "key_id": key.id}
    return key.mac(b"rainforest.audit.link.v1", canonical(payload))


def legacy(event) -> str:
    """The plain SHA-256 the trail used before it was keyed (anyone can recompute it)."""
    return hashlib.sha256(canonical(_fields(event, LEGACY_FIELDS))).hexdigest()


def head(key: Key, *, last_seq: int, last_hash: str) -> str:
    payload = {"last_seq": last_seq, "last_hash": last_hash, "key_id": key.id}
    return key.mac(b"rainforest.audit.head.v1", canonical(payload))


def checkpoint(key: Key, *, seq: int, head_hash: str, at: str) -> str:
    payload = {"seq": seq, "head_hash": head_hash, "at": at, "key_id": key.id}
    return key.mac(b"rainforest.audit.checkpoint.v1", canonical(payload))
