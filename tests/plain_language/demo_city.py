"""The demo city in the test database, and sign-in for its accounts: shared by the plain-language
scan (Django's test client) and the real-browser journeys (tests/browser).

The city is the one `rainforest demo` builds (src/rainforest/demo/loader.py), through the same
services, with fewer enterprises so that it loads in well under a minute: every kind of object the
demo has (calls in each status, a selection round under review, deals in every stage, a committee)
is still there.
"""

from __future__ import annotations

import os

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

SEED = 2026
# Enough for the pyramid, the screening and the fund to have every tier and stage; the full demo's
# 2,400 would take minutes on a small CI machine. RAINFOREST_TEST_DEMO_ENTERPRISES overrides it.
ENTERPRISES = int(os.environ.get("RAINFOREST_TEST_DEMO_ENTERPRISES", "120"))
PASSWORD = "Rainforest#2026"  # rainforest.demo.loader.DEMO_PASSWORD, as a person types it

# The demo's accounts by role, as README "Demo accounts" lists them; the scan signs in as each.
ROLE_ACCOUNTS = {
    "enterprise_user": "enterprise",
    "scenario_publisher": "publisher",
    "programme_officer": "officer",
    "expert": "expert",
    "fund_manager": "fundmanager",
    "system_admin": "sysadmin",
    "security_admin": "secadmin",
    "audit_admin": "auditor",
}


def load() -> None:
    """Mark the database as the demo's and load the city, as `rainforest demo` does."""
    from rainforest.demo import guard, loader

    guard.mark(SEED)
    loader.load(seed=SEED, enterprises=ENTERPRISES)


def current_code(username: str) -> str:
    """The code the account's authenticator shows now (the demo's `demo_otp` command)."""
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def needs_code(username: str) -> bool:
    return TOTPDevice.objects.filter(user__username=username, confirmed=True).exists()


def sign_in(client, username: str) -> None:
    """Password, then the TOTP code where the role needs one: the whole sign-in a person does."""
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, f"{username} could not sign in"
    if needs_code(username):
        response = client.post("/accounts/otp/", {"token": current_code(username)})
        assert response.status_code == 302, f"{username}'s TOTP code was refused"


def organisation_of(username: str):
    from rainforest.accounts.models import Membership

    return Membership.objects.select_related("organisation").get(user__username=username).organisation
