"""Running the queue inside a test: what `rainforest worker --batch` does, in this process and in
the test's own transaction (a worker thread or process would not see the test's uncommitted rows)."""

from unittest.mock import patch

from django_tasks_db.management.commands import db_worker

from rainforest.jobs.worker import JobWorker


def run_jobs(worker_id="test-worker", queues=("*",), periodic_jobs=None) -> JobWorker:
    """One housekeeping round, then every ready job (retries that are due included) until none is left.

    The platform's periodic jobs are scheduled only when a test passes them (``periodic.discover()``).
    The worker loop recycles database connections between jobs, which would close the connection
    holding the test's transaction; as Django's test client does for requests, that is switched off
    here (the processes in test_worker_process run the loop as it is).
    """
    worker = JobWorker(
        worker_id=worker_id, queue_names=list(queues), batch=True, interval=0, periodic_jobs=periodic_jobs or {}
    )
    with patch.object(db_worker, "close_old_connections", lambda: None):
        worker.housekeep()
        worker.run()
    return worker
