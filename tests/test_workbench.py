"""The workbench: each role's home shows its own queues (and never another organisation's), its own
recent work and shortcuts, in a fixed number of queries however much is waiting; visitors get the
landing page with the public figures."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.tasks import TaskResultStatus
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rainforest.accounts.choices import Role
from rainforest.audit import trail
from rainforest.exchange.choices import CallStatus, ScenarioStatus
from rainforest.exchange.models import Call, ExpertAssignment, Notification, Scenario
from rainforest.fund.models import Ballot, CommitteeMember, Deal, Meeting, Round
from rainforest.fund.services.committee import quorum
from rainforest.seedling.models import MeasureApplication, Need
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

# What the home page may cost with every queue holding items, the three the middleware reads
# included (accounts.middleware): a count and the first items per queue, the recent work, and for
# the enterprise its ladder (own enterprise, facts, recognitions) and the matching engine's shortlist.
BUDGET = {
    "officer": 20,
    "publisher": 12,
    "expert": 7,
    "fund_manager": 11,
    "sysadmin": 8,
    "secadmin": 10,
    "auditor": 8,
    "enterprise_user": 18,
}


def _scenario(org, title, status=ScenarioStatus.SUBMITTED, **extra):
    return Scenario.objects.create(
        publisher=org, title=title, domain="industry", focus_area="industry", kind="opportunity",
        problem="产线需要自动上下料。", min_trl=5, status=status, **extra,
    )  # fmt: skip


def _closed_call(scenario, *, days_ago=2, status=CallStatus.OPEN):
    now = timezone.now()
    return Call.objects.create(
        scenario=scenario, opens_at=now - dt.timedelta(days=30), closes_at=now - dt.timedelta(days=days_ago),
        status=status, opened_by_label="test",
    )  # fmt: skip


def _measure_application(enterprise, user, measure="RM-M03a"):
    return MeasureApplication.objects.create(
        enterprise=enterprise, measure=measure, ruleset_version="test", year=2026, event=str(uuid.uuid4())[:8],
        amount_requested=100000, submitted_by=user,
    )  # fmt: skip


def _need(enterprise, user, category, days_late=3):
    today = timezone.localdate()
    return Need.objects.create(
        enterprise=enterprise, raised_on=today - dt.timedelta(days=20), category=category, description="需要中试场地",
        due_on=today - dt.timedelta(days=days_late), recorded_by=user,
    )  # fmt: skip


def _meeting(enterprise, manager, name="天使轮"):
    deal = Deal.objects.create(enterprise=enterprise, source="self", created_by=manager, stage="committee")
    round_ = Round.objects.create(
        deal=deal, name=name, on=timezone.localdate(), pre_money=10_000_000, investors=[], price_per_share=1,
        report={"criteria": []}, report_digest="0" * 64, verdict="eligible", created_by=manager,
    )  # fmt: skip
    return Meeting.objects.create(round=round_, held_on=timezone.localdate())


def _seat(user, external=True):
    return CommitteeMember.objects.create(user=user, external=external, since=timezone.localdate())


def home(client):
    response = client.get("/")
    assert response.status_code == 200
    return response


def queue(response, key):
    return next(q for q in response.context["bench"].queues if q.key == key)


def test_visitors_get_the_landing_page_with_public_figures(client, bureau):
    _scenario(bureau, "公开场景一", status=ScenarioStatus.PUBLISHED, published_at=timezone.now())
    open_one = _scenario(bureau, "正在揭榜的场景", status=ScenarioStatus.CALL_OPEN, published_at=timezone.now())
    now = timezone.now()
    Call.objects.create(scenario=open_one, opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=5),
                        opened_by_label="test")  # fmt: skip
    _scenario(bureau, "草稿不公开", status=ScenarioStatus.DRAFT)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    figures = response.context["figures"]
    assert (figures.scenarios, figures.open_calls) == (2, 1)
    assert [c.scenario.title for c in figures.closing] == ["正在揭榜的场景"]
    body = response.content.decode()
    assert "正在揭榜的场景" in body and "草稿不公开" not in body
    assert len(queries) <= 5


def test_the_officer_sees_approvals_late_needs_and_applications_to_decide(client, officer, bureau, startup):
    _scenario(bureau, "待审核的场景")
    _scenario(bureau, "已发布的场景", status=ScenarioStatus.PUBLISHED)
    _closed_call(_scenario(bureau, "已截止未评审", status=ScenarioStatus.CALL_OPEN))
    enterprise = startup.enterprise
    _need(enterprise, officer, "融资对接")
    _need(enterprise, officer, "未超期", days_late=-3)
    _measure_application(enterprise, officer)
    sign_in(client, officer)
    response = home(client)
    assert queue(response, "scenarios_to_approve").count == 1
    assert queue(response, "calls_to_review").items[0].label == "已截止未评审"
    needs = queue(response, "needs_overdue")
    assert needs.count == 1 and needs.items[0].late and "融资对接" in needs.items[0].label
    assert queue(response, "measures_to_decide").count == 1
    assert "待审核的场景" in response.content.decode()


def test_a_publisher_sees_its_own_calls_and_scenarios_only(client, publisher, bureau, make_org):
    other = make_org(name="杭州市卫生健康委员会", kind="government", district="")
    _closed_call(_scenario(bureau, "本局已截止的揭榜", status=ScenarioStatus.CALL_OPEN))
    _closed_call(_scenario(other, "他局已截止的揭榜", status=ScenarioStatus.CALL_OPEN))
    _scenario(bureau, "本局被退回", status=ScenarioStatus.RETURNED, status_reason="请补充预算")
    _scenario(other, "他局被退回", status=ScenarioStatus.RETURNED, status_reason="请补充预算")
    sign_in(client, publisher)
    response = home(client)
    assert [i.label for i in queue(response, "calls_to_move").items] == ["本局已截止的揭榜"]
    finish = queue(response, "scenarios_to_finish")
    assert [i.label for i in finish.items] == ["本局被退回"] and finish.items[0].late
    body = response.content.decode()
    assert "他局" not in body


def test_an_expert_sees_their_own_panels_and_votes_only(client, expert, make_user, bureau, startup, fund_manager):
    colleague = make_user("eva", Role.EXPERT)
    call = _closed_call(_scenario(bureau, "评审中的揭榜", status=ScenarioStatus.CALL_CLOSED), status=CallStatus.REVIEW)
    other_call = _closed_call(
        _scenario(bureau, "别人的评审", status=ScenarioStatus.CALL_CLOSED), status=CallStatus.REVIEW
    )
    seat = ExpertAssignment.objects.create(call=call, expert=expert, assigned_by_label="test")
    ExpertAssignment.objects.create(call=other_call, expert=colleague, assigned_by_label="test")
    mine, theirs = _seat(expert), _seat(colleague)
    meeting = _meeting(startup.enterprise, fund_manager)
    Ballot.objects.create(meeting=meeting, member=mine)
    Ballot.objects.create(meeting=meeting, member=theirs, vote="for")
    sign_in(client, expert)
    response = home(client)
    reviews = queue(response, "call_reviews")
    assert [i.label for i in reviews.items] == ["评审中的揭榜"]
    assert reviews.items[0].href == f"/exchange/reviews/{seat.pk}/"  # where the declaration is made
    votes = queue(response, "committee_votes")
    assert votes.count == 1 and startup.name in votes.items[0].label
    assert "别人的评审" not in response.content.decode()
    sign_in(client, colleague)
    assert queue(home(client), "committee_votes").count == 0  # already voted


def test_a_fund_manager_is_asked_for_a_decision_once_a_quorum_has_voted(
    client, fund_manager, startup, other_startup, make_user
):
    """A meeting still collecting votes is the members' work; the manager's queue holds the
    meetings a quorum has voted on, and a manager who sits on the committee counts a meeting once."""
    seats = [_seat(make_user(f"member{i}", Role.EXPERT)) for i in range(quorum())]
    ready = _meeting(startup.enterprise, fund_manager, name="Pre-A轮")
    waiting = _meeting(other_startup.enterprise, fund_manager, name="天使轮")
    Ballot.objects.bulk_create([Ballot(meeting=ready, member=s, vote="for") for s in seats])
    Ballot.objects.bulk_create([Ballot(meeting=waiting, member=s, vote="for") for s in seats[1:]])
    own = _seat(fund_manager, external=False)
    Ballot.objects.create(meeting=waiting, member=own)
    sign_in(client, fund_manager)
    response = home(client)
    meetings = queue(response, "meetings_to_decide")
    assert meetings.count == 1 and meetings.items[0].label.endswith("Pre-A轮")
    votes = queue(response, "committee_votes")
    assert votes.count == 1 and votes.items[0].label.endswith("天使轮")


def test_a_meeting_whose_quorum_can_no_longer_be_reached_goes_back_to_the_fund_manager(
    client, fund_manager, startup, make_user
):
    seats = [_seat(make_user(f"member{i}", Role.EXPERT)) for i in range(quorum())]
    stuck = _meeting(startup.enterprise, fund_manager, name="A轮")
    Ballot.objects.bulk_create([Ballot(meeting=stuck, member=s, conflict="持有该公司股份") for s in seats[:2]])
    Ballot.objects.bulk_create([Ballot(meeting=stuck, member=s) for s in seats[2:]])
    sign_in(client, fund_manager)
    meetings = queue(home(client), "meetings_to_decide")
    assert meetings.count == 1 and meetings.items[0].late and "无法达到法定票数" in meetings.items[0].note


def test_the_enterprise_sees_its_own_applications_needs_and_notices_never_another(
    client, enterprise_user, outsider, startup, other_startup, officer
):
    _measure_application(startup.enterprise, enterprise_user)
    _measure_application(other_startup.enterprise, outsider, measure="RM-M05b")
    _need(startup.enterprise, officer, "本企业的需求", days_late=-5)
    _need(other_startup.enterprise, officer, "别家的需求", days_late=-5)
    Notification.objects.create(user=enterprise_user, kind="scenario", key="a", text="给本企业的提醒")
    Notification.objects.create(user=outsider, kind="scenario", key="b", text="给别家的提醒")
    sign_in(client, enterprise_user)
    response = home(client)
    bench = response.context["bench"]
    assert len(bench.tracked) == 1
    steps = [s.state for s in bench.tracked[0].steps]
    assert steps == ["done", "done", "current", "todo"]  # applied, accepted, under review, not concluded
    assert [i.label for i in queue(response, "own_needs").items] == ["本企业的需求"]
    assert [i.label for i in queue(response, "notices").items] == ["给本企业的提醒"]
    assert bench.ladder is not None and bench.ladder.enterprise == startup.enterprise
    body = response.content.decode()
    assert "别家" not in body and other_startup.name not in body


def test_a_notice_is_news_not_work_and_is_read_once_opened(client, enterprise_user, outsider):
    """An unread notice is listed, but not counted among the items waiting; opening it (from the
    workbench or the notices list) marks it read and goes where it points; another's notice is 404."""
    mine = Notification.objects.create(
        user=enterprise_user, kind="scenario", key="a", text="您关注的新场景", link="/exchange/"
    )
    theirs = Notification.objects.create(user=outsider, kind="scenario", key="b", text="别家的提醒", link="/exchange/")
    sign_in(client, enterprise_user)
    response = home(client)
    bench = response.context["bench"]
    notices = queue(response, "notices")
    assert notices.count == 1 and bench.waiting == sum(q.count for q in bench.queues) - 1
    opened = client.get(notices.items[0].href)
    assert opened.status_code == 302 and opened["Location"] == "/exchange/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert queue(home(client), "notices").count == 0
    assert client.get(f"/exchange/notifications/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    Notification.objects.filter(pk=mine.pk).update(read_at=None, link="https://evil.example/")
    assert client.get(f"/exchange/notifications/{mine.pk}/")["Location"] == "/exchange/subscription/"


def test_the_enterprise_reads_how_late_an_answer_to_its_need_is(client, enterprise_user, startup, officer):
    """The officer's workbench says a need is 3 days late; the enterprise's says so too."""
    _need(startup.enterprise, officer, "中试场地", days_late=3)
    sign_in(client, enterprise_user)
    item = queue(home(client), "own_needs").items[0]
    assert item.late and "已超期 3 天" in item.note


def test_the_system_administrator_sees_failed_jobs(client, sysadmin):
    now = timezone.now()
    DBTaskResult.objects.create(
        status=TaskResultStatus.FAILED, enqueued_at=now, finished_at=now, args_kwargs={"args": [], "kwargs": {}},
        task_path="rainforest.registry.tasks.build_export", backend_name="default", run_after=now,
        exception_class_path="builtins.ValueError", traceback="Traceback...\nValueError: bad file",
    )  # fmt: skip
    sign_in(client, sysadmin)
    failed = queue(home(client), "failed_jobs")
    assert failed.count == 1 and failed.items[0].label == "build export" and "ValueError" in failed.items[0].note


def test_the_security_administrator_sees_accounts_without_a_role(client, secadmin, make_user):
    make_user("newcomer")
    sign_in(client, secadmin)
    response = home(client)
    assert [i.label for i in queue(response, "without_role").items] == ["newcomer"]


def test_the_auditor_sees_failed_sign_ins_in_words(client, auditor, enterprise_user):
    client.post("/accounts/login/", {"username": "alice", "password": "wrong-password"})
    sign_in(client, auditor)
    response = home(client)
    trouble = queue(response, "sign_in_trouble")
    assert trouble.count == 1
    assert "auth.login.failed" not in response.content.decode()


def test_recent_work_is_the_users_own_actions_in_words(client, officer, publisher, bureau):
    from django.db import transaction

    from rainforest.accounts.permissions import Principal

    with transaction.atomic():
        trail.record(Principal(officer, officer.memberships.get()), "exchange.scenario.approve", subject_label="甲场景")
        trail.record(Principal(publisher, publisher.memberships.get()), "exchange.scenario.submit", subject_label="乙")
    sign_in(client, officer)
    client.cookies["django_language"] = "en"
    recent = home(client).context["bench"].recent
    assert [(r.action, r.subject) for r in recent] == [("Scenario approved", "甲场景")]


def _count(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        home(client)
    return len(queries)


@pytest.mark.parametrize("who", list(BUDGET))
def test_each_workbench_costs_a_fixed_number_of_queries(client, request, who, bureau, startup, officer):
    user = request.getfixturevalue(who)
    sign_in(client, user)
    home(client)  # the first request after sign-in starts the session's clocks
    empty = _count(client)
    # Much more to wait for: the count stays the same.
    for n in range(6):
        _scenario(bureau, f"待审核{n}")
        _closed_call(_scenario(bureau, f"已截止{n}", status=ScenarioStatus.CALL_OPEN))
        _need(startup.enterprise, officer, f"需求{n}")
        _measure_application(startup.enterprise, officer)
        _scenario(bureau, f"退回{n}", status=ScenarioStatus.RETURNED)
    full = _count(client)
    assert full <= BUDGET[who], (who, empty, full)
    # Queues that were empty skip reading their items: never more than one query each.
    assert full - empty <= len(home(client).context["bench"].queues)


@pytest.mark.parametrize("who", list(BUDGET))
def test_every_link_on_a_workbench_opens_a_page(client, request, who, bureau, startup, officer):
    """A shortcut or a queue's heading is followed with a plain click (GET): none may lead to a
    form's POST-only address (405) or anywhere that fails."""
    import re

    user = request.getfixturevalue(who)
    _scenario(bureau, "已审核待列入清单", status=ScenarioStatus.APPROVED)
    _scenario(bureau, "待审核")
    sign_in(client, user)
    body = home(client).content.decode()
    links = sorted(set(re.findall(r'href="(/[^"#?]*)[^"]*"', body)) - {"/accounts/logout/"})
    assert links
    for link in links:
        if link.startswith("/static/"):
            continue
        status = client.get(link).status_code
        assert status in (200, 302), (who, link, status)


def test_a_user_without_a_role_gets_a_workbench_that_says_so(client, make_user):
    sign_in(client, make_user("newcomer"))
    response = home(client)
    assert response.context["bench"].queues == []
    assert "/accounts/password/" in response.content.decode()


def test_the_navigation_groups_pages_by_programme_and_marks_the_current_one(client, officer):
    sign_in(client, officer)
    response = client.get("/seedling/needs/")
    groups = response.context["nav_groups"]
    keys = [g.key for g in groups]
    assert keys[:3] == ["seedling", "exchange", "registry"] and "fund" not in keys
    current = [g.key for g in groups if g.current]
    assert current == ["seedling"]
    body = response.content.decode()
    assert 'aria-expanded="false"' in body and 'aria-controls="menu-seedling"' in body
    assert 'href="/seedling/needs/" aria-current="page"' in body
    assert "🌿" not in body and '<svg class="logo"' in body  # a glyph every font can draw


def test_visitors_see_the_public_menus_only(client):
    groups = client.get("/").context["nav_groups"]
    links = {link.href for g in groups for link in g.links}
    assert "/exchange/" in links and "/policy/check/" in links
    assert not any(h.startswith(("/registry/", "/fund/", "/accounts/")) for h in links)


def test_saving_a_subscription_reads_back_under_the_users_name_not_the_login(client, enterprise_user):
    from rainforest.accounts.permissions import Principal
    from rainforest.exchange.services.subscriptions import subscription_save

    enterprise_user.display_name = "张三"
    enterprise_user.save()
    subscription_save(
        actor=Principal(enterprise_user, enterprise_user.memberships.get()),
        domains=[],
        districts=[],
        keywords=["机器狗"],
    )
    sign_in(client, enterprise_user)
    recent = home(client).context["bench"].recent
    assert [r.subject for r in recent] == ["张三"]


def test_a_deal_at_the_committee_stage_without_a_meeting_waits_for_the_fund_manager(
    client, fund_manager, startup, other_startup
):
    """Moved to the committee, a deal needs its round proposed and its meeting opened: that is the
    manager's to do; a deal whose meeting is open is the members' (their votes), not counted here."""
    waiting = Deal.objects.create(
        enterprise=startup.enterprise, source="self", created_by=fund_manager, stage="committee"
    )
    _meeting(other_startup.enterprise, fund_manager)  # at the committee stage, its meeting open
    sign_in(client, fund_manager)
    response = home(client)
    queue_ = queue(response, "committee_without_meeting")
    assert queue_.count == 1 and queue_.items[0].href == f"/fund/deals/{waiting.pk}/#rounds"
    page = client.get(f"/fund/deals/{waiting.pk}/").content.decode()
    assert "投委会尚未批准本项目的任何一轮投资" in page and "disabled" in page  # no button that can only fail
