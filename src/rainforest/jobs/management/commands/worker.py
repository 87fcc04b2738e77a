"""``rainforest worker``: run background jobs, periodic jobs included, until SIGTERM."""

from __future__ import annotations

import logging
import os
import socket

from django.core.management.base import BaseCommand, CommandError
from django.utils.crypto import get_random_string

from rainforest.jobs.worker import JobWorker

logger = logging.getLogger("rainforest.jobs")


def default_worker_id() -> str:
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}"


class Command(BaseCommand):
    help = (
        "Run background jobs: claim and run queued jobs, retry failed ones, recover jobs of dead "
        "workers and enqueue periodic jobs. SIGTERM finishes the current job, then exits."
    )
    requires_system_checks: list = []  # a long-lived process: start fast, the web checks are not its own

    def add_arguments(self, parser):
        parser.add_argument(
            "--queues", default="default", help="Comma-separated queues to run, or '*' for all (default: default)."
        )
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds to wait when the queue is empty.")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--once", action="store_true", help="One round: housekeeping and at most one job, then exit.")
        mode.add_argument("--batch", action="store_true", help="Housekeeping, then every ready job, then exit (cron).")
        parser.add_argument("--worker-id", default=None, help="Unique among workers (default: host-pid-random).")

    def handle(self, *, queues: str, interval: float, once: bool, batch: bool, worker_id: str | None, **options):
        queue_names = [name.strip() for name in queues.split(",") if name.strip()]
        if not queue_names:
            raise CommandError("--queues names no queue.")
        if not 0 <= interval <= 3600:
            raise CommandError("--interval must be between 0 and 3600 seconds.")
        worker_id = worker_id or default_worker_id()
        if len(worker_id) > 64:
            raise CommandError("--worker-id must be at most 64 characters.")
        worker = JobWorker(
            worker_id=worker_id,
            queue_names=queue_names,
            interval=interval,
            batch=once or batch,
            max_tasks=1 if once else None,
        )
        logger.info("Worker %s starting (queues %s)", worker_id, ",".join(queue_names))
        worker.configure_signals()
        try:
            if once:
                worker.housekeep()
            else:
                if batch:
                    worker.housekeep()
                worker.start_housekeeping()
            worker.run()
        finally:
            worker.stop_housekeeping()
            logger.info("Worker %s stopped", worker_id)
