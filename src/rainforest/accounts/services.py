"""Every change to accounts, roles and security policy: one transaction, one audit event."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from rainforest.accounts.choices import ADMIN_ROLES, Role
from rainforest.accounts.errors import RuleViolation, StaleEdit
from rainforest.accounts.models import (
    ApiToken,
    Membership,
    Organisation,
    PasswordHistory,
    SecurityPolicy,
    User,
    UserSession,
)
from rainforest.accounts.permissions import (
    ACCOUNTS_MANAGE,
    API_TOKENS_OWN,
    ROLES_GRANT,
    SECURITY_POLICY,
    Principal,
)
from rainforest.accounts.policy import forget_cached_policy, security_policy
from rainforest.audit import trail

ORGANISATION_FIELDS = ("name", "kind", "uscc", "district", "is_active")
POLICY_FIELDS = (
    "min_length", "min_classes", "history", "privileged_expiry_days", "lockout_threshold",
    "lockout_minutes", "idle_timeout_minutes", "absolute_lifetime_hours",
)  # fmt: skip


def _user_state(user: User) -> dict:
    return {"username": user.username, "display_name": user.display_name, "active": user.is_active}


@transaction.atomic
def organisation_create(*, actor: Principal, **values) -> Organisation:
    actor.require(ACCOUNTS_MANAGE)
    org = Organisation(**values)
    org.full_clean()
    org.save()
    trail.record(
        actor, "accounts.organisation.created", subject_type="organisation", subject_id=org.pk,
        subject_label=org.name, after=model_to_dict(org, fields=ORGANISATION_FIELDS),
    )  # fmt: skip
    return org


@transaction.atomic
def organisation_update(*, actor: Principal, organisation: Organisation, version: int, **values):
    actor.require(ACCOUNTS_MANAGE)
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if org.version != version:
        raise StaleEdit(_("Someone else changed this organisation after you opened it."))
    before = model_to_dict(org, fields=ORGANISATION_FIELDS)
    for key, value in values.items():
        setattr(org, key, value)
    org.full_clean()
    org.version += 1
    org.save()
    trail.record(
        actor, "accounts.organisation.updated", subject_type="organisation", subject_id=org.pk,
        subject_label=org.name, before=before, after=model_to_dict(org, fields=ORGANISATION_FIELDS),
    )  # fmt: skip
    return org


@transaction.atomic
def user_create(
    *, actor: Principal, username: str, password: str, display_name: str = "", temporary: bool | None = None
) -> User:
    """Create an account without roles: roles are granted by the security administrator.

    A password someone else chose is temporary: its holder must choose their own at the first
    sign-in. Only the system's own fixtures (the demo city, tests) are exempt, unless they say so."""
    actor.require(ACCOUNTS_MANAGE)
    user = User(username=username, display_name=display_name)
    user.full_clean(exclude=["password"])
    validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.must_change_password = (not actor.is_system) if temporary is None else temporary
    user.save()
    PasswordHistory.objects.create(user=user, password=user.password)
    trail.record(
        actor, "accounts.user.created", subject_type="user", subject_id=user.pk,
        subject_label=user.username, after=_user_state(user),
    )  # fmt: skip
    return user


def _end_sessions(user: User) -> None:
    engine = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    for row in UserSession.objects.filter(user=user):
        store: SessionBase = engine(session_key=row.session_key)
        store.delete()
    UserSession.objects.filter(user=user).delete()


