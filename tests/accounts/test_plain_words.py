"""The accounts and audit pages in words a person reads: a throttled second factor says to wait and
for how long, drop-downs start with "please choose", the audit trail names actions and roles and
shows Beijing time without an offset."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.forms import modelform_factory
from django.utils import timezone, translation

from rainforest.accounts.choices import Role
from rainforest.accounts.permissions import Principal
from rainforest.audit import trail
from rainforest.audit.models import AuditEvent
from rainforest.fund.models import Deal
from tests.conftest import PASSWORD, current_code, sign_in

pytestmark = pytest.mark.django_db


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_a_code_sent_too_soon_after_a_wrong_one_says_to_wait_not_that_it_is_wrong(client, officer):
    client.cookies["django_language"] = "en"
    client.post("/accounts/login/", {"username": officer.username, "password": PASSWORD})
    first = client.post("/accounts/otp/", {"token": _wrong(current_code(officer))})
    assert "not valid" in " ".join(first.context["form"].errors["token"])
    # At once, with the right code: django-otp does not check it before a second has passed.
    second = client.post("/accounts/otp/", {"token": current_code(officer)})
    message = " ".join(second.context["form"].errors["token"])
    assert "not valid" not in message
    assert re.search(r"Wait 1 second\b", message), message
    throttled = AuditEvent.objects.get(action="auth.otp.throttled")
    assert throttled.after == {"wait_seconds": 1}
    assert AuditEvent.objects.filter(action="auth.otp.failed").count() == 1  # the second try was not a failure


def test_drop_downs_start_with_please_choose():
    form = modelform_factory(Deal, fields=["source"])()
    with translation.override("en"):
        html = str(form["source"])
    assert '<option value="" selected>Please choose</option>' in html
    assert "Select an option" not in html


def test_the_audit_trail_names_actions_and_roles_in_beijing_time(client, auditor, officer):
    with transaction.atomic():
        event = trail.record(
            Principal(officer, officer.memberships.get()), "exchange.scenario.approve", subject_label="甲场景"
        )
    sign_in(client, auditor)
    client.cookies["django_language"] = "en"
    body = client.get("/accounts/audit/").content.decode()
    rows = body[body.index("<tbody>") :]
    assert "Scenario approved" in rows and "Programme officer" in rows
    assert ">exchange.scenario.approve<" not in rows and ">programme_officer<" not in rows
    beijing = event.at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"{beijing:%H:%M}" in rows and "+08:00" not in rows


def test_the_audit_filter_chooses_actions_by_name_and_areas_whole(client, auditor, enterprise_user):
    client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    sign_in(client, auditor)
    page = client.get("/accounts/audit/", {"action": "auth."})
    assert {e.action for e in page.context["page"]} <= {a for a in AuditEvent.objects.values_list("action", flat=True)
                                                         if a.startswith("auth.")}  # fmt: skip
    assert any(e.action == "auth.login.failed" for e in page.context["page"])
    one = client.get("/accounts/audit/", {"action": "auth.login.failed"})
    assert {e.action for e in one.context["page"]} == {"auth.login.failed"}


def test_the_roles_page_names_each_role_and_what_it_may_do(client, secadmin, officer):
    sign_in(client, secadmin)
    client.cookies["django_language"] = "en"
    body = client.get("/accounts/roles/").content.decode()
    assert "Programme officer" in body
    form = body[body.index('<form method="post" class="stack') :]
    # The role drop-down is the form's only one: organisations are typed by their code.
    assert form.count("<option") == len(Role.values) + 1 and '<option value="" selected>' in form
    assert "programme_officer<" not in body


def test_times_on_the_workbench_carry_no_offset(client, officer):
    sign_in(client, officer)
    with transaction.atomic():
        trail.record(Principal(officer, officer.memberships.get()), "seedling.need.raised", subject_label="需求")
    body = client.get("/").content.decode()
    assert "+08:00" not in body and str(timezone.localdate().year) in body


def test_the_roles_page_filters_by_role_and_user_name(client, secadmin, officer, expert, auditor):
    sign_in(client, secadmin)
    experts = client.get("/accounts/roles/", {"role": Role.EXPERT}).context["page"]
    assert [m.user.username for m in experts] == [expert.username]
    by_name = client.get("/accounts/roles/", {"q": "oliv"}).context["page"]
    assert [m.user.username for m in by_name] == [officer.username]


def test_the_users_page_says_which_accounts_are_locked_and_until_when(client, sysadmin, enterprise_user):
    from rainforest.accounts.models import User

    until = timezone.now() + dt.timedelta(minutes=30)
    User.objects.filter(pk=enterprise_user.pk).update(locked_until=until)
    sign_in(client, sysadmin)
    client.cookies["django_language"] = "en"
    body = client.get("/accounts/users/").content.decode()
    beijing = until.astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"locked until {beijing.day} " in body and f"{beijing:%H:%M}" in body
