"""A job left RUNNING by a dead worker runs again; a live worker's job is left alone.

A kill -9 leaves exactly this behind: the job's row RUNNING under the worker's id, and the worker's
heartbeat row frozen at its last beat. The tests write that state and let another worker find it.
"""

import datetime

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rainforest.jobs import chain
from rainforest.jobs.models import JobRetry, WorkerHeartbeat
from tests.jobs import tasks
from tests.jobs.helpers import run_jobs

pytestmark = pytest.mark.django_db


def left_running(worker_id, *, beat_ago, started_ago):
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        hostname="web-1",
        pid=4242,
        queues="default",
        started_at=now - datetime.timedelta(hours=1),
        beat_at=now - beat_ago,
    )
    result = tasks.add.enqueue(2, 3)
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim(worker_id)
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=now - started_ago)
    return row


def test_a_running_job_whose_worker_stopped_beating_is_run_again_and_counted(settings):
    settings.RAINFOREST_JOB_LEASE_SECONDS = 60
    orphan = left_running("dead", beat_ago=datetime.timedelta(seconds=61), started_ago=datetime.timedelta(minutes=5))
    run_jobs()
    orphan.refresh_from_db()
    assert orphan.status == TaskResultStatus.FAILED
    assert orphan.exception_class_path == "rainforest.jobs.chain.WorkerLost"
    retry = JobRetry.objects.get(previous=orphan)
    assert (retry.attempt, retry.reason) == (2, chain.Reason.WORKER_LOST)
    retry.result.refresh_from_db()
    assert retry.result.status == TaskResultStatus.SUCCESSFUL
    assert retry.result.return_value == 5


def test_a_running_job_whose_worker_beats_is_left_alone(settings):
    settings.RAINFOREST_JOB_LEASE_SECONDS = 60
    busy = left_running("alive", beat_ago=datetime.timedelta(seconds=5), started_ago=datetime.timedelta(minutes=5))
    run_jobs()
    busy.refresh_from_db()
    assert busy.status == TaskResultStatus.RUNNING
    assert not JobRetry.objects.exists()


def test_a_running_job_of_a_worker_without_heartbeat_is_recovered_after_a_lease(settings):
    settings.RAINFOREST_JOB_LEASE_SECONDS = 60
    orphan = left_running("gone", beat_ago=datetime.timedelta(seconds=5), started_ago=datetime.timedelta(minutes=5))
    WorkerHeartbeat.objects.filter(worker_id="gone").delete()
    run_jobs()
    orphan.refresh_from_db()
    assert orphan.status == TaskResultStatus.FAILED


def test_a_job_just_started_is_not_taken_for_an_orphan(settings):
    settings.RAINFOREST_JOB_LEASE_SECONDS = 60
    fresh = left_running("gone", beat_ago=datetime.timedelta(seconds=5), started_ago=datetime.timedelta(seconds=1))
    WorkerHeartbeat.objects.filter(worker_id="gone").delete()
    run_jobs()
    fresh.refresh_from_db()
    assert fresh.status == TaskResultStatus.RUNNING


def test_a_job_whose_worker_dies_on_every_attempt_ends_failed(settings):
    settings.RAINFOREST_JOB_LEASE_SECONDS = 60
    settings.RAINFOREST_JOB_ATTEMPTS = 1
    orphan = left_running("dead", beat_ago=datetime.timedelta(minutes=2), started_ago=datetime.timedelta(minutes=5))
    run_jobs()
    orphan.refresh_from_db()
    assert orphan.status == TaskResultStatus.FAILED
    assert not JobRetry.objects.exists()


def test_a_worker_beats_while_it_works_and_removes_its_row_when_it_stops():
    worker = run_jobs(worker_id="w-1")
    assert WorkerHeartbeat.objects.filter(worker_id="w-1").exists()
    worker.stop_housekeeping()
    assert not WorkerHeartbeat.objects.filter(worker_id="w-1").exists()
