"""Bulk screening runs and review decisions: each in one transaction with its audit event.

A screening of the registry asked for on a page runs in the background (``screening_request``; the
steps are in ``policy.screening_jobs``); an uploaded file is screened at once (``screening_run``).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rainforest.accounts.permissions import POLICY_SCREEN, POLICY_SETTLE, REGISTRY_EXPORT, Principal
from rainforest.audit import trail
from rainforest.core.facts.reader import MAX_BYTES
from rainforest.core.facts.validate import Problem
from rainforest.core.policy.batch import frame_from_rows
from rainforest.core.years import PLATFORM_YEARS
from rainforest.policy import screening_jobs
from rainforest.policy.models import ReviewDecision, ScreeningResult, ScreeningRun
from rainforest.policy.rules import current_ruleset
from rainforest.policy.tasks import screening_job
from rainforest.registry.services import ImportRefused


def as_of_check(as_of: dt.date) -> None:
    """A screening date is a day the registry can speak of: from 2000 to the end of next year
    (a run may look ahead to a year-end, never to 9999)."""
    latest = dt.date(timezone.localdate().year + 1, 12, 31)
    if as_of.year not in PLATFORM_YEARS or as_of > latest:
        raise ValidationError(
            _("The date must be between %(first)s and %(last)s.") % {"first": "2000-01-01", "last": latest.isoformat()}
        )


def screening_parameters(actor: Principal, as_of: dt.date, tiers, readings) -> tuple[list[str], dict[str, str]]:
    """The tiers (every tier when none is given) and readings of a screening, checked; refused in
    the user's language otherwise."""
    actor.require(POLICY_SCREEN)
    as_of_check(as_of)
    ruleset = current_ruleset()
    tiers = list(tiers or ruleset.tiers)
    readings = {k: v for k, v in (readings or {}).items() if v}
    screening_jobs.check_parameters(ruleset, tiers, readings)
    return tiers, readings


def screening_request(
    *, actor: Principal, as_of: dt.date, tiers: list[str] | None = None, readings: dict[str, str] | None = None
) -> ScreeningRun:
    """Ask for a screening of the whole registry: the run is queued, with its audit event, and the
    worker screens it as ``actor`` (policy.screening_jobs). A refused parameter creates nothing."""
    if actor.is_system:
        raise PermissionDenied("a background screening is run for a person")  # the command line screens at once
    actor.require(POLICY_SCREEN)
    actor.require(REGISTRY_EXPORT)  # the whole registry is read, as its export reads it
    tiers, readings = screening_parameters(actor, as_of, tiers, readings)
    return screening_jobs.request(actor=actor, as_of=as_of, tiers=tiers, readings=readings, task=screening_job)


def screening_upload(
    *,
    actor: Principal,
    as_of: dt.date,
    data: bytes,
    filename: str,
    tiers: list[str] | None = None,
    readings: dict[str, str] | None = None,
) -> ScreeningRun:
    """Ask for a screening of an uploaded facts file: kept with the queued run, checked and screened
    by the worker (a file with problems fails the run, its problems listed on the run's page). A file
    over 20 MiB is refused here and creates nothing."""
    if actor.is_system:
        raise PermissionDenied("a background screening is run for a person")
    tiers, readings = screening_parameters(actor, as_of, tiers, readings)
    if len(data) > MAX_BYTES:
        raise ImportRefused([Problem(0, "", "", "file_too_large")])
    return screening_jobs.request(
        actor=actor, as_of=as_of, tiers=tiers, readings=readings, task=screening_job,
        source=ScreeningRun.Source.UPLOAD, filename=filename, data=data,
    )  # fmt: skip


def screening_run(
    *,
    actor: Principal,
    as_of: dt.date,
    tiers: list[str] | None = None,
    data: bytes | None = None,
    filename: str = "",
    readings: dict[str, str] | None = None,
) -> ScreeningRun:
    """Screen the registry (no ``data``) or a facts file now, in this process, and keep every result
    (the demo loader, the command line, tests). The run is created done or not at all; a file with
    problems is refused (``ImportRefused``) and creates nothing."""
    actor.require(POLICY_SCREEN)
    if data is None:
        actor.require(REGISTRY_EXPORT)
    tiers, readings = screening_parameters(actor, as_of, tiers, readings)
    try:
        frame = frame_from_rows(screening_jobs.rows_from_file(data, filename)) if data is not None else None
    except screening_jobs.FileRefused as exc:
        raise ImportRefused(exc.problems) from exc
    source = ScreeningRun.Source.UPLOAD if data is not None else ScreeningRun.Source.REGISTRY
    with transaction.atomic():
        run = screening_jobs.request(
            actor=actor, as_of=as_of, tiers=tiers, readings=readings, task=None, source=source, filename=filename
        )
        return screening_jobs.run_now(run, actor, frame)


@transaction.atomic
def review_settle(
    *, actor: Principal, result: ScreeningResult, tier: str, decision: str, reason: str
) -> ReviewDecision:
    """An officer decides a `review` verdict. The reason is required and the decision final."""
    actor.require(POLICY_SETTLE)
    result = ScreeningResult.objects.select_for_update(of=("self",)).select_related("run").get(pk=result.pk)
    if not result.run.done or result.verdict(tier) != "review":
        raise ValidationError(_("Only a verdict of 'review' can be settled by an officer."))
    if decision not in ReviewDecision.Decision.values:
        raise ValidationError(_("Decide eligible or ineligible."))
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError(_("Give the reason for the decision (at least 10 characters)."))
    if ReviewDecision.objects.filter(result=result, tier=tier).exists():
        raise ValidationError(_("This verdict has already been settled."))
    settled = ReviewDecision.objects.create(
        result=result, tier=tier, decision=decision, reason=reason, decided_by=actor.user,
        decided_by_label=actor.label,
    )  # fmt: skip
    trail.record(
        actor, "policy.review.settled", subject_type="screening_result", subject_id=f"{result.run_id}/{result.uscc}",
        subject_label=f"{result.name} {tier}", before={"verdict": "review"},
        after={"decision": decision, "reason": reason, "tier": tier, "run": result.run_id},
    )  # fmt: skip
    return settled
