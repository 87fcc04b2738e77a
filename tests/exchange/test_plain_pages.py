"""The exchange's pages in plain Chinese: money in 万元, dates as 2026年12月4日, no time offsets,
statuses as words with a shape, a project's history in words; and the buttons do what they say."""

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from rainforest.exchange import selectors
from rainforest.exchange.models import Capability, Project
from rainforest.exchange.services import calls
from rainforest.exchange.services import projects as services
from tests.conftest import sign_in
from tests.exchange.conftest import PROPOSAL, as_actor, close_now

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
RAW = re.compile(r"\+08:00|\b\d{4}-\d{2}-\d{2}\b|\b(?:2000000|500000)\b|\bTrue\b|\bFalse\b|\bNone\b")


def _text(response) -> str:
    """The page's main content without markup (attribute values such as form inputs left out)."""
    html = response.content.decode()
    main = html[html.index("<main>") : html.index("</main>")]
    main = re.sub(r"<script.*?</script>", "", main, flags=re.S)
    return re.sub(r"<[^>]+>", " ", main)


def test_a_scenario_reads_in_plain_chinese(client, published):
    text = _text(client.get(f"/exchange/scenarios/{published.pk}/", **ZH))
    assert "50–200 万元" in text  # budget_min 500000, budget_max 2000000
    assert not RAW.search(text), RAW.search(text)
    assert "√" in text  # the published status carries its shape, not a colour only
    listing = _text(client.get("/exchange/", **ZH))
    assert "50–200 万元" in listing and not RAW.search(listing)


def test_a_call_reads_without_offsets_and_its_review_button_keeps_its_word(client, open_call, officer):
    sign_in(client, officer)
    page = client.get(f"/exchange/calls/{open_call.pk}/", **ZH)
    text = _text(page)
    closes = timezone.localtime(open_call.closes_at)
    assert f"{closes.year}年{closes.month}月{closes.day}日" in text
    assert not RAW.search(text), RAW.search(text)
    # Before the deadline there is no button that promises to close the call and then refuses.
    assert f"/exchange/calls/{open_call.pk}/start-review/" not in page.content.decode()
    close_now(open_call)
    page = client.get(f"/exchange/calls/{open_call.pk}/", **ZH).content.decode()
    assert f"/exchange/calls/{open_call.pk}/start-review/" in page
    client.post(f"/exchange/calls/{open_call.pk}/start-review/")
    open_call.refresh_from_db()
    assert open_call.status == "review"


def test_a_refusal_names_the_deadline_without_an_offset(open_call, enterprise_user):
    from django.core.exceptions import ValidationError

    close_now(open_call)
    with pytest.raises(ValidationError) as refused:
        calls.application_submit(actor=as_actor(enterprise_user), call=open_call, **PROPOSAL)
    assert "+08:00" not in str(refused.value) and str(timezone.localtime(open_call.closes_at).year) in str(
        refused.value
    )


def test_save_as_draft_saves_a_draft_and_nothing_goes_for_review(client, enterprise_user, officer):
    form = {
        "title": "四足巡检机器人",
        "domains": ["patrol"],
        "description": "防爆四足机器人，支持夜间自主巡检。",
        "trl": "7",
        "districts_served": ["滨江区"],
    }
    sign_in(client, enterprise_user)
    response = client.post("/exchange/capabilities/mine/", {**form, "then": "draft"})
    assert response.status_code == 302
    draft = Capability.objects.get()
    assert draft.status == "draft"
    client.post("/accounts/logout/")
    sign_in(client, officer)
    assert "四足巡检机器人" not in client.get("/exchange/queue/").content.decode()
    client.post("/accounts/logout/")
    sign_in(client, enterprise_user)
    client.post("/exchange/capabilities/mine/", {**form, "title": "巡检机器人二代", "then": "submit"})
    assert Capability.objects.get(title="巡检机器人二代").status == "submitted"
    assert Capability.objects.get(pk=draft.pk).status == "draft"


