"""The exchange's list APIs at any length: the same queries for 2 rows as for 20, pages in one shape
({"items", "count"}, ``limit`` and ``offset``), every row exactly once, and each caller seeing what it
saw before."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from rainforest.accounts.choices import Role
from rainforest.exchange.services import calls, scenarios
from tests.conftest import sign_in
from tests.exchange.conftest import PROPOSAL, RUBRIC, SCENARIO, as_actor
from tests.list_helpers import api_rows, bearer, queries

pytestmark = pytest.mark.django_db

_batches = iter(range(1, 1000))


def published_scenarios(publisher, officer, n: int) -> list[int]:
    """``n`` scenarios published in one list, a call open on every other one; their ids."""
    ids = []
    for i in range(n):
        s = scenarios.scenario_create(actor=as_actor(publisher), **{**SCENARIO, "title": f"场景{i:02d}"})
        scenarios.scenario_move(actor=as_actor(publisher), scenario=s, action="submit")
        scenarios.scenario_move(actor=as_actor(officer), scenario=s, action="approve")
        ids.append(s.pk)
    scenarios.list_publish(actor=as_actor(officer), kind="scenarios", year=2026, number=next(_batches),
                           title="场景清单", ids=ids)  # fmt: skip
    now = timezone.now()
    for pk in ids[::2]:
        scenario = scenarios.Scenario.objects.get(pk=pk)
        calls.call_open(actor=as_actor(publisher), scenario=scenario, opens_at=now - dt.timedelta(hours=1),
                        closes_at=now + dt.timedelta(days=7), rubric=RUBRIC, max_winners=1)  # fmt: skip
    return ids


def approved_capabilities(supplier, officer, n: int) -> list[int]:
    ids = []
    for i in range(n):
        c = scenarios.capability_create(
            actor=as_actor(supplier), title=f"能力{i:02d}", domains=["patrol"], description="防爆四足机器人。", trl=7,
            districts_served=["滨江区"],
        )  # fmt: skip
        scenarios.capability_move(actor=as_actor(supplier), capability=c, action="submit")
        scenarios.capability_move(actor=as_actor(officer), capability=c, action="approve")
        ids.append(c.pk)
    return ids


def test_the_scenario_list_costs_the_same_queries_for_2_and_20_scenarios(client, publisher, officer):
    published_scenarios(publisher, officer, 2)
    few = queries(client, "/api/v1/exchange/scenarios")
    published_scenarios(publisher, officer, 18)
    assert queries(client, "/api/v1/exchange/scenarios") == few


def test_each_listed_scenario_names_its_call(client, publisher, officer):
    ids = published_scenarios(publisher, officer, 4)
    items = {s["id"]: s for s in client.get("/api/v1/exchange/scenarios").json()["items"]}
    with_call = {pk for pk, s in items.items() if s["call_id"] is not None}
    assert with_call == set(ids[::2])
    assert all(items[pk]["call_id"] == scenarios.Scenario.objects.get(pk=pk).call.pk for pk in with_call)


def test_the_scenario_list_pages_through_every_scenario_once(client, publisher, officer):
    ids = published_scenarios(publisher, officer, 16)
    listed = api_rows(client, "/api/v1/exchange/scenarios", "id", 5)
    assert sorted(listed) == sorted(ids) and len(listed) == len(set(listed))


def test_the_capability_list_costs_the_same_queries_for_2_and_20(client, enterprise_user, officer):
    approved_capabilities(enterprise_user, officer, 2)
    few = queries(client, "/api/v1/exchange/capabilities")
    approved_capabilities(enterprise_user, officer, 18)
    assert queries(client, "/api/v1/exchange/capabilities") == few
    listed = api_rows(client, "/api/v1/exchange/capabilities", "id", 6)
    assert len(listed) == len(set(listed)) == 20


def test_the_published_lists_come_a_page_at_a_time(client, publisher, officer):
    published_scenarios(publisher, officer, 1)
    few = queries(client, "/api/v1/exchange/lists")
    for _ in range(11):
        published_scenarios(publisher, officer, 1)
    assert queries(client, "/api/v1/exchange/lists") == few
    body = client.get("/api/v1/exchange/lists", {"limit": 5, "offset": 10}).json()
    assert body["count"] == 12 and len(body["items"]) == 2
    assert len(set(api_rows(client, "/api/v1/exchange/lists", "id", 5))) == 12


@pytest.mark.parametrize("path", ["/exchange/scenarios", "/exchange/capabilities", "/exchange/lists"])
@pytest.mark.parametrize("params", [{"offset": -1}, {"offset": "x"}, {"limit": 0}, {"offset": 2**40}])
def test_bad_paging_of_a_public_list_is_a_422(client, db, path, params):
    response = client.get(f"/api/v1{path}", params)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] in params


def applicants(make_user, make_org, n: int) -> list:
    return [
        make_user(f"applicant{i}", Role.ENTERPRISE_USER, make_org(name=f"杭州申报{i:02d}有限公司")) for i in range(n)
    ]


def test_a_calls_applications_cost_the_same_queries_for_2_and_12(
    client, publisher, officer, make_user, make_org, open_call
):
    people = applicants(make_user, make_org, 12)
    for user in people[:2]:
        calls.application_submit(actor=as_actor(user), call=open_call, **PROPOSAL)
    url = f"/api/v1/exchange/calls/{open_call.pk}/applications"
    headers = bearer(publisher)
    few = queries(client, url, **headers)
    for user in people[2:]:
        calls.application_submit(actor=as_actor(user), call=open_call, **PROPOSAL)
    assert queries(client, url, **headers) == few
    listed = api_rows(client, url, "id", 5, **headers)
    assert len(listed) == len(set(listed)) == 12
    assert client.get(url, **bearer(officer)).json()["count"] == 12


def test_an_applicant_pages_through_its_own_application_only(client, open_call, applied, enterprise_user, expert):
    url = f"/api/v1/exchange/calls/{open_call.pk}/applications"
    own, _other = applied
    body = client.get(url, {"limit": 1}, **bearer(enterprise_user)).json()
    assert body["count"] == 1 and [a["id"] for a in body["items"]] == [own.pk]
    reviewer = sign_in(Client(), expert)  # its organisation applied for nothing: nothing listed
    assert reviewer.get(url).json() == {"items": [], "count": 0}
    assert Client().get(url).status_code == 401
