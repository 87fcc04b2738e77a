"""Accounts endpoints of /api/v1/ and the token authentication machine clients use."""

from __future__ import annotations

from django.utils import timezone
from ninja import Router, Schema
from ninja.security import HttpBearer, SessionAuth

from rainforest.accounts.models import ApiToken
from rainforest.accounts.permissions import Principal
from rainforest.accounts.services import token_digest

router = Router(tags=["accounts"])


class TokenAuth(HttpBearer):
    """``Authorization: Bearer rf_…``; acts in the membership the token was issued for."""

    def authenticate(self, request, token: str):
        row = (
            ApiToken.objects.select_related("membership__user", "membership__organisation")
            .filter(digest=token_digest(token), revoked_at=None)
            .first()
        )
        if row is None or not row.membership.user.is_active:
            return None
        now = timezone.now()
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.membership.user
        request.principal = Principal(user=row.membership.user, membership=row.membership)
        return row


class BrowserSession(SessionAuth):
    """The signed-in browser session (CSRF-protected), with the middleware's principal."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user and getattr(request, "principal", None) else None


def anyone(request):
    """The last way in for public endpoints: an anonymous caller passes as nobody (``principal``
    None), so a public read still shows a signed-in caller or a token what only they may see."""
    if not hasattr(request, "principal"):
        request.principal = None
    return True


# Public reads: a token, the browser session, or anonymous.
PUBLIC = [TokenAuth(), BrowserSession(), anyone]


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    organisation: str | None


@router.get("/me", response=MeOut)
def me(request):
    p = request.principal
    return {
        "username": p.user.username, "display_name": p.user.display_name, "role": p.role,
        "organisation": p.organisation.name if p.organisation else None,
    }  # fmt: skip
