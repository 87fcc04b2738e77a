"""What the worker keeps beside django_tasks_db's queue: heartbeats, schedules and retry links."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy
from django_tasks_db.models import DBTaskResult


class WorkerHeartbeat(models.Model):
    """One row per running worker, touched every loop: a RUNNING job whose worker's row is older
    than the lease was left behind by a worker that died, and is tried again."""

    worker_id = models.CharField(gettext_lazy("worker"), max_length=64, primary_key=True)
    hostname = models.CharField(gettext_lazy("host"), max_length=255)
    pid = models.PositiveIntegerField(gettext_lazy("process"))
    queues = models.CharField(gettext_lazy("queues"), max_length=255)
    started_at = models.DateTimeField(gettext_lazy("started at"))
    beat_at = models.DateTimeField(gettext_lazy("last heartbeat"), db_index=True)

    class Meta:
        verbose_name = gettext_lazy("worker heartbeat")
        verbose_name_plural = gettext_lazy("worker heartbeats")

    def __str__(self) -> str:
        return self.worker_id


class PeriodicSchedule(models.Model):
    """When a periodic job (``periodic.PERIODIC``) is next due. Whichever worker locks the row first
    once it is due enqueues the job and moves ``next_run_at`` on, so each interval runs once."""

    name = models.CharField(gettext_lazy("name"), max_length=100, primary_key=True)
    next_run_at = models.DateTimeField(gettext_lazy("next run"))
    last_run_at = models.DateTimeField(gettext_lazy("last run"), null=True, blank=True)
    last_result_id = models.UUIDField(gettext_lazy("last job"), null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("periodic schedule")
        verbose_name_plural = gettext_lazy("periodic schedules")

    def __str__(self) -> str:
        return self.name


class JobRetry(models.Model):
    """A later attempt of a job: its queue row, the row it retries and the first attempt's id.

    A job's first attempt has no such row (attempt 1, its own first). Each attempt keeps its own
    error in its own queue row, so the chain shows every failure; the last row of a chain that
    failed and was not retried is a failed job for the administrators.
    """

    result = models.OneToOneField(
        DBTaskResult,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="retry_of",
        verbose_name=gettext_lazy("job"),
    )
    previous = models.OneToOneField(
        DBTaskResult,
        on_delete=models.SET_NULL,  # pruning an old attempt keeps the later ones and their numbers
        null=True,
        related_name="retried_by",
        verbose_name=gettext_lazy("previous attempt"),
    )
    first_id = models.UUIDField(gettext_lazy("first attempt"), db_index=True)
    attempt = models.PositiveSmallIntegerField(gettext_lazy("attempt"))
    reason = models.CharField(gettext_lazy("reason"), max_length=20)  # see retry.Reason

    class Meta:
        verbose_name = gettext_lazy("job retry")
        verbose_name_plural = gettext_lazy("job retries")

    def __str__(self) -> str:
        return f"{self.first_id} #{self.attempt}"
