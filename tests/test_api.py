import pytest

from rainforest.accounts import services
from rainforest.accounts.permissions import Principal
from rainforest.registry.models import YearlyFacts


def token_for(user):
    principal = Principal(user=user, membership=user.memberships.first())
    return services.api_token_create(actor=principal, name="machine")[1]


def api(client, token, method, path, **kwargs):
    return getattr(client, method)(f"/api/v1{path}", HTTP_AUTHORIZATION=f"Bearer {token}",
                                   content_type="application/json", **kwargs)  # fmt: skip


def test_openapi_document_is_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/enterprises/{uscc}/facts/{year}" in schema["paths"]


def test_no_token_or_a_bad_one_is_refused(client, db):
    assert client.get("/api/v1/enterprises").status_code == 401
    assert api(client, "rf_forged", "get", "/enterprises").status_code == 401


def test_officer_token_lists_the_registry(client, officer, startup, other_startup):
    body = api(client, token_for(officer), "get", "/enterprises").json()
    assert body["count"] == 2


def test_enterprise_token_sees_only_its_own_enterprise(client, enterprise_user, startup, other_startup):
    token = token_for(enterprise_user)
    listed = api(client, token, "get", "/enterprises").json()
    assert [e["uscc"] for e in listed["items"]] == [startup.uscc]
    assert api(client, token, "get", f"/enterprises/{other_startup.uscc}").status_code == 404
    assert api(client, token, "get", f"/enterprises/{other_startup.uscc}/facts").status_code == 404
    put = api(client, token, "put", f"/enterprises/{other_startup.uscc}/facts/2024", data={"employees": 1})
    assert put.status_code == 404
    assert [o["uscc"] for o in api(client, token, "get", "/organisations").json()["items"]] == [startup.uscc]


def test_low_privilege_token_cannot_read_the_registry(client, publisher, startup):
    token = token_for(publisher)
    assert api(client, token, "get", "/enterprises").json()["count"] == 0
    assert api(client, token, "get", f"/enterprises/{startup.uscc}").status_code == 404


def test_expert_cannot_even_hold_a_token(expert):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        token_for(expert)


def test_enterprise_token_updates_own_year_with_version_check(client, enterprise_user, startup):
    token = token_for(enterprise_user)
    path = f"/enterprises/{startup.uscc}/facts/2024"
    facts = api(client, token, "get", f"/enterprises/{startup.uscc}/facts").json()[0]
    ok = api(client, token, "put", path, data={**facts, "employees": 40, "version": 1})
    assert ok.status_code == 200 and ok.json()["employees"] == 40
    stale = api(client, token, "put", path, data={**facts, "employees": 41, "version": 1})
    assert stale.status_code == 409
    bad = api(client, token, "put", path, data={**facts, "tech_staff": 999, "version": 2})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["code"] == "tech_staff_above_employees"
    assert YearlyFacts.objects.get(enterprise__organisation=startup, fiscal_year=2024).employees == 40


def test_revoked_and_deactivated_tokens_stop_working(client, enterprise_user, startup):
    from rainforest.accounts.models import ApiToken
    from tests.conftest import SYSTEM

    token = token_for(enterprise_user)
    assert api(client, token, "get", "/me").status_code == 200
    services.user_set_active(actor=SYSTEM, user=enterprise_user, active=False)
    assert api(client, token, "get", "/me").status_code == 401
    assert ApiToken.objects.get().revoked_at is not None


@pytest.mark.parametrize("persona", ["sysadmin", "secadmin", "auditor"])
def test_administrators_have_no_business_data_through_the_api(client, request, persona, startup):
    from tests.conftest import sign_in

    sign_in(client, request.getfixturevalue(persona))
    assert client.get("/api/v1/enterprises").json()["count"] == 0
    assert client.get(f"/api/v1/enterprises/{startup.uscc}").status_code == 404


@pytest.mark.parametrize(
    "over",
    [
        {"employees": 3_000_000_000},
        {"employees": -1},
        {"ip_class1": 2**31},
        {"revenue": "1e20"},
        {"revenue": "12345678901234567.5"},
    ],
)
def test_a_figure_the_database_cannot_hold_is_refused_and_nothing_saved(client, enterprise_user, startup, over):
    token = token_for(enterprise_user)
    path = f"/enterprises/{startup.uscc}/facts/2024"
    facts = api(client, token, "get", f"/enterprises/{startup.uscc}/facts").json()[0]
    refused = api(client, token, "put", path, data={**facts, **over, "version": 1})
    assert refused.status_code == 422, refused.content
    row = YearlyFacts.objects.get(enterprise__organisation=startup, fiscal_year=2024)
    assert (row.employees, row.version) == (20, 1)


@pytest.mark.parametrize("year", [0, -1, 1999, 2101, 99999])
def test_a_facts_year_the_platform_does_not_hold_is_refused(client, enterprise_user, startup, year):
    token = token_for(enterprise_user)
    refused = api(client, token, "put", f"/enterprises/{startup.uscc}/facts/{year}", data={"employees": 1})
    assert refused.status_code == 422, refused.content
    assert YearlyFacts.objects.filter(enterprise__organisation=startup).count() == 1


@pytest.mark.parametrize(
    "over",
    [{"employees": 3_000_000_000}, {"fiscal_year": 0}, {"fiscal_year": 99999}, {"revenue": "-Infinity"}],
)
def test_the_public_self_check_refuses_figures_out_of_range(client, db, over):
    row = {"fiscal_year": 2025, "employees": 30, "revenue": 1000000, **over}
    response = client.post(
        "/api/v1/policy/check", {"founded_on": "2023-05-01", "rows": [row]}, content_type="application/json"
    )
    assert response.status_code == 422, response.content


@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31"])
def test_the_public_self_check_refuses_a_date_out_of_range(client, db, as_of):
    row = {"fiscal_year": 2025, "employees": 30}
    for body in ({"founded_on": as_of, "rows": [row]}, {"founded_on": "2023-05-01", "as_of": as_of, "rows": [row]}):
        response = client.post("/api/v1/policy/check", body, content_type="application/json")
        assert response.status_code == 422, response.content
