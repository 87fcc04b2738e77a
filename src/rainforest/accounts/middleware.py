"""Request context, session lifetime, current membership, second factor, password expiry."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
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


def _principal_for(request) -> Principal | None:
    if not request.user.is_authenticated:
        return None
    memberships = list(request.user.memberships.select_related("organisation"))
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


class SessionPolicyMiddleware:
    """Idle timeout and absolute lifetime, read from the security policy on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            policy = security_policy()
            now = timezone.now().timestamp()
            started = request.session.get("auth_at", now)
            seen = request.session.get("seen_at", now)
            idle = policy.idle_timeout_minutes * 60
            if now - seen > idle or now - started > policy.absolute_lifetime_hours * 3600:
                _expire(request)
                return redirect(reverse("accounts:login") + "?expired=1")
            request.session["auth_at"] = started
            request.session["seen_at"] = now
            request.session.set_expiry(idle)
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


def needs_second_factor(user) -> bool:
    """Privileged roles must; anyone who chose to set up a device is held to it as well."""
    if user.memberships.filter(role__in=PRIVILEGED_ROLES).exists():
        return True
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def privileged(user) -> bool:
    return user.memberships.filter(role__in=PRIVILEGED_ROLES).exists()


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
            and needs_second_factor(user)
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
        if user.is_authenticated and not request.path.startswith(PASSWORD_EXEMPT) and password_expired(user):
            return redirect("accounts:password_change")
        return self.get_response(request)


def password_expired(user) -> bool:
    if user.must_change_password:
        return True
    if not privileged(user):
        return False
    changed = user.password_changed_at
    days = security_policy().privileged_expiry_days
    return changed is None or timezone.now() - changed > dt.timedelta(days=days)
