"""A deal through the pipeline as a fund manager runs it; every rule and permission on the way."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rainforest.audit.models import AuditEvent
from rainforest.fund import selectors, services
from rainforest.fund.models import CashFlow, Mark
from rainforest.fund.reports import report_pdf, report_xlsx
from tests.fund.conftest import ON, as_actor

pytestmark = pytest.mark.django_db


def founded_table(fm, deal):
    services.table_event_add(
        actor=fm, deal=deal, on=dt.date(2023, 5, 1), kind="issue", holder="Founder A", units=6_000_000
    )
    services.table_event_add(
        actor=fm, deal=deal, on=dt.date(2023, 5, 1), kind="issue", holder="Founder B", units=3_000_000
    )
    services.table_event_add(actor=fm, deal=deal, on=dt.date(2024, 1, 1), kind="pool", units=1_000_000)


def vote(committee, meeting, votes):
    for user, v in zip(committee, votes, strict=False):
        services.ballot_cast(actor=as_actor(user), meeting=meeting, vote=v)


def invested(fm, committee, deal, on, amount, pre_money, name="种子轮"):
    """The fund's round at a closing deal, approved by five votes, recorded, the deal in portfolio."""
    type(deal).objects.filter(pk=deal.pk).update(stage="closing")
    proposed = services.round_propose(
        actor=fm,
        deal=deal,
        name=name,
        on=on,
        pre_money=pre_money,
        investors=[{"name": "x", "amount": amount, "is_fund": True}],
    )
    meeting = services.meeting_open(actor=fm, round=proposed, held_on=on - dt.timedelta(days=29))
    vote(committee, meeting, ["for"] * 5)
    services.meeting_decide(actor=fm, meeting=meeting, minutes="m")
    services.round_record(actor=fm, round=proposed)
    services.deal_move(actor=fm, deal=deal, action="portfolio")
    return proposed


def test_a_deal_from_sourcing_to_portfolio(fund_manager, company, committee):
    fm = as_actor(fund_manager)
    deal = services.deal_create(actor=fm, enterprise=company, source="incubator", referrer="杭州某孵化器")
    founded_table(fm, deal)
    with pytest.raises(ValidationError, match="cannot be moved that way"):
        services.deal_move(actor=fm, deal=deal, action="committee")
    services.deal_move(actor=fm, deal=deal, action="screen")
    deal.refresh_from_db()
    assert deal.screening["tier"] == "fund_target" and deal.screening["criteria"]
    services.deal_move(actor=fm, deal=deal, action="diligence")
    with pytest.raises(ValidationError, match="not complete"):
        services.deal_move(actor=fm, deal=deal, action="committee")
    for item in list(deal.checklist):
        services.checklist_set(actor=fm, deal=deal, item=item, done=True)
    services.deal_move(actor=fm, deal=deal, action="committee")

    proposed = services.round_propose(
        actor=fm,
        deal=deal,
        name="天使轮",
        on=ON,
        pre_money="40000000",
        investors=[{"name": "x", "amount": "4000000", "is_fund": True}, {"name": "VC", "amount": "6000000"}],
    )
    assert proposed.report["fund_stake"] == 0.08 and proposed.price_per_share == Decimal("4")
    meeting = services.meeting_open(actor=fm, round=proposed, held_on=ON)
    services.ballot_cast(actor=as_actor(committee[6]), meeting=meeting, conflict="曾任该公司顾问")
    with pytest.raises(ValidationError, match="declared an interest"):
        services.ballot_cast(actor=as_actor(committee[6]), meeting=meeting, vote="for")
    vote(committee, meeting, ["for", "for", "for", "against"])
    with pytest.raises(ValidationError, match="No quorum"):
        services.meeting_decide(actor=fm, meeting=meeting, minutes="讨论")
    services.ballot_cast(actor=as_actor(committee[4]), meeting=meeting, vote="for", conditions="完成知识产权转让")
    services.meeting_decide(actor=fm, meeting=meeting, minutes="五票赞成一票反对，一人回避。")
    meeting.refresh_from_db()
    assert meeting.decision == "approved" and meeting.signed_digest == proposed.report_digest
    with pytest.raises(ValidationError, match="ballots are closed"):
        services.ballot_cast(actor=as_actor(committee[5]), meeting=meeting, vote="against")

    services.deal_move(actor=fm, deal=deal, action="term_sheet")
    services.deal_move(actor=fm, deal=deal, action="closing")
    with pytest.raises(ValidationError, match="Record the closing round"):
        services.deal_move(actor=fm, deal=deal, action="portfolio")
    services.round_record(actor=fm, round=proposed)
    services.deal_move(actor=fm, deal=deal, action="portfolio")
    assert services.table_of(deal).at(ON)["润苗基金"] == 1_000_000
    assert CashFlow.objects.get().amount == Decimal("4000000")
    assert Mark.objects.get().value == Decimal("4000000.00")

    # a later round by others that would make the fund... fine here; then one that breaks nothing is recorded
    later = services.round_propose(
        actor=fm,
        deal=deal,
        name="A轮",
        on=dt.date(2027, 6, 1),
        pre_money="150000000",
        investors=[{"name": "Relay", "amount": "30000000", "city_fund": True}],
    )
    assert later.verdict == "eligible" and later.report["fund_stake"] < 0.08
    services.round_record(actor=fm, round=later)
    portfolio = selectors.portfolio(actor=fm, on=dt.date(2027, 12, 31))
    assert portfolio.deployed == Decimal("4000000") and portfolio.totals.tvpi == Decimal("3.0")  # 12.00 × 1 M units
    assert report_xlsx(portfolio).startswith(b"PK") and report_pdf(portfolio).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action__startswith="fund.").count() > 10
    # Markup in a company's name is printed, never read: no file embedded, no report broken.
    type(company.organisation).objects.filter(pk=company.organisation_id).update(
        name='<img src="/etc/passwd" width="9" height="9"/> <b>灵犀 & Co'
    )
    portfolio = selectors.portfolio(actor=fm, on=dt.date(2027, 12, 31))
    assert report_pdf(portfolio).startswith(b"%PDF")


