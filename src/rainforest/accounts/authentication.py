"""Password sign-in with lockout and rate limiting; every outcome is audited.

Unknown user, wrong password, locked and deactivated accounts all get the same answer, so
the sign-in form cannot be used to learn which accounts exist.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import check_password
from django.core.cache import BaseCache, cache, caches
from django.db import transaction
from django.db.models import CharField, OuterRef, StringAgg, Subquery, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from rainforest.accounts.models import User
from rainforest.accounts.permissions import Principal
from rainforest.accounts.policy import security_policy
from rainforest.audit import trail
from rainforest.cache_health import Throttle

logger = logging.getLogger(__name__)
_local_count_warning = Throttle()


# The path sign-in stores in the session; Django reads the user of every later request through it.
BACKEND = "rainforest.accounts.authentication.SessionUserBackend"


class SessionUserBackend(ModelBackend):
    """Django's own password backend, whose user read for each signed-in request also carries the ids of
    their confirmed TOTP devices (``confirmed_totp_ids``), in the same query: the second factor's
    middlewares then need no query of their own (accounts.middleware)."""

    def get_user(self, user_id):
        devices = (
            TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
            .order_by()
            .values("user")
            .annotate(ids=StringAgg(Cast("pk", CharField()), Value(",")))
            .values("ids")
        )
        user = User._default_manager.annotate(totp_ids=Subquery(devices)).filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        user.confirmed_totp_ids = frozenset(int(pk) for pk in (user.totp_ids or "").split(",") if pk)
        return user


class RateLimited(Exception):
    """Too many attempts from one client address in the last minute."""


def _rate_key(ip: str | None) -> str:
    minute = timezone.now().strftime("%Y%m%d%H%M")
    return f"login-rate:{ip or 'unknown'}:{minute}"


def _count_in(counter: BaseCache, key: str) -> int | None:
    counter.add(key, 0, 90)
    try:
        return counter.incr(key)
    except ValueError:  # expired between add and incr
        counter.set(key, 1, 90)
        return 1


def _count_attempt(ip: str | None) -> int:
    """Attempts from this address this minute, counted in the shared cache; while that cannot count
    (Redis down: django-redis answers None), in this process's memory, against the same limit."""
    key = _rate_key(ip)
    count = _count_in(cache, key)
    if count is None:
        if _local_count_warning():
            logger.error("Sign-in attempts are counted per process while the shared cache cannot count them.")
        count = _count_in(caches["local"], key)
    return count


def _as_principal(user: User | None) -> Principal | None:
    if user is None:
        return None
    return Principal(user=user, membership=user.memberships.select_related("organisation").first())


def sign_in(request, username: str, password: str) -> User | None:
    """Return the user when the password is right and the account may sign in, else None."""
    ip = getattr(request, "client_ip", None) or getattr(request, "META", {}).get("REMOTE_ADDR")
    if _count_attempt(ip) > settings.LOGIN_RATE_PER_MINUTE:
        with transaction.atomic():
            trail.record(None, "auth.login.rate_limited", subject_label=username[:150])
        raise RateLimited
    policy = security_policy()
    now = timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is not None and user.locked_until and user.locked_until > now:
            # Hash the attempt anyway: a refusal that skipped the hasher would answer in a fraction
            # of the time and tell an attacker which accounts are locked (and so exist).
            check_password(password, user.password)
            trail.record(
                _as_principal(user), "auth.login.refused_locked", subject_type="user",
                subject_id=user.pk, subject_label=user.username,
            )  # fmt: skip
            return None
        authenticated = authenticate(request, username=username, password=password)
        if authenticated is None:
            _failed(user, username, policy, now)
            return None
        user = authenticated
        user.failed_logins = 0
        user.locked_until = None
        user.last_login = now
        user.save(update_fields=["failed_logins", "locked_until", "last_login"])
        trail.record(
            _as_principal(user), "auth.login.password_ok", subject_type="user",
            subject_id=user.pk, subject_label=user.username,
        )  # fmt: skip
        return user


def _failed(user: User | None, username: str, policy, now: dt.datetime) -> None:
    if user is None:
        trail.record(None, "auth.login.unknown_user", subject_label=username[:150])
        return
    user.failed_logins += 1
    action = "auth.login.failed"
    if user.failed_logins >= policy.lockout_threshold:
        user.locked_until = now + dt.timedelta(minutes=policy.lockout_minutes)
        user.failed_logins = 0
        action = "auth.account.locked"
    user.save(update_fields=["failed_logins", "locked_until"])
    trail.record(
        _as_principal(user), action, subject_type="user", subject_id=user.pk,
        subject_label=user.username,
        after={"locked_until": user.locked_until} if user.locked_until else None,
    )  # fmt: skip
