"""``rainforest restore FILE``: check the archive, rebuild it aside, verify it there, then swap it in.

1. Refuse unless the installation is empty or ``force`` is given: a restore replaces the live
   database, the uploads and the audit checkpoints with the backup's.
2. Extract into a private folder beside MEDIA_ROOT, checking every member against the manifest;
   refuse a backup of another database vendor, or one whose migrations this code does not know.
3. Build the scratch database (PostgreSQL: a new database; SQLite: a file beside the live one),
   compare every table's count with the manifest, migrate it if the backup is older than the code,
   and verify its audit trail against the backup's checkpoints. A trail that does not verify is
   refused and the scratch database dropped: nothing live has been touched yet.
4. Swap: the uploads folder, then the database, then the checkpoint file (after the database, so a
   sealer still running on the old database cannot sign into the new file). Previous ones are kept
   beside the new ones (``--drop-old`` removes them after success).
5. Record ``ops.restore.completed`` in the restored trail, as its newest event.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from rainforest.audit import trail
from rainforest.jobs.heartbeat import lease
from rainforest.jobs.models import WorkerHeartbeat
from rainforest.ops.backup import BackupError, media
from rainforest.ops.backup import checkpoints as checkpoint_file
from rainforest.ops.backup.archive import extract, sha256_of
from rainforest.ops.backup.manifest import CHECKPOINTS_MEMBER, Manifest
from rainforest.ops.backup.state import State, read_state, runtime_alias, unknown_migrations
from rainforest.ops.backup.targets import target_for

logger = logging.getLogger("rainforest.ops.backup")

SCRATCH_ALIAS = "rainforest_restore_scratch"
NOT_EMPTY = (
    "This installation holds data (accounts, audit events or uploaded files). A restore replaces the live "
    "database, the uploaded files and the audit checkpoints with the backup's; the previous ones are kept "
    "beside them. Add --force to do so."
)


@dataclass
class RestoreReport:
    manifest: Manifest
    state: State | None = None
    audit_checked: int = 0
    migrations_applied: list[str] = field(default_factory=list)
    not_installed: list[str] = field(default_factory=list)
    media_files: int = 0
    previous: dict[str, str] = field(default_factory=dict)  # what was kept where
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


def restore(archive: Path, *, actor, force: bool = False, drop_old: bool = False) -> RestoreReport:
    """Restore the whole installation from ``archive``; see the module's text for the steps."""
    started = time.monotonic()
    archive = archive.absolute()
    if not archive.is_file():
        raise BackupError(f"No such backup file: {archive}")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    target = target_for(stamp)
    root = media.media_root()
    media.check_swappable(root)
    had_data = target.holds_data()
    if not force and (had_data or next(media.walk(root), None) is not None):
        raise BackupError(NOT_EMPTY)
    workers = _running_workers() if had_data else ""
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.restore-", dir=root.parent))
    try:
        logger.info("Restore: reading %s and checking each member against its manifest.", archive)
        manifest = extract(archive, staging, settings.AUDIT_KEYRING)
        report = RestoreReport(manifest, warnings=[workers] if workers else [])
        _check_compatible(manifest, target.vendor, report)
        target.check_tools(manifest)
        try:
            _build_and_verify(target, manifest, staging, report)
            _swap_in(target, staging, stamp, report)
        except BaseException:
            target.drop_scratch()
            raise
        if drop_old:
            try:
                _drop_previous(target, report)
            except (OSError, DatabaseError) as exc:  # restored all the same: say what is left
                report.warnings.append(f"the previous data could not all be removed ({exc}): {report.previous}")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _record(actor, archive, report)
    report.seconds = time.monotonic() - started
    return report


def _running_workers() -> str:
    """A warning when workers are running: one could seal the old trail into the new checkpoint file."""
    try:
        beating = WorkerHeartbeat.objects.filter(beat_at__gte=timezone.now() - lease()).count()
    except DatabaseError:
        return ""
    if not beating:
        return ""
    message = f"{beating} worker(s) beat within the lease: stop workers during a restore (they seal the audit trail)."
    logger.warning(message)
    return message


def _check_compatible(manifest: Manifest, vendor: str, report: RestoreReport) -> None:
    if manifest.vendor != vendor:
        raise BackupError(
            f"This backup holds a {manifest.vendor} database and this installation uses {vendor}: restore it into "
            f"a {manifest.vendor} installation."
        )
    unknown, report.not_installed = unknown_migrations(manifest.migrations)
    if unknown:
        shown = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        raise BackupError(
            f"The backup comes from a newer version of Rainforest ({manifest.platform_version}): its database has "
            f"migrations this code does not know ({shown}). Install that version or a newer one, then restore."
        )
    if report.not_installed:
        logger.info("Restore: the backup's apps %s are not installed here; their tables come along unused.",
                    ", ".join(report.not_installed))  # fmt: skip