def test_an_ineligible_report_cannot_be_approved(fund_manager, company, committee):
    fm = as_actor(fund_manager)
    deal = services.deal_create(actor=fm, enterprise=company, source="self")
    founded_table(fm, deal)
    proposed = services.round_propose(
        actor=fm,
        deal=deal,
        name="种子轮",
        on=ON,
        pre_money="10000000",
        investors=[{"name": "x", "amount": "5000000", "is_fund": True}],
    )
    assert proposed.verdict == "ineligible"  # a third of the company
    meeting = services.meeting_open(actor=fm, round=proposed, held_on=ON)
    vote(committee, meeting, ["for"] * 7)
    with pytest.raises(ValidationError, match="FUND-STAKE"):
        services.meeting_decide(actor=fm, meeting=meeting, minutes="m")


def test_a_ticket_over_the_limit_needs_the_recorded_override(fund_manager, company, committee):
    fm = as_actor(fund_manager)
    deal = services.deal_create(actor=fm, enterprise=company, source="competition")
    founded_table(fm, deal)
    proposed = services.round_propose(
        actor=fm,
        deal=deal,
        name="天使轮",
        on=ON,
        pre_money="90000000",
        investors=[{"name": "x", "amount": "6000000", "is_fund": True}],
    )
    assert proposed.verdict == "review"
    meeting = services.meeting_open(actor=fm, round=proposed, held_on=ON)
    vote(committee, meeting, ["for"] * 6)
    with pytest.raises(ValidationError, match="override"):
        services.meeting_decide(actor=fm, meeting=meeting, minutes="m")
    services.meeting_decide(actor=fm, meeting=meeting, minutes="m", override_reason="关键技术卡位，投委会一致同意突破")
    deal.refresh_from_db()
    assert deal.override_reason


def test_a_later_round_breaking_a_limit_is_flagged_before_it_is_recorded(fund_manager, company):
    fm = as_actor(fund_manager)
    deal = services.deal_create(actor=fm, enterprise=company, source="self")
    services.table_event_add(
        actor=fm, deal=deal, on=dt.date(2024, 1, 1), kind="issue", holder="Founder", units=2_000_000
    )
    services.table_event_add(
        actor=fm, deal=deal, on=dt.date(2025, 1, 1), kind="issue", holder="润苗基金", units=1_500_000
    )
    services.table_event_add(
        actor=fm, deal=deal, on=dt.date(2025, 6, 1), kind="transfer", holder="Founder", units=600_000, to="Angel"
    )
    # after selling 600,000 the founder holds 1.4 M, fewer than the fund's 1.5 M: the next round is flagged
    later = services.round_propose(
        actor=fm, deal=deal, name="B", on=ON, pre_money="35000000", investors=[{"name": "Other", "amount": "1000000"}]
    )
    assert later.verdict == "ineligible"
    with pytest.raises(ValidationError, match="acknowledge"):
        services.round_record(actor=fm, round=later)
    services.round_record(actor=fm, round=later, acknowledge="创始人减持，已提请投委会关注")


