"""The background export's table (rainforest.workflow): queued → being generated → ready → expired,
or failed. Every move is made by the platform itself (the worker, the expiry job), never offered as
a button: ``registry.export_jobs`` makes them inside its own transactions."""

from __future__ import annotations

from rainforest.registry.choices import ExportFailure
from rainforest.registry.choices import ExportStatus as S
from rainforest.workflow import Workflow, move

WORKER = "worker"


def _retryable(job) -> str:
    """A failed export starts again only when it failed for an error (an administrator retried its
    last attempt from the jobs page); one refused for its requester's rights stays refused."""
    if job.status == S.FAILED and job.failure != ExportFailure.ERROR:
        return "refused for the requester's rights"  # never shown: the worker drops the delivery
    return ""


EXPORT = Workflow(
    "registry.export",
    S,
    [
        # From "being generated" again: a retried attempt, or one after a worker died mid-build.
        move("start", [S.QUEUED, S.RUNNING, S.FAILED], S.RUNNING, [WORKER], guard=_retryable, internal=True),
        move("finish", [S.RUNNING], S.READY, [WORKER], internal=True),
        move("fail", [S.QUEUED, S.RUNNING], S.FAILED, [WORKER], internal=True),
        move("expire", [S.READY], S.EXPIRED, [WORKER], internal=True),
    ],
)
