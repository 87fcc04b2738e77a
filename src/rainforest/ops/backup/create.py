"""``rainforest backup FILE``: the database, the uploads and the audit checkpoints in one archive.

Order matters while the application keeps running:

1. the audit checkpoints are copied first, so each one names an event the snapshot will hold;
2. the database is copied as of one moment (PostgreSQL: an exported snapshot; SQLite: a one-step
   online backup), and the manifest's counts are read from that same moment;
3. the uploads are walked after the snapshot: a file is written before the row that names it
   commits, so every file the snapshot names is already there (a newer file is merely extra).

The archive is written to a private temporary file beside FILE and renamed only when complete, in
the transaction that records ``ops.backup.created``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import OperationalError, connections, transaction

import rainforest
from rainforest.audit import trail
from rainforest.ops.backup import BackupError, media, postgres, sqlite
from rainforest.ops.backup import checkpoints as checkpoint_file
from rainforest.ops.backup.archive import ArchiveWriter, compression_for, sha256_of
from rainforest.ops.backup.manifest import CHECKPOINTS_MEMBER, MEDIA_PREFIX, POSTGRESQL_MEMBER, SQLITE_MEMBER, Manifest
from rainforest.ops.backup.state import State, read_state, runtime_alias

logger = logging.getLogger("rainforest.ops.backup")
PUBLISH_ATTEMPTS = 4


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size: int
    sha256: str
    manifest: Manifest
    media_files: int
    media_bytes: int
    seconds: float


def _target(path: Path, force: bool) -> Path:
    path = path.absolute()
    compression_for(path)
    if path.exists() and not force:
        raise BackupError(f"{path} exists already: choose another name, or add --force to replace it.")
    if path.is_dir():
        raise BackupError(f"{path} is a folder: name the backup file to write.")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    if path.resolve().is_relative_to(media.media_root().resolve()):
        raise BackupError(f"{path} is inside MEDIA_ROOT, which the backup archives: write it elsewhere.")
    return path


def _dump_database(workdir: Path) -> tuple[str, Path, str, str, State]:
    """(member name, dump file, server version, tool version, state of the same moment)."""
    default = connections["default"]
    settings_dict = default.settings_dict
    if default.vendor == "postgresql":
        server = postgres.server_major(default)
        tool = postgres.find_tool("pg_dump", server)
        postgres.check_dump_tool(tool, server)
        target = workdir / "postgresql.dump"
        with postgres.snapshot(settings_dict) as (connection, snapshot_id):
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version_num")
                server_version = cursor.fetchone()[0]
            postgres.dump(tool, settings_dict, snapshot_id, target)
            state = read_state(connection)
        return POSTGRESQL_MEMBER, target, server_version, tool.version, state
    if default.vendor == "sqlite":
        target = workdir / "sqlite3.db"
        sqlite.online_copy(sqlite.database_path(settings_dict), target)
        with runtime_alias("rainforest_backup_copy", NAME=str(target)) as connection:
            state = read_state(connection)
        return SQLITE_MEMBER, target, sqlite3.sqlite_version, "sqlite3 backup API", state
    raise BackupError(f"Backup supports PostgreSQL and SQLite, not {default.vendor}.")


def backup_create(path: Path, *, actor, force: bool = False) -> BackupReport:
    """Write the archive; refuses an existing FILE unless ``force``. See the module's text."""
    started = time.monotonic()
    path = _target(path, force)
    partial = path.with_name(f".{path.name}.partial-{secrets.token_hex(4)}")
    workdir = Path(tempfile.mkdtemp(prefix=".rainforest-backup-", dir=path.parent))
    writer = None
    try:
        has_checkpoints = checkpoint_file.copy_complete_lines(workdir / "checkpoints.jsonl")
        logger.info("Backup: audit checkpoints %s.", "copied" if has_checkpoints else "not kept by this installation")
        member, dump_file, server_version, tool_version, state = _dump_database(workdir)
        writer = ArchiveWriter(partial, compression_for(path))
        writer.add_file(member, dump_file)
        dump_file.unlink()
        if has_checkpoints:
            writer.add_file(CHECKPOINTS_MEMBER, workdir / "checkpoints.jsonl")
        files = size = 0
        for name, source in media.walk(media.media_root()):
            try:
                size += writer.add_file(MEDIA_PREFIX + name, source).size
            except FileNotFoundError:
                # Deleted since the walk listed it (expired exports are): nothing was written for it.
                logger.warning("Backup: %s was deleted while the backup ran; skipped.", source)
                continue
            files += 1
        logger.info("Backup: %d uploaded files, %d bytes.", files, size)
        manifest = Manifest(
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            platform_version=rainforest.__version__,
            vendor=connections["default"].vendor,
            server_version=str(server_version),
            dump_tool=tool_version,
            migrations=state.migrations,
            tables=state.tables,
            audit_head_seq=state.audit_head_seq,
            audit_events=state.audit_events,
        )
        writer.finish(manifest, settings.AUDIT_KEYRING)
        writer = None
        digest = sha256_of(partial)
        after = {"file": str(path), "sha256": digest, "size": partial.stat().st_size,
                 "audit_head_seq": state.audit_head_seq, "media_files": files}  # fmt: skip
        _publish(actor, partial, path, after)
        _sync_folder(path.parent)
        logger.info("Backup written to %s (%d bytes, sha256 %s).", path, path.stat().st_size, digest)
        return BackupReport(path, path.stat().st_size, digest, manifest, files, size, time.monotonic() - started)
    except BaseException:
        if writer is not None:
            writer.abort()
        partial.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _publish(actor, partial: Path, path: Path, after: dict) -> None:
    """Record ``ops.backup.created`` and rename the archive into place in that transaction: if recording
    fails, no archive appears. SQLite serves writers in no order, so a busy application can keep this
    one write waiting past the busy timeout: it is tried again a few times before the backup fails."""
    for attempt in range(1, PUBLISH_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                trail.record(actor, "ops.backup.created", subject_type="backup", subject_label=path.name, after=after)
                os.replace(partial, path)
            return
        except OperationalError as exc:
            if connections["default"].vendor != "sqlite" or "locked" not in str(exc) or attempt == PUBLISH_ATTEMPTS:
                raise
            logger.warning("Backup: the database is busy (%s); recording the backup again.", exc)
            time.sleep(attempt)


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
