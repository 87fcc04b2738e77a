"""The screening run's table (rainforest.workflow): queued → running → done, or failed. Every move
is the platform's own (the worker, the give-up job), never a button: ``policy.screening_jobs``
makes them inside its transactions. An officer who wants a failed run again starts a new one."""

from __future__ import annotations

from rainforest.policy.models import ScreeningRun
from rainforest.workflow import Workflow, move

S = ScreeningRun.Status
F = ScreeningRun.Failure
WORKER = "worker"


def _retryable(run) -> str:
    """A failed run starts again only after an error or a lost worker (an administrator retried its
    job from the jobs page); one refused for its requester's rights or the rules stays refused."""
    if run.status == S.FAILED and run.failure not in (F.ERROR, F.LOST):
        return "refused for the requester's rights or the rules"  # never shown: the worker drops the delivery
    return ""


SCREENING = Workflow(
    "policy.screening",
    S,
    [
        # From "running" again: a second delivery after a worker died mid-run starts it over.
        move("start", [S.QUEUED, S.RUNNING, S.FAILED], S.RUNNING, [WORKER], guard=_retryable, internal=True),
        move("retry", [S.RUNNING], S.QUEUED, [WORKER], internal=True),  # an attempt failed; the next is due
        move("finish", [S.RUNNING], S.DONE, [WORKER], internal=True),
        move("fail", [S.QUEUED, S.RUNNING], S.FAILED, [WORKER], internal=True),
    ],
)
