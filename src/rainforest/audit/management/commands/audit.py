"""rainforest audit verify | export FILE"""

import csv

from django.core.management.base import BaseCommand, CommandError

from rainforest.audit import trail
from rainforest.audit.models import AuditEvent
from rainforest.core.facts.writer import defuse


class Command(BaseCommand):
    help = "Verify the audit hash chain, or export the trail as CSV."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="walk the chain; exit 1 at the first broken link")
        export = sub.add_parser("export", help="write every event to a CSV file")
        export.add_argument("file")

    def handle(self, *args, action, **options):
        if action == "verify":
            result = trail.verify()
            if result.ok:
                self.stdout.write(f"OK: {result.checked} events, chain intact.")
                return
            raise CommandError(
                f"BROKEN at event #{result.broken_seq} ({result.reason}); {result.checked} events before it are intact."
            )
        with open(options["file"], "w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh)
            writer.writerow(trail.COLUMNS)
            for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
                writer.writerow(
                    [defuse(str(v)) if (v := getattr(event, c)) is not None else ""
                     for c in trail.COLUMNS]
                )  # fmt: skip
        self.stdout.write(f"Exported to {options['file']}.")
