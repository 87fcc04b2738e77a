"""Signed checkpoints of the chain, kept outside the database.

One JSON line per checkpoint, ``{"seq", "head_hash", "at", "key_id", "mac"}``, appended (O_APPEND,
then fsync) to a file the database owner cannot reach: ``AUDIT_CHECKPOINTS``, by default
``<VAR_DIR>/audit-checkpoints.jsonl``, created 0600. A chain cut below a checkpoint, re-chained over
it, or emptied altogether no longer matches the line, whatever the database says about itself.
The operator may make the file append-only (``chattr +a``) or ship its lines off the machine.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings

from rainforest.audit import macs
from rainforest.audit.keys import Key, Keyring

TAIL_BYTES = 4096


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    head_hash: str
    at: str
    key_id: str
    mac: str
    line: int = field(default=0, compare=False)

    @classmethod
    def sign(cls, key: Key, *, seq: int, head_hash: str, at: dt.datetime) -> Checkpoint:
        stamp = at.astimezone(dt.UTC).isoformat(timespec="seconds")
        return cls(seq, head_hash, stamp, key.id, macs.checkpoint(key, seq=seq, head_hash=head_hash, at=stamp))

    @property
    def time(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.at)

    def holds(self, keyring: Keyring) -> bool:
        """Whether the line was signed by one of our keys, as it reads now."""
        key = keyring.get(self.key_id)
        expected = key and macs.checkpoint(key, seq=self.seq, head_hash=self.head_hash, at=self.at)
        return bool(expected) and expected == self.mac

    def to_line(self) -> bytes:
        record = {k: v for k, v in asdict(self).items() if k != "line"}
        return (json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n").encode()


def configured(checkpoint_file: str | os.PathLike | None = None) -> Path:
    return Path(checkpoint_file or settings.AUDIT_CHECKPOINTS)


def _parse(text: str, number: int) -> Checkpoint:
    return _from_record(json.loads(text), number)


def _from_record(record, number: int) -> Checkpoint:
    if not isinstance(record, dict) or set(record) != {"seq", "head_hash", "at", "key_id", "mac"}:
        raise ValueError("not a checkpoint")
    if not isinstance(record["seq"], int) or not all(
        isinstance(record[k], str) for k in ("head_hash", "at", "key_id", "mac")
    ):
        raise ValueError("not a checkpoint")
    return Checkpoint(line=number, **record)


def append(path: Path, checkpoint: Checkpoint) -> None:
    """Append one line and make it durable before returning."""
    created = not path.exists()
    if created:
        path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        size = os.fstat(fd).st_size
        # A line torn by a crash stays a torn line: the next one starts on its own.
        torn = size > 0 and _last_byte(path, size) != b"\n"
        os.write(fd, (b"\n" if torn else b"") + checkpoint.to_line())
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)  # the file's name is durable too
        finally:
            os.close(dir_fd)


def _last_byte(path: Path, size: int) -> bytes:
    with path.open("rb") as fh:
        fh.seek(size - 1)
        return fh.read(1)


def last(path: Path) -> Checkpoint | None:
    """The last readable line, read from the end of the file (the sealer's cheap check)."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - TAIL_BYTES))
            tail = fh.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return None
    for text in reversed(tail.splitlines()):
        try:
            return _parse(text, 0)
        except (ValueError, TypeError):
            continue
    return None


@dataclass
class Reading:
    checkpoints: list[Checkpoint]
    damaged: list[int]  # lines that read as JSON but not as a checkpoint
    torn: list[int]  # lines cut short (a crash while writing): no JSON at all
    unreadable: str = ""  # why the file could not be read at all (permissions, a folder in its place)


def read(path: Path) -> Reading:
    """Every line of the file. A torn line proves nothing either way (removing a whole line would
    hide as much), so it is told apart from a line that was changed."""
    reading = Reading([], [], [])
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return reading
    except OSError as error:
        reading.unreadable = type(error).__name__
        return reading
    for number, text in enumerate(raw.decode("utf-8", errors="replace").split("\n"), start=1):
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except ValueError:
            reading.torn.append(number)
            continue
        try:
            reading.checkpoints.append(_from_record(record, number))
        except (ValueError, TypeError):
            reading.damaged.append(number)
    return reading
