"""Subscribers hear of the scenarios and calls they follow through the matching engine, not by
substring (issue 16, item 5): a subscriber to 机器狗 hears of 四足机器人巡检."""

import datetime as dt
import logging
import random
import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from rainforest.accounts.choices import Role
from rainforest.exchange.forms import SubscriptionForm
from rainforest.exchange.models import Notification, Subscription
from rainforest.exchange.services import calls, scenarios
from rainforest.exchange.services.notify import notify_calls_opened, notify_published
from rainforest.exchange.services.subscription_match import Followers, keyword_words
from rainforest.exchange.services.subscriptions import subscription_save
from tests.conftest import sign_in
from tests.exchange.conftest import RUBRIC, SCENARIO, as_actor
from tests.jobs.helpers import run_jobs

logger = logging.getLogger(__name__)

DOG_PATROL = {"title": "四足机器人巡检", "problem": "变电站夜间巡检依赖人工，效率低、风险高。"}
DRONE_DELIVERY = {"title": "无人驾驶航空器山区物流配送", "problem": "山区药品配送道路条件差，时效难保证。"}
DRONE_POWER_LINE = {"title": "无人机电力线路巡线", "problem": "高压线路跨越山林，人工巡线困难。"}
CARE = {"title": "居家老人陪护", "problem": "独居老人需要日常陪伴与紧急呼叫。", "domain": "care", "district": "西湖区"}
INSPECTION_VISION = {"title": "机器视觉质检", "problem": "电子元件表面瑕疵靠人工目检，漏检多。", "domain": "industry"}


@pytest.fixture
def subscriber(make_user, make_org):
    """A new enterprise user subscribed to ``keywords`` (and domains, districts), no e-mail."""

    def make(name, keywords=(), domains=(), districts=(), email=""):
        user = make_user(name, Role.ENTERPRISE_USER, make_org(name=f"{name}科技有限公司"))
        subscription_save(
            actor=as_actor(user), domains=list(domains), districts=list(districts), keywords=list(keywords), email=email
        )
        return user

    return make


@pytest.fixture
def publish(publisher, officer):
    """Publish scenarios in a new list: each is SCENARIO with the given fields (another domain and
    district than any subscriber below follows, so only keywords can match unless a test says so)."""
    numbers = iter(range(1, 100))

    def go(*specs):
        made = []
        for spec in specs:
            values = {**SCENARIO, "domain": "other", "district": "", **spec}
            s = scenarios.scenario_create(actor=as_actor(publisher), **values)
            scenarios.scenario_move(actor=as_actor(publisher), scenario=s, action="submit")
            scenarios.scenario_move(actor=as_actor(officer), scenario=s, action="approve")
            made.append(s)
        number = next(numbers)
        scenarios.list_publish(
            actor=as_actor(officer),
            kind="scenarios",
            year=2026,
            number=number,
            title=f"第{number}批",
            ids=[s.pk for s in made],
        )
        for s in made:
            s.refresh_from_db()
        return made

    return go


def told(user, kind="scenario_published") -> list[str]:
    return sorted(Notification.objects.filter(user=user, kind=kind).values_list("text", flat=True))


