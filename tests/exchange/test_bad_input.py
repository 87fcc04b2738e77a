"""The exchange at its edges: impossible budgets and periods, rubrics that cannot be scored, and a
panel that sees nothing before the deadline."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from rainforest.exchange.models import Attachment, Call, Scenario
from rainforest.exchange.services import calls, reviews, scenarios
from tests.conftest import sign_in
from tests.exchange.conftest import PROPOSAL, SCENARIO, as_actor, close_now

pytestmark = pytest.mark.django_db


def form_data(**changes):
    return {**SCENARIO, "contact_public": "", **changes}


def test_a_budget_minimum_above_its_maximum_is_a_form_error_not_a_server_error(client, publisher):
    sign_in(client, publisher)
    response = client.post("/exchange/scenarios/new/", form_data(budget_min=3000000, budget_max=1000000))
    assert response.status_code == 200
    assert not Scenario.objects.exists()
    assert "预算" in response.content.decode()
    assert "scenario_budget_order" not in response.content.decode()


def test_a_budget_is_entered_in_wan_yuan_as_the_lists_show_it_and_kept_in_yuan(client, publisher):
    sign_in(client, publisher)
    response = client.post("/exchange/scenarios/new/", form_data(budget_min="50", budget_max="1,250.8"))
    scenario = Scenario.objects.get()
    assert response.status_code == 302 and (scenario.budget_min, scenario.budget_max) == (500_000, 12_508_000)
    page = client.get(f"/exchange/scenarios/{scenario.pk}/edit/").content.decode()
    assert "预算下限（万元）" in page and 'value="50"' in page and 'value="1250.8"' in page
    assert "50–1,250.8 万元" in client.get(f"/exchange/scenarios/{scenario.pk}/").content.decode()


@pytest.mark.parametrize("budget", ["abc", "-1", "1.23456", "99999999999"])
def test_a_budget_that_is_no_amount_of_wan_yuan_is_refused_in_chinese(client, publisher, budget):
    sign_in(client, publisher)
    response = client.post("/exchange/scenarios/new/", form_data(budget_min="", budget_max=budget))
    assert response.status_code == 200 and not Scenario.objects.exists()
    assert "预算上限（万元）" in response.content.decode()


def test_too_large_a_budget_is_one_error_in_wan_yuan(client, publisher):
    sign_in(client, publisher)
    page = client.post("/exchange/scenarios/new/", form_data(budget_min="", budget_max="99999999999")).content.decode()
    assert page.count("金额过大") == 1 and "9,999,999,999.00 万元" in page and not Scenario.objects.exists()


def test_a_start_date_after_the_end_date_is_refused(client, publisher):
    sign_in(client, publisher)
    response = client.post("/exchange/scenarios/new/", form_data(starts_on="2027-06-01", ends_on="2027-01-01"))
    assert response.status_code == 200
    assert not Scenario.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"budget_min": -1},
        {"budget_max": -100},
        {"budget_min": 3, "budget_max": 2},
        {"starts_on": dt.date(2027, 2, 1), "ends_on": dt.date(2027, 1, 31)},
    ],
)
def test_the_service_refuses_what_the_page_refuses(publisher, changes):
    with pytest.raises(ValidationError):
        scenarios.scenario_create(actor=as_actor(publisher), **{**SCENARIO, **changes})
    assert not Scenario.objects.exists()


def test_a_budget_of_one_amount_and_a_one_day_period_are_accepted(publisher):
    one_day = dt.date(2027, 3, 1)
    scenario = scenarios.scenario_create(
        actor=as_actor(publisher),
        **{**SCENARIO, "budget_min": 0, "budget_max": 0, "starts_on": one_day, "ends_on": one_day},
    )
    assert scenario.pk


def test_the_database_refuses_an_inverted_budget_written_around_the_service(publisher):
    with pytest.raises(IntegrityError), transaction.atomic():
        Scenario.objects.create(
            publisher=publisher.memberships.first().organisation, **SCENARIO | {"budget_min": 9_000_000}
        )


@pytest.mark.parametrize(
    "rubric",
    [
        [("技术方案", 100, 0)],  # a maximum of 0 would divide every score by zero
        [("技术方案", 100, 101)],
        [("技术方案", 0, 10), ("团队", 100, 10)],
        [("技术方案", 50, 10), ("技术方案", 50, 10)],
        [("", 100, 10)],
        [],
    ],
)
def test_a_rubric_that_cannot_be_scored_does_not_open_a_call(published, publisher, rubric):
    now = timezone.now()
    with pytest.raises(ValidationError):
        calls.call_open(
            actor=as_actor(publisher),
            scenario=published,
            opens_at=now,
            closes_at=now + dt.timedelta(days=7),
            rubric=rubric,
        )
    assert not Call.objects.exists()


def test_a_panel_sees_no_proposal_while_the_call_is_open(
    client, open_call, officer, expert, enterprise_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    calls.application_submit(
        actor=as_actor(enterprise_user), call=open_call, files=[("plan.pdf", b"%PDF-1.4 x")], **PROPOSAL
    )
    assignment = reviews.panel_assign(actor=as_actor(officer), call=open_call, expert=expert)
    attachment = Attachment.objects.get(owner_type="application")
    sign_in(client, expert)
    page = client.get(f"/exchange/reviews/{assignment.pk}/").content.decode()
    assert PROPOSAL["approach"] not in page and enterprise_user.memberships.first().organisation.name not in page
    assert client.get(f"/exchange/attachments/{attachment.pk}/").status_code == 404
    with pytest.raises(ValidationError):
        reviews.panel_declare(actor=as_actor(expert), assignment=assignment, conflicted=[])

    close_now(open_call)
    calls.call_start_review(actor=as_actor(officer), call=open_call)
    reviews.panel_declare(actor=as_actor(expert), assignment=assignment, conflicted=[])
    response = client.get(f"/exchange/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_upload_is_served_as_the_type_it_was_checked_as_whatever_its_name(
    client, open_call, enterprise_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    calls.application_submit(
        actor=as_actor(enterprise_user), call=open_call, files=[("plan.html", b"%PDF-1.4 <script>")], **PROPOSAL
    )
    sign_in(client, enterprise_user)
    response = client.get(f"/exchange/attachments/{Attachment.objects.get().pk}/")
    assert response["Content-Type"] == "application/pdf"


def test_a_declared_conflict_hides_that_application_from_the_expert(
    client, applied, open_call, officer, expert, settings, tmp_path
):
    close_now(open_call)
    calls.call_start_review(actor=as_actor(officer), call=open_call)
    assignment = reviews.panel_assign(actor=as_actor(officer), call=open_call, expert=expert)
    first, _second = applied
    reviews.panel_declare(actor=as_actor(expert), assignment=assignment, conflicted=[first.pk])
    from rainforest.exchange.selectors import application_get_for

    with pytest.raises(Exception) as refused:
        application_get_for(actor=as_actor(expert), pk=first.pk)
    assert refused.typename == "Http404"
    assert application_get_for(actor=as_actor(expert), pk=_second.pk) == _second


@pytest.mark.parametrize("changes", [{"budget_min": -1}, {"budget_min": 3_000_000, "budget_max": 1_000_000}])
def test_the_api_refuses_a_budget_the_page_refuses(client, publisher, changes):
    sign_in(client, publisher)
    response = client.post("/api/v1/exchange/scenarios", {**SCENARIO, **changes}, content_type="application/json")
    assert response.status_code in (400, 422)
    assert not Scenario.objects.exists()


@pytest.mark.parametrize("closes_at", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_a_call_window_beyond_the_platforms_years_is_a_form_error_not_a_server_error(
    client, published, publisher, closes_at
):
    sign_in(client, publisher)
    data = {"opens_at": "2026-12-01T09:00", "closes_at": closes_at, "max_winners": 1, "rubric": "技术方案, 100, 10"}
    response = client.post(f"/exchange/scenarios/{published.pk}/call/", data)
    assert response.status_code == 200
    assert "年份须在 2000 到 2100 之间" in response.content.decode()
    assert not Call.objects.exists()
    with pytest.raises(ValidationError):
        calls.call_open(
            actor=as_actor(publisher),
            scenario=published,
            opens_at=timezone.now(),
            closes_at=timezone.now().replace(year=2101),
            rubric=[("技术方案", 100, 10)],
        )


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_scenario_period_outside_the_platforms_years_is_refused(client, publisher, day):
    sign_in(client, publisher)
    response = client.post("/exchange/scenarios/new/", form_data(starts_on=day, ends_on=day))
    assert response.status_code == 200
    assert "年份须在 2000 到 2100 之间" in response.content.decode()
    assert not Scenario.objects.exists()
