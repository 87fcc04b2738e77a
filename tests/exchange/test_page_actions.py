"""The exchange's page actions: one URL and one form per action. A move name the table does not
offer is a 404; objects the user may not see are 404, actions their role may not take 403; a bad
value is a message in the user's language and changes nothing, never a server error."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from rainforest.exchange.models import Application, Call, Capability, Objection, Project, PublicNotice, Scenario
from rainforest.exchange.services import calls, reviews, scenarios
from rainforest.exchange.workflows import APPLICATION, CALL, CAPABILITY, OBJECTION, PROJECT, SCENARIO
from tests.conftest import sign_in
from tests.exchange.conftest import SCENARIO as SCENARIO_DATA
from tests.exchange.conftest import as_actor, close_now

pytestmark = pytest.mark.django_db

CAPABILITY_DATA = {
    "title": "四足巡检机器人",
    "domains": ["patrol"],
    "description": "防爆四足机器人，支持夜间自主巡检。",
    "trl": 7,
    "districts_served": ["滨江区"],
}


def errors(response) -> list[str]:
    return re.findall(r'<p class="msg error"[^>]*>(.*?)</p>', response.content.decode(), re.S)


def test_the_exchange_declares_its_tables_in_one_shape():
    names = {t.name for t in (SCENARIO, CAPABILITY, CALL, APPLICATION, OBJECTION, PROJECT)}
    assert names == {
        "exchange.scenario",
        "exchange.capability",
        "exchange.call",
        "exchange.application",
        "exchange.objection",
        "exchange.project",
    }
    assert {m.action for m in SCENARIO.moves if m.internal} == {"publish", "open_call", "close_call", "award"}
    assert {m.action for m in APPLICATION.moves if m.internal} == {"select", "not_select"}


def test_no_status_is_set_by_hand_outside_a_table():
    """Every status, stage or outcome change goes through a table's apply."""
    root = Path(__file__).resolve().parents[2] / "src" / "rainforest" / "exchange"
    by_hand = re.compile(r"\.(status|outcome)\s*=[^=]|update\([^)]*\b(status|outcome)\s*=")
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if by_hand.search(line)
    ]
    assert offenders == []


# --- scenarios ----------------------------------------------------------------------------------


def test_a_move_the_table_does_not_offer_by_name_is_a_404(client, publisher, officer):
    s = scenarios.scenario_create(actor=as_actor(publisher), **SCENARIO_DATA)
    sign_in(client, officer)
    for move in ("bogus", "publish", "open_call", "award"):
        assert client.post(f"/exchange/scenarios/{s.pk}/moves/{move}/").status_code == 404
    s.refresh_from_db()
    assert s.status == "draft"


def test_a_move_page_takes_posts_only(client, publisher):
    s = scenarios.scenario_create(actor=as_actor(publisher), **SCENARIO_DATA)
    sign_in(client, publisher)
    assert client.get(f"/exchange/scenarios/{s.pk}/moves/submit/").status_code == 405


def test_a_return_without_reason_is_refused_in_words_and_an_overlong_reason_too(client, publisher, officer):
    s = scenarios.scenario_create(actor=as_actor(publisher), **SCENARIO_DATA)
    scenarios.scenario_move(actor=as_actor(publisher), scenario=s, action="submit")
    sign_in(client, officer)
    refused = client.post(f"/exchange/scenarios/{s.pk}/moves/return/", {"reason": ""}, follow=True)
    assert refused.status_code == 200 and errors(refused)
    too_long = client.post(f"/exchange/scenarios/{s.pk}/moves/return/", {"reason": "长" * 5000}, follow=True)
    assert too_long.status_code == 200 and any("原因" in e for e in errors(too_long))
    s.refresh_from_db()
    assert s.status == "submitted"
    client.post(f"/exchange/scenarios/{s.pk}/moves/return/", {"reason": "预算区间请细化到设备与服务"})
    s.refresh_from_db()
    assert s.status == "returned" and s.status_reason == "预算区间请细化到设备与服务"


