"""A call's panel gets each proposal with the files it came with after the deadline, never
before; nobody else gets them by asking for the file's URL."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from rainforest.accounts.choices import Role
from rainforest.exchange.models import Attachment
from rainforest.exchange.services import calls, reviews, scenarios
from tests.conftest import sign_in
from tests.exchange.conftest import PROPOSAL, RUBRIC, SCENARIO, as_actor, close_now

PLAN = b"%PDF-1.4 the plan of alice's company"


@pytest.fixture
def proposal(open_call, enterprise_user, settings, tmp_path):
    """Alice's company applies with its plan as a PDF named after the company."""
    settings.MEDIA_ROOT = tmp_path
    application = calls.application_submit(
        actor=as_actor(enterprise_user), call=open_call, files=[("杭州甲科技-实施方案.pdf", PLAN)], **PROPOSAL
    )
    return application, Attachment.objects.get(owner_type="application", owner_id=application.pk)


@pytest.fixture
def seat(open_call, officer, expert):
    return reviews.panel_assign(actor=as_actor(officer), call=open_call, expert=expert)


def _start_review(call, officer):
    close_now(call)
    calls.call_start_review(actor=as_actor(officer), call=call)
    call.refresh_from_db()


def _get(client, user, url):
    client.post("/accounts/logout/")
    sign_in(client, user)
    return client.get(url)


@pytest.fixture
def other_call_reviewer(publisher, officer, make_user):
    """An expert declared on the panel of another call, whose review has started."""
    other = scenarios.scenario_create(actor=as_actor(publisher), **{**SCENARIO, "title": "另一个场景"})
    scenarios.scenario_move(actor=as_actor(publisher), scenario=other, action="submit")
    scenarios.scenario_move(actor=as_actor(officer), scenario=other, action="approve")
    scenarios.list_publish(actor=as_actor(officer), kind="scenarios", year=2026, number=9, title="x", ids=[other.pk])
    now = timezone.now()
    call = calls.call_open(
        actor=as_actor(publisher),
        scenario=other,
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=3),
        rubric=RUBRIC,
    )
    reviewer = make_user("eve", Role.EXPERT)
    assignment = reviews.panel_assign(actor=as_actor(officer), call=call, expert=reviewer)
    _start_review(call, officer)
    reviews.panel_declare(actor=as_actor(reviewer), assignment=assignment, conflicted=[])
    return reviewer


def test_before_the_deadline_nobody_but_the_applicant_gets_the_plan(
    client, proposal, seat, open_call, expert, publisher, outsider, enterprise_user
):
    _application, plan = proposal
    url = f"/exchange/attachments/{plan.pk}/"
    assert _get(client, expert, url).status_code == 404
    page = client.get(f"/exchange/reviews/{seat.pk}/").content.decode()
    assert url not in page and PROPOSAL["approach"] not in page
    assert _get(client, publisher, url).status_code == 404  # the publisher reads proposals after the deadline too
    call_page = client.get(f"/exchange/calls/{open_call.pk}/").content.decode()
    assert PROPOSAL["approach"] not in call_page and url not in call_page
    assert _get(client, outsider, url).status_code == 404
    assert client.get(url.replace(str(plan.pk), str(plan.pk + 1000))).status_code == 404
    response = _get(client, enterprise_user, url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PLAN


def test_after_the_deadline_the_declared_panel_gets_each_proposal_with_its_files(
    client, proposal, seat, open_call, officer, expert, publisher, outsider, other_call_reviewer
):
    _application, plan = proposal
    url = f"/exchange/attachments/{plan.pk}/"
    _start_review(open_call, officer)
    # Declaring comes first: before it, no proposal and no file.
    assert _get(client, expert, url).status_code == 404
    reviews.panel_declare(actor=as_actor(expert), assignment=seat, conflicted=[])

    page = client.get(f"/exchange/reviews/{seat.pk}/").content.decode()
    assert PROPOSAL["approach"] in page and url in page and "杭州甲科技-实施方案.pdf" in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PLAN

    assert _get(client, other_call_reviewer, url).status_code == 404  # another call's panel
    assert _get(client, outsider, url).status_code == 404  # an enterprise that is not the applicant
    assert _get(client, publisher, url).status_code == 200  # the publisher, now that the deadline is over
    assert url in client.get(f"/exchange/calls/{open_call.pk}/").content.decode()  # listed with its proposal


def test_a_declared_conflict_keeps_the_files_from_that_member(client, proposal, seat, open_call, officer, expert):
    application, plan = proposal
    _start_review(open_call, officer)
    reviews.panel_declare(actor=as_actor(expert), assignment=seat, conflicted=[application.pk])
    url = f"/exchange/attachments/{plan.pk}/"
    assert url not in _get(client, expert, f"/exchange/reviews/{seat.pk}/").content.decode()
    assert client.get(url).status_code == 404


def test_a_blind_panel_gets_the_files_under_a_neutral_name(
    client, proposal, seat, open_call, officer, expert, enterprise_user
):
    type(open_call).objects.filter(pk=open_call.pk).update(blind_review=True)
    _application, plan = proposal
    _start_review(open_call, officer)
    reviews.panel_declare(actor=as_actor(expert), assignment=seat, conflicted=[])
    page = _get(client, expert, f"/exchange/reviews/{seat.pk}/").content.decode()
    company = enterprise_user.memberships.first().organisation.name
    assert f"/exchange/attachments/{plan.pk}/" in page
    assert "杭州甲科技" not in page and company not in page
    response = client.get(f"/exchange/attachments/{plan.pk}/")
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "%E6%9D%AD%E5%B7%9E" not in disposition and "杭州" not in disposition  # no company name
    assert re.search(r"\.pdf\"?$", disposition)
    # The applicant still downloads it under the name they gave it.
    response = _get(client, enterprise_user, f"/exchange/attachments/{plan.pk}/")
    assert "%E5%AE%9E%E6%96%BD%E6%96%B9%E6%A1%88" in response["Content-Disposition"]  # 实施方案
