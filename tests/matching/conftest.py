import pytest

from rainforest.accounts.choices import OrganisationKind
from rainforest.exchange.services import scenarios
from tests.exchange.conftest import _english_messages, as_actor, published  # noqa: F401  (fixtures)

OFFERS = {
    "dog": ("机器狗智能巡检系统", ["patrol"], "四足机器狗爬楼梯巡视变电站与地铁站，红外测温与表计识别", 7),
    "rail": ("挂轨巡检机器人", ["patrol"], "地铁站设备房与管廊挂轨巡检，气体检测", 8),
    "care": ("医院物流机器人", ["care"], "药品与标本配送，自动乘梯", 8),
}


def offer(user, key, *, approve_by=None):
    title, domains, description, trl = OFFERS[key]
    capability = scenarios.capability_create(
        actor=as_actor(user), title=title, domains=domains, description=description, trl=trl,
        reference_cases="", certifications="", districts_served=["上城区"],
    )  # fmt: skip
    if approve_by is not None:
        scenarios.capability_move(actor=as_actor(user), capability=capability, action="submit")
        scenarios.capability_move(actor=as_actor(approve_by), capability=capability, action="approve")
        capability.refresh_from_db()
    return capability


@pytest.fixture
def offers(enterprise_user, outsider, officer):
    """Alice's company offers the robot dog (approved) and the hospital robot (approved); Charlie's
    the rail robot (approved)."""
    return {
        "dog": offer(enterprise_user, "dog", approve_by=officer),
        "care": offer(enterprise_user, "care", approve_by=officer),
        "rail": offer(outsider, "rail", approve_by=officer),
    }


@pytest.fixture
def carrier_offer(make_org, make_user, officer):
    from rainforest.accounts.choices import Role

    base = make_org("杭州余杭中试基地", OrganisationKind.PILOT_BASE, "余杭区")
    manager = make_user("bella", Role.ENTERPRISE_USER, base)
    capability = scenarios.capability_create(
        actor=as_actor(manager), title="巡检机器人整机可靠性测试", domains=["patrol"],
        description="高低温、淋雨、振动与跌落试验，电磁兼容预测试", trl=9,
        reference_cases="", certifications="", districts_served=["余杭区"],
    )  # fmt: skip
    scenarios.capability_move(actor=as_actor(manager), capability=capability, action="submit")
    scenarios.capability_move(actor=as_actor(officer), capability=capability, action="approve")
    return capability
