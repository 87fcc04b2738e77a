"""rainforest exchange remind [--hours 72]: notices for calls about to close (run it from cron)."""

from django.core.management.base import BaseCommand

from rainforest.exchange.services.notify import remind_deadlines


class Command(BaseCommand):
    help = "Scenario exchange housekeeping."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        remind = sub.add_parser("remind", help="remind applicants of calls closing within --hours")
        remind.add_argument("--hours", type=int, default=72)

    def handle(self, *args, what, hours, **options):
        sent = remind_deadlines(hours=hours)
        self.stdout.write(f"{sent} reminder(s) sent.")
