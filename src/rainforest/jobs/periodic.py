"""Periodic jobs, declared once in code next to their task.

::

    @periodic(every=datetime.timedelta(hours=1), name="exchange.remind_deadlines")
    @task(queue_name="default")
    def remind_deadlines_job(): ...

``rainforest worker`` enqueues each periodic job once per interval, whatever the number of workers
(one ``PeriodicSchedule`` row per name, claimed under a row lock). A periodic task takes no
arguments. Apps put their tasks in ``<app>/tasks.py``; ``discover()`` imports every installed app's
``tasks`` module (as the admin finds ``admin.py``), so the worker and the jobs page see them all while
the web process and the offline commands import none of them until they need one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.tasks import Task
from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Periodic:
    """A job the worker enqueues every ``every``, under a stable ``name`` (its schedule row's key)."""

    name: str
    every: datetime.timedelta
    task: Task
    label: str = ""  # what it does, in the reader's language (a lazy translation); the name otherwise


PERIODIC: dict[str, Periodic] = {}

MIN_INTERVAL = datetime.timedelta(seconds=1)


def periodic(*, every: datetime.timedelta, name: str, label=""):
    """Register the task below as periodic. Goes above ``@task(...)``."""
    if every < MIN_INTERVAL:
        raise ImproperlyConfigured(f"Periodic job {name!r}: the interval must be at least one second.")
    if not name or len(name) > 100:
        raise ImproperlyConfigured("A periodic job needs a name of 1 to 100 characters.")

    def register(job: Task) -> Task:
        if not isinstance(job, Task):
            raise ImproperlyConfigured(f"@periodic({name!r}) must be placed above @task(...).")
        known = PERIODIC.get(name)
        if known is not None and known.task.module_path != job.module_path:
            raise ImproperlyConfigured(f"Periodic job name {name!r} is used by {known.task.module_path} already.")
        PERIODIC[name] = Periodic(name=name, every=every, task=job, label=label)
        return job

    return register


def discover() -> dict[str, Periodic]:
    """Import every installed app's ``tasks`` module once and return the registry."""
    autodiscover_modules("tasks")
    return PERIODIC
