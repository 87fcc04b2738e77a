"""Reads of the fund: the pipeline, one deal, the portfolio's metrics. Fund managers only (committee
members see the rounds put to them)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from rainforest.accounts.permissions import FUND_MANAGE, FUND_VOTE, Principal
from rainforest.core.captable.metrics import Multiples, irr
from rainforest.core.captable.rules import fund_rules
from rainforest.fund.choices import FlowKind, Stage
from rainforest.fund.models import Ballot, Deal, Meeting, Round

INVESTED = (Stage.PORTFOLIO, Stage.EXITED, Stage.WRITTEN_OFF)
# An IRR over less than a year annualises a few weeks into nonsense: shown n/m (not meaningful),
# as is usual in fund reporting.
IRR_MIN_DAYS = 365


def _meaningful_irr(flows, value, on, first_on):
    if first_on is None or (on - first_on).days < IRR_MIN_DAYS:
        return None
    return irr(flows, residual=value, on=on)


def pipeline(*, actor: Principal) -> dict[str, list[Deal]]:
    actor.require(FUND_MANAGE)
    out: dict[str, list[Deal]] = {s: [] for s in Stage.values}
    for deal in Deal.objects.select_related("enterprise__organisation"):
        out[deal.stage].append(deal)
    return out


def deal_list(*, actor: Principal, stage: str = "") -> QuerySet[Deal]:
    """Every deal in pipeline order (stage by stage, newest first), each with its rounds and table
    events read in one query apiece for the whole page; an unknown stage lists nothing."""
    actor.require(FUND_MANAGE)
    order = Case(*(When(stage=s, then=Value(i)) for i, s in enumerate(Stage.values)), output_field=IntegerField())
    qs = Deal.objects.select_related("enterprise__organisation").prefetch_related("rounds", "table_events")
    if stage:
        qs = qs.filter(stage=stage)
    return qs.order_by(order, "-created_at", "-pk")


def deal_get(*, actor: Principal, pk: int) -> Deal:
    actor.require(FUND_MANAGE)
    return get_object_or_404(Deal.objects.select_related("enterprise__organisation"), pk=pk)


def deal_detail(*, actor: Principal, pk: int) -> Deal:
    """One deal with everything its page shows (table events, rounds with their meeting and each
    ballot's member, money), in a fixed number of queries however many rounds and ballots it has."""
    actor.require(FUND_MANAGE)
    ballots = Ballot.objects.select_related("member__user").order_by("pk")
    rounds = Round.objects.select_related("meeting").prefetch_related(Prefetch("meeting__ballots", queryset=ballots))
    qs = Deal.objects.select_related("enterprise__organisation").prefetch_related(
        "table_events", Prefetch("rounds", queryset=rounds), "flows", "marks"
    )
    return get_object_or_404(qs, pk=pk)


def round_get_for(*, actor: Principal, pk: int) -> Round:
    """A proposed or recorded round, for the fund's managers; 404 when missing."""
    actor.require(FUND_MANAGE)
    return get_object_or_404(Round.objects.select_related("deal__enterprise__organisation"), pk=pk)


def meeting_get_for(*, actor: Principal, pk: int) -> Meeting:
    """A committee meeting the actor sits on (404 for any other)."""
    return get_object_or_404(meetings_for(actor=actor), pk=pk)


def meetings_for(*, actor: Principal) -> QuerySet[Meeting]:
    if not actor.can(FUND_MANAGE):
        actor.require(FUND_VOTE)
    ids = Ballot.objects.filter(member__user=actor.user).values_list("meeting_id", flat=True)
    return Meeting.objects.filter(pk__in=ids).select_related("round__deal__enterprise__organisation")


def own_ballots(*, actor: Principal, meetings) -> dict[int, Ballot]:
    """The actor's ballot in each of these meetings, by meeting id, in one query."""
    ballots = Ballot.objects.filter(member__user=actor.user, meeting__in=meetings)
    return {b.meeting_id: b for b in ballots}


@dataclass
class Position:
    deal: Deal
    cost: Decimal
    distributed: Decimal
    value: Decimal
    multiples: Multiples
    irr: Decimal | None
    first_on: dt.date | None


def _position(deal: Deal, on: dt.date) -> Position:
    flows = [f for f in deal.flows.all() if f.on <= on]
    cost = sum((f.amount for f in flows if f.kind != FlowKind.DISTRIBUTION), Decimal(0))
    distributed = sum((f.amount for f in flows if f.kind == FlowKind.DISTRIBUTION), Decimal(0))
    marks = [m for m in deal.marks.all() if m.on <= on]
    value = marks[-1].value if marks else cost
    dated = [(f.on, -f.amount if f.kind != FlowKind.DISTRIBUTION else f.amount) for f in flows]
    return Position(
        deal,
        cost,
        distributed,
        value,
        Multiples(cost, distributed, value),
        _meaningful_irr(dated, value, on, flows[0].on if flows else None),
        flows[0].on if flows else None,
    )


@dataclass
class Portfolio:
    on: dt.date
    positions: list[Position]
    totals: Multiples
    irr: Decimal | None
    size: Decimal
    deployed: Decimal
    left: Decimal
    deals_by_year: dict[int, int]
    deals_per_year_target: int
    survival: Decimal | None
    stage_mix: dict[str, int]
    industry_mix: dict[str, int]
    value_over_time: list[tuple[dt.date, Decimal, Decimal]]  # (date, cumulative cost, value)


def portfolio(*, actor: Principal, on: dt.date | None = None) -> Portfolio:
    """Gross figures (fund ↔ companies): paid-in is the cash invested, as LP calls are not kept here."""
    actor.require(FUND_MANAGE)
    on = on or timezone.localdate()
    deals = list(
        Deal.objects.filter(stage__in=INVESTED)
        .select_related("enterprise__organisation")
        .prefetch_related("flows", "marks", "rounds", "enterprise__facts")
    )
    positions = [_position(d, on) for d in deals if d.flows.exists()]
    cost = sum((p.cost for p in positions), Decimal(0))
    distributed = sum((p.distributed for p in positions), Decimal(0))
    value = sum((p.value for p in positions), Decimal(0))
    flows = [
        (f.on, -f.amount if f.kind != FlowKind.DISTRIBUTION else f.amount)
        for d in deals
        for f in d.flows.all()
        if f.on <= on
    ]
    rules = fund_rules()
    by_year = Counter(p.first_on.year for p in positions if p.first_on)
    alive = sum(1 for p in positions if p.deal.stage != Stage.WRITTEN_OFF)
    industry = Counter()
    for p in positions:
        latest = max(p.deal.enterprise.facts.all(), key=lambda f: f.fiscal_year, default=None)
        for code in ((latest.industries or "") if latest else "").split(";"):
            if code:
                industry[code] += 1
    # the round the fund came in at: the first recorded one
    stage_mix = Counter(next((r.name for r in p.deal.rounds.all() if r.recorded), "—") for p in positions)
    timeline = []
    dates = sorted(
        {f.on for d in deals for f in d.flows.all() if f.on <= on}
        | {m.on for d in deals for m in d.marks.all() if m.on <= on}
    )
    for day in dates:
        ps = [_position(d, day) for d in deals if d.flows.exists()]
        timeline.append((day, sum((p.cost for p in ps), Decimal(0)), sum((p.value for p in ps), Decimal(0))))
    return Portfolio(
        on=on,
        positions=positions,
        totals=Multiples(cost, distributed, value),
        irr=_meaningful_irr(flows, value, on, min((d for d, _a in flows), default=None)),
        size=rules.size_cny,
        deployed=cost,
        left=rules.size_cny - cost,
        deals_by_year=dict(sorted(by_year.items())),
        deals_per_year_target=rules.deals_per_year,
        survival=(Decimal(alive) / Decimal(len(positions))).quantize(Decimal("0.0001")) if positions else None,
        stage_mix=dict(stage_mix),
        industry_mix=dict(industry),
        value_over_time=timeline,
    )
