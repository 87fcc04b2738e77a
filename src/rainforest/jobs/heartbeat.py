"""Workers' heartbeats, and the lease after which a silent worker is taken for dead."""

from __future__ import annotations

import datetime
import os
import socket

from django.conf import settings
from django.utils import timezone

from .models import WorkerHeartbeat


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=float(getattr(settings, "RAINFOREST_JOB_LEASE_SECONDS", 60)))


def beat_interval() -> float:
    """Seconds between two beats: several beats fit in a lease, so one slow beat is no death."""
    return max(0.2, min(10.0, lease().total_seconds() / 6))


def beat(worker_id: str, *, queues: list[str], started_at: datetime.datetime) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"beat_at": now},
        create_defaults={
            "beat_at": now,
            "started_at": started_at,
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "queues": ",".join(queues)[:255],
        },
    )


def stop(worker_id: str) -> None:
    """A worker that leaves cleanly says so, so its jobs need no lease to be seen as orphans."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def alive(now: datetime.datetime | None = None):
    now = now or timezone.now()
    return WorkerHeartbeat.objects.filter(beat_at__gte=now - lease()).order_by("worker_id")


def forget_silent(now: datetime.datetime | None = None) -> int:
    """Drop rows of workers silent for a day: their jobs were recovered long ago."""
    now = now or timezone.now()
    deleted, _ = WorkerHeartbeat.objects.filter(beat_at__lt=now - datetime.timedelta(days=1)).delete()
    return deleted
