"""Matching's background job: compact the indexes in the worker and publish a snapshot."""

import datetime

from django.tasks import task
from django.utils.translation import gettext_lazy

from rainforest.jobs.periodic import periodic
from rainforest.matching.engine import engine, snapshot_stamp


@periodic(
    every=datetime.timedelta(minutes=10), name="matching.compact", label=gettext_lazy("Compact the matching indexes")
)
@task()
def compact() -> dict:
    """Compact any index whose delta has grown and save the snapshot the web processes then load.

    Also enqueued by a web process whose sync found an index due, so it runs soon after the
    threshold is crossed. A run with nothing due does nothing, but writes the first snapshot, and
    a new one when the saved one's dense model was made for another release's shipped texts."""
    current = engine()
    current.sync(force=True)
    due = current.compaction_due()
    outdated = current.snapshot_outdated()
    if due or outdated or snapshot_stamp() is None:
        current.save()
    return {"compacted": due, "watermark": current.watermark, **({"outdated": outdated} if outdated else {})}


@periodic(
    every=datetime.timedelta(days=7),
    name="matching.refit_weights",
    label=gettext_lazy("Refit the ranking weights from officers' feedback"),
)
@task()
def refit_weights() -> dict:
    """Refit the ranking weights from the platform's judged pairs; adopted only if better on the
    held-out scenarios. Every process picks an adopted version up at its next sync."""
    from rainforest.matching.learning import refit

    record = refit(encoder=engine().encoder or None)
    if record is None:
        return {"refitted": False, "reason": "too little feedback"}
    return {"refitted": True, "version": record.version, "adopted": record.adopted}
