"""The exchange's background work: notice mails are jobs, reminders and time-driven moves are
periodic jobs run by the worker as the system, audited and idempotent."""

import datetime as dt
import socket

import pytest
from django.core import mail
from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rainforest.audit.models import AuditEvent
from rainforest.exchange.models import Call, Notification, PublicNotice
from rainforest.exchange.services import calls, reviews, scenarios
from rainforest.exchange.services.notify import _notify, remind_deadlines
from rainforest.exchange.services.subscriptions import subscription_save
from rainforest.jobs.models import JobRetry
from tests.exchange.conftest import SCENARIO, as_actor, close_now
from tests.jobs.helpers import run_jobs

MAIL_TASK = "rainforest.exchange.tasks.send_notice_mail"


@pytest.fixture
def mail_server_down(settings):
    """The real SMTP backend, pointed at a port on this machine where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }


def mail_server_back(settings):
    """Django's own test mail backend (the test runner's default), which keeps mail in mail.outbox."""
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def subscribe(user, email="alice@example.cn", domains=("patrol",)):
    subscription_save(actor=as_actor(user), domains=list(domains), districts=[], keywords=[], email=email)


def test_a_published_scenario_reaches_subscribers_through_jobs_not_the_request(enterprise_user, publisher, officer):
    subscribe(enterprise_user)
    s = scenarios.scenario_create(actor=as_actor(publisher), **SCENARIO)
    scenarios.scenario_move(actor=as_actor(publisher), scenario=s, action="submit")
    scenarios.scenario_move(actor=as_actor(officer), scenario=s, action="approve")
    scenarios.list_publish(actor=as_actor(officer), kind="scenarios", year=2026, number=5, title="第5批", ids=[s.pk])
    assert mail.outbox == [] and not Notification.objects.exists()  # the publication only enqueued
    run_jobs()
    assert Notification.objects.filter(user=enterprise_user, kind="scenario_published").count() == 1
    assert len(mail.outbox) == 1 and SCENARIO["title"] in mail.outbox[0].subject
    assert mail.outbox[0].to == ["alice@example.cn"]
    assert DBTaskResult.objects.get(task_path=MAIL_TASK).status == TaskResultStatus.SUCCESSFUL


CLOSING = {"t": "闭幕", "when": "2026-12-05T18:00:00+08:00"}


def test_a_notice_and_its_mail_job_roll_back_together(enterprise_user):
    with pytest.raises(RuntimeError), transaction.atomic():
        _notify(enterprise_user, "deadline", "call:1", CLOSING, "/x/", "alice@example.cn")
        raise RuntimeError("the caller's write failed")
    run_jobs()
    assert not Notification.objects.exists() and not DBTaskResult.objects.exists() and mail.outbox == []


def test_the_mail_job_carries_no_address_and_uses_the_current_one(enterprise_user):
    subscribe(enterprise_user, "old@example.cn")
    _notify(enterprise_user, "deadline", "call:1", CLOSING, "/x/", "old@example.cn")
    assert "example.cn" not in str(DBTaskResult.objects.get(task_path=MAIL_TASK).args_kwargs)
    subscribe(enterprise_user, "new@example.cn")
    run_jobs()
    assert mail.outbox[0].to == ["new@example.cn"]


def test_a_mail_server_outage_keeps_the_notice_and_retries_the_mail(
    mail_server_down, settings, applied, open_call, enterprise_user
):
    settings.RAINFOREST_JOB_BACKOFF_SECONDS = 60
    subscribe(enterprise_user, domains=())  # only the reminder below is mailed
    Call.objects.filter(pk=open_call.pk).update(closes_at=timezone.now() + dt.timedelta(hours=10))
    remind_deadlines(hours=72)
    run_jobs()
    assert Notification.objects.filter(user=enterprise_user, kind="deadline").count() == 1
    failed = DBTaskResult.objects.get(task_path=MAIL_TASK, status=TaskResultStatus.FAILED)
    retry = JobRetry.objects.get(previous=failed)
    assert retry.attempt == 2 and retry.result.status == TaskResultStatus.READY

    # The mail server is back and the backoff has passed: the same notice is mailed once.
    mail_server_back(settings)
    DBTaskResult.objects.filter(pk=retry.result_id).update(run_after=timezone.now())
    run_jobs()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@example.cn"]
    assert Notification.objects.filter(user=enterprise_user, kind="deadline").count() == 1


def test_the_remind_command_still_triggers_reminders_by_hand(applied, open_call):
    from django.core.management import call_command

    Call.objects.filter(pk=open_call.pk).update(closes_at=timezone.now() + dt.timedelta(hours=10))
    call_command("exchange", "remind", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Notification.objects.filter(kind="deadline").count() == 2


def test_a_call_past_its_deadline_is_moved_to_review_by_the_clock_and_audited(applied, open_call):
    from rainforest.exchange.tasks import move_on_time

    close_now(open_call)
    first = move_on_time.call()
    open_call.refresh_from_db()
    assert open_call.status == "review" and open_call.scenario.status == "call_closed"
    assert first["calls_to_review"] == [open_call.pk]
    event = AuditEvent.objects.get(action="exchange.call.review_started", subject_id=str(open_call.pk))
    assert event.actor_label == "system:clock" and event.actor_id is None
    assert move_on_time.call()["calls_to_review"] == []  # idempotent
    assert AuditEvent.objects.filter(action="exchange.call.review_started").count() == 1


def test_a_call_within_its_deadline_stays_open(applied, open_call):
    from rainforest.exchange.tasks import close_due_calls

    assert close_due_calls() == []
    open_call.refresh_from_db()
    assert open_call.status == "open"


def test_the_move_job_runs_in_the_worker_as_a_periodic_job(applied, open_call):
    from rainforest.jobs import periodic

    close_now(open_call)
    jobs = {name: job for name, job in periodic.discover().items() if name == "exchange.move_on_time"}
    run_jobs(periodic_jobs=jobs)
    open_call.refresh_from_db()
    assert open_call.status == "review"


@pytest.fixture
def notice_over(applied, open_call, officer, expert, publisher):
    close_now(open_call)
    calls.call_start_review(actor=as_actor(officer), call=open_call)
    assignment = reviews.panel_assign(actor=as_actor(officer), call=open_call, expert=expert)
    reviews.panel_declare(actor=as_actor(expert), assignment=assignment, conflicted=[])
    a, b = applied
    for application in applied:
        scores = {str(c.pk): 8 for c in open_call.rubric.all()}
        reviews.review_submit(actor=as_actor(expert), assignment=assignment, application=application, scores=scores)
    notice = reviews.award_pick(
        actor=as_actor(publisher), call=open_call, picks=[(a, "技术方案最完整")], channel="x@y.cn"
    )
    PublicNotice.objects.filter(pk=notice.pk).update(starts_on=timezone.localdate() - dt.timedelta(days=9))
    PublicNotice.objects.filter(pk=notice.pk).update(ends_on=timezone.localdate() - dt.timedelta(days=1))
    notice.refresh_from_db()
    return notice


def test_officers_are_told_once_that_a_notice_can_be_finalised_but_it_stays_their_decision(notice_over, officer):
    from rainforest.exchange.tasks import move_on_time

    assert move_on_time.call()["notices_over_notified"] == 1
    assert move_on_time.call()["notices_over_notified"] == 0
    assert Notification.objects.get(kind="notice_over").user == officer
    notice_over.call.refresh_from_db()
    assert notice_over.call.status == "notice" and notice_over.finalised_at is None


def test_no_officer_is_told_while_an_objection_is_pending(notice_over, outsider):
    from rainforest.exchange.tasks import move_on_time

    PublicNotice.objects.filter(pk=notice_over.pk).update(ends_on=timezone.localdate())
    notice_over.refresh_from_db()
    reviews.objection_submit(actor=as_actor(outsider), notice=notice_over, text="评分过程未考虑我方的成本优势。")
    PublicNotice.objects.filter(pk=notice_over.pk).update(ends_on=timezone.localdate() - dt.timedelta(days=1))
    assert move_on_time.call()["notices_over_notified"] == 0
