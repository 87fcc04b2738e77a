"""A done run's results a page at a time, filtered by tier and verdict: every result once, counts from
the run itself, and as many queries for a page of a big run as for a page of a small one."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rainforest.accounts import services as accounts
from rainforest.policy import services, views
from rainforest.policy.models import ScreeningRun
from tests.conftest import sign_in
from tests.exchange.conftest import as_actor
from tests.policy.conftest import AS_OF, import_city

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<td class="opt">([0-9A-Z]{18})</td>')


@pytest.fixture
def per_page(monkeypatch):
    monkeypatch.setattr(views, "RESULTS_PER_PAGE", 4)
    return 4


@pytest.fixture
def run(officer, city):
    return services.screening_run(actor=as_actor(officer), as_of=AS_OF)


@pytest.fixture
def olivia(officer):
    return sign_in(Client(), officer)


def walk(client, run, **filters) -> list[str]:
    """Every page of the run's list, first to last, and the codes it shows."""
    codes, page = [], 1
    while True:
        html = client.get(f"/policy/runs/{run.pk}/", {**filters, "page": page}).content.decode()
        codes += ROW.findall(html)
        if "下一页" not in html and "Next" not in html:
            return codes
        page += 1


def test_the_pages_show_every_result_once_in_code_order(olivia, run, per_page):
    codes = walk(olivia, run)
    assert codes == sorted(run.results.values_list("uscc", flat=True)) and len(codes) > 3 * per_page


@pytest.mark.parametrize("tier", ["seed", "tech_sme", "hnte", "young_eagle"])
def test_each_filter_pages_through_exactly_its_results(olivia, run, per_page, tier):
    for verdict, n in run.counts[tier].items():
        codes = walk(olivia, run, tier=tier, verdict=verdict)
        expected = sorted(r.uscc for r in run.results.all() if r.verdict(tier) == verdict)
        assert codes == expected and len(codes) == n


def test_a_filter_nothing_matches_and_unknown_filters_show_nothing(olivia, run):
    for filters in ({"tier": "seed", "verdict": "maybe"}, {"tier": "gold_medal", "verdict": "eligible"}):
        response = olivia.get(f"/policy/runs/{run.pk}/", filters)
        assert response.status_code == 200 and not ROW.findall(response.content.decode())
    assert walk(olivia, run, tier="tech_leader", verdict="eligible") == []  # its criteria are unpublished


def test_a_page_past_the_end_is_the_last_page_and_a_bad_one_the_first(olivia, run, per_page):
    last = olivia.get(f"/policy/runs/{run.pk}/", {"page": 10_000}).content.decode()
    first = olivia.get(f"/policy/runs/{run.pk}/", {"page": "abc"}).content.decode()
    codes = sorted(run.results.values_list("uscc", flat=True))
    assert ROW.findall(first) == codes[:per_page]
    assert ROW.findall(last) == codes[(len(codes) - 1) // per_page * per_page :]


def test_a_search_by_name_or_code(olivia, run):
    one = run.results.order_by("uscc").last()
    assert ROW.findall(olivia.get(f"/policy/runs/{run.pk}/", {"q": one.uscc.lower()}).content.decode()) == [one.uscc]
    assert one.uscc in ROW.findall(olivia.get(f"/policy/runs/{run.pk}/", {"q": one.name}).content.decode())


def queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def test_a_page_costs_the_same_queries_whatever_the_run_holds(olivia, officer, city, monkeypatch):
    small = services.screening_run(actor=as_actor(officer), as_of=AS_OF)
    import_city(150, seed=3)
    big = services.screening_run(actor=as_actor(officer), as_of=AS_OF)
    assert big.enterprises > 2 * small.enterprises
    for filters in ({}, {"tier": "seed", "verdict": "ineligible"}, {"page": 2}):
        counts = {queries(olivia, f"/policy/runs/{r.pk}/", **filters) for r in (small, big)}
        monkeypatch.setattr(views, "RESULTS_PER_PAGE", 5)
        counts.add(queries(olivia, f"/policy/runs/{big.pk}/", **filters))
        monkeypatch.undo()
        assert len(counts) == 1, (filters, counts)


def test_the_api_pages_the_results_and_filters_them(client, officer, run):
    token = accounts.api_token_create(actor=as_actor(officer), name="t")[1]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    url = f"/api/v1/policy/runs/{run.pk}/results"
    first = client.get(url, {"limit": 5}, **headers).json()
    assert first["count"] == run.enterprises and len(first["items"]) == 5
    seen = []
    for offset in range(0, run.enterprises, 5):
        seen += [i["uscc"] for i in client.get(url, {"limit": 5, "offset": offset}, **headers).json()["items"]]
    assert seen == sorted(run.results.values_list("uscc", flat=True))
    review = client.get(url, {"tier": "seed", "verdict": "ineligible", "limit": 100}, **headers).json()
    assert review["count"] == run.counts["seed"].get("ineligible", 0)
    assert all(i["verdicts"]["seed"] == "ineligible" for i in review["items"])
    detail = client.get(f"/api/v1/policy/runs/{run.pk}/results/{seen[0]}", **headers).json()
    assert detail["uscc"] == seen[0] and detail["tiers"]["seed"]["criteria"] and detail["decisions"] == []


def test_a_run_not_done_lists_nothing_anywhere(client, officer, olivia, run):
    ScreeningRun.objects.filter(pk=run.pk).update(status="running")
    token = accounts.api_token_create(actor=as_actor(officer), name="t")[1]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get(f"/api/v1/policy/runs/{run.pk}/results", **headers).json()["count"] == 0
    one = run.results.first()
    assert client.get(f"/api/v1/policy/runs/{run.pk}/results/{one.uscc}", **headers).status_code == 404
    assert not ROW.findall(olivia.get(f"/policy/runs/{run.pk}/").content.decode())
