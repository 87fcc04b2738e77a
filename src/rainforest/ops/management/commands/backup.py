"""rainforest backup FILE [--force]"""

import getpass
import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from rainforest.accounts.permissions import Principal
from rainforest.audit import trail
from rainforest.ops.backup import BackupError
from rainforest.ops.backup.create import backup_create


class Command(BaseCommand):
    help = (
        "Back up the database, the uploaded files and the audit checkpoints into one archive "
        "(.tar, .tar.gz or .tar.xz; readable by its owner only)."
    )

    # Runs when the installation is unwell too (that is when backups matter), and starts at once.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive to write, e.g. /backups/rainforest-2026-06-01.tar.gz")
        parser.add_argument("--force", action="store_true", help="replace FILE if it exists")

    def handle(self, *args, file, force, **options):
        actor = Principal.system(f"cli:{getpass.getuser()}")
        try:
            report = backup_create(Path(file), actor=actor, force=force)
        except BackupError as exc:
            raise CommandError(f"Backup failed: {exc}") from exc
        except (OSError, DatabaseError, sqlite3.Error) as exc:
            # Cleaned up already (temporary files, scratch database); the cause is the operator's to fix.
            raise CommandError(f"Backup failed: {exc}") from exc
        manifest = report.manifest
        self.stdout.write(f"Backup written to {report.path}: {report.size} bytes, sha256 {report.sha256}.")
        self.stdout.write(
            f"  database: {manifest.vendor} ({manifest.dump_tool}), {len(manifest.tables)} tables, "
            f"{sum(manifest.tables.values())} rows; audit events: {manifest.audit_events} "
            f"(head #{manifest.audit_head_seq})"
        )
        self.stdout.write(f"  uploaded files: {report.media_files} ({report.media_bytes} bytes)")
        self.stdout.write(f"  audit checkpoints: {'included' if manifest.has_checkpoints else 'none kept'}")
        self.stdout.write(f"  took {report.seconds:.1f} s")
        # The archive is kept either way (it is evidence), but a trail that does not verify makes every
        # restore of it refused: the timer's run must fail loudly tonight, not on the day of a restore.
        verification = trail.verify()
        if not verification.ok:
            raise CommandError(
                f"The backup was written, but the audit trail does not verify ({verification.message}): "
                "a restore of this archive will be refused. Investigate the trail before relying on it."
            )
