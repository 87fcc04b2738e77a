"""What a bulk screening of the whole registry costs, for the city-scale benchmark: the wall time from
the officer's request to the stored result, and the bytes its results take per enterprise.

``time_registry_screening`` runs the job's own code (``policy.screening_jobs``) in this process on the
configured database: the run is requested as the actor (audited, like the page's request, but not
put in the queue, so that no worker runs it a second time), then screened as the worker would screen
it, chunk by chunk with its progress, to done. It raises if the run does not finish.
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection
from django.utils import timezone

from rainforest.accounts.permissions import POLICY_SCREEN, REGISTRY_EXPORT, Principal
from rainforest.policy import screening_jobs, services
from rainforest.policy.models import ScreeningBlock, ScreeningResult, ScreeningRun


def time_registry_screening(actor: Principal, *, as_of: dt.date | None = None, tiers: list[str] | None = None) -> float:
    """Seconds from the request to the stored, done run of a screening of the whole registry."""
    started = time.perf_counter()
    run = screen_registry(actor, as_of=as_of, tiers=tiers)
    seconds = time.perf_counter() - started
    if run.status != ScreeningRun.Status.DONE:
        raise RuntimeError(f"screening run {run.pk} ended {run.status} ({run.failure})")
    return seconds


def screen_registry(actor: Principal, *, as_of: dt.date | None = None, tiers: list[str] | None = None) -> ScreeningRun:
    """Request and run one screening of the registry here, as the worker runs it; returns the run."""
    as_of = as_of or timezone.localdate()
    actor.require(POLICY_SCREEN)
    actor.require(REGISTRY_EXPORT)
    tiers, readings = services.screening_parameters(actor, as_of, tiers, None)
    run = screening_jobs.request(actor=actor, as_of=as_of, tiers=tiers, readings=readings, task=None)
    if actor.is_system:  # nobody to rebuild from the run: screened as the caller, in one go
        return screening_jobs.run_now(run, actor)
    screening_jobs.execute(run.pk)
    return ScreeningRun.objects.get(pk=run.pk)


def storage_per_enterprise() -> dict[str, float]:
    """Bytes per stored result of every run (PostgreSQL: tables, TOAST and indexes), for the report."""
    rows = ScreeningResult.objects.count()
    if connection.vendor != "postgresql" or not rows:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_total_relation_size(%s), pg_indexes_size(%s), pg_total_relation_size(%s)",
            [ScreeningResult._meta.db_table, ScreeningResult._meta.db_table, ScreeningBlock._meta.db_table],
        )
        results, indexes, blocks = cursor.fetchone()
    return {
        "results": results / rows,
        "results_indexes": indexes / rows,
        "blocks": blocks / rows,
        "total": (results + blocks) / rows,
    }