def test_the_scenario_page_offers_the_moves_of_the_table_as_urls(client, published, publisher):
    sign_in(client, publisher)
    page = client.get(f"/exchange/scenarios/{published.pk}/").content.decode()
    assert f"/exchange/scenarios/{published.pk}/moves/withdraw/" in page
    assert f"/exchange/scenarios/{published.pk}/moves/close/" in page
    assert "/moves/open_call/" not in page and 'name="action"' not in page


def test_the_api_cannot_ask_for_a_move_a_larger_step_makes(published, officer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Unknown action"):
        scenarios.scenario_move(actor=as_actor(officer), scenario=published, action="open_call")


# --- capabilities -------------------------------------------------------------------------------


def test_capabilities_move_through_their_urls(client, enterprise_user, officer):
    c = scenarios.capability_create(actor=as_actor(enterprise_user), **CAPABILITY_DATA)
    sign_in(client, enterprise_user)
    assert client.post(f"/exchange/capabilities/{c.pk}/moves/submit/").url == "/exchange/capabilities/mine/"
    assert client.post(f"/exchange/capabilities/{c.pk}/moves/approve/").status_code == 403
    client.post("/accounts/logout/")
    sign_in(client, officer)
    assert "/moves/approve/" in client.get("/exchange/queue/").content.decode()
    assert client.post(f"/exchange/capabilities/{c.pk}/moves/approve/").url == "/exchange/queue/"
    c.refresh_from_db()
    assert c.status == "approved" and c.approved_at
    assert client.post(f"/exchange/capabilities/{c.pk}/moves/bogus/").status_code == 404


def test_another_organisations_draft_capability_is_a_404_an_approved_one_a_403(client, enterprise_user, outsider):
    c = scenarios.capability_create(actor=as_actor(enterprise_user), **CAPABILITY_DATA)
    sign_in(client, outsider)
    assert client.post(f"/exchange/capabilities/{c.pk}/moves/withdraw/").status_code == 404
    Capability.objects.filter(pk=c.pk).update(status="approved")
    assert client.post(f"/exchange/capabilities/{c.pk}/moves/withdraw/").status_code == 403
    c.refresh_from_db()
    assert c.status == "approved"


# --- lists --------------------------------------------------------------------------------------


def test_publishing_a_list_with_a_bad_item_is_a_message_not_a_500(client, publisher, officer):
    s = scenarios.scenario_create(actor=as_actor(publisher), **SCENARIO_DATA)
    scenarios.scenario_move(actor=as_actor(publisher), scenario=s, action="submit")
    scenarios.scenario_move(actor=as_actor(officer), scenario=s, action="approve")
    sign_in(client, officer)
    data = {"kind": "scenarios", "year": 2026, "number": 1, "title": "2026年第1批"}
    for ids in (["abc"], ["99999999999999999999"], [str(s.pk), "-1"]):
        response = client.post("/exchange/lists/publish/", {**data, "ids": ids}, follow=True)
        assert response.status_code == 200 and errors(response)
    assert (
        client.post("/exchange/lists/publish/", {**data, "number": "x", "ids": [s.pk]}, follow=True).status_code == 200
    )
    s.refresh_from_db()
    assert s.status == "approved"
    assert client.post("/exchange/lists/publish/", {**data, "ids": [s.pk]}).status_code == 302
    s.refresh_from_db()
    assert s.status == "published"


def test_only_officers_publish_lists(client, publisher):
    sign_in(client, publisher)
    response = client.post("/exchange/lists/publish/", {"kind": "scenarios", "year": 2026, "number": 1, "title": "x"})
    assert response.status_code == 403


# --- calls --------------------------------------------------------------------------------------


def test_officer_procedure_urls_are_for_officers(client, open_call, publisher, enterprise_user, expert):
    for user in (publisher, enterprise_user):
        sign_in(client, user)
        assert client.post(f"/exchange/calls/{open_call.pk}/panel/", {"username": expert.username}).status_code == 403
        assert client.post(f"/exchange/calls/{open_call.pk}/start-review/").status_code == 403
        assert client.post(f"/exchange/calls/{open_call.pk}/finalise/").status_code == 403
        client.post("/accounts/logout/")
    assert not open_call.panel.exists()
    assert client.post("/exchange/calls/999999/start-review/").status_code in (302, 404)  # signed out


def test_an_unknown_expert_and_an_early_review_are_messages(client, open_call, officer):
    sign_in(client, officer)
    unknown = client.post(f"/exchange/calls/{open_call.pk}/panel/", {"username": "nobody"}, follow=True)
    assert errors(unknown) and not open_call.panel.exists()
    early = client.post(f"/exchange/calls/{open_call.pk}/start-review/", follow=True)
    assert errors(early)
    open_call.refresh_from_db()
    assert open_call.status == "open"
    assert client.get(f"/exchange/calls/{open_call.pk}/start-review/").status_code == 405


def test_withdrawing_an_application_has_its_own_url(client, applied, open_call, enterprise_user, outsider, publisher):
    mine, theirs = applied
    sign_in(client, enterprise_user)
    assert (
        f"/exchange/applications/{mine.pk}/withdraw/"
        in client.get(f"/exchange/calls/{open_call.pk}/apply/").content.decode()
    )
    assert client.post(f"/exchange/applications/{theirs.pk}/withdraw/").status_code == 404
    assert client.post(f"/exchange/applications/{mine.pk}/withdraw/").status_code == 302
    mine.refresh_from_db()
    assert mine.status == "withdrawn"
    client.post("/accounts/logout/")
    sign_in(client, publisher)  # does not see an application before the deadline, let alone withdraw it
    assert client.post(f"/exchange/applications/{theirs.pk}/withdraw/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "submitted"


def test_a_late_withdrawal_is_refused_in_words(client, applied, open_call, enterprise_user):
    mine, _theirs = applied
    close_now(open_call)
    sign_in(client, enterprise_user)
    response = client.post(f"/exchange/applications/{mine.pk}/withdraw/", follow=True)
    assert errors(response)
    mine.refresh_from_db()
    assert mine.status == "submitted"


@pytest.fixture
def scored(applied, open_call, officer, expert):
    close_now(open_call)
    calls.call_start_review(actor=as_actor(officer), call=open_call)
    assignment = reviews.panel_assign(actor=as_actor(officer), call=open_call, expert=expert)
    reviews.panel_declare(actor=as_actor(expert), assignment=assignment, conflicted=[])
    open_call.refresh_from_db()
    return open_call, assignment


def test_scores_are_read_by_a_form(client, scored, applied, expert):
    call, assignment = scored
    first, _second = applied
    rubric = list(call.rubric.all())
    sign_in(client, expert)
    url = f"/exchange/reviews/{assignment.pk}/{first.pk}/"
    assert client.get(url).status_code == 405
    for bad in ("abc", "11", "-1", ""):
        response = client.post(url, {f"score_{r.pk}": bad for r in rubric}, follow=True)
        assert response.status_code == 200 and errors(response)
    too_long = client.post(url, {**{f"score_{r.pk}": 5 for r in rubric}, "comment": "长" * 5000}, follow=True)
    assert errors(too_long)
    assert not assignment.reviews.exists()
    client.post(url, {f"score_{r.pk}": 8 for r in rubric})
    assert assignment.reviews.get().scores == {str(r.pk): 8 for r in rubric}


def test_picks_are_read_by_a_form(client, scored, applied, publisher, outsider, expert):
    call, assignment = scored
    first, second = applied
    rubric = {str(r.pk): 9 for r in call.rubric.all()}
    reviews.review_submit(actor=as_actor(expert), assignment=assignment, application=first, scores=rubric)
    sign_in(client, outsider)
    assert client.post(f"/exchange/calls/{call.pk}/pick/", {"winner": [first.pk]}).status_code == 403
    client.post("/accounts/logout/")
    sign_in(client, publisher)
    url = f"/exchange/calls/{call.pk}/pick/"
    for bad in ({"winner": ["abc"]}, {"winner": [999999]}, {"winner": [first.pk], "channel": "x" * 300}):
        response = client.post(url, {"channel": "hz@example.cn", f"reason_{first.pk}": "方案完整", **bad}, follow=True)
        assert response.status_code == 200 and errors(response)
    call.refresh_from_db()
    assert call.status == "review"
    client.post(url, {"winner": [first.pk], f"reason_{first.pk}": "方案完整、成本合理", "channel": "hz@example.cn"})
    call.refresh_from_db()
    assert call.status == "notice"


def test_objections_are_answered_at_their_own_url(client, scored, applied, publisher, officer, outsider, expert):
    call, assignment = scored
    first, _second = applied
    rubric = {str(r.pk): 9 for r in call.rubric.all()}
    reviews.review_submit(actor=as_actor(expert), assignment=assignment, application=first, scores=rubric)
    notice = reviews.award_pick(
        actor=as_actor(publisher), call=call, picks=[(first, "技术方案最完整")], channel="x@y.cn"
    )
    PublicNotice.objects.filter(pk=notice.pk).update(starts_on=timezone.localdate())
    sign_in(client, outsider)
    assert client.post(f"/exchange/calls/{call.pk}/objection/", {"text": "长" * 5000}, follow=True).status_code == 200
    assert not Objection.objects.exists()
    client.post(f"/exchange/calls/{call.pk}/objection/", {"text": "中选单位存在未披露的关联关系。"})
    objection = Objection.objects.get()
    url = f"/exchange/objections/{objection.pk}/answer/"
    assert client.post(url, {"upheld": "1", "response": "属实，重新评审。"}).status_code == 404  # not theirs to see
    client.post("/accounts/logout/")
    sign_in(client, publisher)
    assert client.post(url, {"upheld": "1", "response": "属实，重新评审。"}).status_code == 403
    client.post("/accounts/logout/")
    sign_in(client, officer)
    page = client.get(f"/exchange/calls/{call.pk}/").content.decode()
    assert url in page and 'name="action"' not in page
    assert f"/exchange/calls/{call.pk}/panel/" not in page  # the panel is settled once the picks are on notice
    assert errors(client.post(url, {"upheld": "maybe", "response": "属实，重新评审。"}, follow=True))
    client.post(url, {"upheld": "1", "response": "属实，重新评审。"})
    objection.refresh_from_db()
    call.refresh_from_db()
    assert objection.outcome == "upheld" and call.status == "review"
    assert errors(client.post(url, {"upheld": "0", "response": "再答一次。"}, follow=True))  # answered already


def test_a_call_without_a_notice_takes_no_objection(client, open_call, outsider):
    sign_in(client, outsider)
    assert (
        client.post(
            f"/exchange/calls/{open_call.pk}/objection/", {"text": "评分过程未考虑我方的成本优势。"}
        ).status_code
        == 404
    )
    assert client.get(f"/exchange/calls/{open_call.pk}/objection/").status_code == 405


def test_finalising_marks_every_application_through_the_table(client, scored, applied, publisher, officer, expert):
    call, assignment = scored
    first, second = applied
    rubric = {str(r.pk): 9 for r in call.rubric.all()}
    reviews.review_submit(actor=as_actor(expert), assignment=assignment, application=first, scores=rubric)
    reviews.award_pick(actor=as_actor(publisher), call=call, picks=[(first, "技术方案最完整")], channel="x@y.cn")
    sign_in(client, officer)
    assert errors(client.post(f"/exchange/calls/{call.pk}/finalise/", follow=True))  # the notice still runs
    PublicNotice.objects.filter(call=call).update(ends_on=timezone.localdate() - dt.timedelta(days=1))
    client.post(f"/exchange/calls/{call.pk}/finalise/")
    assert dict(Application.objects.values_list("pk", "status")) == {first.pk: "winner", second.pk: "not_selected"}
    assert Call.objects.get().status == "final" and Scenario.objects.get().status == "awarded"


# --- projects -----------------------------------------------------------------------------------


@pytest.fixture
def project(published, bureau, startup):
    return Project.objects.create(
        scenario=published,
        publisher=bureau,
        enterprise=startup,
        contract_value=1_200_000,
        agreed_on=timezone.localdate(),
    )


def test_project_actions_have_their_urls_and_forms(client, project, publisher, enterprise_user, outsider):
    sign_in(client, outsider)
    assert client.post(f"/exchange/projects/{project.pk}/moves/start_trial/").status_code == 404
    client.post("/accounts/logout/")
    sign_in(client, enterprise_user)
    base = f"/exchange/projects/{project.pk}"
    assert client.post(f"{base}/moves/bogus/").status_code == 404
    assert client.post(f"{base}/moves/confirm_landing/").status_code == 403  # the publisher confirms
    assert errors(client.post(f"{base}/milestones/", {"title": "试点部署", "due_on": "not a date"}, follow=True))
    client.post(f"{base}/milestones/", {"title": "试点部署", "due_on": timezone.localdate().isoformat()})
    milestone = project.milestones.get()
    page = client.get(f"{base}/").content.decode()
    assert f"{base}/milestones/{milestone.pk}/done/" in page and f"{base}/moves/start_trial/" in page
    assert f"{base}/moves/confirm_landing/" not in page and 'name="action"' not in page
    assert errors(client.post(f"{base}/changes/", {"text": "长" * 5000}, follow=True))
    client.post(f"{base}/changes/", {"text": "试点范围扩大到两个站点。"})
    assert project.events.filter(kind="changed").exists()
    assert client.post(f"{base}/followup/", {}).status_code == 403  # refused before its form is read
    client.post("/accounts/logout/")
    sign_in(client, publisher)
    refused = client.post(f"{base}/moves/confirm_landing/", {"note": "试点达标"}, follow=True)
    assert errors(refused)  # the milestone is not done: the table's guard says so
    client.post(f"{base}/milestones/{milestone.pk}/done/", {"evidence": "现场验收单已上传"})
    assert client.post(f"{base}/milestones/999999/done/", {"evidence": "现场验收单已上传"}).status_code == 404
    client.post(f"{base}/moves/confirm_landing/", {"note": "试点达标"})
    project.refresh_from_db()
    assert project.status == "landed"
    page = client.get(f"{base}/").content.decode()
    assert f"{base}/followup/" in page and f"{base}/moves/accept/" in page
    bad = {"in_use": "1", "in_use_since": "", "further_contracts": "abc", "further_value": "1"}
    assert errors(client.post(f"{base}/followup/", bad, follow=True))
    assert errors(client.post(f"{base}/followup/", {**bad, "further_contracts": "100000"}, follow=True))
    good = {"in_use": "1", "in_use_since": timezone.localdate().isoformat(), "further_contracts": "2"}
    client.post(f"{base}/followup/", {**good, "further_value": "3000000"})
    project.refresh_from_db()
    assert project.in_use and project.further_contracts == 2
    assert client.get(f"{base}/followup/").status_code == 405


# --- public filters -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"min_trl": "abc"},
        {"min_trl": "99"},
        {"domain": "nowhere"},
        {"budget": "lots"},
        {"page": "x"},
        {"q": "长" * 300},
    ],
)
def test_a_bad_filter_is_a_message_on_the_list(client, published, query):
    response = client.get("/exchange/", query)
    assert response.status_code == 200 and errors(response)
    assert SCENARIO_DATA["title"] in response.content.decode()  # the other filters still apply


def test_bad_filters_on_the_capability_list_and_a_published_list(client, published):
    from rainforest.exchange.models import PublishedList

    assert errors(client.get("/exchange/capabilities/", {"min_trl": "x"}))
    published_list = PublishedList.objects.get()
    response = client.get(f"/exchange/lists/{published_list.pk}/", {"format": "docx", "min_trl": "x"})
    assert response.status_code == 200 and len(errors(response)) == 2
