"""The keys the audit trail is sealed with. They live outside the database, so whoever can write
the database cannot recompute a seal.

A keyring is a list of entries, the last of which signs; every entry verifies, so an operator
rotates by appending a new key and keeps the old ones for as long as their events are kept. An
entry is ``HEX`` (at least 32 bytes), ``ID:HEX`` or ``ID:ALGORITHM:HEX``, entries separated by commas
or new lines. Without an id, the id is a fingerprint of the key. Algorithms: ``hmac-sha256``
(the default) and ``hmac-sm3`` (GB/T 32905, for installations that must use national algorithms;
Python's hashlib has it where its OpenSSL does, which is checked at start).

Read from (the first present wins): ``RAINFOREST_AUDIT_KEYS`` (a keyring), ``RAINFOREST_AUDIT_KEY``
(one key), the key file (``RAINFOREST_AUDIT_KEY_FILE``, default ``<VAR_DIR>/audit.key``, one entry a
line). In demo and debug mode a missing key file is created (0600); in production a missing key
refuses to start, as a missing SECRET_KEY does. This module imports nothing of Django but its
configuration error: settings.py calls it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# The marker of events chained before the trail was keyed: plain SHA-256, re-anchored by the first
# keyed seal and checkpoint after the upgrade (see migration audit/0002).
LEGACY = "sha256-legacy"
ALGORITHMS = {"hmac-sha256": "sha256", "hmac-sm3": "sm3"}
DEFAULT_ALGORITHM = "hmac-sha256"
MIN_KEY_BYTES = 32
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
_HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")


@dataclass(frozen=True)
class Key:
    id: str
    algorithm: str
    secret: bytes = field(repr=False)

    def mac(self, domain: bytes, payload: bytes) -> str:
        """The MAC of ``payload`` for one use (``domain``), so a MAC made for one use fits no other."""
        return hmac.new(self.secret, domain + b"\x00" + payload, ALGORITHMS[self.algorithm]).hexdigest()


@dataclass(frozen=True)
class Keyring:
    keys: tuple[Key, ...]
    source: str = ""

    @property
    def signing(self) -> Key:
        return self.keys[-1]

    def get(self, key_id: str | None) -> Key | None:
        return next((k for k in self.keys if k.id == key_id), None)


def fingerprint(algorithm: str, secret: bytes) -> str:
    return "k" + hashlib.sha256(b"rainforest.audit.key-id\x00" + algorithm.encode() + b"\x00" + secret).hexdigest()[:12]


def _entry(text: str, source: str) -> Key:
    parts = text.split(":")
    if len(parts) > 3:
        raise ImproperlyConfigured(f"{source}: an audit key is HEX, ID:HEX or ID:ALGORITHM:HEX.")
    hexkey = parts[-1]
    algorithm = parts[1] if len(parts) == 3 else DEFAULT_ALGORITHM
    if algorithm not in ALGORITHMS:
        raise ImproperlyConfigured(f"{source}: unknown audit key algorithm {algorithm!r} (hmac-sha256 or hmac-sm3).")
    if ALGORITHMS[algorithm] not in hashlib.algorithms_available:
        raise ImproperlyConfigured(f"{source}: this Python's OpenSSL has no {ALGORITHMS[algorithm]}.")
    if not _HEX.fullmatch(hexkey) or len(hexkey) < 2 * MIN_KEY_BYTES:
        raise ImproperlyConfigured(f"{source}: an audit key is at least {MIN_KEY_BYTES} bytes written in hex.")
    secret = bytes.fromhex(hexkey)
    key_id = parts[0] if len(parts) > 1 else fingerprint(algorithm, secret)
    if not _ID.fullmatch(key_id) or key_id == LEGACY:
        raise ImproperlyConfigured(f"{source}: {key_id!r} cannot be an audit key id (letters, digits, . _ -).")
    return Key(key_id, algorithm, secret)


def parse(text: str, source: str) -> Keyring:
    """A keyring from its text; refuses an empty ring, a malformed entry and an id used twice."""
    entries = [e.strip() for line in text.splitlines() for e in line.split(",")]
    keys = tuple(_entry(e, source) for e in entries if e and not e.startswith("#"))
    if not keys:
        raise ImproperlyConfigured(f"{source}: no audit key.")
    ids = [k.id for k in keys]
    if len(set(ids)) != len(ids):
        raise ImproperlyConfigured(f"{source}: an audit key id is used twice.")
    return Keyring(keys, source)


def new_entry(algorithm: str = DEFAULT_ALGORITHM) -> str:
    """A fresh key as a keyring entry (``ID:ALGORITHM:HEX``)."""
    secret = secrets.token_bytes(MIN_KEY_BYTES)
    return f"{fingerprint(algorithm, secret)}:{algorithm}:{secret.hex()}"


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process created it first: read theirs
    with os.fdopen(fd, "w") as fh:
        fh.write(new_entry() + "\n")


def load(environ: Mapping[str, str], var_dir: Path, *, may_create: bool, ephemeral: bool) -> Keyring:
    """The configured keyring (see the module's text for where it comes from)."""
    ring, one = environ.get("RAINFOREST_AUDIT_KEYS", ""), environ.get("RAINFOREST_AUDIT_KEY", "")
    if ring and one:
        raise ImproperlyConfigured("Set RAINFOREST_AUDIT_KEYS or RAINFOREST_AUDIT_KEY, not both.")
    if ring or one:
        return parse(ring or one, "RAINFOREST_AUDIT_KEYS" if ring else "RAINFOREST_AUDIT_KEY")
    path = Path(environ.get("RAINFOREST_AUDIT_KEY_FILE") or var_dir / "audit.key")
    if not path.exists() and ephemeral:
        return parse(new_entry(), "an ephemeral key")  # offline commands record nothing that outlives them
    if not path.exists() and not may_create:
        raise ImproperlyConfigured(
            "The audit trail's key must be set outside demo and debug mode: RAINFOREST_AUDIT_KEY "
            f"(at least {MIN_KEY_BYTES} bytes in hex, e.g. from `openssl rand -hex 32`), or a key file at {path}."
        )
    if not path.exists():
        _create(path)
    return parse(path.read_text(), str(path))