def test_the_capability_filters_swap_the_results_only(client, enterprise_user, officer):
    from rainforest.exchange.services import scenarios

    capability = scenarios.capability_create(
        actor=as_actor(enterprise_user),
        title="四足巡检机器人",
        domains=["patrol"],
        description="防爆四足机器人，支持夜间自主巡检。",
        trl=7,
        districts_served=["滨江区"],
        submit=True,
    )
    scenarios.capability_move(actor=as_actor(officer), capability=capability, action="approve")
    partial = client.get("/exchange/capabilities/", {"domain": "patrol"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="results">') and "<html" not in partial
    assert "四足巡检机器人" in partial
    assert "<html" in client.get("/exchange/capabilities/").content.decode()


def test_a_projects_history_reads_in_words(client, published, bureau, startup, publisher, enterprise_user):
    project = Project.objects.create(
        scenario=published,
        publisher=bureau,
        enterprise=startup,
        contract_value=1_200_000,
        agreed_on=dt.date(2026, 3, 2),
    )
    milestone = services.milestone_add(
        actor=as_actor(enterprise_user), project=project, title="试点部署", due_on=dt.date(2026, 4, 1)
    )
    services.milestone_done(
        actor=as_actor(enterprise_user), milestone=milestone, done_on=dt.date(2026, 3, 30), evidence="验收报告已上传"
    )
    services.project_move(actor=as_actor(publisher), project=project, action="confirm_landing", note="正式落地")
    services.project_followup(
        actor=as_actor(publisher),
        project=project,
        in_use=True,
        in_use_since=dt.date(2026, 5, 6),
        further_contracts=2,
        further_value=300000,
    )
    sign_in(client, publisher)
    text = _text(client.get(f"/exchange/projects/{project.pk}/", **ZH))
    assert "120.00 万元" in text  # the contract value
    assert "2026年4月1日" in text and "2026年5月6日" in text and "30.00 万元" in text
    assert "in use" not in text and not RAW.search(text), RAW.search(text)
    assert bureau.name in text and "paul" not in text  # who acted, by organisation


def test_the_targets_page_draws_three_charts_each_over_its_table(client, published):
    page = client.get("/exchange/targets/", **ZH).content.decode()
    assert "vendor/echarts/echarts.min.js" in page and "rainforest/charts.js" in page
    for name in ("chart-month", "chart-domain", "chart-district"):
        assert f'data-chart="{name}"' in page
        spec = json.loads(re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', page, re.S)[1])
        assert spec["categories"] and spec["series"]
        table = page[page.index(f'data-chart="{name}"') :]
        assert "<table" in table[: table.index("</figure>")]  # its figures, beneath it
    data = selectors.targets(timezone.localdate().year)
    opened = next(r for r in data["rows"] if r["key"] == "scenarios")
    assert opened["cumulative"][timezone.localdate().month - 1] == 1
    month = json.loads(re.search(r'<script id="chart-month" type="application/json">(.*?)</script>', page, re.S)[1])
    assert month["series"][0]["data"][timezone.localdate().month - 1]["value"] == 0.5  # 1 of 200


def test_history_written_the_old_way_is_read_back_into_words(published, bureau, startup):
    import importlib

    from django.apps import apps
    from django.utils import translation

    from rainforest.exchange.models import Milestone, ProjectEvent

    migration = importlib.import_module("rainforest.exchange.migrations.0005_project_event_data")
    project = Project.objects.create(
        scenario=published, publisher=bureau, enterprise=startup, contract_value=1, agreed_on=dt.date(2026, 3, 2)
    )
    Milestone.objects.create(
        project=project, title="试点部署", due_on=dt.date(2026, 4, 1), done_on=dt.date(2026, 3, 30)
    )
    old = [
        ("milestone_added", "试点部署 (2026-04-01)"),
        ("milestone_done", "试点部署: 验收报告已上传"),
        ("followup", "in use: True; since 2026-05-06; further contracts 2 (300000 yuan)"),
        ("changed", "工期顺延一个月"),
    ]
    for kind, text in old:
        ProjectEvent.objects.create(project=project, kind=kind, text=text, by_label="system:demo")
    migration.old_lines_to_data(apps, None)
    with translation.override("zh-hans"):
        lines = [e.describe() for e in project.events.order_by("pk")]
    assert "2026年4月1日" in lines[0] and "(2026-04-01)" not in lines[0]
    assert "2026年3月30日" in lines[1] and lines[1].endswith("验收报告已上传")
    assert "2026年5月6日" in lines[2] and "30.00 万元" in lines[2] and "True" not in lines[2]
    assert lines[3] == "工期顺延一个月"
