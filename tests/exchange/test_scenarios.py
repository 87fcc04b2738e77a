import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rainforest.audit.models import AuditEvent
from rainforest.exchange.models import PublishedList, Scenario
from rainforest.exchange.services import scenarios
from tests.exchange.conftest import SCENARIO, as_actor


def test_the_lifecycle_with_a_return_and_every_step_audited(publisher, officer):
    s = scenarios.scenario_create(actor=as_actor(publisher), **SCENARIO)
    scenarios.scenario_move(actor=as_actor(publisher), scenario=s, action="submit")
    with pytest.raises(ValidationError):
        scenarios.scenario_move(actor=as_actor(officer), scenario=s, action="return", reason="")
    scenarios.scenario_move(actor=as_actor(officer), scenario=s, action="return", reason="预算区间请细化到设备与服务")
    s = scenarios.scenario_update(actor=as_actor(publisher), scenario=s, version=1, budget_max=1800000)
    scenarios.scenario_move(actor=as_actor(publisher), scenario=s, action="submit")
    scenarios.scenario_move(actor=as_actor(officer), scenario=s, action="approve")
    s.refresh_from_db()
    assert s.status == "approved"
    actions = set(AuditEvent.objects.filter(subject_type="scenario").values_list("action", flat=True))
    assert {
        "exchange.scenario.created",
        "exchange.scenario.submit",
        "exchange.scenario.return",
        "exchange.scenario.updated",
        "exchange.scenario.approve",
    } <= actions


def test_two_officers_approving_leave_one_decision(publisher, officer, make_user, bureau):
    from rainforest.accounts.choices import Role

    second = make_user("oscar", Role.PROGRAMME_OFFICER, bureau)
    s = scenarios.scenario_create(actor=as_actor(publisher), **SCENARIO)
    scenarios.scenario_move(actor=as_actor(publisher), scenario=s, action="submit")
    scenarios.scenario_move(actor=as_actor(officer), scenario=s, action="approve")
    with pytest.raises(ValidationError, match="cannot be moved"):
        scenarios.scenario_move(actor=as_actor(second), scenario=s, action="approve")
    assert AuditEvent.objects.filter(action="exchange.scenario.approve").count() == 1


def test_who_may_not_move_a_scenario(publisher, officer, enterprise_user, make_user, make_org):
    from rainforest.accounts.choices import OrganisationKind, Role

    other_dept = make_org(name="杭州市城市管理局", kind=OrganisationKind.GOVERNMENT)
    stranger = make_user("pete", Role.SCENARIO_PUBLISHER, other_dept)
    with pytest.raises(PermissionDenied):
        scenarios.scenario_create(actor=as_actor(enterprise_user), **SCENARIO)
    s = scenarios.scenario_create(actor=as_actor(publisher), **SCENARIO)
    with pytest.raises(PermissionDenied):
        scenarios.scenario_move(actor=as_actor(stranger), scenario=s, action="submit")
    scenarios.scenario_move(actor=as_actor(publisher), scenario=s, action="submit")
    with pytest.raises(PermissionDenied):
        scenarios.scenario_move(actor=as_actor(publisher), scenario=s, action="approve")


def test_bad_scenario_input_is_refused_and_nothing_saved(publisher):
    with pytest.raises(ValidationError):
        scenarios.scenario_create(actor=as_actor(publisher), **{**SCENARIO, "min_trl": 10})
    with pytest.raises(ValidationError):
        scenarios.scenario_create(actor=as_actor(publisher), **{**SCENARIO, "budget_min": 3000000})
    assert not Scenario.objects.exists()


def test_stale_edit_is_refused(publisher):
    s = scenarios.scenario_create(actor=as_actor(publisher), **SCENARIO)
    scenarios.scenario_update(actor=as_actor(publisher), scenario=s, version=1, title="新标题")
    with pytest.raises(ValidationError, match="Someone else"):
        scenarios.scenario_update(actor=as_actor(publisher), scenario=s, version=1, title="旧版本上的修改")


def test_a_published_list_never_changes_a_correction_is_a_new_version(published, officer, publisher):
    first = PublishedList.objects.get()
    assert first.version == 1 and first.items[0]["title"] == SCENARIO["title"]
    assert "contact_phone" not in first.items[0]  # no consent given to show contacts
    with pytest.raises(ValidationError, match="correction"):
        scenarios.list_publish(
            actor=as_actor(officer), kind="scenarios", year=2026, number=1, title="x", ids=[published.pk]
        )
    Scenario.objects.filter(pk=published.pk).update(title="地铁站巡检机器人（修订）")
    second = scenarios.list_publish(
        actor=as_actor(officer),
        kind="scenarios",
        year=2026,
        number=1,
        title="2026年第1批",
        ids=[published.pk],
        correction_note="标题文字勘误",
    )
    assert second.version == 2
    assert second.changes["changed"][str(published.pk)]["title"] == [SCENARIO["title"], "地铁站巡检机器人（修订）"]
    first.refresh_from_db()
    assert first.items[0]["title"] == SCENARIO["title"]


def test_only_approved_items_can_be_listed(publisher, officer):
    s = scenarios.scenario_create(actor=as_actor(publisher), **SCENARIO)
    with pytest.raises(ValidationError, match="Not approved"):
        scenarios.list_publish(actor=as_actor(officer), kind="scenarios", year=2026, number=2, title="x", ids=[s.pk])


def test_capabilities_are_reviewed_before_listing(enterprise_user, officer):
    c = scenarios.capability_create(
        actor=as_actor(enterprise_user),
        title="四足巡检机器人",
        domains=["patrol"],
        description="防爆四足机器人，支持夜间自主巡检。",
        trl=7,
        districts_served=["滨江区"],
    )
    with pytest.raises(ValidationError):
        scenarios.list_publish(actor=as_actor(officer), kind="capabilities", year=2026, number=1, title="x", ids=[c.pk])
    scenarios.capability_move(actor=as_actor(enterprise_user), capability=c, action="submit")
    with pytest.raises(PermissionDenied):
        scenarios.capability_move(actor=as_actor(enterprise_user), capability=c, action="approve")
    scenarios.capability_move(actor=as_actor(officer), capability=c, action="approve")
    listed = scenarios.list_publish(
        actor=as_actor(officer), kind="capabilities", year=2026, number=1, title="能力清单第1批", ids=[c.pk]
    )
    assert listed.items[0]["title"] == "四足巡检机器人"
