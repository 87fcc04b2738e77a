"""rainforest demo_advance CALL_ID: move a demo call's clock forward (demo mode only).

A walk-through of the exchange cannot wait for a real deadline or five working days of public
notice. In the demo this moves an open call's deadline to just now, or a running notice's end to
yesterday, so the next step can be taken. It is refused outside demo mode and audited."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from rainforest.accounts.permissions import Principal
from rainforest.audit import trail
from rainforest.demo import guard
from rainforest.exchange.models import Call, PublicNotice


class Command(BaseCommand):
    help = "Demo only: close an open call now, or end a running public notice yesterday."

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
            today = timezone.localdate()
            PublicNotice.objects.filter(pk=notice.pk).update(
                starts_on=min(notice.starts_on, today - dt.timedelta(days=8)), ends_on=today - dt.timedelta(days=1)
            )
            what = "notice period ended yesterday"
        else:
            raise CommandError(f"Call {call_id} is {call.status}: nothing to advance.")
        trail.record(Principal.system("system:demo_advance"), "demo.clock.advanced", subject_type="call",
                     subject_id=call.pk, subject_label=str(call.scenario), after={"what": what})  # fmt: skip
        self.stdout.write(f"Call {call_id}: {what}.")
