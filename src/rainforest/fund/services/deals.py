"""Deals through their workflow (fund/workflows.py) and the due-diligence checklist.
One transaction each, audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rainforest.accounts.permissions import FUND_MANAGE, Principal
from rainforest.fund.choices import ENDED_STAGES, MarkKind, Source, Stage
from rainforest.fund.models import (
    Deal,
    Mark,
)
from rainforest.fund.services.common import locked, record
from rainforest.fund.workflows import DEAL, REASON_REQUIRED, capacities
from rainforest.registry.models import Enterprise
from rainforest.seedling.eligibility import snapshot, tier_results

CHECKLIST = (
    "工商登记与股权结构核查",
    "财务尽职调查",
    "法律尽职调查",
    "技术尽职调查",
    "知识产权核查",
    "创始团队背景调查",
)


@transaction.atomic
def deal_create(
    *, actor: Principal, enterprise: Enterprise, source: str, referrer: str = "", unit: str = "shares"
) -> Deal:
    actor.require(FUND_MANAGE)
    if source not in Source.values:
        raise ValidationError(_("Unknown deal source."))
    if unit not in ("shares", "registered_capital_cny"):
        raise ValidationError(_("Units are shares or yuan of registered capital."))
    # The company's row is the lock: two managers opening a deal at once leave one, and the second
    # is told why (the partial unique constraint is the last word if anything bypasses this).
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    if Deal.objects.filter(enterprise=enterprise).exclude(stage__in=ENDED_STAGES).exists():
        raise ValidationError(_("This company already has a live deal."))
    deal = Deal.objects.create(
        enterprise=enterprise,
        source=source,
        referrer=referrer.strip(),
        unit=unit,
        checklist={item: {"done": False, "note": ""} for item in CHECKLIST},
        created_by=actor.user,
    )
    record(actor, "fund.deal.created", deal, source=source, referrer=deal.referrer)
    return deal


@transaction.atomic
def deal_move(*, actor: Principal, deal: Deal, action: str, reason: str = "") -> Deal:
    """Move the deal along its workflow table; screening keeps the engine's result, a move that
    ends the investment marks what is left at 0."""
    deal = locked(deal)
    move = DEAL.check(deal, action, capacities(actor, deal))
    reason = reason.strip()
    if action in REASON_REQUIRED and not reason:
        raise ValidationError(_("Give the reason."))
    if action == "screen":
        deal.screening = snapshot(tier_results(deal.enterprise, timezone.localdate())["fund_target"])
    if action == "diligence" and deal.screening and deal.screening["verdict"] == "ineligible" and not reason:
        raise ValidationError(_("Screening found the company ineligible; give the reason to go on."))
    before = deal.stage
    DEAL.apply(deal, action)
    deal.stage_reason = reason
    if move.target == Stage.PORTFOLIO and deal.closed_on is None:
        deal.closed_on = timezone.localdate()
    deal.version += 1
    deal.save()
    record(
        actor,
        f"fund.deal.{action}",
        deal,
        before=before,
        after=move.target,
        reason=reason,
        screening=deal.screening["verdict"] if action == "screen" else None,
    )
    if move.target in (Stage.WRITTEN_OFF, Stage.EXITED):  # nothing is held any more: the residual value is 0
        Mark.objects.create(
            deal=deal, on=timezone.localdate(), kind=MarkKind.WRITE_DOWN, value=0, reason=reason, by=actor.user
        )
    return deal


@transaction.atomic
def checklist_set(*, actor: Principal, deal: Deal, item: str, done: bool, note: str = "") -> Deal:
    actor.require(FUND_MANAGE)
    deal = locked(deal)
    if item not in deal.checklist:
        raise ValidationError(_("Unknown checklist item."))
    deal.checklist[item] = {"done": bool(done), "note": note.strip()}
    deal.save(update_fields=["checklist"])
    record(actor, "fund.deal.checklist", deal, item=item, done=bool(done), note=note.strip())
    return deal
