"""Recommendations as each role meets them, and every role trying what it must not."""

import pytest

from rainforest.audit.models import AuditEvent
from rainforest.matching.models import Feedback, Shortlist
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_publisher_sees_who_could_do_its_scenario_with_reasons(client, publisher, published, offers, carrier_offer):
    sign_in(client, publisher)
    page = client.get(f"/matching/scenarios/{published.pk}/").content.decode()
    assert offers["dog"].title in page and offers["rail"].title in page
    assert "共同词语" in page
    assert carrier_offer.title not in page  # test facilities are not suppliers
    assert offers["care"].title not in page or page.index(offers["dog"].title) < page.index(offers["care"].title)


def test_the_scenario_page_loads_recommendations_for_its_publisher_only(client, publisher, published, outsider):
    sign_in(client, publisher)
    assert f"/matching/scenarios/{published.pk}/" in client.get(f"/exchange/scenarios/{published.pk}/").content.decode()
    client.logout()
    assert (
        f"/matching/scenarios/{published.pk}/"
        not in client.get(f"/exchange/scenarios/{published.pk}/").content.decode()
    )


def test_recommendations_are_hidden_from_everyone_else(
    client, published, offers, make_user, make_org, expert, outsider
):
    from rainforest.accounts.choices import OrganisationKind, Role

    other_bureau = make_org("杭州市民政局", OrganisationKind.GOVERNMENT, "上城区")
    other_publisher = make_user("pete", Role.SCENARIO_PUBLISHER, other_bureau)
    url = f"/matching/scenarios/{published.pk}/"
    assert client.get(url).status_code == 302  # anonymous: sign in first
    for user in (other_publisher, expert, outsider):
        client.logout()
        sign_in(client, user)
        assert client.get(url).status_code == 404, user.username


def test_officer_marks_recommendations_and_it_is_audited(client, officer, published, offers):
    sign_in(client, officer)
    url = f"/matching/scenarios/{published.pk}/{offers['dog'].pk}/feedback/"
    assert client.post(url, {"verdict": "good"}).status_code == 200
    assert client.post(url, {"verdict": "wrong", "note": "只做室内"}).status_code == 200
    feedback = Feedback.objects.get()
    assert feedback.verdict == "wrong" and feedback.note == "只做室内"  # the latest word counts, once
    assert AuditEvent.objects.filter(action="matching.feedback.recorded").count() == 2
    assert client.post(url, {"verdict": "nonsense"}).status_code == 400
    assert client.post(url, {"verdict": "good", "note": "x" * 1001}).status_code == 400
    assert Feedback.objects.get().verdict == "wrong"  # the refused posts changed nothing
    page = client.get(f"/matching/scenarios/{published.pk}/").content.decode()
    assert "您已标记：推荐有误。" in page and 'value="wrong" class="danger"' in page  # the mark shows, in words


def test_publisher_shortlists_but_cannot_judge(client, publisher, published, offers):
    sign_in(client, publisher)
    url = f"/matching/scenarios/{published.pk}/{offers['dog'].pk}"
    client.post(f"{url}/shortlist/")
    assert Shortlist.objects.filter(scenario=published, capability=offers["dog"]).exists()
    assert "已列入备选" in client.get(f"/matching/scenarios/{published.pk}/").content.decode()
    client.post(f"{url}/shortlist/")  # a second click takes it off again
    assert not Shortlist.objects.exists()
    assert client.post(f"{url}/feedback/", {"verdict": "good"}).status_code == 403
    assert not Feedback.objects.exists()
    assert AuditEvent.objects.filter(action__startswith="matching.shortlist").count() == 2


def test_no_one_acts_on_a_capability_that_is_not_approved(client, officer, published, enterprise_user):
    from tests.matching.conftest import offer

    draft = offer(enterprise_user, "dog")
    sign_in(client, officer)
    assert (
        client.post(f"/matching/scenarios/{published.pk}/{draft.pk}/feedback/", {"verdict": "good"}).status_code == 404
    )


def test_enterprise_gets_scenarios_for_it_and_places_to_test(client, enterprise_user, published, offers, carrier_offer):
    sign_in(client, enterprise_user)
    page = client.get("/matching/for-you/").content.decode()
    assert published.title in page and "共同词语" in page
    page = client.get("/matching/where-to-test/").content.decode()
    assert carrier_offer.title in page
    page = client.get("/matching/where-to-test/", {"q": "電磁兼容"}).content.decode()
    assert carrier_offer.title in page
    assert offers["dog"].title not in page  # only carriers' offers


def test_an_enterprise_without_capabilities_is_told_what_to_do(client, outsider, published):
    sign_in(client, outsider)
    assert "请先发布能力" in client.get("/matching/for-you/").content.decode()
    assert published.title in client.get("/matching/for-you/", {"q": "地铁站巡检"}).content.decode()


def test_a_scenario_above_the_enterprise_best_trl_is_left_out(client, enterprise_user, published, offers):
    from rainforest.exchange.models import Scenario

    Scenario.objects.filter(pk=published.pk).update(min_trl=9)
    sign_in(client, enterprise_user)
    assert published.title not in client.get("/matching/for-you/").content.decode()


