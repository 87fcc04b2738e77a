"""The audit trail's background job: the sealer, every AUDIT_SEAL_SECONDS (5 s by default).

Events are written unsealed and become part of the chain when this job runs, so a committed
event is sealed within about that interval plus the worker's polling delay. A broken chain makes
the job fail (so it is retried and shown to administrators) rather than pass quietly.
"""

import datetime

from django.conf import settings
from django.tasks import task
from django.utils.translation import gettext_lazy

from rainforest.audit import trail
from rainforest.jobs.periodic import periodic


class SealingRefused(RuntimeError):
    """The sealer found the chain cut or altered and will not sign over it."""


@periodic(
    every=datetime.timedelta(seconds=settings.AUDIT_SEAL_SECONDS),
    name="audit.seal",
    label=gettext_lazy("Seal the audit trail and write checkpoints"),
)
@task()
def seal_trail():
    result = trail.seal()
    if result.refused:
        raise SealingRefused(result.refused)
    return {"sealed": result.sealed, "last_seq": result.last_seq}
