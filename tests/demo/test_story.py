"""The demo city's story reads true to someone who knows how the bureaus work: one thing after
another in the order it happens (applications inside the call's window, reviews after the
deadline, a notice of five real working days, the project after the notice, milestones after
the contract, payments after decisions, nothing dated after today), each scenario published by
the body whose remit it is, fund figures a partner finds plausible, and the pyramid's history.

One demo city (400 enterprises: the fund's ten investments need that many candidates) is built
once for the module through the loader, inside a transaction rolled back at the end."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from rainforest.demo import loader
from rainforest.exchange.calendar import is_working_day

CITY_SIZE = 400


pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The city, loaded once inside a transaction rolled back after the module; each test's own
    savepoint (its django_db mark) sits inside."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            loader.load(seed=2026, enterprises=CITY_SIZE)
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield timezone.localdate()
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def today(built):
    return built


def _local(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


# The exchange


def test_applications_are_received_inside_their_calls_window(today):
    from rainforest.exchange.models import Application

    apps = list(Application.objects.select_related("call"))
    assert apps
    late = [(a.pk, a.submitted_at, a.call.closes_at) for a in apps if a.submitted_at > a.call.closes_at]
    early = [(a.pk, a.submitted_at, a.call.opens_at) for a in apps if a.submitted_at < a.call.opens_at]
    assert not late and not early
    assert all(a.submitted_at <= timezone.now() for a in apps)


def test_calls_open_on_published_scenarios_and_reviews_come_after_the_deadline(today):
    from rainforest.exchange.models import Call, Review

    for call in Call.objects.select_related("scenario"):
        assert is_working_day(_local(call.opens_at)) and is_working_day(_local(call.closes_at)), call
        assert call.scenario.published_at and call.scenario.published_at < call.opens_at
        assert call.scenario.created_at < call.scenario.published_at
        if call.status == "open":
            assert call.opens_at <= timezone.now() < call.closes_at
        else:
            assert call.closes_at < timezone.now()
    reviews = list(Review.objects.select_related("application__call", "assignment"))
    assert reviews
    assert all(r.submitted_at > r.application.call.closes_at for r in reviews)
    assert all(r.assignment.declared_at and r.assignment.declared_at <= r.submitted_at for r in reviews)
    assert all(r.submitted_at <= timezone.now() for r in reviews)


def test_winners_are_picked_after_the_scores_and_noticed_for_five_working_days(today):
    from rainforest.exchange.models import PublicNotice, Review
    from rainforest.policy.rules import current_ruleset

    days = int(current_ruleset().targets["exchange_notice_working_days"])
    notices = list(PublicNotice.objects.prefetch_related("awards"))
    assert len(notices) >= 5
    for notice in notices:
        span = [notice.starts_on + dt.timedelta(days=i) for i in range((notice.ends_on - notice.starts_on).days + 1)]
        assert is_working_day(notice.starts_on) and is_working_day(notice.ends_on), notice
        assert sum(is_working_day(d) for d in span) == days, notice
        last_score = Review.objects.filter(application__call=notice.call_id).aggregate(m=Max("submitted_at"))["m"]
        for award in notice.awards.all():
            assert last_score < award.picked_at <= timezone.now()
            assert _local(award.picked_at) <= notice.starts_on
        if notice.finalised_at:
            assert _local(notice.finalised_at) > notice.ends_on
    running = [n for n in notices if not n.finalised_at]
    assert running and all(n.starts_on <= today for n in running)


def test_projects_follow_the_notice_and_milestones_follow_the_contract(today):
    from rainforest.exchange.models import Project

    projects = list(Project.objects.select_related("application__call", "scenario").prefetch_related("milestones"))
    assert projects
    for project in projects:
        assert project.agreed_on <= today
        assert _local(project.scenario.published_at) <= project.agreed_on
        if project.application_id:
            notice = project.application.call.notices.get(finalised_at__isnull=False)
            assert project.agreed_on > notice.ends_on
        for milestone in project.milestones.all():
            assert milestone.due_on > project.agreed_on, (project, milestone.title)
            if milestone.done_on:
                assert project.agreed_on < milestone.done_on <= today
        if project.landed_on:
            assert project.agreed_on < project.landed_on <= today
        if project.in_use_since:
            assert project.landed_on <= project.in_use_since <= today
        for event in project.events.all():
            assert _local(event.at) >= project.agreed_on


def test_lists_are_published_after_what_they_list_was_approved(today):
    from rainforest.exchange.models import Capability, PublishedList, Scenario

    for published in PublishedList.objects.all():
        assert _local(published.published_at) <= today
        model = Scenario if published.kind == "scenarios" else Capability
        ids = [item["id"] for item in published.items]
        for obj in model.objects.filter(pk__in=ids):
            assert obj.created_at < published.published_at
            if published.kind == "capabilities":
                assert obj.approved_at < published.published_at


# Publishers' remit: who may publish what. Robot scenarios by domain; the two commissions the
# expert named, by what the scenario is about.
REMIT_BY_DOMAIN = {
    "care": {"杭州市卫生健康委员会", "杭州市民政局", "杭州市残疾人联合会"},
    "tourism": {"杭州市文化广电旅游局", "杭州西湖风景名胜区管理委员会", "杭州市体育局"},
    "patrol": {
        "杭州市地铁集团有限责任公司", "国网杭州供电公司", "杭州市城乡建设委员会", "杭州市林业水利局",
        "杭州市燃气集团有限公司", "杭州市城市管理局", "杭州市交通投资集团有限公司", "杭州市公安局",
        "杭州市水务集团有限公司", "杭州市数据资源管理局", "杭州市交通运输局", "杭州市应急管理局",
    },
    "industry": {
        "杭州市经济和信息化局", "杭州市科学技术局", "杭州市发展和改革委员会", "杭州市商务局",
        "杭州市应急管理局", "杭州市市场监督管理局", "杭州市城乡建设委员会",
    },
}  # fmt: skip
HEALTH_WORDS = ("医院", "手术", "药", "诊", "消杀", "卫生")
CULTURE_WORDS = ("景区", "博物馆", "演艺", "遗址", "旅游", "展馆", "运河", "千岛湖", "酒店", "图书馆")


def test_every_scenario_is_published_by_the_body_whose_remit_it_is(today):
    from rainforest.exchange.models import Scenario

    scenarios = list(Scenario.objects.select_related("publisher"))
    assert len(scenarios) >= 70
    for s in scenarios:
        publisher = s.publisher.name
        if s.domain in REMIT_BY_DOMAIN:
            assert publisher in REMIT_BY_DOMAIN[s.domain], (s.title, publisher)
        if publisher == "杭州市卫生健康委员会":
            assert any(w in s.title for w in HEALTH_WORDS), s.title
        if publisher == "杭州市文化广电旅游局":
            assert s.domain == "tourism" or any(w in s.title for w in CULTURE_WORDS), s.title
        if "交通" in publisher:
            assert any(w in s.title for w in ("公交", "公路", "交通", "客流")), (s.title, publisher)
    theatre = next(s for s in scenarios if "舞台" in s.title)
    assert theatre.publisher.name == "杭州市文化广电旅游局"


def test_the_demo_publisher_has_a_call_in_every_state(today):
    from rainforest.accounts.models import User
    from rainforest.exchange.models import Call

    publisher = User.objects.get(username="publisher").memberships.get().organisation
    own = Call.objects.filter(scenario__publisher=publisher)
    assert set(own.values_list("status", flat=True)) == {"open", "review", "notice", "final"}


def test_the_demo_enterprise_offers_an_approved_listed_capability(today):
    """Its own pages ("where to test it", its offers) show a live offer, not a draft."""
    from rainforest.accounts.models import User
    from rainforest.exchange.models import Capability, PublishedList

    company = User.objects.get(username="enterprise").memberships.get().organisation
    approved = set(Capability.objects.filter(organisation=company, status="approved").values_list("pk", flat=True))
    listed = {item["id"] for lst in PublishedList.objects.filter(kind="capabilities") for item in lst.items}
    assert approved & listed


def test_a_subscriber_hears_of_each_list_the_day_it_is_published(today):
    """The demo enterprise followed its fields before the first list: each notice of a published
    scenario is dated the day of its list, none is about a list from before it subscribed."""
    from rainforest.exchange.models import Notification, PublishedList, Subscription

    subscription = Subscription.objects.get(user__username="enterprise")
    published_on = {}
    for lst in PublishedList.objects.filter(kind="scenarios"):
        for item in lst.items:
            published_on.setdefault(item["id"], _local(lst.published_at))
    notices = Notification.objects.filter(user=subscription.user, kind="scenario_published")
    assert notices.count() >= 10
    for notice in notices:
        scenario_id = int(notice.key.split(":")[1])
        assert _local(notice.created_at) == published_on[scenario_id]


def test_a_scenarios_site_lies_in_its_own_district(today):
    from rainforest.core.districts import DISTRICTS
    from rainforest.exchange.models import Scenario

    for scenario in Scenario.objects.exclude(site=""):
        named = [d for d in DISTRICTS if scenario.site.startswith(d)]
        assert not named or named == [scenario.district], (scenario.title, scenario.site, scenario.district)


# The fund


def _manager():
    from rainforest.accounts.models import User
    from rainforest.accounts.permissions import Principal

    user = User.objects.get(username="fundmanager")
    return Principal(user=user, membership=user.memberships.get())


def test_past_committee_meetings_are_closed_with_a_decision_before_the_money_moves(today):
    from rainforest.fund.models import Meeting, Round
    from rainforest.fund.services.committee import quorum

    meetings = list(Meeting.objects.select_related("round").prefetch_related("ballots"))
    assert len(meetings) >= 10
    for meeting in meetings:
        if meeting.held_on < today:
            assert meeting.decision in ("approved", "rejected"), meeting
        assert is_working_day(meeting.held_on)
        if meeting.decision:
            assert _local(meeting.decided_at) == meeting.held_on
            assert sum(1 for b in meeting.ballots.all() if b.vote) >= quorum()
            assert all(_local(b.at) == meeting.held_on for b in meeting.ballots.all() if b.vote)
            assert meeting.held_on <= meeting.round.on
        assert _local(meeting.round.created_at) <= meeting.held_on
    for round_ in Round.objects.filter(recorded=True):
        assert round_.on <= today
        meeting = getattr(round_, "meeting", None)
        if meeting is not None:
            assert meeting.held_on <= round_.on


def test_the_funds_money_moves_after_its_launch_and_before_today(today):
    from rainforest.demo.fund import LAUNCH
    from rainforest.fund.models import CashFlow, CommitteeMember, Deal, Mark

    flows = list(CashFlow.objects.all())
    assert flows
    assert all(LAUNCH < f.on <= today for f in flows)
    assert all(LAUNCH < m.on <= today for m in Mark.objects.all())
    assert all(m.since <= LAUNCH for m in CommitteeMember.objects.all())
    for deal in Deal.objects.filter(stage__in=("portfolio", "exited", "written_off")):
        first = deal.flows.aggregate(m=Min("on"))["m"]
        assert deal.closed_on == first
        assert _local(deal.created_at) < first


def test_the_fund_figures_are_those_of_a_young_early_stage_fund(today):
    from rainforest.core.captable.metrics import irr
    from rainforest.fund.choices import FlowKind
    from rainforest.fund.models import CashFlow
    from rainforest.fund.selectors import portfolio

    book = portfolio(actor=_manager(), on=today)
    assert len(book.positions) == 10
    assert Decimal("1.0") <= book.totals.tvpi <= Decimal("1.3"), book.totals
    assert book.totals.dpi <= Decimal("0.15"), book.totals
    value = sum((p.value for p in book.positions), Decimal(0))
    flows = [(f.on, -f.amount if f.kind != FlowKind.DISTRIBUTION else f.amount) for f in CashFlow.objects.all()]
    rate = irr(flows, residual=value, on=today)
    assert Decimal("-0.10") <= rate <= Decimal("0.25"), rate
    if book.irr is not None:
        assert book.irr == rate
    # Entry at angel and seed prices: the fund's ticket 1-5 million yuan at 10-25 % of the company.
    for position in book.positions:
        entry = next(r for r in position.deal.rounds.all() if r.recorded)
        assert Decimal(10_000_000) <= entry.pre_money <= Decimal(60_000_000)
        assert 0.08 <= float(entry.report["fund_stake"]) <= 0.2


# The seedling programme and the pyramid


def test_the_seedling_programme_decides_before_it_pays(today):
    from rainforest.seedling.models import Candidacy, MeasureApplication, Need, Score, SelectionRound, Visit

    applications = list(MeasureApplication.objects.select_related("disbursement"))
    assert applications
    for application in applications:
        assert _local(application.submitted_at) <= today
        if application.decided_at:
            assert application.submitted_at < application.decided_at <= timezone.now()
        if hasattr(application, "disbursement"):
            assert application.decided_at and _local(application.decided_at) < application.disbursement.paid_on
            assert application.disbursement.paid_on <= today
    for selection in SelectionRound.objects.all():
        candidacies = Candidacy.objects.filter(round=selection)
        assert all(selection.opened_at <= c.submitted_at for c in candidacies)
    assert all(s.submitted_at <= timezone.now() for s in Score.objects.all())
    assert all(v.on <= today for v in Visit.objects.all())
    assert all(n.raised_on <= today and n.due_on > n.raised_on for n in Need.objects.all())


def test_the_pyramid_has_its_history_from_2022(today):
    from rainforest.seedling import standings

    years = list(range(2022, today.year + 1))
    counts = standings.counts(years)
    totals = [sum(counts[tier][y] for tier in counts) for y in years]
    assert totals[0] > 0
    assert all(a < b for a, b in zip(totals[:4], totals[1:4], strict=False)), totals  # 2022-2025 grow
    for tier in ("tech_sme", "hnte", "tech_leader"):  # titles in force since before 2022
        by_year = [counts[tier][y] for y in years]
        assert by_year[0] > 0 and by_year == sorted(by_year), (tier, by_year)
    assert counts["young_eagle"][years[-1]] > counts["young_eagle"][2023]


def test_nothing_in_the_registry_is_dated_after_today(today):
    from rainforest.registry.models import FinancingRound, Recognition, YearlyFacts

    assert YearlyFacts.objects.aggregate(m=Max("fiscal_year"))["m"] < today.year
    assert YearlyFacts.objects.aggregate(m=Min("fiscal_year"))["m"] <= 2022
    assert FinancingRound.objects.aggregate(m=Max("closed_on"))["m"] <= today
    assert Recognition.objects.aggregate(m=Max("valid_from"))["m"] <= today
    assert Recognition.objects.filter(kind="good_seedling").aggregate(m=Min("year"))["m"] >= 2025
