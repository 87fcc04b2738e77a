"""The fund's lists at any length: the deals API a page at a time in pipeline order, the deal page
and the committee page, each in the same queries however many deals, rounds and ballots there are."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext, pgettext

from rainforest.fund import services
from rainforest.fund.choices import Stage
from rainforest.registry.models import Enterprise
from tests.conftest import sign_in
from tests.fund.conftest import ON, as_actor
from tests.list_helpers import api_rows, bearer, queries, registry_of

pytestmark = pytest.mark.django_db

FUND_ROUND = [{"name": "市天使基金", "amount": "1000000", "is_fund": True}, {"name": "VC", "amount": "3000000"}]


def deals(fund_manager, n: int) -> list:
    """``n`` deals on newly registered companies, each with a founding on its table and a round."""
    fm = as_actor(fund_manager)
    made = []
    for code in registry_of(n):
        deal = services.deal_create(actor=fm, enterprise=Enterprise.objects.get(organisation__uscc=code), source="self")
        services.table_event_add(actor=fm, deal=deal, on=dt.date(2023, 5, 1), kind="issue", holder="创始人",
                                 units=9_000_000)  # fmt: skip
        services.round_propose(actor=fm, deal=deal, name="天使轮", on=ON, pre_money="36000000", investors=FUND_ROUND)
        made.append(deal)
    return made


def rounds_to_committee(fund_manager, deal, n: int) -> list:
    """``n`` more rounds on the deal, each put to the committee (a ballot for every seat)."""
    fm = as_actor(fund_manager)
    meetings = []
    for i in range(n):
        proposed = services.round_propose(actor=fm, deal=deal, name=f"第{i + 1}轮", on=ON + dt.timedelta(days=i),
                                          pre_money="36000000", investors=FUND_ROUND)  # fmt: skip
        meetings.append(services.meeting_open(actor=fm, round=proposed, held_on=ON + dt.timedelta(days=i)))
    return meetings


def test_the_deals_api_costs_the_same_queries_for_2_and_20_deals(client, fund_manager):
    headers = bearer(fund_manager)
    deals(fund_manager, 2)
    few = queries(client, "/api/v1/fund/deals", **headers)
    deals(fund_manager, 18)
    assert queries(client, "/api/v1/fund/deals", **headers) == few
    body = client.get("/api/v1/fund/deals", {"limit": 3}, **headers).json()
    assert body["count"] == 20 and len(body["items"]) == 3
    first = body["items"][0]
    assert [r["name"] for r in first["rounds"]] == ["天使轮"] and first["table"] == {"创始人": 9_000_000}


def test_the_deals_api_pages_through_every_deal_once_in_pipeline_order(client, fund_manager):
    made = deals(fund_manager, 9)
    fm = as_actor(fund_manager)
    for deal in made[:3]:
        services.deal_move(actor=fm, deal=deal, action="screen")
    headers = bearer(fund_manager)
    listed = api_rows(client, "/api/v1/fund/deals", "id", 4, **headers)
    # the pipeline's order: sourced before screening, the newest first within a stage
    assert listed == [d.pk for d in reversed(made[3:])] + [d.pk for d in reversed(made[:3])]
    screening = client.get("/api/v1/fund/deals", {"stage": Stage.SCREENING}, **headers).json()
    assert screening["count"] == 3 and {d["stage"] for d in screening["items"]} == {"screening"}
    assert client.get("/api/v1/fund/deals", {"stage": "nonsense"}, **headers).json() == {"items": [], "count": 0}


@pytest.mark.parametrize("params", [{"offset": -1}, {"limit": 0}, {"offset": "abc"}, {"offset": 2**40}])
def test_bad_paging_of_the_deals_is_a_422(client, fund_manager, params):
    response = client.get("/api/v1/fund/deals", params, **bearer(fund_manager))
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] in params


def test_only_fund_managers_list_the_deals(client, fund_manager, officer, enterprise_user, expert):
    deals(fund_manager, 1)
    for user in (officer, enterprise_user):
        assert client.get("/api/v1/fund/deals", **bearer(user)).status_code == 403
    assert sign_in(Client(), expert).get("/api/v1/fund/deals").status_code == 403
    assert Client().get("/api/v1/fund/deals").status_code == 401


def test_the_deal_page_costs_the_same_queries_for_1_and_4_rounds_at_committee(client, fund_manager, committee):
    (deal,) = deals(fund_manager, 1)
    meetings = rounds_to_committee(fund_manager, deal, 1)
    services.ballot_cast(actor=as_actor(committee[0]), meeting=meetings[0], vote="for")
    sign_in(client, fund_manager)
    page, api = f"/fund/deals/{deal.pk}/", f"/api/v1/fund/deals/{deal.pk}"
    few_page, few_api = queries(client, page), queries(client, api)
    for meeting in rounds_to_committee(fund_manager, deal, 3):
        services.ballot_cast(actor=as_actor(committee[0]), meeting=meeting, vote="for", conditions="按期交割")
    assert (queries(client, page), queries(client, api)) == (few_page, few_api)
    shown = client.get(page).content.decode()
    # Ballots are sealed until the decision: the page says who has voted, not how, nor their conditions.
    with translation.override("zh-hans"):
        sealed, for_ = gettext("voted (sealed)"), pgettext("vote", "For")
    assert shown.count(sealed) == 4 and for_ not in shown and "按期交割" not in shown
    assert len(client.get(api).json()["rounds"]) == 5


def test_the_committee_page_costs_the_same_queries_for_2_and_6_meetings(client, fund_manager, committee):
    (deal,) = deals(fund_manager, 1)
    rounds_to_committee(fund_manager, deal, 2)
    member = sign_in(client, committee[4])
    few = queries(member, "/fund/committee/")
    rounds_to_committee(fund_manager, deal, 4)
    assert queries(member, "/fund/committee/") == few
    assert member.get("/fund/committee/").content.decode().count('name="vote"') == 6
