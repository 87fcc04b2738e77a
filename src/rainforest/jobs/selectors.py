"""What the administrators' jobs page reads: failed jobs, the queue's state, workers, schedules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.translation import ngettext
from django_tasks_db.models import DBTaskResult, get_date_max

from . import heartbeat
from .models import JobRetry, PeriodicSchedule, WorkerHeartbeat
from .periodic import discover

MESSAGE_LIMIT = 200

# What an error message may carry about a person or an organisation: addresses, telephone and
# identity numbers, credit codes. The page shows the message with these masked. (rainforest.logs
# blanks less, for the operators' logs; this app sits below the trail that module reads.)
_PERSONAL = [
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),  # e-mail addresses (and user:password@host)
    re.compile(r"\b[0-9A-HJ-NPQRTUWXY]{18}\b"),  # unified social credit codes, resident identity numbers
    re.compile(r"\+?\d[\d -]{5,}\d"),  # telephone and other long numbers
]


def redact(text: str) -> str:
    for pattern in _PERSONAL:
        text = pattern.sub("***", text)
    return text[:MESSAGE_LIMIT]


def error_summary(result: DBTaskResult) -> tuple[str, str]:
    """The error's class name and its message (last traceback line), personal data masked."""
    kind = result.exception_class_path.rsplit(".", 1)[-1]
    lines = [line for line in result.traceback.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    message = last.split(": ", 1)[1] if ": " in last else ""
    return kind, redact(message)


@dataclass(frozen=True)
class Attempt:
    number: int
    reason: str  # why it ran: first, failed (a retry), worker_lost, manual
    finished_at: datetime | None
    error_type: str


@dataclass(frozen=True)
class FailedJob:
    id: str
    task_path: str
    attempts: int
    error_type: str
    error_message: str
    first_at: datetime
    last_at: datetime | None
    history: list[Attempt]  # every attempt still kept, first to last


def failed_jobs():
    """Last attempts of jobs that failed and will not be tried again, newest first."""
    return (
        DBTaskResult.objects.failed()
        .filter(retried_by__isnull=True)
        .select_related("retry_of")
        .order_by("-finished_at")
    )


def _histories(first_ids) -> dict:
    """Each chain's attempts (pruned ones aside), by the first attempt's id."""
    out: dict = {}
    for first in DBTaskResult.objects.filter(pk__in=first_ids):
        out.setdefault(first.pk, []).append(Attempt(1, "first", first.finished_at, error_summary(first)[0]))
    for link in JobRetry.objects.filter(first_id__in=first_ids).select_related("result"):
        attempt = Attempt(link.attempt, link.reason, link.result.finished_at, error_summary(link.result)[0])
        out.setdefault(link.first_id, []).append(attempt)
    return {key: sorted(attempts, key=lambda a: a.number) for key, attempts in out.items()}


def describe(results) -> list[FailedJob]:
    rows = list(results)
    first_ids = {link.first_id if (link := _link(r)) else r.pk for r in rows}
    histories = _histories(first_ids)
    out = []
    for r in rows:
        link = _link(r)
        first_id = link.first_id if link else r.pk
        history = histories.get(first_id, [])
        kind, message = error_summary(r)
        out.append(
            FailedJob(
                id=str(r.pk),
                task_path=r.task_path,
                attempts=link.attempt if link else 1,
                error_type=kind,
                error_message=message,
                # The first attempt's row may have been pruned already: then the oldest kept.
                first_at=min((a.finished_at for a in history if a.finished_at), default=r.enqueued_at),
                last_at=r.finished_at,
                history=history,
            )
        )
    return out


def _link(result: DBTaskResult) -> JobRetry | None:
    try:
        return result.retry_of
    except JobRetry.DoesNotExist:
        return None


def queue_state(now: datetime | None = None) -> dict:
    now = now or timezone.now()
    counts = DBTaskResult.objects.aggregate(
        ready=Count(
            "pk", filter=Q(status=TaskResultStatus.READY) & (Q(run_after__lte=now) | Q(run_after=get_date_max()))
        ),
        waiting=Count("pk", filter=Q(status=TaskResultStatus.READY, run_after__gt=now) & ~Q(run_after=get_date_max())),
        running=Count("pk", filter=Q(status=TaskResultStatus.RUNNING)),
        failed=Count("pk", filter=Q(status=TaskResultStatus.FAILED, retried_by__isnull=True)),
    )
    alive = list(heartbeat.alive(now))
    return {
        **counts,
        "workers": alive,
        "silent_workers": WorkerHeartbeat.objects.exclude(pk__in=[w.pk for w in alive]).count(),
        "lease_seconds": int(heartbeat.lease().total_seconds()),
    }


def interval_text(every) -> str:
    """An interval as a person says it: "every 5 seconds", "every hour", "every 2 days"."""
    seconds = int(every.total_seconds())
    if seconds % 86400 == 0:
        n = seconds // 86400
        return ngettext("every day", "every %(n)s days", n) % {"n": n}
    if seconds % 3600 == 0:
        n = seconds // 3600
        return ngettext("every hour", "every %(n)s hours", n) % {"n": n}
    if seconds % 60 == 0:
        n = seconds // 60
        return ngettext("every minute", "every %(n)s minutes", n) % {"n": n}
    return ngettext("every second", "every %(n)s seconds", seconds) % {"n": seconds}


def schedules() -> list[dict]:
    """Every periodic job declared in code, with when it last ran and runs next."""
    rows = {s.name: s for s in PeriodicSchedule.objects.all()}
    return [
        {
            "name": job.name,
            "label": job.label or job.name,
            "task_path": job.task.module_path,
            "every": interval_text(job.every),
            "next_run_at": getattr(rows.get(job.name), "next_run_at", None),
            "last_run_at": getattr(rows.get(job.name), "last_run_at", None),
        }
        for job in sorted(discover().values(), key=lambda j: j.name)
    ]
