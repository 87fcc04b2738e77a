"""The policy app's background jobs: a bulk screening of the registry, and giving up on lost ones."""

from __future__ import annotations

import datetime

from django.tasks import task
from django.utils.translation import gettext_lazy

from rainforest.jobs.periodic import periodic
from rainforest.jobs.retries import attempts
from rainforest.policy import screening_jobs


@attempts(screening_jobs.ATTEMPTS)
@task(queue_name="default")
def screening_job(run_id: int) -> None:
    screening_jobs.execute(run_id)


@periodic(
    every=datetime.timedelta(minutes=10),
    name="policy.screenings_give_up",
    label=gettext_lazy("Fail screenings no worker finished"),
)
@task(queue_name="default")
def screenings_give_up_job() -> int:
    return screening_jobs.give_up()
