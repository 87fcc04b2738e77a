from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rainforest.accounts.permissions import EXCHANGE_SUPPLY, Principal
from rainforest.audit import trail
from rainforest.exchange.choices import Domain
from rainforest.exchange.models import Notification, Subscription


@transaction.atomic
def subscription_save(
    *, actor: Principal, domains: list[str], districts: list[str], keywords: list[str], email: str = ""
) -> Subscription:
    actor.require(EXCHANGE_SUPPLY)
    if set(domains) - set(Domain.values):
        raise ValidationError(_("Unknown domain."))
    keywords = [k.strip() for k in keywords if k.strip()][:20]
    subscription, _created = Subscription.objects.update_or_create(
        user=actor.user, defaults={"domains": domains, "districts": districts, "keywords": keywords, "email": email}
    )
    trail.record(
        actor,
        "exchange.subscription.saved",
        subject_type="user",
        subject_id=actor.user.pk,
        # Read back on the user's own "recent work": named as people know it, not by the login.
        subject_label=str(actor.user),
        after={"domains": domains, "districts": districts, "keywords": keywords},
    )
    return subscription


def notifications_read(*, actor: Principal) -> int:
    """Mark one's own notices read (not audited: it changes nothing anyone else sees)."""
    return Notification.objects.filter(user=actor.user, read_at=None).update(read_at=timezone.now())


def notification_open(*, actor: Principal, pk: int) -> Notification | None:
    """One's own notice, marked read as it is opened (not audited, as above); None when it is not
    one's own or does not exist."""
    notification = Notification.objects.filter(user=actor.user, pk=pk).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification
