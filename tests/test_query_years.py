"""Years and dates typed into pages: anything that is not a year the platform holds is a 400 or a
form error that says why, never a server error, and nothing is saved."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from rainforest.policy.models import ScreeningRun
from rainforest.seedling.models import SelectionRound
from rainforest.seedling.services import rounds
from tests.conftest import sign_in
from tests.exchange.conftest import as_actor

pytestmark = pytest.mark.django_db

BAD_YEARS = ["abc", "0", "-1", "99999", "1999", "2101", "2026.5"]


@pytest.mark.parametrize("year", BAD_YEARS)
def test_the_exchange_targets_page_refuses_a_year_it_does_not_hold(client, year):
    response = client.get("/exchange/targets/", {"year": year})
    assert response.status_code == 400
    assert "年份" in response.content.decode()


@pytest.mark.parametrize("year", BAD_YEARS)
def test_the_pyramid_refuses_a_year_it_does_not_hold(client, officer, year):
    sign_in(client, officer)
    assert client.get("/seedling/", {"year": year}).status_code == 400


@pytest.mark.parametrize("year", ["2000", "2100", ""])
def test_the_first_and_last_years_and_no_year_are_answered(client, year):
    assert client.get("/exchange/targets/", {"year": year}).status_code == 200


@pytest.mark.parametrize("year", [0, 1999, 2101, 99999])
def test_a_selection_round_for_a_year_out_of_range_is_refused(officer, year):
    with pytest.raises(ValidationError):
        rounds.round_open(actor=as_actor(officer), year=year)
    assert not SelectionRound.objects.exists()


@pytest.mark.parametrize("as_of", ["9999-12-31", "1999-12-31"])
def test_a_screening_run_dated_where_no_data_can_be_is_refused(client, officer, as_of):
    sign_in(client, officer)
    response = client.post("/policy/runs/", {"as_of": as_of})
    assert response.status_code == 200
    assert not ScreeningRun.objects.exists()


def test_a_screening_run_may_look_ahead_to_next_year_end(officer):
    from rainforest.policy.services import as_of_check

    as_of_check(dt.date(dt.date.today().year + 1, 12, 31))
    with pytest.raises(ValidationError):
        as_of_check(dt.date(dt.date.today().year + 2, 1, 1))


@pytest.mark.parametrize("path", ["/exchange/?q=%00", "/registry/?q=a%00b", "/exchange/targets/?year=20%0026"])
def test_a_query_with_a_nul_character_is_a_400_that_says_why(client, officer, path):
    sign_in(client, officer)
    response = client.get(path)
    assert response.status_code == 400
    assert "U+0000" in response.content.decode()


def test_a_json_body_with_a_nul_character_is_a_400(client, publisher):
    from tests.exchange.conftest import SCENARIO

    sign_in(client, publisher)
    body = {**SCENARIO, "title": "巡检\u0000机器人"}
    response = client.post("/api/v1/exchange/scenarios", body, content_type="application/json")
    assert response.status_code == 400 and "U+0000" in response.json()["detail"]


@pytest.mark.parametrize(("given", "page"), [("3", 3), ("", 1), ("abc", 1), ("0", 1), ("-3", 1), ("99999999", 1)])
def test_a_page_number_is_read_through_a_form(rf, given, page):
    from rainforest.page_actions import query_page

    assert query_page(rf.get("/", {"page": given})) == page


def test_a_choice_from_a_fixed_set_falls_back_to_its_default(rf):
    from rainforest.page_actions import posted_choice, query_choice

    assert query_choice(rf.get("/", {"format": "jsonl"}), "format", ("csv", "jsonl"), "csv") == "jsonl"
    assert query_choice(rf.get("/", {"format": "<script>"}), "format", ("csv", "jsonl"), "csv") == "csv"
    assert query_choice(rf.get("/"), "format", ("xlsx", "pdf")) == ""
    assert posted_choice(rf.post("/", {"then": "submit"}), "then", ("draft", "submit"), "draft") == "submit"
    assert posted_choice(rf.post("/", {"then": "publish"}), "then", ("draft", "submit"), "draft") == "draft"
