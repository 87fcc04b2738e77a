"""The system administrator sees the queue, its workers and every failed job, and may retry one;
nobody else sees the page or retries."""

import datetime

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rainforest.audit.models import AuditEvent
from rainforest.jobs.models import JobRetry, WorkerHeartbeat
from tests.conftest import sign_in
from tests.jobs import tasks
from tests.jobs.helpers import run_jobs

PAGE = "/ops/jobs/"
OTHERS = ["enterprise_user", "publisher", "officer", "expert", "fund_manager", "secadmin", "auditor"]


@pytest.fixture
def failed_for_good(settings, db):
    settings.RAINFOREST_JOB_ATTEMPTS = 3
    settings.RAINFOREST_JOB_BACKOFF_SECONDS = 0
    tasks.always_fail.enqueue()
    run_jobs()
    return DBTaskResult.objects.get(status=TaskResultStatus.FAILED, retried_by__isnull=True)


def test_a_job_that_always_fails_shows_with_its_attempts_and_masked_error(client, sysadmin, failed_for_good):
    sign_in(client, sysadmin)
    body = client.get(PAGE).content.decode()
    assert "tests.jobs.tasks.always_fail" in body
    assert "<td>3</td>" in body  # attempts
    assert body.count("<li value=") == 3  # each attempt, with its time and error
    assert "Flaky" in body and "refused" in body
    assert "zhang.san@example.com" not in body and "13812345678" not in body


def test_the_queue_shows_live_workers_and_warns_when_none_reports(client, sysadmin):
    sign_in(client, sysadmin)
    assert "rainforest worker" in client.get(PAGE).content.decode()  # no worker: the warning names the command
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="web-1-77", hostname="web-1", pid=77, queues="default",
                                   started_at=now, beat_at=now)  # fmt: skip
    WorkerHeartbeat.objects.create(worker_id="web-2-88", hostname="web-2", pid=88, queues="default",
                                   started_at=now, beat_at=now - datetime.timedelta(hours=1))  # fmt: skip
    body = client.get(PAGE).content.decode()
    assert "web-1-77" in body and "web-2-88" not in body


def test_retry_now_enqueues_one_more_attempt_and_is_audited(client, sysadmin, failed_for_good):
    sign_in(client, sysadmin)
    response = client.post(f"/ops/jobs/{failed_for_good.pk}/retry/")
    assert response.status_code == 302 and response["Location"] == PAGE
    link = JobRetry.objects.get(previous=failed_for_good)
    assert link.attempt == 4 and link.reason == "manual"
    assert link.result.status == TaskResultStatus.READY
    event = AuditEvent.objects.get(action="jobs.job.retried")
    assert event.actor_label == sysadmin.username and event.subject_id == str(failed_for_good.pk)
    # The job is no longer among the failed ones; a second click is refused with a message.
    assert "tests.jobs.tasks.always_fail" not in client.get(PAGE).content.decode()
    client.post(f"/ops/jobs/{failed_for_good.pk}/retry/")
    assert JobRetry.objects.filter(previous=failed_for_good).count() == 1
    assert AuditEvent.objects.filter(action="jobs.job.retried").count() == 1


def test_retry_is_post_only(client, sysadmin, failed_for_good):
    sign_in(client, sysadmin)
    assert client.get(f"/ops/jobs/{failed_for_good.pk}/retry/").status_code == 405


@pytest.mark.parametrize("persona", OTHERS)
def test_every_other_role_is_refused_the_page_and_the_retry(persona, request, client, failed_for_good):
    sign_in(client, request.getfixturevalue(persona))
    assert client.get(PAGE).status_code == 403
    assert client.post(f"/ops/jobs/{failed_for_good.pk}/retry/").status_code == 403
    assert not JobRetry.objects.filter(previous=failed_for_good).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, failed_for_good):
    assert client.get(PAGE)["Location"].startswith("/accounts/login/")
    assert client.post(f"/ops/jobs/{failed_for_good.pk}/retry/")["Location"].startswith("/accounts/login/")


def test_the_system_administrators_navigation_links_the_page(client, sysadmin, officer):
    sign_in(client, sysadmin)
    assert f'href="{PAGE}"' in client.get("/").content.decode()
    client.logout()
    sign_in(client, officer)
    assert f'href="{PAGE}"' not in client.get("/").content.decode()


@pytest.mark.parametrize("page", ["abc", "0", "-3", "1e9", "\u0661"])
def test_a_malformed_page_number_shows_the_first_page(client, sysadmin, page):
    sign_in(client, sysadmin)
    assert client.get("/ops/jobs/", {"page": page}).status_code == 200