@pytest.mark.parametrize("who", ["officer", "publisher", "expert", "fund_manager", "sysadmin"])
def test_pages_for_enterprises_refuse_other_roles(client, request, who):
    sign_in(client, request.getfixturevalue(who))
    assert client.get("/matching/for-you/").status_code == 403
    assert client.get("/matching/where-to-test/").status_code == 403


def test_public_search_box_uses_the_engine(client, published):
    page = client.get("/exchange/", {"q": "地鐵站 機器狗"}).content.decode()  # traditional, and a synonym
    assert published.title in page
    assert published.title not in client.get("/exchange/", {"q": "医院药房"}).content.decode()
    assert client.get("/exchange/", {"q": "！！！"}).status_code == 200


def test_capability_search_box(client, offers):
    page = client.get("/exchange/capabilities/", {"q": "四足機器人"}).content.decode()
    assert offers["dog"].title in page
    assert offers["care"].title not in page or page.index(offers["dog"].title) < page.index(offers["care"].title)
    assert offers["care"].title not in client.get("/exchange/capabilities/", {"q": "变电站"}).content.decode()


def test_each_result_shows_a_calibrated_level_not_a_raw_score(client, publisher, published, offers):
    sign_in(client, publisher)
    page = client.get(f"/matching/scenarios/{published.pk}/").content.decode()
    assert "高度匹配" in page or "可能匹配" in page  # the robot dog for a metro-station patrol robot
    answer = client.get(f"/api/v1/matching/scenarios/{published.pk}/capabilities").json()
    assert answer["no_good_match"] is False
    top = answer["results"][0]
    assert top["level"] in ("strong", "possible") and 0 < top["confidence"] <= 1
    assert top["level_label"] in ("高度匹配", "可能匹配")


def test_when_nothing_fits_the_page_says_so_and_what_to_do(client, enterprise_user, offers, carrier_offer):
    sign_in(client, enterprise_user)
    page = client.get("/matching/where-to-test/", {"q": "冷链食品追溯与仓储温控"}).content.decode()
    assert "暂无合适的匹配" in page
    assert "道路测试" in page  # the suggestion: name the test itself
    page = client.get("/matching/where-to-test/", {"q": "巡检机器人整机高低温振动跌落试验"}).content.decode()
    assert "暂无合适的匹配" not in page and carrier_offer.title in page


def test_an_enterprise_with_nothing_to_search_with_is_not_told_there_is_no_match(client, outsider, published):
    sign_in(client, outsider)
    page = client.get("/matching/for-you/").content.decode()
    assert "请先发布能力" in page and "暂无合适的匹配" not in page


def test_with_no_good_match_the_page_says_whether_lowering_the_readiness_would_help(client, officer, published, offers):
    """The metro patrol scenario at readiness 9: the robot dog (7) and the rail robot (8) fit but
    fall below it, and the page names them; a need nothing fits is told that lowering would not help."""
    from rainforest.exchange.models import Scenario

    Scenario.objects.filter(pk=published.pk).update(min_trl=9)
    sign_in(client, officer)
    page = client.get(f"/matching/scenarios/{published.pk}/").content.decode()
    assert "暂无合适的匹配" in page and "技术成熟度低于本场景要求的 9 级" in page
    assert offers["dog"].title in page and offers["rail"].title in page
    assert offers["care"].title not in page.split("no-good-match")[1].split("</div>")[0]
    assert f"/exchange/scenarios/{published.pk}/call/" in page  # published: a call can be opened from here
    assert "发起揭榜挂帅" in page and "降低最低技术成熟度要求后" not in page  # a published scenario is not edited
    Scenario.objects.filter(pk=published.pk).update(status="draft")
    page = client.get(f"/matching/scenarios/{published.pk}/").content.decode()
    assert "降低最低技术成熟度要求后，上述能力就会列在这里" in page and "/call/" not in page
    Scenario.objects.filter(pk=published.pk).update(status="awarded")
    page = client.get(f"/matching/scenarios/{published.pk}/").content.decode()
    assert "暂无合适的匹配" in page and "揭榜" not in page.split("no-good-match")[1].split("</div>")[0]
    Scenario.objects.filter(pk=published.pk).update(
        title="冷链食品追溯", problem="冷库温控与批次追溯。", min_trl=5, status="published"
    )
    page = client.get(f"/matching/scenarios/{published.pk}/").content.decode()
    assert "暂无合适的匹配" in page and "降低最低技术成熟度要求无济于事" in page


def test_a_row_states_why_it_fits_not_the_pages_own_scope(client, publisher, published, offers):
    """Every row is a supplier at the scenario's readiness or above: the page says so once, and the
    rows give their own reasons only; each offer opens its own page."""
    sign_in(client, publisher)
    page = client.get(f"/matching/scenarios/{published.pk}/").content.decode()
    assert "符合技术成熟度要求" not in page and "符合机构类型要求" not in page
    assert f'href="/exchange/capabilities/{offers["dog"].pk}/"' in page