@transaction.atomic
def user_set_active(*, actor: Principal, user: User, active: bool) -> User:
    """Deactivation also ends every server session and revokes every API token."""
    actor.require(ACCOUNTS_MANAGE)
    if not actor.is_system and actor.user.pk == user.pk:
        raise RuleViolation(_("You cannot deactivate your own account."))
    user = User.objects.select_for_update().get(pk=user.pk)
    before = _user_state(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        transaction.on_commit(lambda: _end_sessions(user))
        ApiToken.objects.filter(membership__user=user, revoked_at=None).update(revoked_at=timezone.now())
    trail.record(
        actor, "accounts.user.activated" if active else "accounts.user.deactivated",
        subject_type="user", subject_id=user.pk, subject_label=user.username,
        before=before, after=_user_state(user),
    )  # fmt: skip
    return user


@transaction.atomic
def membership_grant(*, actor: Principal, user: User, organisation: Organisation, role: str):
    """Grant a role. The three administrator roles exclude every other role (三权分立)."""
    actor.require(ROLES_GRANT)
    if role not in Role.values:
        raise RuleViolation(_("Unknown role."))
    if not actor.is_system and actor.user.pk == user.pk:
        raise RuleViolation(_("Nobody may grant a role to themselves."))
    User.objects.select_for_update().get(pk=user.pk)  # serialise grants to one user
    held = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    if (role in ADMIN_ROLES and held) or (held & ADMIN_ROLES):
        raise RuleViolation(
            _(
                "The system, security and audit administrator roles are exclusive: a holder of "
                "one of them can hold no other role."
            )
        )
    if Membership.objects.filter(user=user, organisation=organisation, role=role).exists():
        raise RuleViolation(_("This user already holds this role in this organisation."))
    membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    trail.record(
        actor, "accounts.role.granted", subject_type="user", subject_id=user.pk,
        subject_label=user.username,
        after={"role": role, "organisation": organisation.pk, "organisation_name": organisation.name},
    )  # fmt: skip
    return membership


@transaction.atomic
def membership_revoke(*, actor: Principal, membership: Membership) -> None:
    actor.require(ROLES_GRANT)
    ApiToken.objects.filter(membership=membership, revoked_at=None).update(revoked_at=timezone.now())
    before = {"role": membership.role, "organisation": membership.organisation_id}
    user = membership.user
    membership.delete()
    trail.record(
        actor, "accounts.role.revoked", subject_type="user", subject_id=user.pk,
        subject_label=user.username, before=before,
    )  # fmt: skip


@transaction.atomic
def security_policy_update(*, actor: Principal, version: int, **values) -> SecurityPolicy:
    actor.require(SECURITY_POLICY)
    policy = SecurityPolicy.objects.select_for_update().get(pk=security_policy().pk)
    if policy.version != version:
        raise StaleEdit(_("Someone else changed the security policy after you opened it."))
    before = model_to_dict(policy, fields=POLICY_FIELDS)
    for key in POLICY_FIELDS:
        if key in values:
            setattr(policy, key, values[key])
    policy.full_clean()
    policy.version += 1
    policy.save()
    transaction.on_commit(forget_cached_policy)
    trail.record(
        actor, "security.policy.updated", subject_type="security_policy", subject_id=policy.pk,
        subject_label="security policy", before=before,
        after=model_to_dict(policy, fields=POLICY_FIELDS),
    )  # fmt: skip
    return policy


@transaction.atomic
def password_change(*, actor: Principal, user: User, new_password: str) -> None:
    """Set a new password after checking the policy, and remember it for the reuse rule.

    Set by someone else (the system administrator resetting a forgotten password), it is a
    temporary password: the user must choose their own at the next sign-in, and their open
    sessions end."""
    by_other = actor.is_system or actor.user.pk != user.pk
    if by_other:
        actor.require(ACCOUNTS_MANAGE)
    validate_password(new_password, user)
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.must_change_password = by_other and not actor.is_system
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    if user.must_change_password:
        transaction.on_commit(lambda: _end_sessions(user))
    _revoke_tokens(actor, user)
    PasswordHistory.objects.create(user=user, password=user.password)
    keep = security_policy().history
    stale = user.password_history.values_list("pk", flat=True)[keep:]
    PasswordHistory.objects.filter(pk__in=list(stale)).delete()
    trail.record(
        actor, "auth.password.reset" if user.must_change_password else "auth.password.changed",
        subject_type="user", subject_id=user.pk, subject_label=user.username,
    )  # fmt: skip


def _revoke_tokens(actor: Principal, user: User) -> None:
    """A new password ends every API token the user held: whoever knew the old one may have made one."""
    live = ApiToken.objects.filter(membership__user=user, revoked_at__isnull=True)
    revoked = [str(t) for t in live]
    if revoked:
        live.update(revoked_at=timezone.now())
        trail.record(
            actor, "api.token.revoked", subject_type="user", subject_id=user.pk, subject_label=user.username,
            after={"tokens": revoked, "because": "password"},
        )  # fmt: skip


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: Principal, name: str) -> tuple[ApiToken, str]:
    """Issue a token for the actor's current membership; the raw value is shown once."""
    actor.require(API_TOKENS_OWN)
    raw = "rf_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        membership=actor.membership, name=name[:100] or "token", prefix=raw[3:11],
        digest=token_digest(raw),
    )  # fmt: skip
    trail.record(
        actor, "api.token.created", subject_type="api_token", subject_id=token.pk,
        subject_label=str(token),
    )  # fmt: skip
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Principal, token: ApiToken) -> None:
    if token.membership.user_id != getattr(actor.user, "pk", None):
        actor.require(ACCOUNTS_MANAGE)
    if token.revoked_at:
        raise PermissionDenied
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    trail.record(
        actor, "api.token.revoked", subject_type="api_token", subject_id=token.pk,
        subject_label=str(token),
    )  # fmt: skip
