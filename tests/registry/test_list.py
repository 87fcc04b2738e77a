"""The registry list (page and API) at any size: the same queries for 2 enterprises as for 20, every
enterprise exactly once across pages, in registration order, any page parameter answered, and each
role seeing what it saw before."""

import pytest
from django.test import Client

from rainforest.registry.models import Enterprise
from tests.conftest import sign_in
from tests.list_helpers import MALFORMED_PAGES, api_rows, bearer, queries, registry_of

pytestmark = pytest.mark.django_db

# --- query counts ---------------------------------------------------------------------------------


def test_the_registry_page_costs_the_same_queries_for_2_and_20_enterprises(client, officer):
    sign_in(client, officer)
    registry_of(2)
    few = queries(client, "/registry/")
    registry_of(18, start=2)
    assert queries(client, "/registry/") == few
    assert queries(client, "/registry/", {"district": "滨江区", "stage": "product", "industry": "AI"}) == few


def test_the_enterprise_api_costs_the_same_queries_for_2_and_20_enterprises(client, officer):
    headers = bearer(officer)
    registry_of(2)
    few = queries(client, "/api/v1/enterprises", **headers)
    registry_of(18, start=2)
    assert queries(client, "/api/v1/enterprises", **headers) == few
    assert queries(client, "/api/v1/enterprises", {"offset": 15}, **headers) == few


def test_the_organisation_api_costs_the_same_queries_for_2_and_20(client, officer, make_org):
    headers = bearer(officer)
    few = queries(client, "/api/v1/organisations", **headers)
    for i in range(18):
        make_org(name=f"杭州机构{i:02d}有限公司")
    assert queries(client, "/api/v1/organisations", **headers) == few


# --- every row once, in order -----------------------------------------------------------------------


def test_the_pages_show_every_enterprise_once_in_registration_order(client, officer):
    codes = registry_of(30)
    sign_in(client, officer)
    first, second = (client.get("/registry/", {"page": n}).context["page"] for n in (1, 2))
    listed = [e.organisation.uscc for e in [*first, *second]]
    assert listed == codes and len(first) == 25 and first.paginator.num_pages == 2
    assert first.paginator.count == 30


def test_the_api_lists_every_enterprise_once_in_registration_order(client, officer):
    codes = registry_of(23)
    assert api_rows(client, "/api/v1/enterprises", "uscc", 7, **bearer(officer)) == codes


def test_a_listed_enterprise_carries_its_latest_year(client, officer):
    (code,) = registry_of(1)
    sign_in(client, officer)
    (row,) = client.get("/registry/").context["page"]
    assert (row.latest_year, row.latest_employees, row.latest_revenue) == (2025, 500, 2000000)
    (item,) = client.get("/api/v1/enterprises", **bearer(officer)).json()["items"]
    assert item == {"uscc": code, "name": "杭州列表000科技有限公司", "district": "滨江区",
                    "founded_on": "2021-06-01", "version": 1, "latest_year": 2025}  # fmt: skip


def test_the_filters_test_the_latest_year_only(client, officer):
    registry_of(3)
    sign_in(client, officer)
    assert client.get("/registry/", {"stage": "product"}).context["page"].paginator.count == 3
    assert client.get("/registry/", {"stage": "rd"}).context["page"].paginator.count == 0  # an earlier year's
    assert client.get("/registry/", {"industry": "HZ296X.T.AI"}).context["page"].paginator.count == 3
    assert client.get("/registry/", {"industry": "ROBOT"}).context["page"].paginator.count == 0
    assert client.get("/registry/", {"district": "西湖区"}).context["page"].paginator.count == 0
    assert client.get("/registry/", {"q": "列表001"}).context["page"].paginator.count == 1


def test_the_organisations_api_lists_every_organisation_once(client, officer, make_org):
    made = [make_org(name=f"杭州机构{i:02d}有限公司").uscc for i in range(12)]
    listed = api_rows(client, "/api/v1/organisations", "uscc", 5, **bearer(officer))
    assert len(listed) == len(set(listed)) and set(made) <= set(listed)


# --- page parameters --------------------------------------------------------------------------------


@pytest.mark.parametrize("page", MALFORMED_PAGES)
def test_a_malformed_page_number_shows_the_first_page(client, officer, page):
    codes = registry_of(30)
    sign_in(client, officer)
    response = client.get("/registry/", {"page": page})
    assert response.status_code == 200
    assert response.context["page"].number == 1 and response.context["page"][0].organisation.uscc == codes[0]


def test_a_page_past_the_end_shows_the_last_page(client, officer):
    codes = registry_of(30)
    sign_in(client, officer)
    page = client.get("/registry/", {"page": 999999}).context["page"]
    assert page.number == 2 and [e.organisation.uscc for e in page] == codes[25:]


@pytest.mark.parametrize("params", [{"offset": -1}, {"offset": "abc"}, {"offset": 2**40}, {"limit": 0},
                                    {"limit": -5}, {"limit": 10**6}, {"limit": "many"}])  # fmt: skip
def test_bad_paging_on_the_api_is_a_422_that_names_the_field(client, officer, params):
    registry_of(2)
    response = client.get("/api/v1/enterprises", params, **bearer(officer))
    assert response.status_code == 422
    assert [problem["loc"][-1] for problem in response.json()["detail"]] == list(params)


def test_an_offset_past_the_end_is_an_empty_page(client, officer):
    registry_of(2)
    body = client.get("/api/v1/enterprises", {"offset": 10**6}, **bearer(officer)).json()
    assert body == {"items": [], "count": 2}


# --- who sees what ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, sees",
    [("officer", "all"), ("fund_manager", "all"), ("enterprise_user", "own"), ("publisher", "none"),
     ("expert", "none")],
)  # fmt: skip
def test_each_role_lists_the_enterprises_it_saw_before(client, request, persona, sees, startup):
    codes = registry_of(3)
    user = request.getfixturevalue(persona)
    if persona == "expert":  # an expert may hold no token: the browser session is its way in
        sign_in(client, user)
        headers = {}
    else:
        headers = bearer(user)
    listed = [e["uscc"] for e in client.get("/api/v1/enterprises", **headers).json()["items"]]
    expected = {"all": [startup.uscc, *codes], "own": [startup.uscc], "none": []}[sees]
    assert listed == expected


def test_the_registry_page_stays_closed_to_enterprises_and_anonymous_callers(enterprise_user, publisher):
    registry_of(2)
    assert Client().get("/registry/").status_code == 302  # to the sign-in page
    for user in (enterprise_user, publisher):
        assert sign_in(Client(), user).get("/registry/", {"page": 2}).status_code == 403
    assert Client().get("/api/v1/enterprises", {"offset": 1}).status_code == 401


def test_an_enterprise_user_pages_through_its_own_organisation_only(client, enterprise_user, startup):
    registry_of(5)
    body = client.get("/api/v1/organisations", {"offset": 0, "limit": 2}, **bearer(enterprise_user)).json()
    assert body == {"items": [{"id": startup.pk, "name": startup.name, "kind": "enterprise",
                               "uscc": startup.uscc, "district": startup.district}], "count": 1}  # fmt: skip
    assert Enterprise.objects.count() == 6
