"""Notices to enterprises and officers: a scenario they follow is published, or a call opens on
one; a deadline they work on nears; a public notice's period is over.

A notice is a platform ``Notification`` row; when its user gave an e-mail address, the mail is a
background job (``exchange.tasks.send_notice_mail``) enqueued in the notice's own transaction, so
the row and its mail are committed together, no request waits for the mail server, and a mail
server outage only delays the mail (the worker retries it) and never loses the notice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from rainforest.accounts.models import Membership
from rainforest.accounts.permissions import EXCHANGE_MANAGE, ROLE_PERMISSIONS
from rainforest.exchange.choices import CallStatus
from rainforest.exchange.models import Call, Notification, Objection, PublicNotice, Scenario, Subscription
from rainforest.exchange.notice_wording import params_of, worded

# How long after its opening (or creation) a call is news to its scenario's followers.
CALL_NEWS_DAYS = 3


def _notify(user, kind: str, key: str, params: dict, link: str, email: str = "") -> bool:
    """One notice per user, kind and subject: re-runs send nothing twice. ``text`` is worded in
    the active language (the mail's); pages word it again from ``params`` for their reader."""
    from rainforest.exchange.tasks import send_notice_mail  # the tasks module imports this one

    text = worded(kind, params)
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user, kind=kind, key=key, text=text[:300], params=params, link=link
            )
            if email:
                # The queue is a table in this database: the job commits or rolls back with the notice.
                send_notice_mail.enqueue(notification.pk)
    except IntegrityError:
        return False
    return True


def notification_mail(notification_id: int) -> bool:
    """Mail one notice to its user's current notice address; False when there is none any more.

    Raises the mail backend's error, so the worker retries (``rainforest.jobs``).
    """
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or not notification.user.is_active:
        return False
    email = Subscription.objects.filter(user=notification.user).values_list("email", flat=True).first()
    if not email:
        return False
    send_mail(
        notification.text[:120],
        f"{notification.text}\n\n{notification.link}",
        settings.DEFAULT_FROM_EMAIL,
        [email],
    )
    return True


def matches(subscription: Subscription, scenario: Scenario) -> bool:
    """Whether ``subscription`` follows ``scenario`` (one check; batches go through ``Followers``)."""
    from rainforest.exchange.services.subscription_match import follows

    return follows(subscription, scenario)


def _subscribers_following(scenarios: list, kind: str, key_of) -> Iterator[tuple[Subscription, list]]:
    """Each active user's subscription with the scenarios it follows that it has not been told of
    under ``kind`` yet (the unique notice would refuse them anyway; asking first spares a refused
    insert per subscriber on every re-run)."""
    if not scenarios:
        return
    # Imported here: the engine's segmenter and tables are for the jobs that match, not for every
    # command that imports this module to send a reminder.
    from rainforest.exchange.services.subscription_match import Followers

    followers = Followers(scenarios)
    told = set(
        Notification.objects.filter(kind=kind, key__in=[key_of(s) for s in scenarios]).values_list("user_id", "key")
    )
    subscriptions = Subscription.objects.filter(user__is_active=True).select_related("user").order_by("pk")
    for subscription in subscriptions:
        followed = [s for s in followers.followed(subscription) if (subscription.user_id, key_of(s)) not in told]
        if followed:
            yield subscription, followed


def notify_published(scenario_ids: list[int]) -> int:
    """Tell each subscriber of the newly published scenarios it follows: by domain, district or
    keyword, a keyword through the matching engine (``subscription_match``)."""
    sent = 0
    scenarios = list(Scenario.objects.filter(pk__in=scenario_ids).order_by("pk"))
    for subscription, followed in _subscribers_following(scenarios, "scenario_published", _scenario_key):
        for scenario in followed:
            sent += _notify(
                subscription.user,
                "scenario_published",
                _scenario_key(scenario),
                params_of(title=scenario.title),
                reverse("exchange:scenario", args=[scenario.pk]),
                subscription.email,
            )
    return sent


def _scenario_key(scenario: Scenario) -> str:
    return f"scenario:{scenario.pk}"


def _call_key(scenario: Scenario) -> str:
    return f"call:{scenario.call.pk}"


def notify_calls_opened(now: dt.datetime | None = None) -> int:
    """Tell each subscriber of the calls opened lately on scenarios it follows, once per user and
    call. A call counts from its opening time (one may be opened ahead of it) and for
    ``CALL_NEWS_DAYS`` after that time or its creation, so a worker that was down a while still
    tells everyone, and a backdated call is still announced."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=CALL_NEWS_DAYS)
    calls = (
        Call.objects.filter(status=CallStatus.OPEN, opens_at__lte=now, closes_at__gt=now)
        .filter(Q(opens_at__gte=since) | Q(created_at__gte=since))
        .select_related("scenario")
        .order_by("pk")
    )
    scenarios = []
    for call in calls:
        call.scenario.call = call  # the one-to-one's reverse side, so _call_key asks no query
        scenarios.append(call.scenario)
    sent = 0
    for subscription, followed in _subscribers_following(scenarios, "call_opened", _call_key):
        for scenario in followed:
            sent += _notify(
                subscription.user,
                "call_opened",
                _call_key(scenario),
                params_of(title=scenario.title, when=scenario.call.closes_at),
                reverse("exchange:call", args=[scenario.call.pk]),
                subscription.email,
            )
    return sent


def remind_deadlines(hours: int = 72, now: dt.datetime | None = None) -> int:
    """Remind the members of every organisation with a live application that the call closes soon."""
    now = now or timezone.now()
    sent = 0
    calls = Call.objects.filter(status="open", closes_at__gt=now, closes_at__lte=now + dt.timedelta(hours=hours))
    for call in calls.select_related("scenario"):
        orgs = call.applications.exclude(status="withdrawn").values_list("applicant_id", flat=True)
        for membership in Membership.objects.filter(organisation_id__in=orgs).select_related("user"):
            email = getattr(getattr(membership.user, "subscription", None), "email", "")
            sent += _notify(
                membership.user,
                "deadline",
                f"call:{call.pk}",
                params_of(title=call.scenario.title, when=call.closes_at),
                reverse("exchange:call", args=[call.pk]),
                email,
            )
    return sent


def _finalisers():
    """Active memberships whose role may finalise a notice (exchange.manage)."""
    roles = [role for role, granted in ROLE_PERMISSIONS.items() if EXCHANGE_MANAGE in granted]
    return Membership.objects.filter(role__in=roles, user__is_active=True).select_related("user")


def notify_notices_over(today: dt.date | None = None) -> int:
    """Tell the officers who may finalise it that a notice's period is over with no objection
    pending. Finalising stays their decision (it makes the winners' projects); this only makes sure
    nobody forgets. Once per officer and notice, however often it runs."""
    today = today or timezone.localdate()
    notices = (
        PublicNotice.objects.filter(void=False, finalised_at=None, ends_on__lt=today, call__status=CallStatus.NOTICE)
        .exclude(objections__outcome=Objection.Outcome.PENDING)
        .select_related("call__scenario")
        .distinct()
    )
    officers = list(_finalisers())
    sent = 0
    for notice in notices:
        for membership in officers:
            email = getattr(getattr(membership.user, "subscription", None), "email", "")
            sent += _notify(
                membership.user,
                "notice_over",
                f"notice:{notice.pk}",
                params_of(title=notice.call.scenario.title, day=notice.ends_on),
                reverse("exchange:call", args=[notice.call_id]),
                email,
            )
    return sent
