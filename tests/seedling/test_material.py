"""Reviewers get the material (issue 14, item 5): a good-seedling candidate's registry figures, the
engine's verdict on each criterion and its evidence, on one page beside the score form; only for the
round's panel experts who have declared and have no tie to the candidate, and for officers. The
panel form refuses a blank or repeated expert in words; the pyramid draws its chart from a data
element the page's own script reads."""

import json
import re

import pytest
from django.test import Client

from rainforest.accounts.choices import Role
from rainforest.seedling.models import Candidacy, PanelMember, Score
from rainforest.seedling.services import rounds
from tests.conftest import sign_in
from tests.seedling.conftest import THIS_YEAR, as_actor

pytestmark = pytest.mark.django_db


def browser(user, language=None):
    client = Client()
    if language:
        client.cookies["django_language"] = language
    return sign_in(client, user)


@pytest.fixture
def colleague(make_user, startup):
    """An expert who works for the candidate itself."""
    return make_user("insider", Role.EXPERT, startup)


@pytest.fixture
def review(officer, enterprise_user, seedling_co, experts, colleague):
    """A round in review: alice's company a candidate with evidence; expert0 and the colleague on
    the panel and declared, expert1 on it but not declared, expert2 on no panel."""
    selection = rounds.round_open(actor=as_actor(officer), year=THIS_YEAR)
    rounds.candidacy_submit(
        actor=as_actor(enterprise_user), selection=selection, enterprise=seedling_co,
        ground="owns_independent_ip", evidence="已获发明专利3项：柔性关节驱动",
    )  # fmt: skip
    for e in (experts[0], experts[1], colleague):
        rounds.panel_add(actor=as_actor(officer), selection=selection, expert=e)
    rounds.round_close(actor=as_actor(officer), selection=selection)
    for e in (experts[0], colleague):
        rounds.panel_declare(actor=as_actor(e), selection=selection, declaration="无")
    return Candidacy.objects.get()


def url(candidacy) -> str:
    return f"/seedling/candidacies/{candidacy.pk}/"


def test_a_declared_panel_expert_reads_the_facts_verdicts_and_evidence_in_one_page(review, experts):
    page = browser(experts[0]).get(url(review)).content.decode()
    # the registry's figures for its years, in the units a reader expects
    assert f"{THIS_YEAR - 2}" in page and f"{THIS_YEAR - 1}" in page
    assert "1,000.00 万元" in page and "120.00 万元" in page  # revenue and R&D expense of the fixture
    # every good-seedling criterion with the engine's verdict, a ratio as a percentage
    for rule in ("RM-HMZ-00", "RM-HMZ-01", "RM-HMZ-02", "RM-HMZ-03"):
        assert rule in page
    assert "20.0 %" in page  # R&D staff 8 of 40
    assert "12.0 %" in page  # R&D 1.2m of 10m revenue
    # the evidence and the relaxation ground the enterprise gave
    assert "已获发明专利3项：柔性关节驱动" in page
    # and the score form, posting to the scoring action
    assert f'action="/seedling/candidacies/{review.pk}/score/"' in page


def test_the_round_page_links_each_candidate_to_its_material(review, experts):
    page = browser(experts[0]).get(f"/seedling/rounds/{review.round_id}/").content.decode()
    assert f'href="{url(review)}"' in page


def test_once_scored_the_page_says_so_and_offers_no_second_form(review, experts):
    rounds.score_submit(actor=as_actor(experts[0]), candidacy=review, points=[8, 7, 9, 6])
    page = browser(experts[0]).get(url(review)).content.decode()
    assert "/score/" not in page
    assert str(Score.objects.get().total) in page


def test_who_may_not_read_the_material(review, experts, colleague, enterprise_user, outsider, publisher,
                                       fund_manager):  # fmt: skip
    assert browser(experts[1]).get(url(review)).status_code == 404  # on the panel, not declared yet
    assert browser(experts[2]).get(url(review)).status_code == 404  # on no panel
    assert browser(colleague).get(url(review)).status_code == 403  # declared, but works for the candidate
    assert browser(enterprise_user).get(url(review)).status_code == 403  # the candidate itself
    assert browser(outsider).get(url(review)).status_code == 404  # another enterprise
    for user in (publisher, fund_manager):
        assert browser(user).get(url(review)).status_code == 403
    assert Client().get(url(review)).status_code == 302  # to sign in
    ethan = browser(experts[0])
    assert ethan.get("/seedling/candidacies/999999/").status_code == 404
    assert ethan.post(url(review)).status_code == 405


def test_officers_read_the_material_without_a_score_form(review, officer):
    page = browser(officer).get(url(review)).content.decode()
    assert "RM-HMZ-01" in page and "/score/" not in page


def test_the_panel_form_refuses_a_blank_or_repeated_expert_in_words(officer, experts):
    selection = rounds.round_open(actor=as_actor(officer), year=THIS_YEAR)
    olivia = browser(officer, "en")
    blank = olivia.post(f"/seedling/rounds/{selection.pk}/panel/", {"expert": ""}, follow=True).content.decode()
    assert "Choose the expert to add." in blank and "Expert added to the panel." not in blank
    assert not PanelMember.objects.exists()
    olivia.post(f"/seedling/rounds/{selection.pk}/panel/", {"expert": experts[0].pk}, follow=True)
    again = olivia.post(f"/seedling/rounds/{selection.pk}/panel/", {"expert": experts[0].pk}, follow=True)
    messages = re.findall(r'<p class="msg[^"]*"[^>]*>(.*?)</p>', again.content.decode(), re.S)
    assert any("is already on this round&#x27;s panel" in m for m in messages), messages
    assert not any("added to the panel" in m for m in messages)
    assert PanelMember.objects.count() == 1


def test_the_pyramid_draws_its_chart_from_a_data_element_with_the_table_beneath(officer, seedling_co):
    page = browser(officer).get("/seedling/").content.decode()
    spec = json.loads(re.search(r'<script id="pyramid-chart" type="application/json">(.*?)</script>', page, re.S)[1])
    assert spec["kind"] == "bar" and len(spec["categories"]) == 6 and spec["mark"]["value"] == 100
    # tech SMEs against 50,000: the share is what the bar shows, the numbers are in its tooltip text
    first = spec["series"][0]["data"][0]
    assert first["value"] == 0.0 and "50,000" in first["text"]
    assert page.index('data-chart="pyramid-chart"') < page.index("<table")
    assert "/static/vendor/echarts/echarts.min.js" in page and "/static/rainforest/charts.js" in page
    assert "<script>" not in page  # no inline script: the CSP forbids them
    assert "50,000" in page  # the table, for screen readers and export


def test_a_chosen_district_draws_counts_without_targets(officer, seedling_co):
    page = browser(officer).get("/seedling/", {"district": "滨江区"}).content.decode()
    spec = json.loads(re.search(r'<script id="pyramid-chart" type="application/json">(.*?)</script>', page, re.S)[1])
    assert "mark" not in spec and all(isinstance(d["value"], int) for d in spec["series"][0]["data"])


def test_the_chart_library_and_initialiser_are_served_locally(client, db):
    from django.contrib.staticfiles import finders

    assert finders.find("vendor/echarts/echarts.min.js")
    script = open(finders.find("rainforest/charts.js"), encoding="utf-8").read()
    assert "data-chart" in script and "echarts.init" in script
