"""Bulk screening runs and review decisions: each in one transaction with its audit event."""

from __future__ import annotations

import datetime as dt
import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rainforest.accounts.permissions import POLICY_SCREEN, POLICY_SETTLE, Principal
from rainforest.audit import trail
from rainforest.core.facts.reader import ReadError, read_table
from rainforest.core.facts.validate import Problem, validate_rows
from rainforest.core.policy.batch import frame_from_rows
from rainforest.core.policy.screen import screen
from rainforest.core.years import PLATFORM_YEARS
from rainforest.policy.models import ReviewDecision, ScreeningResult, ScreeningRun
from rainforest.policy.rules import current_ruleset
from rainforest.registry.selectors import facts_export_rows
from rainforest.registry.services import ImportRefused


def _rows_from_file(data: bytes, filename: str) -> list[dict]:
    try:
        sheet = read_table(data, filename)
    except ReadError as exc:
        raise ImportRefused([Problem(0, "", "", f"file_{exc.code}")]) from exc
    result = validate_rows(sheet.header, sheet.rows, timezone.localdate())
    if not result.ok:
        raise ImportRefused(result.problems)
    return result.rows


def as_of_check(as_of: dt.date) -> None:
    """A screening date is a day the registry can speak of: from 2000 to the end of next year
    (a run may look ahead to a year-end, never to 9999)."""
    latest = dt.date(timezone.localdate().year + 1, 12, 31)
    if as_of.year not in PLATFORM_YEARS or as_of > latest:
        raise ValidationError(
            _("The date must be between %(first)s and %(last)s.") % {"first": "2000-01-01", "last": latest.isoformat()}
        )


def screening_run(
    *,
    actor: Principal,
    as_of: dt.date,
    tiers: list[str] | None = None,
    data: bytes | None = None,
    filename: str = "",
    readings: dict[str, str] | None = None,
) -> ScreeningRun:
    """Screen the registry (no ``data``) or an uploaded facts file, and keep every record."""
    actor.require(POLICY_SCREEN)
    as_of_check(as_of)
    ruleset = current_ruleset()
    tiers = tiers or list(ruleset.tiers)
    unknown = [t for t in tiers if t not in ruleset.tiers]
    if unknown:
        raise ValidationError(_("Unknown tier(s): %(tiers)s.") % {"tiers": ", ".join(unknown)})
    readings = {k: v for k, v in (readings or {}).items() if v}
    known = {c.id: c for t in ruleset.tiers.values() for c in t.criteria}
    bad = [k for k, v in readings.items() if k not in known or v not in known[k].tests]
    if bad:
        raise ValidationError(_("Unknown reading for: %(ids)s.") % {"ids": ", ".join(bad)})
    rows = _rows_from_file(data, filename) if data is not None else list(facts_export_rows(actor=actor))
    started = time.perf_counter()
    records = list(screen(ruleset, frame_from_rows(rows), as_of, tiers, readings))
    seconds = time.perf_counter() - started
    counts = {t: {} for t in tiers}
    for record in records:
        for t in tiers:
            verdict = record["tiers"][t]["verdict"]
            counts[t][verdict] = counts[t].get(verdict, 0) + 1
    with transaction.atomic():
        run = ScreeningRun.objects.create(
            created_by=actor.user, created_by_label=actor.label, ruleset=ruleset.id,
            ruleset_version=ruleset.version, as_of=as_of,
            source=ScreeningRun.Source.UPLOAD if data is not None else ScreeningRun.Source.REGISTRY,
            filename=filename[:200], tiers=tiers, readings=readings, counts=counts, enterprises=len(records),
            seconds=seconds,
        )  # fmt: skip
        ScreeningResult.objects.bulk_create(
            [
                ScreeningResult(
                    run=run,
                    uscc=r["uscc"],
                    name=(r["name"] or "")[:200],
                    fiscal_year=r["fiscal_year"],
                    verdicts={t: v["verdict"] for t, v in r["tiers"].items()},
                    record=r,
                )  # fmt: skip
                for r in records
            ],
            batch_size=500,
        )
        trail.record(
            actor, "policy.screening.run", subject_type="screening_run", subject_id=run.pk,
            subject_label=f"{run.source} {as_of}",
            after={"ruleset": f"{ruleset.id} {ruleset.version}", "as_of": as_of, "tiers": tiers,
                   "enterprises": len(records), "counts": counts, "file": filename[:200], "readings": readings},
        )  # fmt: skip
    return run


@transaction.atomic
def review_settle(
    *, actor: Principal, result: ScreeningResult, tier: str, decision: str, reason: str
) -> ReviewDecision:
    """An officer decides a `review` verdict. The reason is required and the decision final."""
    actor.require(POLICY_SETTLE)
    result = ScreeningResult.objects.select_for_update().get(pk=result.pk)
    if result.verdicts.get(tier) != "review":
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
