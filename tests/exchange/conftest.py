import datetime as dt

import pytest
from django.utils import timezone

from rainforest.accounts.permissions import Principal
from rainforest.exchange.services import calls, scenarios

SCENARIO = {
    "title": "地铁站巡检机器人",
    "domain": "patrol",
    "focus_area": "governance",
    "kind": "typical",
    "problem": "夜间轨道与设备巡检依赖人工，效率低、风险高。",
    "min_trl": 6,
    "budget_min": 500000,
    "budget_max": 2000000,
    "district": "上城区",
    "contact_name": "李工",
    "contact_phone": "0571-00000000",
}
RUBRIC = [("技术方案", 40, 10), ("实施能力", 30, 10), ("经济性", 20, 10), ("团队", 10, 10)]


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages are matched in English here; the pages' Chinese is tested in test_pages."""
    from django.utils import translation

    with translation.override("en"):
        yield


def as_actor(user):
    return Principal(user=user, membership=user.memberships.select_related("organisation").first())


@pytest.fixture
def published(publisher, officer):
    """A scenario drafted by the bureau's publisher, approved and published in a list."""
    scenario = scenarios.scenario_create(actor=as_actor(publisher), **SCENARIO)
    scenarios.scenario_move(actor=as_actor(publisher), scenario=scenario, action="submit")
    scenarios.scenario_move(actor=as_actor(officer), scenario=scenario, action="approve")
    scenarios.list_publish(
        actor=as_actor(officer), kind="scenarios", year=2026, number=1, title="2026年第1批", ids=[scenario.pk]
    )
    scenario.refresh_from_db()
    return scenario


@pytest.fixture
def open_call(published, publisher):
    now = timezone.now()
    return calls.call_open(
        actor=as_actor(publisher),
        scenario=published,
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=7),
        rubric=RUBRIC,
        max_winners=1,
    )


PROPOSAL = {"approach": "激光雷达 + 视觉融合巡检", "plan": "三个月试点，六个月推广", "budget": 1200000, "team": "12 人"}


@pytest.fixture
def applied(open_call, enterprise_user, outsider):
    a = calls.application_submit(actor=as_actor(enterprise_user), call=open_call, **PROPOSAL)
    b = calls.application_submit(actor=as_actor(outsider), call=open_call, **{**PROPOSAL, "budget": 900000})
    return a, b


def close_now(call):
    """Move the deadline into the past, as time passing would."""
    type(call).objects.filter(pk=call.pk).update(
        opens_at=timezone.now() - dt.timedelta(days=8), closes_at=timezone.now() - dt.timedelta(seconds=5)
    )
    call.refresh_from_db()
    return call
