"""Reads for accounts pages and the audit trail."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, QuerySet

from rainforest.accounts.models import ApiToken, Membership, User
from rainforest.accounts.permissions import (
    ACCOUNTS_MANAGE,
    API_TOKENS_OWN,
    AUDIT_VIEW,
    ROLES_GRANT,
    Principal,
)
from rainforest.audit.models import AuditEvent


def user_list(*, actor: Principal) -> QuerySet[User]:
    actor.require(ACCOUNTS_MANAGE)
    return User.objects.order_by("username").prefetch_related("memberships__organisation")


def membership_list(*, actor: Principal, q: str = "", role: str = "") -> QuerySet[Membership]:
    actor.require(ROLES_GRANT)
    # A user may hold several roles: the pk orders them, so no page repeats or skips one.
    qs = Membership.objects.select_related("user", "organisation").order_by("user__username", "pk")
    if q:
        qs = qs.filter(user__username__icontains=q)
    if role:
        qs = qs.filter(role=role)
    return qs


def audit_event_list(
    *,
    actor: Principal,
    action: str = "",
    actor_label: str = "",
    subject: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    actor.require(AUDIT_VIEW)
    qs = AuditEvent.objects.order_by(F("seq").desc(nulls_first=True), "-id")  # any not sealed yet first
    if action:
        qs = qs.filter(action__startswith=action)
    if actor_label:
        qs = qs.filter(actor_label__icontains=actor_label)
    if subject:
        qs = qs.filter(subject_label__icontains=subject) | qs.filter(subject_id=subject)
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs


def api_token_list(*, actor: Principal) -> QuerySet[ApiToken]:
    actor.require(API_TOKENS_OWN)
    return ApiToken.objects.filter(membership__user=actor.user).order_by("-created_at")
