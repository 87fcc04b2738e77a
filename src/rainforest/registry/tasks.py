"""The registry's background jobs: the facts export, and the expiry of every kind of export."""

from __future__ import annotations

import datetime

from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext_lazy

from rainforest.accounts.permissions import Principal
from rainforest.jobs.periodic import periodic
from rainforest.jobs.retries import attempts
from rainforest.registry import export_jobs, services
from rainforest.registry.choices import ExportKind
from rainforest.registry.models import ExportJob


def facts_export_request(*, actor: Principal, fmt: str) -> ExportJob:
    """Ask for the visible registry as a file; it is built in the background."""
    filename = f"rainforest-facts-{timezone.localdate().isoformat()}.{fmt}"
    return export_jobs.export_request(
        actor=actor, kind=ExportKind.REGISTRY_FACTS, fmt=fmt, task=facts_export_job, filename=filename
    )


def _facts(actor: Principal, parameters: dict, fmt: str) -> export_jobs.Built:
    data, rows = services.facts_export_file(actor=actor, fmt=fmt)
    return export_jobs.Built(data, rows)


@attempts(export_jobs.EXPORT_ATTEMPTS)
@task(queue_name="default")
def facts_export_job(job_id: int) -> None:
    export_jobs.export_build(job_id, _facts)


@periodic(
    every=datetime.timedelta(hours=1), name="registry.exports_expire", label=gettext_lazy("Delete expired exports")
)
@task(queue_name="default")
def exports_expire_job() -> int:
    """Delete expired export files (every kind's), hourly: a file outlives its time by an hour at most."""
    return export_jobs.exports_expire()