def test_a_subscriber_to_机器狗_hears_of_四足机器人巡检_through_the_publication_job(subscriber, publish):
    alice = subscriber("dog_fan", keywords=["机器狗"], email="dog@example.cn")
    publish(DOG_PATROL, CARE)
    run_jobs()  # the publication enqueues the notices; the notice enqueues its mail
    assert told(alice) == ["New scenario you follow: 四足机器人巡检"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dog@example.cn"]


def test_a_notice_is_worded_in_its_readers_language_not_the_jobs(client, subscriber, publish, open_call_on):
    """The job runs in the platform's language and the mail goes out in it; each page words the
    notice again for its reader, closing times included."""
    from rainforest.exchange.notice_wording import notice_text

    reader = subscriber("reader", keywords=["机器狗"])
    with translation.override("zh-hans"):
        scenario = publish(DOG_PATROL)[0]
        run_jobs()
        open_call_on(scenario)
        assert notify_calls_opened() == 1
    assert told(reader) == ["您关注的新场景：四足机器人巡检"]
    call_notice = Notification.objects.get(user=reader, kind="call_opened")
    assert call_notice.text.startswith("您关注的场景已发起揭榜：四足机器人巡检。申报截止时间：")
    sign_in(client, reader)
    for language, published in (
        ("en", "New scenario you follow: 四足机器人巡检"),
        ("zh-hant", "您關注的新場景：四足机器人巡检"),
    ):
        client.cookies["django_language"] = language
        assert published in client.get(reverse("exchange:subscription")).content.decode()
        assert published in client.get("/").content.decode()  # the workbench's unread notices
    client.cookies["django_language"] = "zh-hans"
    assert "或符合任一关键词，就会通知您" in client.get(reverse("exchange:subscription")).content.decode()
    with translation.override("en"):
        worded = notice_text(call_notice)
    assert worded.startswith("A call is open on a scenario you follow: 四足机器人巡检. Applications close at ")
    assert "年" not in worded  # the closing time is worded in English too


def test_a_notice_from_before_params_is_shown_as_written(enterprise_user):
    from rainforest.exchange.notice_wording import notice_text

    old = Notification.objects.create(user=enterprise_user, kind="scenario_published", key="s:1", text="旧的提醒")
    with translation.override("en"):
        assert notice_text(old) == "旧的提醒"


def test_无人机_and_无人驾驶航空器_find_each_other(subscriber, publish):
    short = subscriber("short_name", keywords=["无人机"])
    long = subscriber("long_name", keywords=["无人驾驶航空器"])
    publish(DRONE_DELIVERY, DRONE_POWER_LINE)
    run_jobs()
    assert told(short) == [
        "New scenario you follow: 无人机电力线路巡线",
        "New scenario you follow: 无人驾驶航空器山区物流配送",
    ]
    assert told(long) == told(short)


def test_a_traditional_character_keyword_finds_a_simplified_scenario(subscriber, publish):
    hk = subscriber("hk_user", keywords=["機器狗"])
    publish(DOG_PATROL)
    run_jobs()
    assert told(hk) == ["New scenario you follow: 四足机器人巡检"]


def test_an_unrelated_keyword_or_a_shared_fragment_is_not_followed(subscriber, publish):
    care = subscriber("care_only", keywords=["养老陪护"])
    vision = subscriber("vision_only", keywords=["机器视觉"])  # shares 机器 with 四足机器人 and no more
    dog = subscriber("dog_only", keywords=["机器狗"])  # shares 机器 with 机器视觉 and no more
    spaced = subscriber("spaced", keywords=["机器 狗"])  # 狗 is a word of its own here: nobody holds it
    publish(DOG_PATROL, INSPECTION_VISION)
    run_jobs()
    assert told(care) == []
    assert told(vision) == ["New scenario you follow: 机器视觉质检"]
    assert told(dog) == ["New scenario you follow: 四足机器人巡检"]
    assert told(spaced) == []


@pytest.mark.parametrize("keyword", ["智能", "技术", "系统", "人", "狗", "智慧 平台"])
def test_a_keyword_of_generic_words_only_does_not_follow_everything(subscriber, publish, keyword):
    """Substring matching notified these subscribers of every scenario below."""
    vague = subscriber("vague", keywords=[keyword])
    publish(
        {"title": "智能巡检机器狗", "problem": "技术方案需接入现有系统，智慧平台统一调度，减少人员值守。"},
        {"title": "智慧养老服务机器人", "problem": "技术上要求接入社区系统平台，替代人工陪护。"},
    )
    run_jobs()
    assert keyword_words(keyword) == frozenset()
    assert told(vague) == []


def test_every_word_of_a_keyword_must_be_held_in_any_order(subscriber, publish):
    phrase = subscriber("phrase", keywords=["变电站巡检机器人"])
    reordered = subscriber("reordered", keywords=["巡检机器人"])
    publish(DOG_PATROL, {"title": "地铁站巡检机器人", "problem": "夜间轨道巡检依赖人工。"})
    run_jobs()
    assert told(phrase) == ["New scenario you follow: 四足机器人巡检"]  # the metro one has no substation
    assert told(reordered) == [
        "New scenario you follow: 四足机器人巡检",
        "New scenario you follow: 地铁站巡检机器人",
    ]


def test_re_running_the_notices_sends_nothing_twice(subscriber, publish):
    alice = subscriber("once", keywords=["机器狗", "巡检"], email="once@example.cn")
    published = publish(DOG_PATROL)
    ids = [s.pk for s in published]
    assert notify_published(ids) == 1  # two keywords, one scenario: one notice
    assert notify_published(ids) == 0
    run_jobs()  # the publication's own job finds it done
    assert len(told(alice)) == 1 and len(mail.outbox) == 1


def test_domain_and_district_subscriptions_still_follow_exactly(subscriber, publish):
    by_domain = subscriber("by_domain", domains=["care"])
    by_district = subscriber("by_district", districts=["西湖区"])
    wrong_district = subscriber("wrong_district", districts=["滨江区"])
    publish(CARE, DOG_PATROL)
    run_jobs()
    assert told(by_domain) == told(by_district) == ["New scenario you follow: 居家老人陪护"]
    assert told(wrong_district) == []


def test_inactive_users_are_not_notified(subscriber, publish):
    gone = subscriber("gone", keywords=["机器狗"], domains=["other"])
    type(gone).objects.filter(pk=gone.pk).update(is_active=False)
    publish(DOG_PATROL)
    run_jobs()
    assert told(gone) == []


def test_the_subscription_form_says_synonyms_are_understood():
    from django.utils import translation

    with translation.override("zh-hans"):
        assert "机器狗" in str(SubscriptionForm().fields["keywords"].help_text)
    assert "“robot dog” also finds “quadruped robot”" in str(SubscriptionForm().fields["keywords"].help_text)


# --- calls


@pytest.fixture
def open_call_on(publisher):
    def go(scenario, opens_in=dt.timedelta(hours=-1)):
        now = timezone.now()
        return calls.call_open(
            actor=as_actor(publisher),
            scenario=scenario,
            opens_at=now + opens_in,
            closes_at=now + dt.timedelta(days=7),
            rubric=RUBRIC,
        )

    return go


def test_followers_hear_once_when_a_call_opens_on_a_scenario_they_follow(subscriber, publish, open_call_on):
    from rainforest.exchange.tasks import announce_calls
    from rainforest.jobs import periodic

    dog = subscriber("dog_call", keywords=["机器狗"], email="dogcall@example.cn")
    care = subscriber("care_call", domains=["care"])
    dog_patrol, _care = publish(DOG_PATROL, CARE)
    call = open_call_on(dog_patrol)
    assert announce_calls.call() == 1
    assert announce_calls.call() == 0
    notice = Notification.objects.get(user=dog, kind="call_opened")
    assert notice.key == f"call:{call.pk}" and notice.link == reverse("exchange:call", args=[call.pk])
    assert notice.text.startswith("A call is open on a scenario you follow: 四足机器人巡检.")
    assert told(care, "call_opened") == []
    assert "exchange.announce_calls" in periodic.discover()


def test_a_call_opening_later_is_announced_when_it_opens(subscriber, publish, open_call_on):
    dog = subscriber("dog_later", keywords=["四足机器人"])
    (dog_patrol,) = publish(DOG_PATROL)
    call = open_call_on(dog_patrol, opens_in=dt.timedelta(hours=2))
    assert notify_calls_opened() == 0
    assert notify_calls_opened(now=call.opens_at + dt.timedelta(minutes=5)) == 1
    assert told(dog, "call_opened") != []


def test_an_old_call_is_not_news_to_a_new_subscriber(subscriber, publish, open_call_on):
    (dog_patrol,) = publish(DOG_PATROL)
    call = open_call_on(dog_patrol)
    subscriber("late_comer", keywords=["机器狗"])
    assert notify_calls_opened(now=call.opens_at + dt.timedelta(days=4)) == 0


# --- at scale


def test_five_thousand_subscriptions_are_matched_in_one_pass(db, publish):
    """5,000 subscriptions with 3 keywords each (two from a common pool, one of their own) against
    one publication of five scenarios. The time is logged (--log-cli-level=INFO), not asserted."""
    rng = random.Random(16)
    pool = ["机器狗", "无人机", "养老", "巡检", "机器视觉", "数字孪生", "大模型", "配送机器人", "导览", "消毒机器人"]
    own = "安居乐业春夏秋冬山水林田湖草城乡港航桥园区校医食药车船电网热光储氢碳"
    users = get_user_model().objects.bulk_create(get_user_model()(username=f"bulk{i}") for i in range(5000))
    Subscription.objects.bulk_create(
        Subscription(user=u, keywords=[*rng.sample(pool, 2), "".join(rng.sample(own, 4))]) for u in users
    )
    published = publish(
        DOG_PATROL, DRONE_DELIVERY, CARE, INSPECTION_VISION, {"title": "景区导览讲解", "problem": "游客多。"}
    )

    subs = list(Subscription.objects.select_related("user"))
    started = time.perf_counter()
    followers = Followers(published)
    followed = {s.user_id: {x.title for x in followers.followed(s)} for s in subs}
    matching = time.perf_counter() - started
    started = time.perf_counter()
    sent = notify_published([s.pk for s in published])
    notifying = time.perf_counter() - started
    logger.info(
        "5,000 subscriptions x 5 scenarios: matching %.0f ms (%d distinct keywords); notices %.2f s (%d)",
        matching * 1000,
        len(followers._by_keyword),
        notifying,
        sent,
    )

    expected = {
        "机器狗": "四足机器人巡检",
        "无人机": "无人驾驶航空器山区物流配送",
        "机器视觉": "机器视觉质检",
        "导览": "景区导览讲解",
        "巡检": "四足机器人巡检",
        "养老": "居家老人陪护",  # 养老 and 老人 share the elderly-care concept (vocabulary 2026.12)
    }
    for s in subs:
        want = {expected[k] for k in s.keywords if k in expected}
        assert followed[s.user_id] == want, s.keywords
    assert sent == sum(len(v) for v in followed.values()) == Notification.objects.count()


def test_a_subscriber_to_elder_care_hears_of_a_need_for_lone_elders(subscriber, publish):
    """养老 and 老人 are one concept in the vocabulary: the need is worded as the public would word it."""
    care = subscriber("elder_care", keywords=["养老"])
    publish(CARE)
    run_jobs()
    assert told(care) == ["New scenario you follow: 居家老人陪护"]


def test_the_search_box_lists_what_answers_the_words_not_what_shares_a_fragment(client, publish):
    """机器狗 is cut into 机器狗 and 机器 as well: a hotel robot shares only the fragment and is
    not listed; the quadruped patrol (the same concept) is."""
    dog, hotel = publish(DOG_PATROL, {"title": "酒店送物机器人", "problem": "客房送物依赖服务员，高峰期响应慢。"})
    page = client.get("/exchange/", {"q": "机器狗"}).content.decode()
    assert dog.title in page and hotel.title not in page
    assert hotel.title in client.get("/exchange/", {"q": "送物机器人"}).content.decode()


def test_the_notices_are_read_a_page_at_a_time_newest_first(client, subscriber):
    reader = subscriber("paged", keywords=["机器狗"])
    Notification.objects.bulk_create(
        [Notification(user=reader, kind="scenario", key=f"k{i}", text=f"第{i:02d}条提醒") for i in range(45)]
    )
    sign_in(client, reader)
    first = client.get("/exchange/subscription/").content.decode()
    assert "第44条提醒" in first and "第25条提醒" in first and "第24条提醒" not in first
    assert "第 1 页，共 3 页" in first
    last = client.get("/exchange/subscription/", {"page": "3"}).content.decode()
    assert "第00条提醒" in last and "第05条提醒" not in last
    assert "第44条提醒" in client.get("/exchange/subscription/", {"page": "zz"}).content.decode()
