"""The exchange's background jobs: notice mails, news of calls opened, deadline reminders, and
moving calls on when their time comes. Each periodic job is idempotent: running it twice changes
nothing more."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext_lazy

from rainforest.accounts.permissions import Principal
from rainforest.exchange.choices import CallStatus
from rainforest.exchange.models import Call
from rainforest.exchange.services import notify
from rainforest.exchange.services.calls import call_start_review
from rainforest.jobs.periodic import periodic

logger = logging.getLogger(__name__)

# The system itself moves what time moves; the audit trail names it so.
CLOCK = Principal.system("system:clock")

REMINDER_HOURS = 72


@task()
def send_notice_mail(notification_id: int) -> bool:
    """Mail one platform notice; a mail server error fails the attempt and the worker retries."""
    return notify.notification_mail(notification_id)


@task()
def notify_scenarios_published(scenario_ids: list[int]) -> int:
    """Notices to the subscribers of newly published scenarios (enqueued by the list's publication)."""
    return notify.notify_published(scenario_ids)


@periodic(
    every=dt.timedelta(hours=1),
    name="exchange.remind_deadlines",
    label=gettext_lazy("Remind applicants of calls closing soon"),
)
@task()
def remind_deadlines() -> int:
    """Remind applicants of calls closing within 72 hours (once per person and call)."""
    return notify.remind_deadlines(hours=REMINDER_HOURS)


@periodic(
    every=dt.timedelta(minutes=10),
    name="exchange.announce_calls",
    label=gettext_lazy("Tell subscribers of calls opened on scenarios they follow"),
)
@task()
def announce_calls() -> int:
    """Tell subscribers of calls opened on scenarios they follow (once per person and call). A
    periodic job, not one enqueued by the opening: a call may open hours after it is created."""
    return notify.notify_calls_opened()


def close_due_calls(now: dt.datetime | None = None) -> list[int]:
    """Start the review of every open call whose deadline has passed, through the call's workflow
    (``start_review``, the move an officer or the publisher would make), one transaction and one
    audit record per call. A call moved meanwhile by a person is refused by the table and skipped."""
    now = now or timezone.now()
    due = Call.objects.filter(status=CallStatus.OPEN, closes_at__lt=now - dt.timedelta(seconds=1)).order_by("pk")
    moved = []
    for call in due:
        try:
            call_start_review(actor=CLOCK, call=call)
        except (ValidationError, PermissionDenied) as refusal:
            logger.info("call %s not moved to review: %s", call.pk, refusal)
            continue
        moved.append(call.pk)
    return moved


@periodic(
    every=dt.timedelta(minutes=1),
    name="exchange.move_on_time",
    label=gettext_lazy("Close calls at their deadline; report notices that ended"),
)
@task(priority=50)  # ahead of exports and compaction: a call closes at its deadline on the busiest day
def move_on_time() -> dict:
    """What time alone moves: calls past their deadline go to review. A notice whose period is
    over is not finalised here (finalising makes the winners' projects: an officer's decision);
    the officers who may finalise it are told once."""
    return {"calls_to_review": close_due_calls(), "notices_over_notified": notify.notify_notices_over()}
