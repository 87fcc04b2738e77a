"""Where each enterprise stands, the pyramid against the 2027 targets, companion support."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rainforest.seedling import selectors
from rainforest.seedling.services import support
from tests.seedling.conftest import THIS_YEAR, as_actor, facts, recognise

pytestmark = pytest.mark.django_db


def test_the_ladder_shows_the_next_rung_and_what_it_lacks(enterprise_user, seedling_co):
    recognise(seedling_co, "tech_sme")
    ladder = selectors.ladder(actor=as_actor(enterprise_user), enterprise=seedling_co)
    assert ladder.standing.current == "seed" and ladder.standing.next == "good_seedling"
    recognise(seedling_co, "good_seedling", year=THIS_YEAR)
    ladder = selectors.ladder(actor=as_actor(enterprise_user), enterprise=seedling_co)
    assert ladder.standing.current == "good_seedling" and ladder.standing.next == "hnte"
    assert ladder.lacking  # the engine says what a high-tech enterprise needs that it lacks


def test_an_expired_recognition_no_longer_counts(enterprise_user, seedling_co):
    recognise(seedling_co, "hnte", year=THIS_YEAR - 4, valid_until=dt.date(THIS_YEAR - 1, 12, 31))
    assert selectors.ladder(actor=as_actor(enterprise_user), enterprise=seedling_co).standing.current != "hnte"


def test_ladders_are_private(outsider, officer, seedling_co, expert, publisher):
    assert selectors.ladder(actor=as_actor(officer), enterprise=seedling_co).enterprise == seedling_co
    for user in (outsider, expert, publisher):
        with pytest.raises(PermissionDenied):
            selectors.ladder(actor=as_actor(user), enterprise=seedling_co)


def test_the_pyramid_counts_against_the_targets(officer, seedling_co, second_co, make_org):
    recognise(seedling_co, "tech_sme")
    recognise(second_co, "tech_sme")
    recognise(second_co, "hnte", year=THIS_YEAR - 5, valid_until=dt.date(THIS_YEAR - 2, 12, 31))  # expired
    facts(make_org("杭州丙企业"), employees=150)  # not a seed: too many staff
    rows = {r.tier: r for r in selectors.pyramid(actor=as_actor(officer), year=THIS_YEAR)}
    assert rows["tech_sme"].count == 2 and rows["tech_sme"].target == 50000 and rows["tech_sme"].gap == 49998
    assert rows["seed"].count == 2 and rows["seed"].target == 6000
    assert rows["hnte"].count == 0
    left = 2027 - THIS_YEAR
    assert rows["good_seedling"].per_year_needed == (3000 / left if left > 0 else 3000)
    by_district = {r.tier: r for r in selectors.pyramid(actor=as_actor(officer), year=THIS_YEAR, district="西湖区")}
    assert by_district["tech_sme"].count == 1 and by_district["tech_sme"].target is None


@pytest.mark.parametrize("who", ["enterprise_user", "expert", "publisher", "fund_manager"])
def test_only_officers_see_the_pyramid(request, who):
    with pytest.raises(PermissionDenied):
        selectors.pyramid(actor=as_actor(request.getfixturevalue(who)), year=THIS_YEAR)


def test_companion_support(officer, officer2, enterprise_user, seedling_co):
    with pytest.raises(ValidationError, match="good seedlings"):
        support.case_officer_assign(actor=as_actor(officer), enterprise=seedling_co, officer=officer2)
    recognise(seedling_co, "good_seedling", year=THIS_YEAR)
    support.case_officer_assign(actor=as_actor(officer), enterprise=seedling_co, officer=officer2)
    support.case_officer_assign(actor=as_actor(officer), enterprise=seedling_co, officer=officer)  # a handover
    assert seedling_co.case_officers.filter(until=None).get().officer == officer
    with pytest.raises(ValidationError, match="programme officer"):
        support.case_officer_assign(actor=as_actor(officer), enterprise=seedling_co, officer=enterprise_user)
    need = support.need_raise(actor=as_actor(enterprise_user), enterprise=seedling_co, category="融资",
                              description="需要对接银行贷款")  # fmt: skip
    assert need.due_on > need.raised_on
    support.visit_record(
        actor=as_actor(officer), enterprise=seedling_co, on=timezone.localdate(), notes="走访，了解融资需求"
    )
    with pytest.raises(ValidationError, match="after it took place"):
        support.visit_record(actor=as_actor(officer), enterprise=seedling_co,
                             on=timezone.localdate() + dt.timedelta(days=1), notes="x")  # fmt: skip
    support.need_resolve(actor=as_actor(officer), need=need, resolution="已对接杭州银行")
    with pytest.raises(ValidationError, match="already resolved"):
        support.need_resolve(actor=as_actor(officer), need=need, resolution="again")
    case = selectors.case(actor=as_actor(enterprise_user), enterprise=seedling_co)
    assert case.officer == officer and case.overdue == 0 and len(case.visits) == 1


def test_an_overdue_need_is_flagged(officer, seedling_co):
    need = support.need_raise(
        actor=as_actor(officer), enterprise=seedling_co, category="场地", description="需要中试场地"
    )
    type(need).objects.filter(pk=need.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    assert selectors.case(actor=as_actor(officer), enterprise=seedling_co).overdue == 1


def test_working_days_skip_weekends_and_holidays():
    assert support.add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)  # National Day week, 1-7 October
    assert support.add_working_days(dt.date(2026, 11, 27), 1) == dt.date(2026, 11, 30)  # Friday -> Monday


def test_others_cannot_raise_needs_for_a_company(outsider, seedling_co):
    with pytest.raises(PermissionDenied):
        support.need_raise(actor=as_actor(outsider), enterprise=seedling_co, category="x", description="y")
