import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from rainforest.accounts.choices import Role
from rainforest.exchange.calendar import notice_window
from rainforest.exchange.models import Application, Project, PublicNotice
from rainforest.exchange.services import calls, reviews
from tests.exchange.conftest import as_actor, close_now


def scores(call, value):
    return {str(c.pk): value for c in call.rubric.all()}


@pytest.fixture
def in_review(applied, open_call, officer, expert):
    close_now(open_call)
    calls.call_start_review(actor=as_actor(officer), call=open_call)
    assignment = reviews.panel_assign(actor=as_actor(officer), call=open_call, expert=expert)
    open_call.refresh_from_db()
    return open_call, assignment


def test_an_expert_of_an_applicant_is_refused_with_the_reason(applied, open_call, officer, make_user, startup):
    conflicted = make_user("erin", Role.EXPERT, startup)  # works for alice's company
    with pytest.raises(ValidationError, match="works for 杭州甲科技有限公司"):
        reviews.panel_assign(actor=as_actor(officer), call=open_call, expert=conflicted)


def test_an_expert_of_the_publisher_is_refused(open_call, officer, make_user, bureau):
    insider = make_user("ivy", Role.EXPERT, bureau)
    with pytest.raises(ValidationError, match="publisher"):
        reviews.panel_assign(actor=as_actor(officer), call=open_call, expert=insider)


def test_a_cooperation_project_with_an_applicant_is_a_conflict(
    applied, open_call, officer, make_user, make_org, startup
):
    from rainforest.accounts.choices import OrganisationKind

    institute = make_org(name="某研究院", kind=OrganisationKind.UNIVERSITY)
    expert = make_user("ken", Role.EXPERT, institute)
    Project.objects.create(
        scenario=open_call.scenario,
        publisher=institute,
        enterprise=startup,
        contract_value=1,
        agreed_on=dt.date(2025, 1, 1),
    )
    with pytest.raises(ValidationError, match="cooperation project"):
        reviews.panel_assign(actor=as_actor(officer), call=open_call, expert=expert)


def test_a_non_expert_cannot_sit_on_a_panel(open_call, officer, enterprise_user):
    with pytest.raises(ValidationError, match="not an active expert"):
        reviews.panel_assign(actor=as_actor(officer), call=open_call, expert=enterprise_user)


def test_declaration_before_scoring_and_scores_locked(in_review, expert, applied):
    call, assignment = in_review
    a, b = applied
    with pytest.raises(ValidationError, match="Declare"):
        reviews.review_submit(actor=as_actor(expert), assignment=assignment, application=a, scores=scores(call, 8))
    reviews.panel_declare(actor=as_actor(expert), assignment=assignment, conflicted=[b.pk], note="乙公司为我近期客户")
    with pytest.raises(ValidationError, match="conflict of interest"):
        reviews.review_submit(actor=as_actor(expert), assignment=assignment, application=b, scores=scores(call, 8))
    review = reviews.review_submit(actor=as_actor(expert), assignment=assignment, application=a, scores=scores(call, 8))
    assert review.weighted == 80.0
    with pytest.raises(ValidationError, match="locked"):
        reviews.review_submit(actor=as_actor(expert), assignment=assignment, application=a, scores=scores(call, 10))
    with pytest.raises(ValidationError, match="cannot be changed"):
        reviews.panel_declare(actor=as_actor(expert), assignment=assignment, conflicted=[])


def test_scores_out_of_range_or_missing_are_refused(in_review, expert, applied):
    call, assignment = in_review
    reviews.panel_declare(actor=as_actor(expert), assignment=assignment, conflicted=[])
    for bad in (scores(call, 11), scores(call, -1), {}):
        with pytest.raises(ValidationError):
            reviews.review_submit(actor=as_actor(expert), assignment=assignment, application=applied[0], scores=bad)


def test_another_expert_cannot_use_an_assignment(in_review, make_user, make_org, applied):
    from django.core.exceptions import PermissionDenied

    from rainforest.accounts.choices import OrganisationKind

    other = make_user("lou", Role.EXPERT, make_org(name="某大学", kind=OrganisationKind.UNIVERSITY))
    _call, assignment = in_review
    with pytest.raises(PermissionDenied):
        reviews.panel_declare(actor=as_actor(other), assignment=assignment, conflicted=[])


