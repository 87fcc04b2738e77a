"""Jobs left RUNNING by a worker that died (kill -9, a lost machine) are tried again.

A worker beats while it runs (``heartbeat``); a RUNNING job whose worker has not beaten for a lease
(or has no heartbeat row and started over a lease ago) is marked FAILED with ``WorkerLost`` and
its next attempt enqueued at once, so the death counts as an attempt and a job that kills every
worker that runs it ends FAILED instead of looping. A worker that was only paused past its lease
may still finish: jobs are written to be idempotent (at-least-once delivery).
"""

from __future__ import annotations

import logging

from django.db import OperationalError
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from . import chain, heartbeat
from .models import WorkerHeartbeat

logger = logging.getLogger("rainforest.jobs")


def _orphan_ids(now) -> list:
    cutoff = now - heartbeat.lease()
    candidates = list(DBTaskResult.objects.running().filter(started_at__lt=cutoff).values_list("id", "worker_ids"))
    if not candidates:
        return []
    last_workers = {ids[-1] for _, ids in candidates if ids}
    beats = dict(WorkerHeartbeat.objects.filter(worker_id__in=last_workers).values_list("worker_id", "beat_at"))
    return [
        result_id for result_id, ids in candidates if not ids or beats.get(ids[-1]) is None or beats[ids[-1]] < cutoff
    ]


def recover_orphans() -> int:
    """Fail and retry every orphaned RUNNING job; returns how many were recovered."""
    now = timezone.now()
    recovered = 0
    for result_id in _orphan_ids(now):
        try:
            with exclusive_transaction():
                # Locked and re-read: another worker may have recovered it (or its worker came back).
                result = (
                    DBTaskResult.objects.select_for_update(skip_locked=True)
                    .filter(pk=result_id, status=TaskResultStatus.RUNNING)
                    .first()
                )
                if result is None or result_id not in _orphan_ids(now):
                    continue
                worker_id = result.worker_ids[-1] if result.worker_ids else "?"
                result.set_failed(chain.WorkerLost(f"worker {worker_id} stopped beating while running this job"))
                chain.retry_after_failure(result, reason=chain.Reason.WORKER_LOST)
        except OperationalError as error:
            if not is_locked_database_exception(error):
                raise
            continue  # SQLite busy: the next round tries again
        logger.warning("Recovered job %s (%s) from a lost worker", result_id, result.task_path)
        recovered += 1
    return recovered
