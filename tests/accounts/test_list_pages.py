"""The administrators' lists (users, roles, the audit trail): the same queries for 2 rows as for 20,
any page number answered (a malformed one is the first page, one past the end the last), and the
role grant that names an organisation by its code instead of listing every organisation."""

import pytest
from django.test import Client

from rainforest.accounts import services
from rainforest.accounts.choices import OrganisationKind, Role
from rainforest.accounts.models import Membership
from tests.conftest import PASSWORD, SYSTEM, sign_in
from tests.list_helpers import MALFORMED_PAGES, queries

pytestmark = pytest.mark.django_db


def people(make_org, n: int, start: int = 0) -> None:
    """``n`` accounts, each with two roles in its own organisation."""
    for i in range(start, start + n):
        org = make_org(name=f"杭州名录{i:02d}有限公司")
        user = services.user_create(actor=SYSTEM, username=f"person{i:02d}", password=PASSWORD)
        for role in (Role.ENTERPRISE_USER, Role.SCENARIO_PUBLISHER):
            services.membership_grant(actor=SYSTEM, user=user, organisation=org, role=role)


@pytest.mark.parametrize("persona, url", [("sysadmin", "/accounts/users/"), ("secadmin", "/accounts/roles/"),
                                          ("auditor", "/accounts/audit/")])  # fmt: skip
def test_each_administrators_list_costs_the_same_queries_for_2_and_20_rows(request, make_org, persona, url):
    client = sign_in(Client(), request.getfixturevalue(persona))
    people(make_org, 2)
    few = queries(client, url)
    people(make_org, 18, start=2)  # 36 more roles and as many audit events: 20 users and up to 50 events a page
    assert queries(client, url) == few


@pytest.mark.parametrize("page", MALFORMED_PAGES)
@pytest.mark.parametrize("persona, url", [("sysadmin", "/accounts/users/"), ("secadmin", "/accounts/roles/"),
                                          ("auditor", "/accounts/audit/")])  # fmt: skip
def test_a_malformed_page_number_shows_the_first_page(request, make_org, persona, url, page):
    client = sign_in(Client(), request.getfixturevalue(persona))
    people(make_org, 30)  # 60 roles: two pages of 50
    response = client.get(url, {"page": page})
    assert response.status_code == 200 and response.context["page"].number == 1


def test_a_page_past_the_end_shows_the_last_page_and_every_role_once(secadmin, make_org):
    client = sign_in(Client(), secadmin)
    people(make_org, 30)
    first, last = (client.get("/accounts/roles/", {"page": n}).context["page"] for n in (1, 10**6))
    assert last.number == last.paginator.num_pages == 2
    shown = [m.pk for m in [*first, *last]]
    assert sorted(shown) == sorted(Membership.objects.values_list("pk", flat=True)) and len(set(shown)) == len(shown)


def test_the_role_page_lists_no_organisations_to_choose_from(secadmin, make_org):
    for i in range(5):
        make_org(name=f"杭州不应列出{i}有限公司")
    page = sign_in(Client(), secadmin).get("/accounts/roles/").content.decode()
    assert "杭州不应列出" not in page and 'name="organisation"' in page


def test_a_role_is_granted_in_the_organisation_whose_code_is_typed(secadmin, make_org):
    org = make_org(name="杭州授权目标有限公司", kind=OrganisationKind.ENTERPRISE)
    user = services.user_create(actor=SYSTEM, username="newcomer", password=PASSWORD)
    client = sign_in(Client(), secadmin)
    response = client.post("/accounts/roles/", {"username": "newcomer", "organisation": f" {org.uscc.lower()} ",
                                                "role": Role.ENTERPRISE_USER})  # fmt: skip
    assert response.status_code == 302
    assert Membership.objects.filter(user=user, organisation=org, role=Role.ENTERPRISE_USER).exists()


@pytest.mark.parametrize("code", ["91330108MA2XXXXXXX", "", "x" * 300])
def test_a_code_of_no_active_organisation_is_refused_with_the_reason(secadmin, make_org, code):
    gone = make_org(name="杭州已停用有限公司")
    services.organisation_update(actor=SYSTEM, organisation=gone, version=gone.version, is_active=False)
    services.user_create(actor=SYSTEM, username="newcomer", password=PASSWORD)
    client = sign_in(Client(), secadmin)
    client.cookies["django_language"] = "en"
    for typed in (code, gone.uscc):
        response = client.post("/accounts/roles/", {"username": "newcomer", "organisation": typed,
                                                    "role": Role.ENTERPRISE_USER})  # fmt: skip
        assert response.status_code == 200
        message = "This field is required." if typed == "" else "There is no active organisation with this code."
        assert message in response.content.decode()
    assert not Membership.objects.filter(user__username="newcomer").exists()
