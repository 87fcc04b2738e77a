"""Rounds: proposed with the compliance report they were checked against, recorded on the cap table.
One transaction each, audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rainforest.accounts.permissions import FUND_MANAGE, Principal
from rainforest.core.captable.compliance import deal_criteria, verdict
from rainforest.core.captable.conversion import Convertible
from rainforest.core.captable.numbers import dec, exact
from rainforest.core.captable.round import OPTIONS, POOL, Investor, RoundError, priced_round
from rainforest.core.captable.rules import fund_rules
from rainforest.fund.choices import FlowKind, MarkKind
from rainforest.fund.models import (
    CashFlow,
    Deal,
    Mark,
    Round,
    TableEvent,
)
from rainforest.fund.problems import worded
from rainforest.fund.services.captable import table_of
from rainforest.fund.services.common import FUND_NAME, locked, record
from rainforest.policy.selectors import enterprise_rows


def _company_criteria(deal: Deal, on: dt.date, pre_money: Fraction) -> list[dict]:
    from rainforest.fund.company import company_criteria

    rows = [r for r in enterprise_rows(deal.enterprise) if r["fiscal_year"] <= on.year]
    if not rows:
        return [
            {
                "id": "FACTS",
                "title": {"en": "Registry facts"},
                "result": "unknown",
                "value": None,
                "threshold": None,
                "strictness": "hard",
                "source": "registry",
                "note": "no fiscal year on record",
            }
        ]
    row = dict(rows[-1])
    row.update(
        uscc=deal.enterprise.organisation.uscc,
        name=deal.enterprise.organisation.name,
        founded_on=deal.enterprise.founded_on,
    )
    company = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items() if v is not None}
    return company_criteria(company, on, pre_money)


def _convertible(c: dict) -> Convertible:
    """A SAFE or note converting at this round: holder, amount, optional cap, cap basis, discount."""
    return Convertible(
        holder=str(c["holder"]),
        amount=exact(c["amount"]),
        cap=exact(c["cap"]) if c.get("cap") else None,
        cap_basis=c.get("cap_basis", "post"),
        discount=exact(c.get("discount", 0)),
        kind=c.get("kind", "safe"),
        interest_rate=exact(c.get("interest_rate", 0)),
        issued_on=dt.date.fromisoformat(c["issued_on"]) if c.get("issued_on") else None,
    )


def _digest(report: dict) -> str:
    return hashlib.sha256(json.dumps(report, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


@transaction.atomic
def round_propose(
    *,
    actor: Principal,
    deal: Deal,
    name: str,
    on: dt.date,
    pre_money,
    investors: list[dict],
    pool_top_up_post_pct="0",
    convertibles: list[dict] = (),
) -> Round:
    """Run a proposed round on the table as it stands at ``on`` and keep the compliance report:
    the fund's own rounds go to the committee with it; a later round by others is flagged here,
    before it is recorded, if it would push the fund over a limit."""
    actor.require(FUND_MANAGE)
    deal = locked(deal)
    problems = []
    try:
        pre = exact(pre_money)
        pct = exact(pool_top_up_post_pct or 0)
        parsed = [
            Investor(str(i["name"]).strip(), exact(i["amount"]), bool(i.get("is_fund")), bool(i.get("city_fund")))
            for i in investors
            if str(i.get("name", "")).strip()
        ]
    except (ValueError, KeyError, TypeError):
        raise ValidationError(_("Amounts, valuation and pool must be numbers.")) from None
    if pct >= 1:
        pct = pct / 100
    parsed = [Investor(FUND_NAME if i.is_fund else i.name, i.amount, i.is_fund, i.city_fund) for i in parsed]
    current = table_of(deal).at(on)
    holders = {k: v for k, v in current.items() if k not in (POOL, OPTIONS)}
    city = set(deal.table_events.filter(city_fund=True).values_list("holder", flat=True))
    city |= {i.name for i in parsed if i.city_fund}
    try:
        notes = [_convertible(c) for c in convertibles]
        result = priced_round(
            holders=holders,
            pre_money=pre,
            investors=parsed,
            options_outstanding=current.get(OPTIONS, 0),
            pool_unallocated=current.get(POOL, 0),
            pool_top_up_post_pct=pct,
            convertibles=notes,
            on=on,
        )
    except (KeyError, TypeError):
        problems.append(_("Each convertible needs a holder and an amount."))
    except RoundError as exc:
        problems += worded(exc)
    except ValueError as exc:
        problems.append(str(exc))
    if problems:
        raise ValidationError(problems)
    rules = fund_rules()
    deal_part, figures = deal_criteria(rules, result, parsed, city, fund_names={FUND_NAME})
    company_part = _company_criteria(deal, on, pre) if any(i.is_fund for i in parsed) else []
    outcomes = [(c["result"], c["strictness"]) for c in company_part] + [(c.result, c.strictness) for c in deal_part]
    report = {
        "verdict": verdict(outcomes),
        "price_per_share": str(dec(result.price_per_share)),
        "post_money": str(dec(result.post_money)),
        "fund_stake": figures["fund_stake"],
        "largest_other_holder": figures["largest_other_holder"],
        "criteria": company_part + [c.as_dict() for c in deal_part],
        "table": {k: v for k, v in result.table.items()},
        "fd_post": result.fd_post,
        "new_shares": result.new_shares,
        "conversions": result.conversions,
        "pool_top_up": result.pool_top_up,
        "rules": f"{rules.id} {rules.version}",
        "as_of": on.isoformat(),
    }
    report = json.loads(json.dumps(report, default=str, ensure_ascii=False))
    proposed = Round.objects.create(
        deal=deal,
        name=name.strip() or _("Round"),
        on=on,
        pre_money=dec(pre, Decimal("0.01")),
        investors=[
            {"name": i.name, "amount": str(i.amount), "is_fund": i.is_fund, "city_fund": i.city_fund} for i in parsed
        ],
        pool_top_up_post_pct=dec(pct, Decimal("0.0001")),
        price_per_share=dec(result.price_per_share),
        report=report,
        report_digest=_digest(report),
        verdict=report["verdict"],
        created_by=actor.user,
    )
    record(
        actor,
        "fund.round.proposed",
        deal,
        round=proposed.name,
        verdict=proposed.verdict,
        digest=proposed.report_digest,
        fund_stake=figures["fund_stake"],
    )
    return proposed


@transaction.atomic
def round_record(*, actor: Principal, round: Round, acknowledge: str = "") -> Round:
    """Apply a round to the table. The fund's round needs the committee's approval of exactly this
    report; a round by others that breaks a limit needs the manager's acknowledgement on record."""
    actor.require(FUND_MANAGE)
    round = Round.objects.select_for_update().get(pk=round.pk)
    if round.recorded:
        raise ValidationError(_("This round is already recorded."))
    deal = locked(round.deal)
    fund_in = any(i["is_fund"] for i in round.investors)
    if fund_in:
        meeting = getattr(round, "meeting", None)
        if meeting is None or meeting.decision != "approved" or meeting.signed_digest != round.report_digest:
            raise ValidationError(_("The committee has not approved this round's compliance report."))
    elif round.verdict != "eligible" and not acknowledge.strip():
        raise ValidationError(
            _("This round would push the fund over a limit: acknowledge it, with the reason, to record it.")
        )
    issued = dict(round.report["new_shares"])
    for name, count in round.report.get("conversions", {}).items():
        issued[name] = issued.get(name, 0) + count
    for name, count in issued.items():
        if count:
            TableEvent.objects.create(
                deal=deal,
                on=round.on,
                kind="issue",
                holder=name,
                units=count,
                price=round.report["price_per_share"],
                round=round,
                city_fund=any(i["name"] == name and i["city_fund"] for i in round.investors),
            )
    if round.report["pool_top_up"]:
        TableEvent.objects.create(deal=deal, on=round.on, kind="pool", units=round.report["pool_top_up"], round=round)
    for i in round.investors:
        if i["is_fund"]:
            kind = FlowKind.FOLLOW_ON if CashFlow.objects.filter(deal=deal).exists() else FlowKind.INVESTMENT
            CashFlow.objects.create(deal=deal, on=round.on, kind=kind, amount=Decimal(i["amount"]), round=round)
    units = table_of(deal).at(round.on).get(FUND_NAME, 0)
    if units:
        Mark.objects.create(
            deal=deal,
            on=round.on,
            kind=MarkKind.ROUND,
            by=actor.user,
            value=(Decimal(units) * Decimal(round.report["price_per_share"])).quantize(Decimal("0.01")),
        )
    round.recorded = True
    round.save(update_fields=["recorded"])
    record(
        actor, "fund.round.recorded", deal, round=round.name, verdict=round.verdict, acknowledged=acknowledge.strip()
    )
    return round
