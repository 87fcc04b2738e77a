"""Request context, session lifetime, current membership, second factor, password expiry.

A signed-in page costs three queries here, whatever the role: the session row, the user (with their
confirmed TOTP devices, SessionUserBackend) and the memberships with their organisations. The
security policy comes from the cache; the session is written only when it changes."""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import middleware as otp_middleware
from django_otp.plugins.otp_totp.models import TOTPDevice

from rainforest.accounts.choices import PRIVILEGED_ROLES
from rainforest.accounts.models import Membership
from rainforest.accounts.permissions import Principal
from rainforest.accounts.policy import security_policy
from rainforest.audit import context, trail

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Paths a signed-in user may reach before passing the second factor...
OTP_EXEMPT = ("/accounts/login/", "/accounts/logout/", "/accounts/otp/", "/static/", "/i18n/")
# ...and, once past it, before changing an expired password.
PASSWORD_EXEMPT = (*OTP_EXEMPT, "/accounts/password/")


def client_ip(request) -> str | None:
    """The client's address; behind the platform's own reverse proxies (TRUSTED_PROXIES), the
    last address they added to X-Forwarded-For, which a client cannot forge."""
    remote = request.META.get("REMOTE_ADDR")
    if remote not in settings.TRUSTED_PROXIES:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    while hops and hops[-1] in settings.TRUSTED_PROXIES:
        hops.pop()
    return hops[-1] if hops else remote


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.client_ip = client_ip(request)
        token = context.current.set(context.RequestContext(ip=request.client_ip, request_id=request.request_id))
        try:
            response = self.get_response(request)
        finally:
            context.current.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


def request_memberships(request) -> list[Membership]:
    """The signed-in user's memberships with their organisations: one query, read once per request
    (the principal, the second factor and password expiry all ask)."""
    cached = getattr(request, "_rainforest_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=request.user).select_related("organisation").order_by("pk"))
        request._rainforest_memberships = cached
    return cached


def _security_policy(request):
    """The policy once per request: a cache read saved, and every middleware sees the same one."""
    cached = getattr(request, "_rainforest_security_policy", None)
    if cached is None:
        cached = request._rainforest_security_policy = security_policy()
    return cached


def _principal_for(request) -> Principal | None:
    if not request.user.is_authenticated:
        return None
    memberships = request_memberships(request)
    chosen = request.session.get("membership_id")
    membership = next((m for m in memberships if m.pk == chosen), None)
    if membership is None and memberships:
        membership = memberships[0]
    return Principal(user=request.user, membership=membership)


class MembershipMiddleware:
    """Puts ``request.principal``: the user acting in the membership they chose."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.principal = _principal_for(request)
        return self.get_response(request)


# The idle clock's resolution: the session is written when the seen_at it holds is this old, not on
# every request. A session therefore ends between idle - resolution and idle after its last request,
# never later: at most one session write per minute per active user, and an end at most 60 s early
# (3 % of the default 30 minutes). A tenth of the idle timeout when that is shorter (30 s of the
# shortest policy, 5 minutes), so a short timeout is not cut by a fifth.
SEEN_AT_RESOLUTION_SECONDS = 60


def seen_at_resolution(idle_seconds: float) -> float:
    return min(SEEN_AT_RESOLUTION_SECONDS, idle_seconds / 10)


class SessionPolicyMiddleware:
    """Idle timeout and absolute lifetime, read from the security policy on every request.

    The session is saved only when what it holds changes: its first request (the start and the
    first seen_at), a seen_at older than the resolution above, or an idle timeout the security
    administrator changed (the session row's and the cookie's expiry follow it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            policy = _security_policy(request)
            session = request.session
            now = timezone.now().timestamp()
            started = session.get("auth_at", now)
            seen = session.get("seen_at", now)
            idle = policy.idle_timeout_minutes * 60
            if now - seen > idle or now - started > policy.absolute_lifetime_hours * 3600:
                _expire(request)
                return redirect(reverse("accounts:login") + "?expired=1")
            if "auth_at" not in session:
                session["auth_at"] = started
            if "seen_at" not in session or now - seen >= seen_at_resolution(idle):
                session["seen_at"] = now
            if session.get_expiry_age() != idle:
                # Each save moves the row's expiry (and the cookie's) to idle after it; the row thus
                # outlives the seen_at it holds by up to idle, and the check above ends it first.
                session.set_expiry(idle)
        return self.get_response(request)


def _expire(request) -> None:
    from django.db import transaction

    user = request.user
    principal = Principal(user=user, membership=Membership.objects.filter(user=user).first())
    with transaction.atomic():
        trail.record(
            principal, "auth.session.expired", subject_type="user", subject_id=user.pk,
            subject_label=user.username,
        )  # fmt: skip
    request.session["expired"] = True
    logout(request)


def _confirmed_totp_ids(user) -> frozenset[int]:
    """Read with the user by SessionUserBackend; asked of the database for a user read otherwise."""
    known = getattr(user, "confirmed_totp_ids", None)
    if known is None:
        known = frozenset(TOTPDevice.objects.filter(user=user, confirmed=True).values_list("pk", flat=True))
    return known


def _privileged(memberships) -> bool:
    return any(m.role in PRIVILEGED_ROLES for m in memberships)


def needs_second_factor(request) -> bool:
    """Privileged roles must; anyone who chose to set up a device is held to it as well."""
    return _privileged(request_memberships(request)) or bool(_confirmed_totp_ids(request.user))


class OTPMiddleware(otp_middleware.OTPMiddleware):
    """django-otp's ``user.otp_device`` and ``user.is_verified()``, decided without a query: the device
    the session was verified with must still be one of the user's confirmed TOTP devices, which the
    user's own read brought (SessionUserBackend). Deleted or unconfirmed since, the session is not
    verified any more and forgets it, as django-otp does. The device itself is read only if asked for."""

    def _verify_user_sync(self, request, user):
        known = getattr(user, "confirmed_totp_ids", None) if user.is_authenticated else None
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY) if known is not None else None
        if not persistent_id:
            return super()._verify_user_sync(request, user)
        label, _slash, pk = self._normalize_persistent_id(persistent_id).rpartition("/")
        if label != TOTPDevice._meta.label_lower or not pk.isdigit():
            return super()._verify_user_sync(request, user)  # another kind of device: django-otp reads it
        self._init_user_fields(user)
        if int(pk) in known:
            user.otp_device = SimpleLazyObject(functools.partial(TOTPDevice.objects.get, pk=int(pk)))
        else:
            del request.session[DEVICE_ID_SESSION_KEY]
        return user


class SecondFactorMiddleware:
    """Officers, fund managers, experts and administrators must pass TOTP after the password."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(OTP_EXEMPT)
            and not user.is_verified()
            and needs_second_factor(request)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "second factor required"}, status=403)
            return redirect(reverse("accounts:otp") + f"?next={request.path}")
        return self.get_response(request)


class PasswordExpiryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(PASSWORD_EXEMPT) and password_expired(request):
            return redirect("accounts:password_change")
        return self.get_response(request)


def password_expired(request) -> bool:
    user = request.user
    if user.must_change_password:
        return True
    if not _privileged(request_memberships(request)):
        return False
    changed = user.password_changed_at
    days = _security_policy(request).privileged_expiry_days
    return changed is None or timezone.now() - changed > dt.timedelta(days=days)
