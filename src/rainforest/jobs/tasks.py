"""The jobs app's own periodic job: finished results do not pile up in the queue table."""

import datetime

from django.conf import settings
from django.core.management import call_command
from django.tasks import task
from django.utils.translation import gettext_lazy

from .periodic import periodic


@periodic(every=datetime.timedelta(days=1), name="jobs.prune_results", label=gettext_lazy("Delete old job records"))
@task()
def prune_results() -> None:
    """Delete successful results after the retention, failed ones (kept for the administrators) later."""
    call_command(
        "prune_db_task_results",
        queue_name="*",
        min_age_days=settings.RAINFOREST_JOB_RETENTION_DAYS,
        failed_min_age_days=settings.RAINFOREST_JOB_FAILED_RETENTION_DAYS,
        verbosity=0,
    )
