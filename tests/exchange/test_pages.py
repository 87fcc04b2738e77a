"""The exchange as each role uses it, through the pages."""

import pytest

from rainforest.exchange.models import Scenario
from tests.conftest import sign_in
from tests.exchange.conftest import SCENARIO, as_actor


def test_public_pages_show_published_scenarios_only(client, published, publisher):
    from rainforest.exchange.services import scenarios

    draft = scenarios.scenario_create(actor=as_actor(publisher), **{**SCENARIO, "title": "尚未发布的场景"})
    page = client.get("/exchange/").content.decode()
    assert SCENARIO["title"] in page and "尚未发布的场景" not in page
    assert client.get(f"/exchange/scenarios/{draft.pk}/").status_code == 404
    detail = client.get(f"/exchange/scenarios/{published.pk}/").content.decode()
    assert SCENARIO["problem"] in detail and SCENARIO["contact_phone"] not in detail  # no consent to show


def test_filters(client, published):
    assert SCENARIO["title"] in client.get("/exchange/", {"domain": "patrol", "min_trl": "7"}).content.decode()
    assert SCENARIO["title"] not in client.get("/exchange/", {"domain": "care"}).content.decode()
    assert SCENARIO["title"] not in client.get("/exchange/", {"min_trl": "5"}).content.decode()
    assert SCENARIO["title"] not in client.get("/exchange/", {"budget": "300"}).content.decode()  # 万元
    page = client.get("/exchange/", {"budget": "150.5"}).content.decode()
    assert SCENARIO["title"] in page and 'value="150.5"' in page  # 2,000,000 yuan reaches 1,505,000


def test_list_downloads(client, published):
    from rainforest.exchange.models import PublishedList

    published_list = PublishedList.objects.get()
    xlsx = client.get(f"/exchange/lists/{published_list.pk}/", {"format": "xlsx"})
    assert xlsx.content.startswith(b"PK")
    pdf = client.get(f"/exchange/lists/{published_list.pk}/", {"format": "pdf"})
    assert pdf.content.startswith(b"%PDF")


def test_publisher_drafts_through_the_pages(client, publisher):
    sign_in(client, publisher)
    data = {**SCENARIO, "contact_public": ""}
    response = client.post("/exchange/scenarios/new/", data)
    assert response.status_code == 302
    scenario = Scenario.objects.get()
    client.post(f"/exchange/scenarios/{scenario.pk}/moves/submit/")
    scenario.refresh_from_db()
    assert scenario.status == "submitted"


@pytest.mark.parametrize("persona", ["enterprise_user", "expert", "fund_manager", "sysadmin", "auditor"])
def test_roles_that_must_not_approve_or_publish(client, request, persona, publisher):
    from rainforest.exchange.services import scenarios

    s = scenarios.scenario_create(actor=as_actor(publisher), **SCENARIO)
    scenarios.scenario_move(actor=as_actor(publisher), scenario=s, action="submit")
    sign_in(client, request.getfixturevalue(persona))
    assert client.get("/exchange/queue/").status_code == 403
    response = client.post(f"/exchange/scenarios/{s.pk}/moves/approve/")
    assert response.status_code in (403, 404)
    s.refresh_from_db()
    assert s.status == "submitted"


def test_expert_sees_only_assigned_calls_and_declares_first(client, applied, open_call, officer, expert):
    from rainforest.exchange.services import calls, reviews
    from tests.exchange.conftest import close_now

    close_now(open_call)
    calls.call_start_review(actor=as_actor(officer), call=open_call)
    assignment = reviews.panel_assign(actor=as_actor(officer), call=open_call, expert=expert)
    sign_in(client, expert)
    page = client.get(f"/exchange/reviews/{assignment.pk}/").content.decode()
    assert "declare" in page.lower() or "利益" in page or "Declaration" in page
    assert applied[0].approach not in page  # no proposal before the declaration
    client.post(f"/exchange/reviews/{assignment.pk}/", {"conflicted": [], "note": "", "confirm": "on"})
    assert applied[0].approach in client.get(f"/exchange/reviews/{assignment.pk}/").content.decode()


def test_attachments_are_private(client, open_call, enterprise_user, outsider, settings, tmp_path):
    from rainforest.exchange.models import Attachment
    from rainforest.exchange.services import calls
    from tests.exchange.conftest import PROPOSAL

    settings.MEDIA_ROOT = tmp_path
    calls.application_submit(
        actor=as_actor(enterprise_user), call=open_call, files=[("a.pdf", b"%PDF-1.4 x")], **PROPOSAL
    )
    attachment = Attachment.objects.get()
    sign_in(client, outsider)
    assert client.get(f"/exchange/attachments/{attachment.pk}/").status_code == 404
    client.post("/accounts/logout/")
    sign_in(client, enterprise_user)
    assert client.get(f"/exchange/attachments/{attachment.pk}/").status_code == 200


def test_a_capability_has_its_own_page_public_once_approved(client, enterprise_user, outsider, officer):
    """A draft is read by its own organisation and the officers only; once approved, by anyone
    (it is on the public list, which links to it)."""
    from rainforest.exchange.services import scenarios

    capability = scenarios.capability_create(
        actor=as_actor(enterprise_user), title="四足巡检机器人", domains=["patrol"],
        description="防爆四足机器人，支持夜间自主巡检。", trl=7, districts_served=["滨江区"],
        reference_cases="杭州地铁某站夜间巡检试点", certifications="",
    )  # fmt: skip
    url = f"/exchange/capabilities/{capability.pk}/"
    assert client.get(url).status_code == 404
    sign_in(client, outsider)
    assert client.get(url).status_code == 404
    for reader in (enterprise_user, officer):
        sign_in(client, reader)
        page = client.get(url).content.decode()
        assert "防爆四足机器人" in page and "杭州地铁某站夜间巡检试点" in page
    scenarios.capability_move(actor=as_actor(enterprise_user), capability=capability, action="submit")
    scenarios.capability_move(actor=as_actor(officer), capability=capability, action="approve")
    client.logout()
    assert "滨江区" in client.get(url).content.decode()
    assert f'href="{url}"' in client.get("/exchange/capabilities/").content.decode()
    assert client.get("/exchange/capabilities/999999/").status_code == 404
