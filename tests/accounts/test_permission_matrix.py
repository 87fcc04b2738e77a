"""Every role tries every page; only the roles named may pass."""

import pytest

from tests.conftest import sign_in

PERSONAS = ["enterprise_user", "publisher", "officer", "expert", "fund_manager", "sysadmin", "secadmin", "auditor"]

# page -> personas allowed (status 200); everyone else is refused.
PAGES = {
    "/registry/": {"officer", "fund_manager"},
    "/registry/import/": {"officer"},
    "/registry/export/?format=csv": {"officer"},
    "/accounts/users/": {"sysadmin"},
    "/accounts/roles/": {"secadmin"},
    "/accounts/policy/": {"secadmin"},
    "/accounts/audit/": {"auditor"},
    "/accounts/audit/export/": {"auditor"},
    "/accounts/tokens/": {"enterprise_user", "publisher", "officer", "fund_manager"},
    "/admin/": {"officer", "fund_manager", "sysadmin", "secadmin", "auditor"},
    "/admin/audit/auditevent/": {"auditor"},
    "/admin/accounts/securitypolicy/": {"secadmin"},
    "/admin/accounts/user/": {"sysadmin"},
    "/admin/accounts/membership/": {"secadmin"},
    "/admin/registry/yearlyfacts/": {"officer", "fund_manager"},
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_role_reaches_only_its_pages(persona, request, client):
    user = request.getfixturevalue(persona)
    sign_in(client, user)
    for page, allowed in PAGES.items():
        status = client.get(page).status_code
        if persona in allowed:
            assert status == 200, (persona, page, status)
        else:
            assert status in (302, 403, 404), (persona, page, status)


@pytest.mark.parametrize("persona", PERSONAS)
def test_another_enterprise_is_visible_only_to_registry_readers(persona, request, client, other_startup):
    sign_in(client, request.getfixturevalue(persona))
    status = client.get(f"/registry/{other_startup.uscc}/").status_code
    assert status == (200 if persona in ("officer", "fund_manager") else 404)


def test_enterprise_user_cannot_edit_another_enterprise(client, enterprise_user, other_startup):
    sign_in(client, enterprise_user)
    assert client.get(f"/registry/{other_startup.uscc}/facts/2024/").status_code == 404
    post = client.post(f"/registry/{other_startup.uscc}/facts/2024/", {"employees": 1, "version": 1})
    assert post.status_code == 404
    assert other_startup.enterprise.facts.get(fiscal_year=2024).employees == 50


def test_officer_reads_but_cannot_edit_an_enterprise(client, officer, other_startup):
    sign_in(client, officer)
    assert client.get(f"/registry/{other_startup.uscc}/").status_code == 200
    assert client.post(f"/registry/{other_startup.uscc}/profile/", {"name": "x"}).status_code == 403


def test_system_administrator_cannot_change_security_policy(client, sysadmin):
    sign_in(client, sysadmin)
    assert client.post("/accounts/policy/", {"min_length": 12, "version": 1}).status_code == 403


def test_security_administrator_cannot_create_accounts_or_touch_business_data(client, secadmin, startup):
    sign_in(client, secadmin)
    assert client.post("/accounts/users/", {"username": "x", "password": "Abc#12345"}).status_code == 403
    assert client.get(f"/registry/{startup.uscc}/").status_code == 404


def test_audit_administrator_cannot_grant_roles_or_deactivate(client, auditor, enterprise_user):
    sign_in(client, auditor)
    assert client.post("/accounts/roles/", {"username": "alice", "role": "expert"}).status_code == 403
    assert client.post(f"/accounts/users/{enterprise_user.pk}/active/", {"active": "0"}).status_code == 403
    enterprise_user.refresh_from_db()
    assert enterprise_user.is_active


def test_nobody_can_change_or_delete_audit_events_in_the_back_office(client, auditor):
    from rainforest.audit.models import AuditEvent

    sign_in(client, auditor)
    event = AuditEvent.objects.first()
    assert client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200  # read-only view
    assert client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"action": "x"}).status_code == 403
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.action != "x"


def test_system_administrator_adds_an_organisation_in_the_back_office_with_audit(client, sysadmin):
    from rainforest.accounts.models import Organisation
    from rainforest.audit.models import AuditEvent
    from tests.conftest import new_uscc

    sign_in(client, sysadmin)
    code = new_uscc()
    response = client.post("/admin/accounts/organisation/add/", {
        "name": "杭州新设孵化器", "kind": "incubator", "uscc": code, "district": "滨江区", "is_active": "on",
    })  # fmt: skip
    assert response.status_code == 302
    org = Organisation.objects.get(uscc=code)
    assert AuditEvent.objects.filter(action="accounts.organisation.created", subject_id=str(org.pk),
                                     actor_label="sam").exists()  # fmt: skip
    bad = client.post("/admin/accounts/organisation/add/", {
        "name": "坏代码", "kind": "incubator", "uscc": code[:-1] + ("0" if code[-1] != "0" else "1"),
    })  # fmt: skip
    assert bad.status_code == 200 and "校验码应为" in bad.content.decode()


def test_back_office_edit_over_a_newer_save_is_refused(client, sysadmin, startup):
    sign_in(client, sysadmin)
    url = f"/admin/accounts/organisation/{startup.pk}/change/"
    data = {"name": "新名称", "kind": "enterprise", "uscc": startup.uscc, "district": "滨江区", "is_active": "on",
            "opened_version": startup.version}  # fmt: skip
    assert client.post(url, data).status_code == 302
    stale = client.post(url, {**data, "name": "另一个名称"})
    assert stale.status_code == 200 and "他人已修改了该机构" in stale.content.decode()
    startup.refresh_from_db()
    assert startup.name == "新名称"
