"""rainforest demo_advance CALL_ID: move a demo call's clock forward (demo mode only).

A walk-through of the exchange cannot wait for a real deadline or five working days of public
notice. In the demo this moves an open call's deadline to just now, or a running notice (its
working days kept) to end on the last working day before today, so the next step can be taken.
It is refused outside demo mode and audited."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from rainforest.accounts.permissions import Principal
from rainforest.audit import trail
from rainforest.demo import clock, guard
from rainforest.exchange.calendar import is_working_day
from rainforest.exchange.models import Call, PublicNotice


class Command(BaseCommand):
    help = "Demo only: close an open call now, or end a running public notice on the last working day."

    def add_arguments(self, parser):
        parser.add_argument("call_id", type=int)

    @transaction.atomic
    def handle(self, *args, call_id, **options):
        guard.require_demo()
        call = Call.objects.select_for_update().filter(pk=call_id).first()
        if call is None:
            raise CommandError(f"No call {call_id}.")
        now = timezone.now()
        if call.status == "open":
            Call.objects.filter(pk=call.pk).update(
                opens_at=min(call.opens_at, now - dt.timedelta(minutes=1)), closes_at=now - dt.timedelta(seconds=2)
            )
            what = "deadline moved to now"
        elif call.status == "notice":
            notice = call.notices.filter(void=False, finalised_at=None).first()
            # Still five real working days, now ending on the last working day before today.
            days = (notice.ends_on - notice.starts_on).days + 1
            working = sum(is_working_day(notice.starts_on + dt.timedelta(days=i)) for i in range(days))
            ends_on = clock.working_day_on_or_before(timezone.localdate() - dt.timedelta(days=1))
            starts_on = ends_on
            for _ in range(working - 1):
                starts_on = clock.working_day_on_or_before(starts_on - dt.timedelta(days=1))
            PublicNotice.objects.filter(pk=notice.pk).update(starts_on=starts_on, ends_on=ends_on)
            what = "notice period ended on the last working day"
        else:
            raise CommandError(f"Call {call_id} is {call.status}: nothing to advance.")
        trail.record(Principal.system("system:demo_advance"), "demo.clock.advanced", subject_type="call",
                     subject_id=call.pk, subject_label=str(call.scenario), after={"what": what})  # fmt: skip
        self.stdout.write(f"Call {call_id}: {what}.")
