"""The administrators' one write on background jobs: try a failed job once more, audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rainforest.accounts.permissions import JOBS_RETRY, Principal
from rainforest.audit import trail
from rainforest.jobs import chain


def job_retry(*, actor: Principal, result_id) -> str:
    """Enqueue one more attempt of the failed job ``result_id`` now; returns the new attempt's id."""
    actor.require(JOBS_RETRY)
    with transaction.atomic():
        try:
            retry = chain.retry_now(result_id)
        except chain.NotRetryable:
            raise ValidationError(
                _("This job cannot be retried: it did not fail, or it has been retried already.")
            ) from None
        trail.record(
            actor,
            "jobs.job.retried",
            subject_type="job",
            subject_id=str(result_id),
            subject_label=retry.task_path[:200],
            after={"attempt": retry.retry_of.attempt, "job": str(retry.pk)},
        )
    return str(retry.pk)
