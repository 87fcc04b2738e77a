"""The worker: django_tasks_db's loop for claiming and running jobs, plus what production needs.

``JobWorker`` subclasses ``django_tasks_db``'s ``Worker`` and keeps its claim/run loop unchanged;
it adds a retry after each failed job (``chain``), and ``housekeep()``: a heartbeat, recovery of
jobs orphaned by dead workers (``recovery``) and the periodic scheduler (``scheduler``). A long-running
worker does its housekeeping in a thread, so the heartbeat goes on while a long job runs (a job
longer than the lease is not taken for orphaned); ``--once`` and ``--batch`` do one pass first.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import DatabaseError, close_old_connections, connections
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from . import chain, heartbeat, periodic, recovery, scheduler

logger = logging.getLogger("rainforest.jobs")


class JobWorker(Worker):
    """A ``Worker`` that retries failed jobs and keeps house (heartbeat, orphans, periodic jobs)."""

    def __init__(
        self,
        *,
        worker_id: str,
        queue_names: list[str],
        interval: float = 1.0,
        batch: bool = False,
        max_tasks: int | None = None,
        backend_name: str = "default",
        periodic_jobs: dict[str, periodic.Periodic] | None = None,
    ):
        super().__init__(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=False,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        self.started_at = timezone.now()
        self.periodic_jobs = periodic.discover() if periodic_jobs is None else periodic_jobs
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        if db_task_result.status != TaskResultStatus.FAILED:
            return
        try:
            chain.retry_after_failure(db_task_result)
        except DatabaseError:
            # The failed row stays FAILED without a next attempt: the jobs page shows it.
            logger.exception("Could not enqueue the next attempt of job %s", db_task_result.id)

    def housekeep(self) -> None:
        """One round: beat, recover orphaned jobs, enqueue due periodic jobs."""
        self._beat_and_recover()
        scheduler.enqueue_due(self.periodic_jobs)

    def _beat_and_recover(self) -> None:
        heartbeat.beat(self.worker_id, queues=self.queue_names, started_at=self.started_at)
        recovery.recover_orphans()
        heartbeat.forget_silent()

    def _housekeeping_loop(self) -> None:
        # Periodic jobs are looked at every poll interval (a job may run every few seconds); the
        # heartbeat and the search for orphans, a few times per lease.
        next_beat = 0.0
        try:
            while not self._stop.is_set():
                close_old_connections()
                try:
                    if time.monotonic() >= next_beat:
                        self._beat_and_recover()
                        next_beat = time.monotonic() + heartbeat.beat_interval()
                    scheduler.enqueue_due(self.periodic_jobs)
                except DatabaseError:
                    # The database is away; the next round tries again (the lease covers a few misses).
                    logger.exception("Worker %s: housekeeping failed", self.worker_id)
                self._stop.wait(max(0.1, min(self.interval, heartbeat.beat_interval())))
        finally:
            connections.close_all()

    def start_housekeeping(self) -> None:
        self._thread = threading.Thread(target=self._housekeeping_loop, name="housekeeping", daemon=True)
        self._thread.start()

    def stop_housekeeping(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        try:
            heartbeat.stop(self.worker_id)
        except DatabaseError:
            logger.exception("Worker %s: could not remove its heartbeat", self.worker_id)
