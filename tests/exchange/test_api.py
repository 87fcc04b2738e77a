import datetime as dt

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
    assert lists[0]["items"][0]["title"] == SCENARIO["title"]


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
    assert others == []  # another enterprise sees none of them
    assert len(client.get(f"/api/v1/exchange/calls/{cid}/applications", **pub).json()) == 1
    assert Scenario.objects.get(pk=sid).status == "call_open"