def test_the_table_refuses_a_transfer_of_more_than_held(fund_manager, company):
    fm = as_actor(fund_manager)
    deal = services.deal_create(actor=fm, enterprise=company, source="self")
    services.table_event_add(actor=fm, deal=deal, on=dt.date(2024, 1, 1), kind="issue", holder="Founder", units=100)
    with pytest.raises(ValidationError, match="holds 100"):
        services.table_event_add(
            actor=fm, deal=deal, on=dt.date(2024, 2, 1), kind="transfer", holder="Founder", units=101, to="X"
        )
    with pytest.raises(ValidationError, match="whole number"):
        services.table_event_add(actor=fm, deal=deal, on=dt.date(2024, 2, 1), kind="issue", holder="X", units="1.5")


def test_committee_has_seven_seats(fund_manager, committee, make_user):
    from rainforest.accounts.choices import Role

    with pytest.raises(ValidationError, match="7 members"):
        services.committee_seat(actor=as_actor(fund_manager), user=make_user("eighth", Role.EXPERT), external=True)


@pytest.mark.parametrize("who", ["officer", "enterprise_user", "publisher", "expert", "sysadmin", "auditor"])
def test_only_fund_managers_run_deals(request, who, company):
    actor = as_actor(request.getfixturevalue(who))
    with pytest.raises(PermissionDenied):
        services.deal_create(actor=actor, enterprise=company, source="self")
    with pytest.raises(PermissionDenied):
        selectors.pipeline(actor=actor)
    with pytest.raises(PermissionDenied):
        selectors.portfolio(actor=actor)


def test_a_write_off(fund_manager, company, committee):
    fm = as_actor(fund_manager)
    deal = services.deal_create(actor=fm, enterprise=company, source="platform")
    founded_table(fm, deal)
    invested(fm, committee, deal, dt.date(2025, 12, 15), "3000000", "12000000")  # after the launch (RF-03)
    with pytest.raises(ValidationError, match="reason"):
        services.deal_move(actor=fm, deal=deal, action="write_off")
    services.deal_move(actor=fm, deal=deal, action="write_off", reason="公司清算")
    p = selectors.portfolio(actor=fm)
    assert p.totals.tvpi == Decimal("0") and p.irr is None and p.survival == Decimal("0")


def test_a_safe_converts_when_the_round_is_recorded(fund_manager, company, committee):
    """T3 on the platform: the fund's post-money SAFE converts at its cap in the next round."""
    fm = as_actor(fund_manager)
    deal = services.deal_create(actor=fm, enterprise=company, source="self")
    services.table_event_add(
        actor=fm, deal=deal, on=dt.date(2024, 1, 1), kind="issue", holder="Founders", units=8_000_000
    )
    services.table_event_add(actor=fm, deal=deal, on=dt.date(2024, 1, 1), kind="pool", units=1_000_000)
    later = services.round_propose(
        actor=fm,
        deal=deal,
        name="A轮",
        on=ON,
        pre_money="50000000",
        investors=[{"name": "New", "amount": "12500000"}],
        convertibles=[{"holder": "润苗基金", "amount": "2000000", "cap": "20000000", "discount": "0.2"}],
    )
    assert later.report["conversions"] == {"润苗基金": 1_000_000} and later.report["fund_stake"] == 0.08
    services.round_record(actor=fm, round=later)
    assert services.table_of(deal).at(ON)["润苗基金"] == 1_000_000
    with pytest.raises(ValidationError, match="holder and an amount"):
        services.round_propose(
            actor=fm,
            deal=deal,
            name="x",
            on=ON,
            pre_money="1",
            investors=[{"name": "a", "amount": "1"}],
            convertibles=[{"amount": "5"}],
        )