def test_ranking_by_mean_score_ties_to_the_earlier_submission(in_review, expert, applied):
    call, assignment = in_review
    a, b = applied
    reviews.panel_declare(actor=as_actor(expert), assignment=assignment, conflicted=[])
    for application in (a, b):
        reviews.review_submit(
            actor=as_actor(expert), assignment=assignment, application=application, scores=scores(call, 7)
        )
    ranked = [r[0].pk for r in reviews.ranking(call)]
    assert ranked == [a.pk, b.pk]  # same score: a was submitted first


def test_notice_runs_five_working_days_across_holidays():
    # National Day 2026: 1-7 October off (make-up working days on 26 Sep and 10 Oct)
    assert notice_window(dt.date(2026, 9, 30), 5) == (dt.date(2026, 9, 30), dt.date(2026, 10, 12))
    assert notice_window(dt.date(2026, 11, 28), 5) == (dt.date(2026, 11, 30), dt.date(2026, 12, 4))


def test_pick_notice_objection_and_final(in_review, expert, applied, publisher, officer, outsider):
    call, assignment = in_review
    a, b = applied
    reviews.panel_declare(actor=as_actor(expert), assignment=assignment, conflicted=[])
    reviews.review_submit(actor=as_actor(expert), assignment=assignment, application=a, scores=scores(call, 9))
    reviews.review_submit(actor=as_actor(expert), assignment=assignment, application=b, scores=scores(call, 6))
    with pytest.raises(ValidationError, match="reason"):
        reviews.award_pick(actor=as_actor(publisher), call=call, picks=[(a, "")], channel="hz@example.cn")
    with pytest.raises(ValidationError):
        reviews.award_pick(actor=as_actor(publisher), call=call, picks=[(a, "最优"), (b, "次优")], channel="x@y.cn")
    notice = reviews.award_pick(
        actor=as_actor(publisher), call=call, picks=[(a, "技术方案最完整")], channel="hz@example.cn"
    )
    # objections are taken while the notice runs
    PublicNotice.objects.filter(pk=notice.pk).update(starts_on=timezone.localdate())
    notice.refresh_from_db()
    objection = reviews.objection_submit(actor=as_actor(outsider), notice=notice, text="评分过程未考虑我方的成本优势。")
    with pytest.raises(ValidationError, match="runs until"):
        reviews.notice_finalise(actor=as_actor(officer), call=call)
    PublicNotice.objects.filter(pk=notice.pk).update(ends_on=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="objection"):
        reviews.notice_finalise(actor=as_actor(officer), call=call)
    reviews.objection_resolve(
        actor=as_actor(officer), objection=objection, upheld=False, response="经复核，成本已按权重计分。"
    )
    projects = reviews.notice_finalise(actor=as_actor(officer), call=call)
    assert [p.enterprise_id for p in projects] == [a.applicant_id]
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses == {a.pk: "winner", b.pk: "not_selected"}
    call.refresh_from_db()
    assert call.status == "final" and call.scenario.status == "awarded"


def test_an_upheld_objection_voids_the_notice_and_reopens_review(
    in_review, expert, applied, publisher, officer, outsider
):
    call, assignment = in_review
    a, _b = applied
    reviews.panel_declare(actor=as_actor(expert), assignment=assignment, conflicted=[])
    reviews.review_submit(actor=as_actor(expert), assignment=assignment, application=a, scores=scores(call, 9))
    notice = reviews.award_pick(actor=as_actor(publisher), call=call, picks=[(a, "技术方案最完整")], channel="x@y.cn")
    PublicNotice.objects.filter(pk=notice.pk).update(starts_on=timezone.localdate())
    notice.refresh_from_db()
    objection = reviews.objection_submit(actor=as_actor(outsider), notice=notice, text="中选单位存在未披露的关联关系。")
    reviews.objection_resolve(actor=as_actor(officer), objection=objection, upheld=True, response="属实，重新评审。")
    notice.refresh_from_db()
    call.refresh_from_db()
    assert notice.void and call.status == "review"
    second = reviews.award_pick(actor=as_actor(publisher), call=call, picks=[(a, "复核后维持")], channel="x@y.cn")
    assert second.pk != notice.pk
