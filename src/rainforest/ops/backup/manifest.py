"""What a backup says about itself: ``manifest.json``, followed by its MAC (``manifest.mac``) at the end
of the archive.

Everything restore decides before touching a database comes from here: whether the archive is complete
(each member's size and sha256), whether this code knows the backup's schema (the migrations applied
when it was made), and what the restored database must hold (the count of every table). The MAC is
made with the audit trail's signing key, which lives outside the database and the archive: a copy
of the archive on a file server can be read by whoever reads that server (it is not encrypted), but
not altered without restore refusing it.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import asdict, dataclass, field

from rainforest.audit.keys import Keyring
from rainforest.ops.backup import BackupError

FORMAT = "rainforest-backup"
FORMAT_VERSION = 1
NAME = "manifest.json"
SIGNATURE_NAME = "manifest.mac"
SIGNATURE_DOMAIN = b"rainforest.backup.manifest.v1"
POSTGRESQL_MEMBER = "database/postgresql.dump"
SQLITE_MEMBER = "database/sqlite3.db"
CHECKPOINTS_MEMBER = "audit/checkpoints.jsonl"
MEDIA_PREFIX = "media/"


@dataclass(frozen=True)
class Member:
    size: int
    sha256: str


@dataclass
class Manifest:
    """The facts of one backup; ``members`` maps each archive member's name to its size and hash."""

    created_at: str
    platform_version: str
    vendor: str  # "postgresql" or "sqlite"
    server_version: str  # PostgreSQL's server_version_num, or SQLite's library version
    dump_tool: str  # "pg_dump (PostgreSQL) 15.20", or "sqlite3 backup API"
    migrations: dict[str, list[str]]  # app label -> applied migration names, in the order applied
    tables: dict[str, int]  # every table of the database -> its row count in the backup's snapshot
    audit_head_seq: int  # the highest audit event sequence number in the snapshot
    audit_events: int
    members: dict[str, Member] = field(default_factory=dict)
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    @property
    def database_member(self) -> str:
        return POSTGRESQL_MEMBER if self.vendor == "postgresql" else SQLITE_MEMBER

    @property
    def media_members(self) -> list[str]:
        return sorted(name for name in self.members if name.startswith(MEDIA_PREFIX))

    @property
    def has_checkpoints(self) -> bool:
        return CHECKPOINTS_MEMBER in self.members

    @property
    def latest_migrations(self) -> dict[str, str]:
        return {app: names[-1] for app, names in self.migrations.items() if names}

    def to_json(self) -> bytes:
        data = asdict(self)
        data["latest_migrations"] = self.latest_migrations  # for a person reading the file
        return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise BackupError("The archive's manifest is not a Rainforest backup manifest.")
            if data.get("format_version") != FORMAT_VERSION:
                raise BackupError(
                    f"The backup's format version {data.get('format_version')!r} is not the one this code reads "
                    f"({FORMAT_VERSION}): restore it with the Rainforest version that made it "
                    f"({data.get('platform_version', 'unknown')})."
                )
            members = {
                str(name): Member(size=int(m["size"]), sha256=str(m["sha256"])) for name, m in data["members"].items()
            }
            return cls(
                created_at=str(data["created_at"]),
                platform_version=str(data["platform_version"]),
                vendor=_one_of(data["vendor"], ("postgresql", "sqlite")),
                server_version=str(data["server_version"]),
                dump_tool=str(data["dump_tool"]),
                migrations={str(app): [str(n) for n in names] for app, names in data["migrations"].items()},
                tables={str(table): int(count) for table, count in data["tables"].items()},
                audit_head_seq=int(data["audit_head_seq"]),
                audit_events=int(data["audit_events"]),
                members=members,
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackupError(f"The archive's manifest cannot be read ({exc!r}): the archive is damaged.") from exc


def _one_of(value, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{value!r} is not one of {allowed}")
    return value


def sign(manifest_bytes: bytes, keyring: Keyring) -> bytes:
    """The manifest's MAC under the audit trail's signing key (kept outside the database and the
    archive): whoever holds the archive without the key cannot alter a member and its listed hash."""
    key = keyring.signing
    return json.dumps({"key_id": key.id, "mac": key.mac(SIGNATURE_DOMAIN, manifest_bytes)}).encode()


def check_signature(manifest_bytes: bytes, signature: bytes, keyring: Keyring) -> None:
    try:
        record = json.loads(signature)
        key_id, mac = str(record["key_id"]), str(record["mac"])
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"The archive's {SIGNATURE_NAME} cannot be read: the archive is damaged.") from exc
    key = keyring.get(key_id)
    if key is None:
        raise BackupError(
            f"The backup was signed with audit key {key_id!r}, which is not in this installation's keyring: "
            "restore it where that key is configured (RAINFOREST_AUDIT_KEYS may hold old keys beside the current one)."
        )
    if not hmac.compare_digest(mac, key.mac(SIGNATURE_DOMAIN, manifest_bytes)):
        raise BackupError("The backup's manifest does not match its signature: the archive was altered. Refused.")
