"""The seedling API at its edges: years it does not hold are refused with 422, never a 500."""

import pytest

from rainforest.seedling.models import MeasureApplication
from tests.test_api import api, token_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("year", ["0", "99999", "-1", "1999", "2101", "abc"])
def test_the_pyramid_refuses_a_year_it_does_not_hold(client, officer, year):
    response = api(client, token_for(officer), "get", f"/seedling/pyramid?year={year}")
    assert response.status_code == 422, response.content


@pytest.mark.parametrize("year", ["2000", "2100"])
def test_the_pyramid_answers_its_first_and_last_years(client, officer, year):
    assert api(client, token_for(officer), "get", f"/seedling/pyramid?year={year}").status_code == 200


@pytest.mark.parametrize(
    "over", [{"year": 0}, {"year": 99999}, {"amount": -1}, {"amount": "1e30"}, {"months": -1}, {"months": 2**40}]
)
def test_an_application_out_of_range_is_refused_and_nothing_saved(client, enterprise_user, seedling_co, over):
    body = {"measure": "RM-M03a", "year": 2026, **over}
    response = api(client, token_for(enterprise_user), "post", "/seedling/applications", data=body)
    assert response.status_code == 422, response.content
    assert not MeasureApplication.objects.exists()
