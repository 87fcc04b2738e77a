"""A job's attempts: each attempt is its own queue row, linked to the one it retries (``JobRetry``).

The first attempt is the row ``enqueue()`` wrote; a later one is a new row with the same task,
arguments, queue and priority, due after the backoff. Each row keeps its own error, so the chain
shows every failure. Callers hold no transaction: each function is one.
"""

from __future__ import annotations

import logging
import uuid

from django.db import transaction
from django.db.models import TextChoices
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from . import retries
from .models import JobRetry

logger = logging.getLogger("rainforest.jobs")


class Reason(TextChoices):
    FAILED = "failed"  # the task raised
    WORKER_LOST = "worker_lost"  # its worker stopped beating while it ran
    MANUAL = "manual"  # an administrator asked for it


class WorkerLost(Exception):  # noqa: N818 (it names what happened, as the queue row shows it)
    """Stored as the error of an attempt whose worker died while running it."""


class NotRetryable(Exception):  # noqa: N818
    """The job is not a failed job's last attempt (it succeeded, runs, or was retried already)."""


def attempt_number(result: DBTaskResult) -> int:
    link = JobRetry.objects.filter(result=result).only("attempt").first()
    return link.attempt if link else 1


def first_id(result: DBTaskResult) -> uuid.UUID:
    link = JobRetry.objects.filter(result=result).only("first_id").first()
    return link.first_id if link else result.id


def _enqueue_attempt(previous: DBTaskResult, *, attempt: int, reason: Reason, run_after) -> DBTaskResult:
    # Written as the backend writes a first attempt (django_tasks_db.backend._task_to_db_task), from
    # the stored row rather than the task object, so even a task whose code moved is retried as stored.
    retry = DBTaskResult.objects.create(
        args_kwargs=previous.args_kwargs,
        priority=previous.priority,
        task_path=previous.task_path,
        queue_name=previous.queue_name,
        backend_name=previous.backend_name,
        run_after=run_after,
    )
    JobRetry.objects.create(
        result=retry, previous=previous, first_id=first_id(previous), attempt=attempt, reason=reason
    )
    return retry


def retry_after_failure(result: DBTaskResult, *, reason: Reason = Reason.FAILED) -> DBTaskResult | None:
    """Enqueue the next attempt of the FAILED ``result`` after its backoff, unless it was the last.

    Returns the new attempt, or None when the job has used all its attempts and stays FAILED.
    """
    with transaction.atomic():
        number = attempt_number(result)
        allowed = retries.attempts_for(result.task_path)
        if number >= allowed:
            logger.error("Job %s (%s) failed for good after %d attempt(s)", first_id(result), result.task_path, number)
            return None
        # A lost worker already cost a lease of waiting; the job itself did not fail, so no backoff.
        when = timezone.now() if reason == Reason.WORKER_LOST else timezone.now() + retries.backoff(number)
        retry = _enqueue_attempt(result, attempt=number + 1, reason=reason, run_after=when)
    logger.warning(
        "Job %s (%s) attempt %d failed (%s); attempt %d due at %s",
        retry.retry_of.first_id,
        result.task_path,
        number,
        reason,
        number + 1,
        when.isoformat(),
    )
    return retry


def retry_now(result_id) -> DBTaskResult:
    """Enqueue one more attempt of a failed job at once (an administrator's "retry now").

    Refuses (``NotRetryable``) unless ``result_id`` is the last attempt of a chain that failed. Run
    inside the caller's transaction, with its audit record; the failed row is locked, so two clicks
    make one retry.
    """
    with transaction.atomic():
        result = DBTaskResult.objects.select_for_update().filter(pk=result_id).first()
        if result is None or result.status != TaskResultStatus.FAILED:
            raise NotRetryable(result_id)
        if JobRetry.objects.filter(previous=result).exists():
            raise NotRetryable(result_id)
        return _enqueue_attempt(
            result, attempt=attempt_number(result) + 1, reason=Reason.MANUAL, run_after=get_date_max()
        )
