"""What the fund's services share: the fund's name on cap tables, the deal lock, its audit record."""

from __future__ import annotations

from rainforest.audit import trail
from rainforest.fund.models import Deal

FUND_NAME = "润苗基金"


def locked(deal: Deal) -> Deal:
    """The deal's row, locked for this transaction: two managers acting at once act one after the other."""
    return Deal.objects.select_for_update().get(pk=deal.pk)


def record(actor, action, deal: Deal, **after):
    trail.record(
        actor, action, subject_type="deal", subject_id=deal.pk, subject_label=str(deal.enterprise), after=after
    )
