import datetime as dt

import pytest
from django.utils import timezone

from rainforest.accounts import services as accounts
from tests.exchange.conftest import PROPOSAL, RUBRIC, SCENARIO, as_actor


def token(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {accounts.api_token_create(actor=as_actor(user), name='t')[1]}"}


def post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", **headers)


def test_public_reads(client, published):
    assert client.get("/api/v1/exchange/scenarios").json()["count"] == 1
    lists = client.get("/api/v1/exchange/lists").json()
    assert lists["count"] == 1 and lists["items"][0]["items"][0]["title"] == SCENARIO["title"]


def test_the_journey_through_the_api(client, publisher, officer, enterprise_user, outsider):
    pub, off, ent = token(publisher), token(officer), token(enterprise_user)
    created = post(client, "/api/v1/exchange/scenarios", SCENARIO, pub)
    assert created.status_code == 200, created.content
    sid = created.json()["id"]
    assert post(client, f"/api/v1/exchange/scenarios/{sid}/actions", {"action": "approve"}, pub).status_code == 403
    post(client, f"/api/v1/exchange/scenarios/{sid}/actions", {"action": "submit"}, pub)
    approved = post(client, f"/api/v1/exchange/scenarios/{sid}/actions", {"action": "approve"}, off)
    assert approved.json()["status"] == "approved"
    from rainforest.exchange.models import Scenario
    from rainforest.exchange.services import scenarios

    scenarios.list_publish(actor=as_actor(officer), kind="scenarios", year=2026, number=9, title="x",
                           ids=[sid])  # fmt: skip
    now = timezone.now()
    call = post(client, "/api/v1/exchange/calls", {
        "scenario_id": sid, "opens_at": (now - dt.timedelta(minutes=1)).isoformat(),
        "closes_at": (now + dt.timedelta(days=3)).isoformat(), "rubric": RUBRIC}, pub)  # fmt: skip
    assert call.status_code == 200, call.content
    cid = call.json()["id"]
    receipt = post(client, f"/api/v1/exchange/calls/{cid}/applications", PROPOSAL, ent)
    assert receipt.status_code == 200 and len(receipt.json()["digest"]) == 64
    duplicate = post(client, f"/api/v1/exchange/calls/{cid}/applications", PROPOSAL, ent)
    assert duplicate.status_code == 422
    others = client.get(f"/api/v1/exchange/calls/{cid}/applications", **token(outsider)).json()
    assert others == {"items": [], "count": 0}  # another enterprise sees none of them
    assert client.get(f"/api/v1/exchange/calls/{cid}/applications", **pub).json()["count"] == 1
    assert Scenario.objects.get(pk=sid).status == "call_open"


def test_an_unknown_capability_action_is_refused_and_nothing_moves(client, enterprise_user):
    from rainforest.exchange.models import Capability

    ent = token(enterprise_user)
    body = {
        "title": "巡检机器人",
        "domains": ["patrol"],
        "description": "激光雷达巡检",
        "trl": 6,
        "districts_served": ["上城区"],
    }
    created = post(client, "/api/v1/exchange/capabilities", body, ent)
    assert created.status_code == 200, created.content
    pk = created.json()["id"]
    for action in ("bogus", "", "publish", None, 1):
        refused = post(client, f"/api/v1/exchange/capabilities/{pk}/actions", {"action": action}, ent)
        assert refused.status_code == 422, (action, refused.content)
    assert Capability.objects.get(pk=pk).status == "draft"


def test_an_unknown_or_internal_scenario_action_is_refused(client, publisher):
    from rainforest.exchange.models import Scenario

    pub = token(publisher)
    sid = post(client, "/api/v1/exchange/scenarios", SCENARIO, pub).json()["id"]
    for action in ("bogus", "publish", "open_call"):
        refused = post(client, f"/api/v1/exchange/scenarios/{sid}/actions", {"action": action}, pub)
        assert refused.status_code == 422, (action, refused.content)
    assert Scenario.objects.get(pk=sid).status == "draft"


def test_the_actions_are_an_enum_in_the_openapi_document(client, db):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert set(schemas["CapabilityActionIn"]["properties"]["action"]["enum"]) == {
        "submit", "return", "approve", "withdraw"
    }  # fmt: skip
    assert set(schemas["ScenarioActionIn"]["properties"]["action"]["enum"]) == {
        "submit", "return", "approve", "close", "withdraw"
    }  # fmt: skip


@pytest.mark.parametrize(
    "over",
    [{"budget_min": -1}, {"budget_max": -1}, {"budget_min": -500000, "budget_max": -1}, {"budget_min": "1e20"}],
)
def test_a_negative_or_impossible_budget_is_refused_and_nothing_saved(client, publisher, over):
    from rainforest.exchange.models import Scenario

    refused = post(client, "/api/v1/exchange/scenarios", {**SCENARIO, **over}, token(publisher))
    assert refused.status_code == 422, refused.content
    assert not Scenario.objects.exists()


@pytest.mark.parametrize("budget", [-1, "-0.5", 10**15])
def test_a_proposal_with_a_negative_or_impossible_budget_is_refused(client, open_call, enterprise_user, budget):
    refused = post(
        client, f"/api/v1/exchange/calls/{open_call.pk}/applications", {**PROPOSAL, "budget": budget},
        token(enterprise_user),
    )  # fmt: skip
    assert refused.status_code == 422, refused.content
    assert not open_call.applications.exists()
