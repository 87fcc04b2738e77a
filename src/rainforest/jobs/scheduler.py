"""Enqueue the periodic jobs that are due, once per interval whatever the number of workers.

Each periodic job has a ``PeriodicSchedule`` row. A worker locks the due rows (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL, so a second worker skips what the first holds; an exclusive transaction on
SQLite, so one worker at a time), enqueues the jobs in the same transaction and moves each
``next_run_at`` past now: a worker that comes second finds nothing due. Missed intervals (no worker
for a day) are not caught up one by one: the job runs once and the schedule moves on. A job whose
previous run has not finished yet is not enqueued again (a slow compaction does not pile up).
"""

from __future__ import annotations

import logging

from django.db import OperationalError
from django.db.models import Q
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from .models import JobRetry, PeriodicSchedule
from .periodic import Periodic

logger = logging.getLogger("rainforest.jobs")

UNFINISHED = (TaskResultStatus.READY, TaskResultStatus.RUNNING)


def _next_after(previous, every, now):
    intervals = max(1, int((now - previous) / every) + 1)
    return previous + every * intervals


def ensure_rows(jobs: dict[str, Periodic]) -> None:
    """A new periodic job is due at once; a worker racing to insert the same row loses quietly."""
    now = timezone.now()
    missing = set(jobs) - set(PeriodicSchedule.objects.filter(name__in=jobs).values_list("name", flat=True))
    PeriodicSchedule.objects.bulk_create(
        [PeriodicSchedule(name=name, next_run_at=now) for name in sorted(missing)], ignore_conflicts=True
    )


def _still_running(first_id) -> bool:
    """Whether the last run, or a retry of it, is still queued or running: a failing periodic job
    must not start a new chain of attempts every interval while the last one still waits."""
    if first_id is None:
        return False
    chain = JobRetry.objects.filter(first_id=first_id).values("result_id")
    return DBTaskResult.objects.filter(Q(pk=first_id) | Q(pk__in=chain), status__in=UNFINISHED).exists()


def enqueue_due(jobs: dict[str, Periodic]) -> list[str]:
    """Enqueue every due periodic job; returns the names enqueued by this call."""
    if not jobs:
        return []
    ensure_rows(jobs)
    now = timezone.now()
    enqueued = []
    try:
        with exclusive_transaction():
            due = (
                PeriodicSchedule.objects.select_for_update(skip_locked=True)
                .filter(name__in=jobs, next_run_at__lte=now)
                .order_by("name")
            )
            for schedule in due:
                job = jobs[schedule.name]
                schedule.next_run_at = _next_after(schedule.next_run_at, job.every, now)
                if _still_running(schedule.last_result_id):
                    logger.debug(
                        "Periodic job %s: its last run is still queued or running; this interval is skipped",
                        schedule.name,
                    )
                else:
                    schedule.last_result_id = job.task.enqueue().id
                    schedule.last_run_at = now
                    enqueued.append(schedule.name)
                schedule.save(update_fields=["next_run_at", "last_run_at", "last_result_id"])
    except OperationalError as error:
        if not is_locked_database_exception(error):
            raise
        return []  # SQLite busy with another worker: it is scheduling, or the next round will
    for name in enqueued:
        logger.debug("Periodic job %s enqueued", name)
    return enqueued
