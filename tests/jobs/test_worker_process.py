"""`rainforest worker` as an operator runs it: killed with -9 mid-job, another worker finishes the
job; SIGTERM lets the current job finish. Real processes on a shared database, so PostgreSQL only
(the SQLite test database lives in this process's memory)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from rainforest.jobs.models import JobRetry, PeriodicSchedule, WorkerHeartbeat
from tests.jobs import tasks

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="worker processes share a PostgreSQL database"),
]

ROOT = Path(__file__).resolve().parents[2]
RAINFOREST = Path(sys.executable).parent / "rainforest"
LEASE = "2"


def worker_env(tmp_path: Path) -> dict:
    """The test database and settings, for a worker started as an operator starts it; its files
    (the periodic jobs write a match index snapshot, audit checkpoints) go to the test's folder."""
    db = connection.settings_dict
    return {
        **os.environ,
        "RAINFOREST_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")]),
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "RAINFOREST_JOB_LEASE_SECONDS": LEASE,
    }


def start_worker(worker_id: str, log: Path) -> subprocess.Popen:
    args = [str(RAINFOREST), "worker", "--worker-id", worker_id, "--interval", "0.1", "--queues", "*"]
    env = worker_env(log.parent)
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def wait_for(predicate, seconds=60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_job_whose_worker_is_killed_is_finished_by_another_worker(tmp_path):
    path = str(tmp_path / "job")
    first = DBTaskResult.objects.get(pk=tasks.sleep_then_touch.enqueue(600, path).id)
    killed = start_worker("killed", tmp_path / "killed.log")
    try:
        assert wait_for(lambda: Path(path + ".started").exists()), (tmp_path / "killed.log").read_text()
        killed.send_signal(signal.SIGKILL)
        killed.wait(10)
        first.refresh_from_db()
        assert first.status == TaskResultStatus.RUNNING  # what kill -9 leaves behind
    finally:
        killed.kill()

    survivor = start_worker("survivor", tmp_path / "survivor.log")
    try:
        assert wait_for(lambda: Path(path).exists()), (tmp_path / "survivor.log").read_text()
        retry = JobRetry.objects.get(previous=first)
        assert wait_for(lambda: DBTaskResult.objects.get(pk=retry.result_id).status == TaskResultStatus.SUCCESSFUL)
        first.refresh_from_db()
        assert first.status == TaskResultStatus.FAILED
        assert first.exception_class_path == "rainforest.jobs.chain.WorkerLost"
        assert retry.attempt == 2 and retry.reason == "worker_lost"
    finally:
        survivor.send_signal(signal.SIGTERM)
        survivor.wait(30)


def test_sigterm_lets_the_current_job_finish_and_the_worker_leave_cleanly(tmp_path):
    path = str(tmp_path / "job")
    job = tasks.sleep_then_touch.enqueue(2, path)
    worker = start_worker("graceful", tmp_path / "graceful.log")
    try:
        assert wait_for(lambda: Path(path + ".started").exists()), (tmp_path / "graceful.log").read_text()
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0
    finally:
        worker.kill()
    assert Path(path).read_text() == "done"
    assert DBTaskResult.objects.get(pk=job.id).status == TaskResultStatus.SUCCESSFUL
    assert not WorkerHeartbeat.objects.filter(worker_id="graceful").exists()


def test_batch_mode_runs_what_is_ready_and_the_due_periodic_jobs_then_exits(tmp_path):
    job = tasks.add.enqueue(2, 3)
    done = subprocess.run(
        [str(RAINFOREST), "worker", "--batch", "--worker-id", "cron"],
        cwd=ROOT, env=worker_env(tmp_path), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert DBTaskResult.objects.get(pk=job.id).return_value == 5
    assert PeriodicSchedule.objects.filter(name="exchange.move_on_time", last_run_at__isnull=False).exists()
    assert DBTaskResult.objects.filter(task_path="rainforest.exchange.tasks.move_on_time", status="SUCCESSFUL").exists()
    assert not WorkerHeartbeat.objects.filter(worker_id="cron").exists()
