"""The fund's pages and services at their edges: missing objects, values that are not money, and
one live deal per company even when the service's check is bypassed."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from rainforest.fund import services
from rainforest.fund.models import Deal, Mark
from tests.conftest import sign_in
from tests.exchange.conftest import as_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(fund_manager, company):
    return services.deal_create(actor=as_actor(fund_manager), enterprise=company, source="university")


def test_a_missing_deal_is_not_found_on_every_page(fund_manager, deal):
    fiona = sign_in(Client(), fund_manager)
    missing = deal.pk + 1000
    assert fiona.get(f"/fund/deals/{missing}/").status_code == 404
    assert fiona.get(f"/fund/deals/{missing}/ocf/").status_code == 404


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity", "-1", "1e400", "100000000000000", ""])
def test_a_write_down_that_is_not_an_amount_is_refused_and_nothing_saved(fund_manager, deal, value):
    fiona = sign_in(Client(), fund_manager)
    response = fiona.post(f"/fund/deals/{deal.pk}/write-downs/", {"value": value, "reason": "估值下调"}, follow=True)
    assert response.status_code == 200
    assert not Mark.objects.exists()
    assert "error" in response.content.decode()


@pytest.mark.parametrize("amount", ["abc", "NaN", "-Infinity", "0", "1e20"])
def test_a_distribution_that_is_not_an_amount_is_refused(fund_manager, deal, amount):
    fiona = sign_in(Client(), fund_manager)
    fiona.post(f"/fund/deals/{deal.pk}/distributions/", {"amount": amount})
    assert not deal.flows.exists()


def test_an_amount_with_thousands_separators_is_read(fund_manager, deal):
    import datetime as dt

    services.mark_write_down(
        actor=as_actor(fund_manager), deal=deal, on=dt.date(2026, 11, 1), value="1,200,000.50", reason="估值下调"
    )
    assert str(Mark.objects.get().value) == "1200000.50"


def test_the_database_refuses_a_second_live_deal_for_one_company(fund_manager, deal, company):
    with pytest.raises(IntegrityError), transaction.atomic():
        Deal.objects.create(enterprise=company, source="university", created_by=fund_manager)


def test_a_company_may_have_a_new_deal_once_the_last_one_ended(fund_manager, deal, company):
    services.deal_move(actor=as_actor(fund_manager), deal=deal, action="decline", reason="不符合投资方向")
    again = services.deal_create(actor=as_actor(fund_manager), enterprise=company, source="university")
    assert again.pk != deal.pk


@pytest.mark.parametrize("on", ["abc", "9999-12-31", "0001-01-01"])
def test_the_portfolio_as_of_a_date_that_is_not_one_is_a_400_that_says_why(fund_manager, on):
    fiona = sign_in(Client(), fund_manager)
    response = fiona.get("/fund/portfolio/", {"on": on})
    assert response.status_code == 400
    assert "日期" in response.content.decode() or "年份" in response.content.decode()


@pytest.mark.parametrize("on", ["9999-12-31", "0001-01-01"])
def test_fund_records_dated_outside_the_platforms_years_are_refused(fund_manager, deal, on):
    fiona = sign_in(Client(), fund_manager)
    fiona.post(f"/fund/deals/{deal.pk}/events/", {"on": on, "kind": "issue", "holder": "创始人", "units": "100"})
    fiona.post(f"/fund/deals/{deal.pk}/distributions/", {"on": on, "amount": "100"})
    assert not deal.table_events.exists() and not deal.flows.exists()


def test_a_committee_member_votes_in_words_and_sees_their_ballot(fund_manager, committee, company):
    """ "For" on a ballot is 赞成, not the table header 适用对象 that shares its English."""
    import datetime as dt

    fm = as_actor(fund_manager)
    deal = services.deal_create(actor=fm, enterprise=company, source="self")
    services.table_event_add(
        actor=fm, deal=deal, on=dt.date(2023, 5, 1), kind="issue", holder="创始人", units=9_000_000
    )
    proposed = services.round_propose(
        actor=fm, deal=deal, name="天使轮", on=dt.date(2026, 11, 20), pre_money="40000000",
        investors=[{"name": "x", "amount": "4000000", "is_fund": True}],
    )  # fmt: skip
    meeting = services.meeting_open(actor=fm, round=proposed, held_on=dt.date(2026, 11, 21))
    member = sign_in(Client(), committee[3])
    page = member.get("/fund/committee/").content.decode()
    assert "赞成" in page and "适用对象" not in page
    member.post(f"/fund/committee/{meeting.pk}/ballot/", {"vote": "for"})
    assert "您的表决" in member.get("/fund/committee/").content.decode()


@pytest.mark.parametrize(("typed", "fraction"), [("10", "0.1"), ("12.5 %", "0.125"), ("0", "0"), ("99.99", "0.9999")])
def test_the_option_pool_is_entered_as_a_percentage_as_every_page_shows_it(typed, fraction):
    from decimal import Decimal

    from rainforest.fund.forms import RoundProposeForm

    form = RoundProposeForm({"name": "天使轮", "on": "2026-11-20", "pre_money": "40000000", "pool": typed})
    assert form.is_valid(), form.errors
    assert form.values()["pool_top_up_post_pct"] == Decimal(fraction)


@pytest.mark.parametrize("typed", ["100", "-1", "abc", "0.001"])
def test_an_option_pool_that_is_no_percentage_is_refused(typed):
    from rainforest.fund.forms import RoundProposeForm

    form = RoundProposeForm({"name": "天使轮", "on": "2026-11-20", "pre_money": "40000000", "pool": typed})
    assert not form.is_valid() and "pool" in form.errors


def test_the_deal_page_asks_for_the_option_pool_in_per_cent(fund_manager, deal):
    page = sign_in(Client(), fund_manager).get(f"/fund/deals/{deal.pk}/").content.decode()
    assert "本轮后期权池占比（%，如 10；无则填 0）" in page
