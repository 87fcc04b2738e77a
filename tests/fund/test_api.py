"""The fund's API at its edges: a DEAL.json of the wrong shape is refused with its problems listed,
never a 500; the check and the portfolio are described in the OpenAPI document as they answer."""

import pytest
from django.test import Client

from tests.conftest import sign_in
from tests.fund.test_fund_check import deal, run

pytestmark = pytest.mark.django_db


def check(client, body):
    return client.post("/api/v1/fund/check", body, content_type="application/json")


@pytest.mark.parametrize(
    "body",
    [
        deal(round="x"),
        deal(round=[1, 2]),
        deal(round={"pre_money": 1, "investors": "x"}),
        deal(round={"pre_money": 1, "investors": [1]}),
        deal(holders="x"),
        deal(holders=[1]),
        deal(holders={"name": "A", "shares": 1}),
        deal(holders=[{"name": "A", "shares": [1]}]),
        deal(company="x"),
        deal(convertibles="x"),
        deal(convertibles=[1]),
        deal(as_of=20261128),
        deal(options_outstanding={"n": 1}),
        {},
    ],
)
def test_a_deal_of_the_wrong_shape_is_refused_with_its_problems(fund_manager, body):
    response = check(sign_in(Client(), fund_manager), body)
    assert response.status_code == 422, response.content
    assert response.json()["detail"]


@pytest.mark.parametrize("body", [[1], "x", 1, None])
def test_a_body_that_is_not_an_object_is_refused(fund_manager, body):
    # "x" is not JSON at all (400); the others are JSON of the wrong type (422)
    assert check(sign_in(Client(), fund_manager), body).status_code == (400 if body == "x" else 422)


def test_the_check_answers_what_the_command_prints(fund_manager, company, tmp_path):
    body = deal(convertibles=[{"amount": 100_000, "cap": 2_000_000}])
    response = check(sign_in(Client(), fund_manager), body)
    assert response.status_code == 200, response.content
    assert response.json() == run(tmp_path, body)


def test_the_check_and_the_portfolio_have_response_schemas(client):
    doc = client.get("/api/v1/openapi.json").json()
    schemas = doc["components"]["schemas"]
    check_200 = doc["paths"]["/api/v1/fund/check"]["post"]["responses"]["200"]["content"]["application/json"]
    assert check_200["schema"]["$ref"].endswith("/FundCheckOut")
    assert {"verdict", "price_per_share", "post_money", "fund_stake", "criteria", "round", "rules"} <= set(
        schemas["FundCheckOut"]["properties"]
    )
    portfolio_200 = doc["paths"]["/api/v1/fund/portfolio"]["get"]["responses"]["200"]["content"]["application/json"]
    assert portfolio_200["schema"]["$ref"].endswith("/PortfolioOut")
    assert {"size", "dpi", "companies"} <= set(schemas["PortfolioOut"]["properties"])
    requests = doc["paths"]["/api/v1/fund/check"]["post"]["requestBody"]["content"]["application/json"]
    assert requests["schema"]["$ref"].endswith("/DealIn")


def test_the_portfolio_answers_null_for_figures_not_yet_meaningful(fund_manager):
    body = sign_in(Client(), fund_manager).get("/api/v1/fund/portfolio").json()
    assert body["size"] == "2000000000" and body["deployed"] == "0"
    assert (body["dpi"], body["tvpi"], body["irr"], body["survival"]) == (None, None, None, None)
    assert body["companies"] == [] and body["deals_per_year_target"] == 100
