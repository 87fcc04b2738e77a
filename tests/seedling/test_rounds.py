"""The yearly good-seedling selection, as the spec and the issue describe it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rainforest.audit.models import AuditEvent
from rainforest.registry.models import Recognition
from rainforest.seedling.models import Candidacy
from rainforest.seedling.services import rounds
from tests.seedling.conftest import THIS_YEAR, as_actor, facts

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_round(officer):
    return rounds.round_open(actor=as_actor(officer), year=THIS_YEAR)


def test_a_round_takes_its_quota_from_the_rule_set(officer):
    selection = rounds.round_open(actor=as_actor(officer), year=THIS_YEAR)
    assert selection.quota == 1000
    with pytest.raises(ValidationError, match="between 1 and 1000"):
        rounds.round_open(actor=as_actor(officer), year=THIS_YEAR + 1, quota=1001)
    with pytest.raises(ValidationError, match="already exists"):
        rounds.round_open(actor=as_actor(officer), year=THIS_YEAR)
    with pytest.raises(ValidationError, match="add up to 100"):
        rounds.round_open(actor=as_actor(officer), year=THIS_YEAR + 2, rubric=[["技术", 60, 10]])


@pytest.mark.parametrize("who", ["enterprise_user", "publisher", "expert", "fund_manager", "sysadmin", "auditor"])
def test_only_officers_open_rounds(request, who):
    with pytest.raises(PermissionDenied):
        rounds.round_open(actor=as_actor(request.getfixturevalue(who)), year=THIS_YEAR)


def test_an_enterprise_applies_for_itself_only(open_round, enterprise_user, seedling_co, second_co):
    candidacy = rounds.candidacy_submit(actor=as_actor(enterprise_user), selection=open_round, enterprise=seedling_co)
    assert candidacy.route == "applied" and candidacy.precheck_verdict == "eligible"
    assert candidacy.precheck["criteria"]  # the engine's explanation is kept with it
    with pytest.raises(PermissionDenied):
        rounds.candidacy_submit(actor=as_actor(enterprise_user), selection=open_round, enterprise=second_co)
    with pytest.raises(ValidationError, match="already a candidate"):
        rounds.candidacy_submit(actor=as_actor(enterprise_user), selection=open_round, enterprise=seedling_co)


def test_the_engine_refuses_a_candidate_failing_a_hard_criterion(open_round, officer, make_org):
    too_big = facts(make_org("杭州大型企业"), employees=101)  # 100 staff is the limit
    with pytest.raises(ValidationError, match="pre-check"):
        rounds.candidacy_submit(actor=as_actor(officer), selection=open_round, enterprise=too_big)
    exactly = facts(make_org("杭州百人企业"), employees=100, rd_staff=12)
    assert (
        rounds.candidacy_submit(actor=as_actor(officer), selection=open_round, enterprise=exactly).route == "nominated"
    )


def test_over_the_financing_limit_needs_a_relaxation_ground_with_evidence(open_round, officer, make_org):
    funded = facts(make_org("杭州融资较多企业"), financing=30_000_000, valuation=300_000_000)
    with pytest.raises(ValidationError, match="relaxation ground"):
        rounds.candidacy_submit(actor=as_actor(officer), selection=open_round, enterprise=funded)
    with pytest.raises(ValidationError, match="evidence"):
        rounds.candidacy_submit(
            actor=as_actor(officer), selection=open_round, enterprise=funded, ground="disruptive_technology"
        )
    candidacy = rounds.candidacy_submit(
        actor=as_actor(officer), selection=open_round, enterprise=funded, ground="disruptive_technology",
        evidence="国际首创的柔性关节技术，已获发明专利3项",
    )  # fmt: skip
    assert candidacy.precheck_verdict == "review" and candidacy.ground == "disruptive_technology"


def _review(open_round, officer, experts, *candidates):
    for e in experts:
        rounds.panel_add(actor=as_actor(officer), selection=open_round, expert=e)
    rounds.round_close(actor=as_actor(officer), selection=open_round)
    open_round.refresh_from_db()
    for e in experts:
        rounds.panel_declare(actor=as_actor(e), selection=open_round, declaration="无利益关系")


def test_scores_ranking_quota_and_publication(officer, enterprise_user, seedling_co, second_co, experts, make_org):
    selection = rounds.round_open(actor=as_actor(officer), year=THIS_YEAR, quota=1)
    a = rounds.candidacy_submit(actor=as_actor(officer), selection=selection, enterprise=seedling_co)
    b = rounds.candidacy_submit(actor=as_actor(officer), selection=selection, enterprise=second_co)
    _review(selection, officer, experts[:2])
    for expert in experts[:2]:
        rounds.score_submit(actor=as_actor(expert), candidacy=a, points=[8, 8, 8, 8])
        rounds.score_submit(actor=as_actor(expert), candidacy=b, points=[9, 9, 9, 9])
    with pytest.raises(ValidationError, match="already scored"):
        rounds.score_submit(actor=as_actor(experts[0]), candidacy=a, points=[10, 10, 10, 10])
    rounds.round_approve(actor=as_actor(officer), selection=selection)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (b.rank, b.status, b.mean_score) == (1, "selected", 90)
    assert (a.rank, a.status) == (2, "not_selected")  # the quota of one holds
    rounds.round_publish(actor=as_actor(officer), selection=selection)
    assert list(Recognition.objects.filter(kind="good_seedling").values_list("enterprise", flat=True)) == [second_co.pk]
    assert AuditEvent.objects.filter(action="seedling.round.published").exists()


def test_scores_stay_within_the_rubric(open_round, officer, seedling_co, experts):
    a = rounds.candidacy_submit(actor=as_actor(officer), selection=open_round, enterprise=seedling_co)
    rounds.panel_add(actor=as_actor(officer), selection=open_round, expert=experts[0])
    rounds.round_close(actor=as_actor(officer), selection=open_round)
    with pytest.raises(ValidationError, match="Declare"):
        rounds.score_submit(actor=as_actor(experts[0]), candidacy=a, points=[5, 5, 5, 5])
    rounds.panel_declare(actor=as_actor(experts[0]), selection=open_round, declaration="无")
    for bad in ([11, 5, 5, 5], [5, 5, 5], [-1, 5, 5, 5], ["x", 5, 5, 5]):
        with pytest.raises(ValidationError):
            rounds.score_submit(actor=as_actor(experts[0]), candidacy=a, points=bad)
    with pytest.raises(PermissionDenied):
        rounds.score_submit(actor=as_actor(experts[1]), candidacy=a, points=[5, 5, 5, 5])  # not on the panel


def test_a_conflicted_expert_is_refused_with_the_reason(open_round, officer, seedling_co, make_user):
    from rainforest.accounts.choices import Role

    insider = make_user("insider", Role.EXPERT, seedling_co.organisation)
    a = rounds.candidacy_submit(actor=as_actor(officer), selection=open_round, enterprise=seedling_co)
    _review(open_round, officer, [insider])
    with pytest.raises(ValidationError, match="works for"):
        rounds.score_submit(actor=as_actor(insider), candidacy=a, points=[5, 5, 5, 5])


def test_two_officers_approving_leave_one_decision(officer, officer2, seedling_co, experts):
    selection = rounds.round_open(actor=as_actor(officer), year=THIS_YEAR)
    a = rounds.candidacy_submit(actor=as_actor(officer), selection=selection, enterprise=seedling_co)
    _review(selection, officer, experts[:1])
    rounds.score_submit(actor=as_actor(experts[0]), candidacy=a, points=[7, 7, 7, 7])
    rounds.round_approve(actor=as_actor(officer), selection=selection)
    with pytest.raises(ValidationError, match="cannot be done now"):
        rounds.round_approve(actor=as_actor(officer2), selection=selection)
    assert AuditEvent.objects.filter(action="seedling.round.approved").count() == 1


def test_nothing_is_applied_after_the_round_closes(open_round, officer, enterprise_user, seedling_co):
    rounds.round_close(actor=as_actor(officer), selection=open_round)
    with pytest.raises(ValidationError, match="cannot be done now"):
        rounds.candidacy_submit(actor=as_actor(enterprise_user), selection=open_round, enterprise=seedling_co)
    assert not Candidacy.objects.exists()
