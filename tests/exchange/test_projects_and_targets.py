import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rainforest.exchange import selectors
from rainforest.exchange.models import Notification, Project
from rainforest.exchange.services import projects as services
from rainforest.exchange.services import scenarios
from rainforest.exchange.services.notify import remind_deadlines
from rainforest.exchange.services.subscriptions import subscription_save
from tests.exchange.conftest import SCENARIO, as_actor


@pytest.fixture
def project(published, bureau, startup):
    return Project.objects.create(
        scenario=published,
        publisher=bureau,
        enterprise=startup,
        contract_value=1_200_000,
        agreed_on=timezone.localdate(),
    )


def test_milestones_overdue_and_landing(project, publisher, enterprise_user, outsider):
    late = services.milestone_add(
        actor=as_actor(enterprise_user),
        project=project,
        title="试点部署",
        due_on=timezone.localdate() - dt.timedelta(days=1),
    )
    assert services.overdue(project) == [late]
    with pytest.raises(PermissionDenied):
        services.milestone_add(actor=as_actor(outsider), project=project, title="x", due_on=timezone.localdate())
    with pytest.raises(ValidationError, match="milestone"):
        services.project_move(actor=as_actor(publisher), project=project, action="confirm_landing")
    services.milestone_done(
        actor=as_actor(enterprise_user), milestone=late, done_on=timezone.localdate(), evidence="试点验收报告已上传"
    )
    with pytest.raises(PermissionDenied):  # only the publisher confirms its own landing
        services.project_move(actor=as_actor(enterprise_user), project=project, action="confirm_landing")
    services.project_move(actor=as_actor(publisher), project=project, action="confirm_landing")
    project.refresh_from_db()
    assert project.status == "landed" and project.landed_on == timezone.localdate()
    with pytest.raises(ValidationError, match="acceptance"):
        services.project_move(actor=as_actor(publisher), project=project, action="accept")
    services.project_move(actor=as_actor(publisher), project=project, action="accept", grade="优秀")
    services.project_followup(
        actor=as_actor(publisher),
        project=project,
        in_use=True,
        in_use_since=timezone.localdate(),
        further_contracts=2,
        further_value=3_000_000,
    )
    project.refresh_from_db()
    assert project.in_use and project.further_contracts == 2
    kinds = list(project.events.values_list("kind", flat=True))
    assert kinds == ["milestone_added", "milestone_done", "confirm_landing", "accept", "followup"]


def test_targets_count_by_the_definitions_shown(project, publisher):
    data = selectors.targets(timezone.localdate().year)
    rows = {r["key"]: r for r in data["rows"]}
    assert rows["scenarios"]["count"] == 1 and rows["scenarios"]["target"] == 200
    assert rows["projects"]["count"] == 1 and rows["landings"]["count"] == 0
    assert rows["scenarios"]["by_domain"] == {"patrol": 1}


def test_subscribers_are_notified_once_by_platform_and_mail(enterprise_user, publisher, officer):
    from tests.jobs.helpers import run_jobs

    subscription_save(
        actor=as_actor(enterprise_user), domains=["patrol"], districts=[], keywords=[], email="alice@example.cn"
    )
    s = scenarios.scenario_create(actor=as_actor(publisher), **SCENARIO)
    scenarios.scenario_move(actor=as_actor(publisher), scenario=s, action="submit")
    scenarios.scenario_move(actor=as_actor(officer), scenario=s, action="approve")
    scenarios.list_publish(actor=as_actor(officer), kind="scenarios", year=2026, number=5, title="第5批", ids=[s.pk])
    run_jobs()  # the notices and their mail are background jobs (tests/exchange/test_jobs.py)
    run_jobs()
    assert Notification.objects.filter(user=enterprise_user, kind="scenario_published").count() == 1
    assert len(mail.outbox) == 1 and SCENARIO["title"] in mail.outbox[0].subject


def test_keyword_and_district_subscriptions_match(enterprise_user):
    from rainforest.exchange.models import Scenario, Subscription
    from rainforest.exchange.services.notify import matches

    sub = Subscription(user=enterprise_user, domains=[], districts=["西湖区"], keywords=["巡检"])
    assert matches(sub, Scenario(title="地铁站巡检机器人", problem="", domain="care", district=""))
    assert matches(sub, Scenario(title="x", problem="", domain="care", district="西湖区"))
    assert not matches(sub, Scenario(title="导览机器人", problem="", domain="tourism", district="上城区"))


def test_deadline_reminders_go_once_to_applicants(applied, open_call, enterprise_user):
    from tests.exchange.conftest import close_now  # noqa: F401

    type(open_call).objects.filter(pk=open_call.pk).update(closes_at=timezone.now() + dt.timedelta(hours=10))
    assert remind_deadlines(hours=72) == 2  # two applicant organisations, one member each
    assert remind_deadlines(hours=72) == 0
    assert Notification.objects.filter(user=enterprise_user, kind="deadline").count() == 1
