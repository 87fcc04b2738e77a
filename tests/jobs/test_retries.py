"""Every job is retried with backoff until its attempts are spent, and each attempt stays visible."""

import datetime

import pytest
from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rainforest.jobs import chain, retries
from rainforest.jobs.models import JobRetry
from tests.jobs import tasks
from tests.jobs.helpers import run_jobs

pytestmark = pytest.mark.django_db


def chain_of(first):
    later = [link.result for link in JobRetry.objects.filter(first_id=first.id).order_by("attempt")]
    return [DBTaskResult.objects.get(pk=first.id), *later]


def test_a_job_enqueued_in_a_rolled_back_transaction_never_runs():
    with pytest.raises(RuntimeError), transaction.atomic():
        tasks.add.enqueue(1, 2)
        raise RuntimeError("the business write failed")
    run_jobs()
    assert not DBTaskResult.objects.exists()


def test_a_job_enqueued_in_a_committed_transaction_runs():
    with transaction.atomic():
        result = tasks.add.enqueue(1, 2)
    run_jobs()
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 3


def test_a_job_that_fails_twice_then_succeeds_ends_succeeded_with_its_attempts_visible(no_backoff):
    first = tasks.fail_first.enqueue("twice", 2)
    run_jobs()
    attempts = chain_of(first)
    assert [a.status for a in attempts] == ["FAILED", "FAILED", "SUCCESSFUL"]
    assert [chain.attempt_number(a) for a in attempts] == [1, 2, 3]
    assert attempts[0].exception_class_path == "tests.jobs.tasks.Flaky"
    assert attempts[-1].return_value == 3
    assert {chain.first_id(a) for a in attempts} == {attempts[0].id}


def test_a_job_that_always_fails_stays_failed_after_the_configured_attempts(no_backoff, settings):
    settings.RAINFOREST_JOB_ATTEMPTS = 3
    first = tasks.always_fail.enqueue()
    run_jobs()
    attempts = chain_of(first)
    assert [a.status for a in attempts] == ["FAILED"] * 3
    assert not DBTaskResult.objects.exclude(status="FAILED").exists()


def test_a_task_may_ask_for_fewer_attempts(no_backoff):
    first = tasks.always_fail_twice_only.enqueue()
    run_jobs()
    assert len(chain_of(first)) == 2


def test_a_retry_waits_for_its_backoff(settings):
    settings.RAINFOREST_JOB_BACKOFF_SECONDS = 30
    first = tasks.always_fail.enqueue()
    before = timezone.now()
    run_jobs()
    second = JobRetry.objects.get(first_id=first.id).result
    assert second.status == TaskResultStatus.READY
    assert second.run_after >= before + datetime.timedelta(seconds=30)


def test_backoff_doubles_up_to_its_ceiling(settings):
    settings.RAINFOREST_JOB_BACKOFF_SECONDS = 30
    settings.RAINFOREST_JOB_BACKOFF_MAX_SECONDS = 100
    assert [retries.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 100, 100]


def test_retry_now_adds_one_attempt_to_a_failed_job_and_refuses_twice(no_backoff, settings):
    settings.RAINFOREST_JOB_ATTEMPTS = 1
    first = tasks.always_fail.enqueue()
    run_jobs()
    retry = chain.retry_now(first.id)
    assert chain.attempt_number(retry) == 2
    with pytest.raises(chain.NotRetryable):
        chain.retry_now(first.id)
    ok = tasks.add.enqueue(1, 1)
    run_jobs()
    with pytest.raises(chain.NotRetryable):
        chain.retry_now(ok.id)
