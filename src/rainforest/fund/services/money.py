"""Money outside recorded rounds: distributions, cash for SAFEs and notes, and write-downs.
One transaction each, audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rainforest.accounts.permissions import FUND_MANAGE, Principal
from rainforest.fund.choices import FlowKind, MarkKind
from rainforest.fund.models import (
    MONEY_LIMIT,
    CashFlow,
    Deal,
    Mark,
)
from rainforest.fund.services.common import record


def _yuan(value) -> Decimal | None:
    """An amount of money as the database holds it (to the fen, within MONEY's digits), or None for
    anything that is not one: text, NaN, infinity, or more than a MONEY column holds."""
    try:
        amount = Decimal(str(value).strip().replace(",", "")).quantize(Decimal("0.01"))
    except ArithmeticError:
        return None
    if not amount.is_finite() or abs(amount) >= MONEY_LIMIT:
        return None
    return amount


@transaction.atomic
def flow_record(*, actor: Principal, deal: Deal, on: dt.date, amount, kind: str = FlowKind.DISTRIBUTION) -> CashFlow:
    """Money between the fund and the company outside a recorded round: a distribution, or the cash
    paid for a SAFE or a note (which converts at a later round, with no cash then)."""
    actor.require(FUND_MANAGE)
    if kind not in FlowKind.values:
        raise ValidationError(_("Unknown kind of flow."))
    value = _yuan(amount)
    if value is None or value <= 0:
        raise ValidationError(_("The amount must be more than zero."))
    flow = CashFlow.objects.create(deal=deal, on=on, kind=kind, amount=value)
    record(actor, f"fund.flow.{kind}", deal, on=on, amount=flow.amount)
    return flow


@transaction.atomic
def mark_write_down(*, actor: Principal, deal: Deal, on: dt.date, value, reason: str) -> Mark:
    actor.require(FUND_MANAGE)
    amount = _yuan(value)
    if amount is None:
        raise ValidationError(_("Enter the value in yuan, for example 1200000.50."))
    if amount < 0:
        raise ValidationError(_("A value cannot be negative."))
    if not reason.strip():
        raise ValidationError(_("Give the reason."))
    mark = Mark.objects.create(
        deal=deal, on=on, kind=MarkKind.WRITE_DOWN, value=amount, reason=reason.strip(), by=actor.user
    )
    record(actor, "fund.mark.write_down", deal, on=on, value=amount, reason=reason.strip())
    return mark