def test_a_committee_member_is_refused_as_reviewer_of_a_portfolio_company(
    fund_manager, company, committee, publisher, officer, make_user
):
    """The exchange's conflict check now sees the fund: an expert who voted on the deal cannot review
    the company's proposals."""
    from django.utils import timezone

    from rainforest.exchange.services import calls, reviews, scenarios

    fm = as_actor(fund_manager)
    deal = services.deal_create(actor=fm, enterprise=company, source="self")
    founded_table(fm, deal)
    proposed = services.round_propose(
        actor=fm,
        deal=deal,
        name="天使轮",
        on=ON,
        pre_money="40000000",
        investors=[{"name": "x", "amount": "4000000", "is_fund": True}],
    )
    meeting = services.meeting_open(actor=fm, round=proposed, held_on=ON)
    services.ballot_cast(actor=as_actor(committee[4]), meeting=meeting, vote="for")
    from tests.exchange.conftest import SCENARIO

    scenario = scenarios.scenario_create(actor=as_actor(publisher), **SCENARIO)
    scenarios.scenario_move(actor=as_actor(publisher), scenario=scenario, action="submit")
    scenarios.scenario_move(actor=as_actor(officer), scenario=scenario, action="approve")
    scenarios.list_publish(actor=as_actor(officer), kind="scenarios", year=2026, number=1, title="t", ids=[scenario.pk])
    scenario.refresh_from_db()
    now = timezone.now()
    call = calls.call_open(
        actor=as_actor(publisher),
        scenario=scenario,
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=3),
        rubric=[("技术", 100, 10)],
        max_winners=1,
    )
    from rainforest.accounts.choices import Role

    user = make_user("lingxi", Role.ENTERPRISE_USER, company.organisation)
    calls.application_submit(actor=as_actor(user), call=call, approach="a", plan="b", budget=1, team="c")
    reasons = reviews.conflicts(committee[4], call)
    assert any("Seedling fund" in r for r in reasons)
    assert not reviews.conflicts(committee[5], call)  # did not vote on it


def test_four_of_the_seven_seats_are_external(fund_manager, make_user, make_org):
    from rainforest.accounts.choices import OrganisationKind, Role

    org = make_org("杭州市科创集团有限公司", OrganisationKind.FUND, "")
    fm = as_actor(fund_manager)
    for i in range(3):
        services.committee_seat(actor=fm, user=make_user(f"in{i}", Role.FUND_MANAGER, org), external=False)
    with pytest.raises(ValidationError, match="4 of its 7 members are external"):
        services.committee_seat(actor=fm, user=make_user("in3", Role.FUND_MANAGER, org), external=False)


def test_a_portfolio_company_may_be_accompanied_as_a_good_seedling(fund_manager, officer, company):
    from rainforest.seedling.services import support

    with pytest.raises(ValidationError, match="good seedlings"):
        support.case_officer_assign(actor=as_actor(officer), enterprise=company, officer=officer)
    deal = services.deal_create(actor=as_actor(fund_manager), enterprise=company, source="self")
    type(deal).objects.filter(pk=deal.pk).update(stage="portfolio")
    assert support.case_officer_assign(actor=as_actor(officer), enterprise=company, officer=officer).officer == officer


def test_an_exit_realises_everything_and_short_holdings_show_no_irr(fund_manager, company, committee):
    fm = as_actor(fund_manager)
    deal = services.deal_create(actor=fm, enterprise=company, source="self")
    founded_table(fm, deal)
    invested(fm, committee, deal, dt.date(2025, 11, 20), "4000000", "40000000", name="天使轮")  # after the launch
    assert selectors.portfolio(actor=fm, on=dt.date(2026, 2, 20)).irr is None  # three months: not meaningful
    services.flow_record(actor=fm, deal=deal, on=dt.date(2026, 11, 20), amount="12000000")
    services.deal_move(actor=fm, deal=deal, action="exit", reason="并购退出")
    p = selectors.portfolio(actor=fm, on=timezone_today())
    assert p.totals.residual == 0 and p.totals.tvpi == p.totals.dpi == Decimal("3")
    assert p.irr is not None and p.irr > Decimal("1.9")  # tripled in a year


def timezone_today():
    from django.utils import timezone

    return timezone.localdate()


def test_cap_table_refusals_are_worded_for_people(fund_manager, company):
    fm = as_actor(fund_manager)
    deal = services.deal_create(actor=fm, enterprise=company, source="self")
    with pytest.raises(ValidationError, match="There are no shares before the round"):
        services.round_propose(
            actor=fm,
            deal=deal,
            name="x",
            on=ON,
            pre_money="1000",
            investors=[{"name": "a", "amount": "1", "is_fund": True}],
        )
    with pytest.raises(ValidationError, match="pre-money valuation must be more than zero"):
        founded_table(fm, deal)
        services.round_propose(
            actor=fm,
            deal=deal,
            name="x",
            on=ON,
            pre_money="0",
            investors=[{"name": "a", "amount": "1", "is_fund": True}],
        )
