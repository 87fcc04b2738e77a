"""The audit trail's background job: the sealer, every AUDIT_SEAL_SECONDS (5 s by default).

Events are written unsealed and become part of the chain when this job runs, so a committed
event is sealed within about that interval plus the worker's polling delay. A broken chain makes
the job fail and shows it to administrators rather than pass quietly; it is not retried (the next
interval is its retry), and runs ahead of other jobs so a long export never delays it.
"""

import datetime

from django.conf import settings
from django.tasks import task
from django.utils.translation import gettext_lazy

from rainforest.audit import trail
from rainforest.jobs.periodic import periodic
from rainforest.jobs.retries import attempts


class SealingRefused(RuntimeError):
    """The sealer found the chain cut or altered and will not sign over it."""


@periodic(
    every=datetime.timedelta(seconds=settings.AUDIT_SEAL_SECONDS),
    name="audit.seal",
    label=gettext_lazy("Seal the audit trail and write checkpoints"),
)
@attempts(1)
@task(priority=50)
def seal_trail():
    result = trail.seal()
    if result.refused:
        raise SealingRefused(result.refused)
    return {"sealed": result.sealed, "last_seq": result.last_seq}
