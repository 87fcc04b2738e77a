"""The bulk screening page's list of earlier runs reads its page number through the house's form:
any value is answered, never a 500, and the page stays the officers'."""

import pytest
from django.test import Client

from tests.conftest import sign_in
from tests.list_helpers import MALFORMED_PAGES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", [*MALFORMED_PAGES, "2", "999999"])
def test_any_page_number_shows_a_page_of_the_runs(officer, page):
    response = sign_in(Client(), officer).get("/policy/runs/", {"page": page})
    assert response.status_code == 200 and response.context["page"].number == 1


def test_the_runs_stay_closed_to_those_who_do_not_screen(enterprise_user, publisher):
    for user in (enterprise_user, publisher):
        assert sign_in(Client(), user).get("/policy/runs/", {"page": "abc"}).status_code == 403
