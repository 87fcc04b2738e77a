"""What a signed-in request costs before its view runs: three queries whatever the role (the session
row, the user with their confirmed TOTP devices, the memberships with their organisations), and no
session write; and the second factor decided from those reads keeps every rule it had."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from rainforest.accounts import services
from rainforest.accounts.choices import Role
from tests.conftest import PASSWORD, SYSTEM, sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.accounts.probe_urls")]

OVERHEAD = ["django_session", "accounts_user", "accounts_membership"]
ROLES = ["officer", "enterprise_user", "fund_manager", "expert", "publisher", "sysadmin", "secadmin", "auditor"]


def tables_read(queries) -> list[str]:
    """The table each SELECT reads from (its subqueries, in brackets, set aside)."""
    tables = []
    for query in queries:
        sql = query["sql"]
        while re.search(r"\([^()]*\)", sql):
            sql = re.sub(r"\([^()]*\)", "", sql)
        if sql.lstrip().startswith("SELECT"):
            table = re.search(r'\bFROM "(\w+)"', sql)
            tables.append(table[1] if table else "(subquery)")  # a count over an aggregate's subquery
    return tables


def session_writes(queries) -> list[str]:
    return [q["sql"] for q in queries if re.match(r'\s*(UPDATE|INSERT INTO|DELETE FROM) "django_session"', q["sql"])]


def counted(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.get("Location"))
    return response, queries.captured_queries


@pytest.mark.parametrize("who", ROLES)
def test_a_signed_in_request_costs_three_queries_before_its_view(client, request, who):
    user = request.getfixturevalue(who)
    sign_in(client, user)
    client.get("/probe/acting-as/")  # the first request after sign-in starts the session's clocks
    response, queries = counted(client, "/probe/acting-as/")
    membership = user.memberships.get()
    assert response.content.decode() == f"{membership.role}@{membership.organisation_id}"
    assert len(queries) <= 3 and tables_read(queries) == OVERHEAD, [q["sql"][:90] for q in queries]
    assert session_writes(queries) == []


@pytest.mark.parametrize("who", ["officer", "enterprise_user", "fund_manager"])
def test_the_home_page_costs_the_three_then_its_workbench(client, request, who):
    sign_in(client, request.getfixturevalue(who))
    client.get("/")
    response, queries = counted(client, "/")
    # The view lists the user's memberships for the role switch: those the middleware read, not
    # read again; what follows is the workbench's own fixed reads (tests/test_workbench.py).
    tables = tables_read(queries)
    assert tables[:3] == OVERHEAD and "accounts_membership" not in tables[3:]
    assert len(response.context["memberships"]) == 1
    assert session_writes(queries) == []


def test_an_account_without_a_role_costs_the_same(client, make_user):
    sign_in(client, make_user("newcomer"))
    client.get("/probe/acting-as/")
    response, queries = counted(client, "/probe/acting-as/")
    assert response.content == b"@None"
    assert tables_read(queries) == OVERHEAD


def test_the_role_switched_to_acts_and_costs_the_same(client, officer, bureau):
    second = services.membership_grant(actor=SYSTEM, user=officer, organisation=bureau, role=Role.SCENARIO_PUBLISHER)
    sign_in(client, officer)
    assert client.get("/probe/acting-as/").content.decode().startswith(Role.PROGRAMME_OFFICER)
    client.post("/accounts/membership/", {"membership": second.pk})
    response, queries = counted(client, "/probe/acting-as/")
    assert response.content.decode() == f"{Role.SCENARIO_PUBLISHER}@{bureau.pk}"
    assert tables_read(queries) == OVERHEAD


def test_a_revoked_role_stops_acting_at_the_next_request(client, officer, bureau):
    second = services.membership_grant(actor=SYSTEM, user=officer, organisation=bureau, role=Role.SCENARIO_PUBLISHER)
    sign_in(client, officer)
    client.post("/accounts/membership/", {"membership": second.pk})
    services.membership_revoke(actor=SYSTEM, membership=second)
    assert client.get("/probe/acting-as/").content.decode().startswith(Role.PROGRAMME_OFFICER)


# --- the second factor, decided from the user's own read ---------------------------------------------------------


def must_pass_the_second_factor(response) -> bool:
    return response.status_code == 302 and response.url.startswith("/accounts/otp/")


def test_the_device_a_session_was_verified_with_is_read_when_a_page_asks_for_it(client, officer):
    sign_in(client, officer)
    device = TOTPDevice.objects.get(user=officer)
    assert client.get("/probe/verified-with/").content.decode() == device.persistent_id


@pytest.mark.parametrize("change", ["deleted", "unconfirmed"])
def test_a_session_verified_with_a_device_since_removed_must_pass_the_second_factor_again(client, officer, change):
    sign_in(client, officer)
    devices = TOTPDevice.objects.filter(user=officer)
    devices.delete() if change == "deleted" else devices.update(confirmed=False)
    assert must_pass_the_second_factor(client.get("/registry/"))
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert client.get("/api/v1/enterprises").status_code == 403


def test_a_session_naming_another_users_device_is_not_verified(client, officer, fund_manager):
    client.post("/accounts/login/", {"username": officer.username, "password": PASSWORD})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=fund_manager).persistent_id
    session.save()
    assert must_pass_the_second_factor(client.get("/registry/"))
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_a_device_set_up_elsewhere_holds_an_open_session_to_it(client, enterprise_user):
    sign_in(client, enterprise_user)
    assert client.get("/probe/acting-as/").status_code == 200
    TOTPDevice.objects.create(user=enterprise_user, name="phone", confirmed=True)
    assert must_pass_the_second_factor(client.get("/probe/acting-as/"))


def test_a_device_only_being_set_up_does_not_hold_the_session_to_it(client, enterprise_user):
    sign_in(client, enterprise_user)
    TOTPDevice.objects.create(user=enterprise_user, name="phone", confirmed=False)
    assert client.get("/probe/acting-as/").status_code == 200
