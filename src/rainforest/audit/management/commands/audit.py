"""rainforest audit verify [--checkpoints FILE] [--database ALIAS] | seal | export FILE

``verify`` seals what is committed, then checks every event, the head and every checkpoint; it
exits 1 at the first break and names it (for cut events: which, and since which checkpoint).
"""

import csv

from django.core.management.base import BaseCommand, CommandError
from django.db.models import F
from django.utils.translation import gettext

from rainforest.audit import trail
from rainforest.audit.models import AuditEvent
from rainforest.core.facts.writer import defuse


class Command(BaseCommand):
    help = "Verify the audit trail (chain, head, checkpoints), seal it, or export it as CSV."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="seal, then check the whole trail; exit 1 at the first break")
        verify.add_argument("--checkpoints", default=None, help="checkpoint file (default: AUDIT_CHECKPOINTS)")
        verify.add_argument("--database", default="default", help="database alias")
        sub.add_parser("seal", help="chain the committed unsealed events now (the worker does it every few seconds)")
        export = sub.add_parser("export", help="seal, then write every event to a CSV file")
        export.add_argument("file")

    def handle(self, *args, action, **options):
        if action == "verify":
            self._verify(options["database"], options["checkpoints"])
        elif action == "seal":
            self._seal()
        else:
            self._export(options["file"])

    def _verify(self, using, checkpoint_file):
        result = trail.verify(using=using, checkpoint_file=checkpoint_file)
        for warning in result.warnings:
            self.stderr.write(gettext("Warning: %(warning)s.") % {"warning": warning})
        if not result.ok:
            raise CommandError(
                gettext("BROKEN: %(message)s. %(checked)s events before it are intact.")
                % {"message": result.message, "checked": result.checked}
            )
        self.stdout.write(
            gettext("OK: %(checked)s events, chain intact; %(checkpoints)s checkpoints match (%(file)s).")
            % {"checked": result.checked, "checkpoints": result.checkpoints_checked, "file": result.checkpoint_file}
        )

    def _seal(self):
        result = trail.seal()
        if result.refused:
            raise CommandError(gettext("Sealing stopped: %(why)s.") % {"why": result.refused})
        self.stdout.write(
            gettext("Sealed %(count)s events; the chain ends at #%(seq)s.")
            % {"count": result.sealed, "seq": result.last_seq}
        )

    def _export(self, path):
        trail.seal()
        events = AuditEvent.objects.order_by(F("seq").asc(nulls_last=True), "id")
        with open(path, "w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh)
            writer.writerow(trail.COLUMNS)
            for event in events.iterator(chunk_size=2000):
                writer.writerow(
                    [defuse(str(v)) if (v := getattr(event, c)) is not None else ""
                     for c in trail.COLUMNS]
                )  # fmt: skip
        self.stdout.write(gettext("Exported to %(file)s.") % {"file": path})
