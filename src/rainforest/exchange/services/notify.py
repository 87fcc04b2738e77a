"""Notices to enterprises: a scenario they follow is published; a deadline they work on nears."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rainforest.accounts.models import Membership
from rainforest.exchange.models import Call, Notification, Scenario, Subscription

logger = logging.getLogger(__name__)


def _notify(user, kind: str, key: str, text: str, link: str, email: str = "") -> bool:
    """One notice per user, kind and subject: re-runs send nothing twice."""
    try:
        with transaction.atomic():
            Notification.objects.create(user=user, kind=kind, key=key, text=text[:300], link=link)
    except IntegrityError:
        return False
    if email:
        try:
            send_mail(text[:120], f"{text}\n\n{link}", settings.DEFAULT_FROM_EMAIL, [email])
        except OSError:  # the platform notice stands; a mail server outage must not lose it
            logger.warning("mail to %s failed for %s:%s", email, kind, key, exc_info=True)
    return True


def matches(subscription: Subscription, scenario: Scenario) -> bool:
    if scenario.domain in subscription.domains or (scenario.district and scenario.district in subscription.districts):
        return True
    text = f"{scenario.title} {scenario.problem}".lower()
    return any(k.lower() in text for k in subscription.keywords if k)


def notify_published(scenario_ids: list[int]) -> int:
    sent = 0
    scenarios = list(Scenario.objects.filter(pk__in=scenario_ids))
    for subscription in Subscription.objects.select_related("user").filter(user__is_active=True):
        for scenario in scenarios:
            if matches(subscription, scenario):
                sent += _notify(
                    subscription.user,
                    "scenario_published",
                    f"scenario:{scenario.pk}",
                    _("New scenario you follow: %(t)s") % {"t": scenario.title},
                    reverse("exchange:scenario", args=[scenario.pk]),
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
                _("The call on %(t)s closes at %(when)s; you can edit your application until then.")
                % {"t": call.scenario.title, "when": timezone.localtime(call.closes_at).strftime("%Y-%m-%d %H:%M:%S")},
                reverse("exchange:call", args=[call.pk]),
                email,
            )
    return sent
