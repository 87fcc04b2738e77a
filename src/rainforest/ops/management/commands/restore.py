"""rainforest restore FILE [--force] [--drop-old]"""

import getpass
import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from rainforest.accounts.permissions import Principal
from rainforest.ops.backup import BackupError
from rainforest.ops.backup.restore import restore


class Command(BaseCommand):
    help = (
        "Restore the database, the uploaded files and the audit checkpoints from a backup archive, after "
        "verifying it (every member's sha256, the audit trail) in a scratch copy. This replaces the live data."
    )

    # Runs when the installation is unwell too (that is when backups matter), and starts at once.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="an archive written by `rainforest backup`")
        parser.add_argument(
            "--force", action="store_true", help="replace an installation that holds data (the previous one is kept)"
        )
        parser.add_argument(
            "--drop-old",
            action="store_true",
            help="after success, delete the previous database, uploads and checkpoints",
        )

    def handle(self, *args, file, force, drop_old, **options):
        actor = Principal.system(f"cli:{getpass.getuser()}")
        try:
            report = restore(Path(file), actor=actor, force=force, drop_old=drop_old)
        except BackupError as exc:
            raise CommandError(f"Restore failed: {exc}") from exc
        except (OSError, DatabaseError, sqlite3.Error) as exc:
            # Cleaned up already (temporary files, scratch database); the cause is the operator's to fix.
            raise CommandError(f"Restore failed: {exc}") from exc
        manifest = report.manifest
        self.stdout.write(
            f"Restored the backup of {manifest.created_at} (Rainforest {manifest.platform_version}, {manifest.vendor})."
        )
        if report.migrations_applied:
            self.stdout.write(
                f"  the backup's schema was older than this code: applied {len(report.migrations_applied)} migrations "
                f"({', '.join(report.migrations_applied)})"
            )
        for label, count in report.state.key_counts():
            self.stdout.write(f"  {label}: {count}")
        self.stdout.write(f"  audit events checked: {report.audit_checked}, chain intact")
        self.stdout.write(f"  uploaded files: {report.media_files}")
        for what, where in report.previous.items():
            self.stdout.write(f"  previous {what} kept as {where}")
        if report.not_installed:
            self.stdout.write(f"  apps not installed here (their tables came along): {', '.join(report.not_installed)}")
        for warning in report.warnings:
            self.stderr.write(f"Warning: {warning}")
        self.stdout.write(f"  took {report.seconds:.1f} s")
