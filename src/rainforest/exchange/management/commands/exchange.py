"""rainforest exchange remind [--hours 72] | move: run the exchange's periodic jobs by hand.

``rainforest worker`` runs both on their own (``exchange.tasks``: reminders hourly, time-driven
moves every minute); these are manual triggers, as idempotent as the jobs. The mails they cause
are jobs too, sent by the worker.
"""

from django.core.management.base import BaseCommand

from rainforest.exchange.services.notify import notify_notices_over, remind_deadlines
from rainforest.exchange.tasks import REMINDER_HOURS, close_due_calls


class Command(BaseCommand):
    help = "Scenario exchange housekeeping (the worker runs it on its own; these are manual triggers)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        remind = sub.add_parser("remind", help="remind applicants of calls closing within --hours")
        remind.add_argument("--hours", type=int, default=REMINDER_HOURS)
        sub.add_parser("move", help="start the review of calls past their deadline; tell officers of notices over")

    def handle(self, *args, what, hours=REMINDER_HOURS, **options):
        if what == "remind":
            sent = remind_deadlines(hours=hours)
            self.stdout.write(f"{sent} reminder(s) sent.")
            return
        moved = close_due_calls()
        told = notify_notices_over()
        self.stdout.write(f"{len(moved)} call(s) moved to review; {told} officer notice(s) about notices over.")
