"""Accounts at their edges: a new password ends old tokens, an administrator's password is only
temporary, a locked account costs the same hashing as any refusal, and every page carries its
security headers."""

import pytest
from django.test import Client

from rainforest.accounts import authentication, services
from rainforest.accounts.models import ApiToken
from rainforest.accounts.permissions import Principal
from tests.conftest import PASSWORD, sign_in
from tests.exchange.conftest import as_actor

pytestmark = pytest.mark.django_db
NEW = "Another#Pass2027"


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.parametrize("by", ["self", "sysadmin"])
def test_a_new_password_revokes_every_api_token(client, enterprise_user, sysadmin, by):
    _token, raw = services.api_token_create(actor=as_actor(enterprise_user), name="erp")
    assert client.get("/api/v1/enterprises", **bearer(raw)).status_code == 200
    actor = as_actor(enterprise_user if by == "self" else sysadmin)
    services.password_change(actor=actor, user=enterprise_user, new_password=NEW)
    assert client.get("/api/v1/enterprises", **bearer(raw)).status_code == 401
    assert not ApiToken.objects.filter(revoked_at__isnull=True).exists()


def test_an_account_an_administrator_created_must_choose_its_password(client, sysadmin):
    user = services.user_create(actor=as_actor(sysadmin), username="newclerk", password=PASSWORD)
    assert user.must_change_password
    system_made = services.user_create(actor=Principal.system("tests"), username="fixture", password=PASSWORD)
    assert not system_made.must_change_password


def test_a_new_account_is_led_to_change_its_password_before_any_page(make_org, sysadmin):
    from rainforest.accounts.choices import Role

    user = services.user_create(actor=as_actor(sysadmin), username="newclerk", password=PASSWORD)
    services.membership_grant(
        actor=Principal.system("tests"), user=user, organisation=make_org("新企业"), role=Role.ENTERPRISE_USER
    )
    client = Client()
    client.post("/accounts/login/", {"username": "newclerk", "password": PASSWORD})
    response = client.get("/registry/")
    assert response.status_code == 302 and "password" in response["Location"]


def test_a_locked_account_is_refused_after_the_same_hashing_as_a_wrong_password(rf, enterprise_user, monkeypatch):
    """Equal work, equal time: the refusal of a locked account runs the password hasher too."""
    import datetime as dt

    from django.utils import timezone

    hashed = []
    real = authentication.check_password
    monkeypatch.setattr(authentication, "check_password", lambda *a, **k: hashed.append(1) or real(*a, **k))
    type(enterprise_user).objects.filter(pk=enterprise_user.pk).update(
        locked_until=timezone.now() + dt.timedelta(minutes=30)
    )
    request = rf.post("/accounts/login/")
    assert authentication.sign_in(request, enterprise_user.username, PASSWORD) is None
    assert hashed == [1]


def test_every_page_has_a_content_security_policy_and_no_inline_script(client, enterprise_user):
    sign_in(client, enterprise_user)
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "camera=()" in response["Permissions-Policy"]
    page = response.content.decode()
    assert "onchange=" not in page and "onclick=" not in page
    assert "<script>" not in page
