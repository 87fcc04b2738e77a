"""Periodic jobs are declared once in code and enqueued once per interval, however many workers."""

import datetime
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rainforest.jobs import periodic, scheduler
from rainforest.jobs.models import PeriodicSchedule
from rainforest.jobs.periodic import Periodic
from tests.jobs import tasks

EVERY = datetime.timedelta(hours=1)
JOBS = {"tests.add": Periodic(name="tests.add", every=EVERY, task=tasks.add)}


def test_the_platform_declares_its_periodic_jobs_in_its_apps_tasks_modules():
    names = set(periodic.discover())
    assert {
        "exchange.remind_deadlines",
        "exchange.move_on_time",
        "matching.compact",
        "jobs.prune_results",
    } <= names


def test_periodic_goes_above_task():
    with pytest.raises(ImproperlyConfigured):
        periodic.periodic(every=EVERY, name="tests.bare")(tasks.add.func)


def test_a_name_belongs_to_one_task():
    periodic.periodic(every=EVERY, name="tests.unique")(tasks.add)
    try:
        periodic.periodic(every=EVERY, name="tests.unique")(tasks.add)  # the same task again: harmless
        with pytest.raises(ImproperlyConfigured):
            periodic.periodic(every=EVERY, name="tests.unique")(tasks.always_fail)
    finally:
        periodic.PERIODIC.pop("tests.unique")


def test_an_interval_under_a_second_is_refused():
    with pytest.raises(ImproperlyConfigured):
        periodic.periodic(every=datetime.timedelta(milliseconds=10), name="tests.fast")


@pytest.mark.django_db
def test_a_due_job_is_enqueued_once_and_then_waits_for_its_interval():
    assert scheduler.enqueue_due(JOBS) == ["tests.add"]
    assert scheduler.enqueue_due(JOBS) == []
    row = PeriodicSchedule.objects.get(name="tests.add")
    assert row.next_run_at > timezone.now() + EVERY - datetime.timedelta(minutes=1)
    assert DBTaskResult.objects.filter(task_path="tests.jobs.tasks.add").count() == 1


@pytest.mark.django_db
def test_missed_intervals_run_once_not_once_each():
    scheduler.ensure_rows(JOBS)
    PeriodicSchedule.objects.filter(name="tests.add").update(next_run_at=timezone.now() - 10 * EVERY)
    DBTaskResult.objects.all().delete()
    assert scheduler.enqueue_due(JOBS) == ["tests.add"]
    assert DBTaskResult.objects.count() == 1
    assert PeriodicSchedule.objects.get(name="tests.add").next_run_at > timezone.now()


@pytest.mark.django_db
def test_a_job_still_waiting_from_the_last_interval_is_not_enqueued_again():
    scheduler.enqueue_due(JOBS)
    PeriodicSchedule.objects.filter(name="tests.add").update(next_run_at=timezone.now())
    assert scheduler.enqueue_due(JOBS) == []
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections need PostgreSQL")
def test_two_workers_claiming_at_once_enqueue_the_job_once():
    scheduler.ensure_rows(JOBS)
    start = threading.Barrier(2)
    names = []

    def worker():
        try:
            start.wait()
            names.extend(scheduler.enqueue_due(JOBS))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert names == ["tests.add"]
    assert DBTaskResult.objects.filter(task_path="tests.jobs.tasks.add").count() == 1


@pytest.mark.django_db
def test_a_failing_periodic_job_starts_no_new_chain_while_its_retry_waits():
    from tests.jobs.helpers import run_jobs

    jobs = {"tests.fail": Periodic(name="tests.fail", every=datetime.timedelta(seconds=1), task=tasks.always_fail)}
    assert scheduler.enqueue_due(jobs) == ["tests.fail"]
    run_jobs(periodic_jobs={})  # the first run fails; its retry waits out its backoff
    PeriodicSchedule.objects.filter(name="tests.fail").update(next_run_at=timezone.now())
    assert scheduler.enqueue_due(jobs) == []  # the next interval finds the retry waiting
    assert DBTaskResult.objects.filter(task_path="tests.jobs.tasks.always_fail").count() == 2
