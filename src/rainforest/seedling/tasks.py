"""The Seedling programme's background jobs: the pyramid's standings rebuilt when stale, and the
pyramid as XLSX (built by a worker, as its requester; registry/export_jobs.py does the rest)."""

from __future__ import annotations

import datetime

from django.tasks import task
from django.utils.translation import gettext_lazy

from rainforest.accounts.permissions import Principal
from rainforest.jobs.periodic import periodic
from rainforest.jobs.retries import attempts
from rainforest.registry import export_jobs
from rainforest.registry.choices import ExportFormat, ExportKind
from rainforest.registry.models import ExportJob
from rainforest.seedling import exports, selectors, standings


def pyramid_export_request(*, actor: Principal, year: int, district: str = "", cluster: str = "") -> ExportJob:
    """Ask for the pyramid page's table, with its filters, as an XLSX file built in the background."""
    return export_jobs.export_request(
        actor=actor, kind=ExportKind.SEEDLING_PYRAMID, fmt=ExportFormat.XLSX, task=pyramid_export_job,
        filename=f"pyramid-{year}.xlsx", parameters={"year": year, "district": district, "cluster": cluster},
    )  # fmt: skip


def _pyramid(actor: Principal, parameters: dict, fmt: str) -> export_jobs.Built:
    year = parameters["year"]
    rows = selectors.pyramid(
        actor=actor, year=year, district=parameters.get("district", ""), cluster=parameters.get("cluster", "")
    )
    return export_jobs.Built(exports.pyramid_xlsx(rows, year), len(rows))


@attempts(export_jobs.EXPORT_ATTEMPTS)
@task(queue_name="default")
def pyramid_export_job(job_id: int) -> None:
    export_jobs.export_build(job_id, _pyramid)


@periodic(
    every=datetime.timedelta(hours=1), name="seedling.standings", label=gettext_lazy("Rebuild the pyramid's standings")
)
@task()
def standings_rebuild() -> dict:
    """Rebuild the standings when a new rule set is in force or a new year needs them; otherwise
    nothing (each write keeps them exact in between)."""
    if not standings.stale():
        return {"rebuilt": False}
    build = standings.rebuild()
    return {"rebuilt": True, "enterprises": build.enterprises, "seconds": round(build.seconds, 1)}