def _build_and_verify(target, manifest: Manifest, staging: Path, report: RestoreReport) -> None:
    overrides = target.build_scratch(staging / manifest.database_member)
    with runtime_alias(SCRATCH_ALIAS, **overrides) as connection:
        restored = read_state(connection)
        _compare(manifest.tables, restored.tables)
        logger.info("Restore: every table's count matches the manifest (%d tables).", len(restored.tables))
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            report.migrations_applied = [f"{m.app_label}.{m.name}" for m, _backwards in plan]
            logger.info("Restore: the backup's schema is older than this code; applying %d migrations.", len(plan))
            call_command("migrate", database=SCRATCH_ALIAS, interactive=False, verbosity=0)
        result = trail.verify(using=SCRATCH_ALIAS, checkpoint_file=staging / CHECKPOINTS_MEMBER)
        if not result.ok:
            raise BackupError(
                f"The backup's audit trail does not verify ({result.message}): refused, nothing was restored. "
                "(It is checked with this installation's audit keys: a backup sealed under other keys needs "
                "them in RAINFOREST_AUDIT_KEYS.)"
            )
        report.audit_checked = result.checked
        report.warnings.extend(result.warnings)
        logger.info("Restore: the backup's audit trail verifies (%d events).", result.checked)
        report.state = read_state(connection)


def _compare(expected: dict[str, int], found: dict[str, int]) -> None:
    differ = sorted(t for t in set(expected) | set(found) if expected.get(t) != found.get(t))
    if differ:
        shown = ", ".join(f"{t} ({expected.get(t, 'absent')} in the manifest, {found.get(t, 'absent')} restored)"
                          for t in differ[:5])  # fmt: skip
        raise BackupError(f"The restored database does not hold what the manifest lists: {shown}. Refused.")


def _swap_in(target, staging: Path, stamp: str, report: RestoreReport) -> None:
    root = media.media_root()
    staged_media = staging / "media"
    media.prepare(staged_media, root)
    report.media_files = sum(1 for _ in media.walk(staged_media))
    live_checkpoints = checkpoint_file.live_path()
    partial = checkpoint_file.stage_beside(staging / CHECKPOINTS_MEMBER, live_checkpoints)
    aside_media = root.with_name(f"{root.name}.before_restore-{stamp}")
    aside_checkpoints = live_checkpoints.with_name(f"{live_checkpoints.name}.before_restore-{stamp}")
    try:
        media_moved = media.swap_in(staged_media, root, aside_media)
        try:
            previous_db = target.swap()
        except BaseException:
            media.swap_back(staged_media, root, aside_media, media_moved)
            raise
    except BaseException:
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise
    try:
        checkpoints_moved = checkpoint_file.swap_in(partial, live_checkpoints, aside_checkpoints)
    except OSError as exc:
        raise BackupError(
            f"The database and the uploaded files are restored, but the audit checkpoint file could not be put in "
            f"place ({exc}): move {partial} to {live_checkpoints} (the previous file, if any, is {aside_checkpoints})."
        ) from exc
    if previous_db:
        report.previous["database"] = previous_db
    if media_moved:
        report.previous["uploaded files"] = str(aside_media)
    if checkpoints_moved:
        report.previous["audit checkpoints"] = str(aside_checkpoints)
    kept = "; ".join(f"previous {what} kept as {where}" for what, where in report.previous.items())
    logger.info("Restore: swapped in; %s.", kept or "there was nothing before")
    _forget_match_snapshot()


def _forget_match_snapshot() -> None:
    """The saved matching index describes the database before the restore, and its watermark may lie
    beyond the restored change log, where no new change would ever reach it: the next process builds
    its index from the restored database instead (and web processes still running rebuild on their own
    when they see the change log behind their watermark)."""
    folder = settings.MATCH_INDEX_DIR
    if folder.exists():
        shutil.rmtree(folder, ignore_errors=True)
        logger.info(
            "Restore: the saved matching index in %s was removed; it is rebuilt from the restored data.", folder
        )


def _drop_previous(target, report: RestoreReport) -> None:
    if "database" in report.previous:
        target.drop_previous()
        del report.previous["database"]
    if "uploaded files" in report.previous:
        shutil.rmtree(report.previous.pop("uploaded files"))
    if "audit checkpoints" in report.previous:
        Path(report.previous.pop("audit checkpoints")).unlink()
    logger.info("Restore: the previous database, uploads and checkpoints were removed (--drop-old).")


def _record(actor, archive: Path, report: RestoreReport) -> None:
    manifest = report.manifest
    after = {
        "file": str(archive),
        "sha256": sha256_of(archive),
        "backup_created_at": manifest.created_at,
        "backup_platform_version": manifest.platform_version,
        "backup_audit_head_seq": manifest.audit_head_seq,
        "migrations_applied": len(report.migrations_applied),
        "previous": report.previous,
    }
    try:
        with transaction.atomic():
            trail.record(actor, "ops.restore.completed", subject_type="backup", subject_label=archive.name, after=after)
    except DatabaseError as exc:
        raise BackupError(f"The restore is complete, but its audit event could not be recorded: {exc}") from exc
