"""How often the worker tries a job, and how long it waits between tries.

Every task is retried: a failed attempt is followed by a new one after an exponential backoff
(``RAINFOREST_JOB_BACKOFF_SECONDS`` x 2^(attempt-1), at most ``RAINFOREST_JOB_BACKOFF_MAX_SECONDS``),
until ``RAINFOREST_JOB_ATTEMPTS`` attempts have failed; then the job stays FAILED and the
administrators' jobs page shows it. A task that must be tried more or fewer times says so::

    @attempts(3)
    @task()
    def export_registry(...): ...

A task whose repetition would do harm (it is not idempotent) says ``@attempts(1)``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.tasks import Task

ATTEMPTS: dict[str, int] = {}  # task module path -> attempts, for the tasks that differ from the default


def default_attempts() -> int:
    return int(getattr(settings, "RAINFOREST_JOB_ATTEMPTS", 5))


def attempts(count: int):
    """Try the task below at most ``count`` times (1 = never retried). Goes above ``@task(...)``."""
    if count < 1:
        raise ImproperlyConfigured("A job is tried at least once.")

    def register(job: Task) -> Task:
        if not isinstance(job, Task):
            raise ImproperlyConfigured("@attempts(...) must be placed above @task(...).")
        ATTEMPTS[job.module_path] = count
        return job

    return register


def attempts_for(task_path: str) -> int:
    """How many attempts the task at ``task_path`` gets (its module must have been imported)."""
    return ATTEMPTS.get(task_path, default_attempts())


def backoff(failed_attempt: int) -> datetime.timedelta:
    """The wait after the ``failed_attempt``-th attempt failed (1, 2, ...)."""
    base = float(getattr(settings, "RAINFOREST_JOB_BACKOFF_SECONDS", 30))
    ceiling = float(getattr(settings, "RAINFOREST_JOB_BACKOFF_MAX_SECONDS", 3600))
    return datetime.timedelta(seconds=min(ceiling, base * 2 ** (failed_attempt - 1)))
