"""Exports built in the background: a person asks, a worker builds the file as that person, and
they download it from their exports page until it expires.

Each kind's task lives in the app that owns the data (``registry/tasks.py``, ``seedling/tasks.py``):
a request function that calls ``export_request`` with its task, and the task, which calls
``export_build`` with the function that makes the file. The registry keeps the rest, once: the
``ExportJob`` record, who may ask for which kind, the build under the requester's own rights, the
file written whole or not at all, the download that only the requester gets, and the expiry.

Why here: the registry is the lowest app with data to export, so every programme app above it can
use this; a home in ``rainforest.jobs`` would sit below accounts and could not rebuild a Principal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.tasks import Task
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from rainforest.accounts.permissions import REGISTRY_EXPORT, SEEDLING_MANAGE, Principal
from rainforest.audit import trail
from rainforest.registry.choices import ExportFailure, ExportFormat, ExportKind, ExportStatus
from rainforest.registry.models import ExportJob
from rainforest.registry.workflows import EXPORT

# Every export task is decorated ``@attempts(EXPORT_ATTEMPTS)``: the build fails for its requester
# on the last attempt, not before (an earlier failure is retried by the worker).
EXPORT_ATTEMPTS = 3
# An export still not built after this long was lost with its worker on its last attempt (or no
# worker runs): it is failed for its requester by the expiry job rather than shown pending forever.
GIVE_UP_AFTER = dt.timedelta(days=1)
EXPORT_DIR = "exports"
LIST_LENGTH = 50  # a person's most recent exports on their page
SYSTEM = Principal.system("system:exports")
REQUESTED = gettext_lazy(
    "Your export is being generated; this usually takes a few seconds to a minute. It will appear below when ready."
)


@dataclass(frozen=True)
class Kind:
    permission: str  # needed to ask, to build (at build time) and to download
    audited_as: str  # the audit action of a built file: the one the synchronous export used


KINDS: dict[str, Kind] = {
    ExportKind.REGISTRY_FACTS: Kind(REGISTRY_EXPORT, "registry.exported"),
    ExportKind.SEEDLING_PYRAMID: Kind(SEEDLING_MANAGE, "seedling.pyramid.exported"),
}

CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Built:
    """What a kind's build function returns: the file's bytes and how many data rows it holds."""

    data: bytes
    rows: int


Build = Callable[[Principal, dict, str], Built]  # (requester, parameters, format) -> the file


def requester(job: ExportJob) -> Principal:
    """The person who asked, in the membership they asked in, with the rights it grants now: none
    when the membership was revoked or the account deactivated since."""
    return Principal(user=job.user, membership=job.membership)


def media_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def export_request(
    *, actor: Principal, kind: str, fmt: str, task: Task, filename: str, parameters: dict | None = None
) -> ExportJob:
    """Queue an export for ``actor``. ``task`` (the kind's task) is enqueued with the job's id in
    the same transaction, so the job and its place in the queue are committed together or not at all."""
    if actor.is_system:
        raise PermissionDenied("an export is built for a person")  # the command line exports at once
    actor.require(KINDS[kind].permission)
    parameters = parameters or {}
    with transaction.atomic():
        job = ExportJob.objects.create(
            user=actor.user, membership=actor.membership, organisation_id=actor.organisation_id, role=actor.role,
            language=translation.get_language() or settings.LANGUAGE_CODE, kind=kind, format=fmt,
            parameters=parameters, filename=filename,
        )  # fmt: skip
        job.task_id = str(task.enqueue(job.pk).id)
        job.save(update_fields=["task_id"])
        trail.record(actor, "registry.export.requested", subject_type="export", subject_id=job.pk,
                     subject_label=filename, after={"kind": kind, "format": fmt, "parameters": parameters})  # fmt: skip
    return job


def export_build(job_id: int, build: Build) -> None:
    """Build the job's file as its requester, with the rights they hold now. A requester who lost
    them gets a failed export that says so; any other failure is raised for the worker to retry,
    and fails the export for its requester on the last attempt."""
    job = _start(job_id)
    if job is None:
        return
    actor = requester(job)
    kind = KINDS[job.kind]
    try:
        with translation.override(job.language):
            actor.require(kind.permission)
            built = build(actor, job.parameters, job.format)
        _store(job, actor, kind, built)
    except PermissionDenied:
        _fail(job.pk, ExportFailure.PERMISSION, actor)
    except Exception:
        if job.attempts >= EXPORT_ATTEMPTS:
            _fail(job.pk, ExportFailure.ERROR, actor)
        raise


def _start(job_id: int) -> ExportJob | None:
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return None
        try:
            EXPORT.apply(job, "start")
        except ValidationError:
            return None  # built, expired or refused already: a repeated delivery changes nothing
        job.attempts += 1
        job.started_at, job.failure, job.finished_at = timezone.now(), "", None
        # Not audited: the queue's own bookkeeping; the request and the outcome are.
        job.save(update_fields=["status", "attempts", "started_at", "failure", "finished_at"])
    return ExportJob.objects.select_related("user", "membership__organisation").get(pk=job_id)


def _write_whole(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, flush it to disk, then rename it into place: a
    reader (or a crash) never finds half a file under the final name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "xb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _store(job: ExportJob, actor: Principal, kind: Kind, built: Built) -> None:
    # A name of its own per attempt: a duplicate delivery never overwrites the file another finished.
    relative = f"{EXPORT_DIR}/{job.pk}-{secrets.token_hex(8)}.{job.format}"
    path = media_path(relative)
    _write_whole(path, built.data)
    digest = hashlib.sha256(built.data).hexdigest()
    try:
        with transaction.atomic():
            locked = ExportJob.objects.select_for_update().get(pk=job.pk)
            if locked.status != ExportStatus.RUNNING:
                path.unlink(missing_ok=True)  # another delivery settled it meanwhile
                return
            EXPORT.apply(locked, "finish")
            now = timezone.now()
            locked.path, locked.size, locked.sha256 = relative, len(built.data), digest
            locked.finished_at, locked.expires_at = now, now + dt.timedelta(days=settings.EXPORT_KEEP_DAYS)
            locked.save(update_fields=["status", "path", "size", "sha256", "finished_at", "expires_at"])
            after = {"rows": built.rows, "format": job.format, "sha256": digest}
            if job.parameters:
                after["parameters"] = job.parameters
            trail.record(actor, kind.audited_as, subject_type="export", subject_id=job.pk,
                         subject_label=job.format, after=after)  # fmt: skip
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _fail(job_id: int, reason: str, actor: Principal) -> None:
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not job.pending:
            return
        EXPORT.apply(job, "fail")
        job.failure, job.finished_at = reason, timezone.now()
        job.save(update_fields=["status", "failure", "finished_at"])
        trail.record(actor, "registry.export.failed", subject_type="export", subject_id=job.pk,
                     subject_label=job.filename, after={"reason": reason})  # fmt: skip


def exports_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the files of exports past their time and mark them expired (each in its own
    transaction with its audit event, so one stubborn file does not hold the others back); fail
    the exports no worker finished within a day; remove files no ready export names (left by a
    worker killed between writing a file and recording it). Returns how many expired."""
    now = now or timezone.now()
    expired = 0
    due = ExportJob.objects.filter(status=ExportStatus.READY, expires_at__lte=now).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            job = ExportJob.objects.select_for_update().filter(pk=pk, status=ExportStatus.READY).first()
            if job is None:
                continue
            # Deleted before the commit: if the commit fails, the next run finds the file gone and
            # records it; the other order could record a deletion that never happened.
            media_path(job.path).unlink(missing_ok=True)
            EXPORT.apply(job, "expire")
            job.path = ""
            job.save(update_fields=["status", "path"])
            trail.record(SYSTEM, "registry.export.expired", subject_type="export", subject_id=job.pk,
                         subject_label=job.filename, after={"sha256": job.sha256})  # fmt: skip
        expired += 1
    cutoff = now - GIVE_UP_AFTER
    stale = ExportJob.objects.filter(
        Q(status=ExportStatus.QUEUED, created_at__lt=cutoff) | Q(status=ExportStatus.RUNNING, started_at__lt=cutoff)
    )
    for pk in list(stale.values_list("pk", flat=True)):
        _fail(pk, ExportFailure.ERROR, SYSTEM)
    _remove_strays(now)
    return expired


def _remove_strays(now: dt.datetime) -> None:
    folder = media_path(EXPORT_DIR)
    if not folder.is_dir():
        return
    kept = set(ExportJob.objects.filter(status=ExportStatus.READY).values_list("path", flat=True))
    old = (now - GIVE_UP_AFTER).timestamp()
    for entry in folder.iterdir():
        if entry.is_file() and f"{EXPORT_DIR}/{entry.name}" not in kept and entry.stat().st_mtime < old:
            entry.unlink(missing_ok=True)


# Reads: a person sees and downloads only their own exports.


def exports_for(*, actor: Principal) -> list[ExportJob]:
    """The actor's most recent exports, newest first (none for the system or the anonymous)."""
    if actor is None or actor.is_system:
        return []
    return list(ExportJob.objects.filter(user=actor.user)[:LIST_LENGTH])


def _own(actor: Principal) -> QuerySet[ExportJob]:
    if actor is None or actor.is_system:
        return ExportJob.objects.none()
    return ExportJob.objects.filter(user=actor.user)


def export_download(*, actor: Principal, pk: int):
    """The ready file of the actor's own export, opened, with the download audited; 404 for anyone
    else's, for one not ready or expired, and once the membership it was built in no longer grants
    its kind (what a role saw goes with the role)."""
    job = _own(actor).select_related("user", "membership__organisation").filter(pk=pk).first()
    if job is None or job.status != ExportStatus.READY or not requester(job).can(KINDS[job.kind].permission):
        raise Http404
    try:
        handle = open(media_path(job.path), "rb")  # noqa: SIM115 (the response closes it)
    except FileNotFoundError as exc:
        raise Http404 from exc
    try:
        with transaction.atomic():
            trail.record(actor, "registry.export.downloaded", subject_type="export", subject_id=job.pk,
                         subject_label=job.filename, after={"sha256": job.sha256})  # fmt: skip
    except BaseException:
        handle.close()
        raise
    return job, handle
