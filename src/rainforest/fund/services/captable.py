"""The company's cap table as events: recorded by hand, or read from and written to Open Cap Format.
One transaction each, audited."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rainforest.accounts.permissions import FUND_MANAGE, Principal
from rainforest.core.captable.numbers import exact
from rainforest.core.captable.table import CapTable, Event, TableError
from rainforest.fund.models import (
    Deal,
    TableEvent,
)
from rainforest.fund.problems import ocf_worded, worded
from rainforest.fund.services.common import locked, record


def table_of(deal: Deal) -> CapTable:
    table = CapTable(unit=deal.unit)
    table.events = [
        Event(e.on, e.kind, e.holder, e.units, e.to, e.security_class, e.price) for e in deal.table_events.all()
    ]
    return table


@transaction.atomic
def table_event_add(
    *,
    actor: Principal,
    deal: Deal,
    on: dt.date,
    kind: str,
    holder: str = "",
    units=0,
    to: str = "",
    city_fund: bool = False,
) -> TableEvent:
    """Record a past change of the company's table (founding, earlier rounds, transfers, the pool)."""
    actor.require(FUND_MANAGE)
    deal = locked(deal)
    try:
        count = exact(units)
    except ValueError as exc:
        raise ValidationError(_("Units must be a whole number.")) from exc
    if count.denominator != 1:
        raise ValidationError(_("Units must be a whole number."))
    table = table_of(deal)
    try:
        table.apply(Event(on, kind, holder.strip(), int(count), to.strip()))
    except TableError as exc:
        raise ValidationError(worded(exc)) from exc
    event = TableEvent.objects.create(
        deal=deal, on=on, kind=kind, holder=holder.strip(), to=to.strip(), units=int(count), city_fund=city_fund
    )
    record(actor, "fund.table.event", deal, on=on, kind=kind, holder=holder, units=int(count), to=to)
    return event


@transaction.atomic
def table_import_ocf(*, actor: Principal, deal: Deal, data: bytes) -> int:
    """Load a company's table from an OCF 1.2.0 package into a deal that has none yet."""
    from rainforest.core.captable.ocf import OcfError, import_package

    actor.require(FUND_MANAGE)
    deal = locked(deal)
    if deal.table_events.exists():
        raise ValidationError(_("This deal already has a cap table; an OCF file can only start one."))
    try:
        table, issuer = import_package(data)
    except OcfError as exc:
        raise ValidationError(ocf_worded(exc)) from exc
    TableEvent.objects.bulk_create(
        [
            TableEvent(deal=deal, on=e.on, kind=e.kind, holder=e.holder, to=e.to, units=e.units, price=e.price)
            for e in table.events
        ]
    )
    Deal.objects.filter(pk=deal.pk).update(unit=table.unit)
    record(actor, "fund.table.imported", deal, events=len(table.events), issuer=issuer.get("legal_name", ""))
    return len(table.events)


def table_export_ocf(*, actor: Principal, deal: Deal) -> bytes:
    from rainforest.core.captable.ocf import export_package

    actor.require(FUND_MANAGE)
    org = deal.enterprise.organisation
    issuer = {
        "legal_name": org.name,
        "formation_date": deal.enterprise.founded_on.isoformat(),
        "country_of_formation": "CN",
        "tax_ids": [{"country": "CN", "tax_id": org.uscc}],
    }
    return export_package(table_of(deal), issuer=issuer, as_of=timezone.localdate())
