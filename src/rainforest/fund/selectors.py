"""Reads of the fund: the pipeline, one deal, the portfolio's metrics. Fund managers only (committee
members see the rounds put to them)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, F, IntegerField, Prefetch, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from rainforest.accounts.permissions import FUND_MANAGE, FUND_VOTE, Principal
from rainforest.core.captable.metrics import Multiples, irr
from rainforest.core.captable.rules import fund_rules
from rainforest.fund.choices import FlowKind, MarkKind, Stage
from rainforest.fund.models import Ballot, Deal, Mark, Meeting, Round
from rainforest.fund.services.captable import table_of
from rainforest.fund.services.committee import quorum
from rainforest.fund.services.common import FUND_NAME

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
class BallotLine:
    member: str  # the member's display name
    external: bool
    state: str  # voted | declared | waiting
    vote: str = ""  # for | against | abstain: empty while the meeting is open (ballots are sealed)
    vote_label: str = ""
    conditions: str = ""
    mine: bool = False


@dataclass
class MeetingBoard:
    """Where a committee meeting stands, as a member or a fund manager may see it.

    Ballots are sealed until the committee decides: while the meeting is open everyone sees who has
    voted, who declared an interest and who has not acted yet, the quorum and the count of votes cast,
    and a member sees their own vote; how the others voted, their conditions and the tally appear
    once the decision is recorded. Members (four of seven are external experts, policy-spec RF-14)
    are asked for independent judgement; a running tally would let the last voters follow it, and
    fund managers sit on the committee too, so the seal holds on the deal page as well."""

    meeting: Meeting
    seats: int
    quorum: int
    cast: int
    declared: int
    waiting: int
    lines: list[BallotLine]
    own: Ballot | None
    tally: dict[str, int] | None  # vote -> count, once decided

    @property
    def sealed(self) -> bool:
        return not self.meeting.decision

    @property
    def quorum_reached(self) -> bool:
        return self.cast >= self.quorum


def meeting_board(meeting: Meeting, ballots: list[Ballot], *, user=None) -> MeetingBoard:
    """The board of one meeting from its ballots (each with ``member__user`` loaded)."""
    sealed = not meeting.decision
    lines, own = [], None
    for b in ballots:
        mine = user is not None and b.member.user_id == user.pk
        if mine:
            own = b
        state = "declared" if b.conflict else "voted" if b.vote else "waiting"
        shown = not sealed or mine
        lines.append(
            BallotLine(
                member=str(b.member.user),
                external=b.member.external,
                state=state,
                vote=b.vote if shown else "",
                vote_label=b.get_vote_display() if shown and b.vote else "",
                conditions=b.conditions if shown else "",
                mine=mine,
            )
        )
    cast = sum(1 for b in ballots if b.vote)
    tally = None if sealed else {v: sum(1 for b in ballots if b.vote == v) for v in ("for", "against", "abstain")}
    return MeetingBoard(
        meeting=meeting,
        seats=len(ballots),
        quorum=quorum(),
        cast=cast,
        declared=sum(1 for b in ballots if b.conflict),
        waiting=sum(1 for b in ballots if not b.vote and not b.conflict),
        lines=lines,
        own=own,
        tally=tally,
    )


def meeting_boards(*, actor: Principal, meetings) -> list[MeetingBoard]:
    """The board of each meeting put to the actor, their own ballot included, in two queries: the
    meetings still voting first, the soonest first; then the decided ones, the latest first."""
    voting_on = Case(When(decided_at=None, then=F("held_on")))
    meetings = list(meetings.order_by(
        F("decided_at").desc(nulls_first=True), voting_on.asc(nulls_last=True), "-held_on", "-pk"
    ).prefetch_related(
        Prefetch("ballots", queryset=Ballot.objects.select_related("member__user").order_by("member__external", "pk"))
    ))  # fmt: skip
    return [meeting_board(m, list(m.ballots.all()), user=actor.user) for m in meetings]


def quarter_start(on: dt.date) -> dt.date:
    return dt.date(on.year, (on.month - 1) // 3 * 3 + 1, 1)


def quarter_end(on: dt.date) -> dt.date:
    month = (on.month - 1) // 3 * 3 + 3
    nxt = dt.date(on.year + (month == 12), 1 if month == 12 else month + 1, 1)
    return nxt - dt.timedelta(days=1)


@dataclass
class Position:
    deal: Deal
    cost: Decimal
    distributed: Decimal
    value: Decimal
    multiples: Multiples
    irr: Decimal | None
    first_on: dt.date | None
    ownership: Decimal | None = None  # the fund's fully diluted stake on the date (0.0800 = 8 %)
    mark: Mark | None = None  # what the value rests on; None while the holding is carried at cost
    stage_name: str = ""  # the round the fund came in at


def _position(deal: Deal, on: dt.date, *, with_table: bool = False) -> Position:
    flows = [f for f in deal.flows.all() if f.on <= on]
    cost = sum((f.amount for f in flows if f.kind != FlowKind.DISTRIBUTION), Decimal(0))
    distributed = sum((f.amount for f in flows if f.kind == FlowKind.DISTRIBUTION), Decimal(0))
    marks = [m for m in deal.marks.all() if m.on <= on]
    value = marks[-1].value if marks else cost
    dated = [(f.on, -f.amount if f.kind != FlowKind.DISTRIBUTION else f.amount) for f in flows]
    ownership = None
    if with_table:
        table = table_of(deal).at(on)
        total = sum(table.values())
        if total:
            ownership = (Decimal(table.get(FUND_NAME, 0)) / Decimal(total)).quantize(Decimal("0.0001"))
    return Position(
        deal,
        cost,
        distributed,
        value,
        Multiples(cost, distributed, value),
        _meaningful_irr(dated, value, on, flows[0].on if flows else None),
        flows[0].on if flows else None,
        ownership,
        marks[-1] if marks else None,
        next((r.name for r in deal.rounds.all() if r.recorded), ""),
    )


@dataclass
class StageRow:
    name: str  # the round the fund came in at, as the deal records it (天使轮, 种子轮, Pre-A轮)
    companies: int
    cost: Decimal


@dataclass
class QuarterPoint:
    """The fund at one quarter's end: what it had committed (invested, plus amounts the committee
    approved that are not paid yet), what it had paid into companies, and their fair value."""

    year: int
    quarter: int
    end: dt.date
    committed: Decimal
    deployed: Decimal
    value: Decimal


@dataclass
class Movement:
    """One change of the quarter: an investment, a distribution or a new mark of one company."""

    on: dt.date
    deal: Deal
    kind: str  # investment | follow_on | distribution | round | write_down
    amount: Decimal
    reason: str = ""


@dataclass
class QuarterChanges:
    """The net asset value's roll-forward over the quarter that ends on the report date (ILPA order):
    NAV at the start + paid in − distributed + change in value = NAV at the end."""

    start: dt.date
    end: dt.date
    nav_start: Decimal
    paid_in: Decimal
    distributed: Decimal
    value_change: Decimal
    nav_end: Decimal
    new_companies: list[Deal]
    movements: list[Movement]


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
    stages: list[StageRow]
    quarters: list[QuarterPoint]
    changes: QuarterChanges
    status_counts: dict[str, int]  # stage (portfolio / exited / written_off) -> companies

    @property
    def paid_in_ratio(self) -> Decimal | None:
        """Capital paid into companies over the fund's committed size."""
        return (self.deployed / self.size).quantize(Decimal("0.0001")) if self.size else None


def _nav(deals: list[Deal], on: dt.date) -> tuple[Decimal, Decimal, Decimal]:
    """(paid in, distributed, fair value) of the whole portfolio on ``on``."""
    ps = [_position(d, on) for d in deals]
    return (
        sum((p.cost for p in ps), Decimal(0)),
        sum((p.distributed for p in ps), Decimal(0)),
        sum((p.value for p in ps), Decimal(0)),
    )


def _approved_unpaid(deals: list[Deal], on: dt.date) -> Decimal:
    """The fund's amounts in rounds the committee approved by ``on`` that had not closed by then."""
    total = Decimal(0)
    for d in deals:
        for r in d.rounds.all():
            meeting = getattr(r, "meeting", None)
            if meeting is None or meeting.decision != "approved" or meeting.held_on > on:
                continue
            if r.recorded and r.on <= on:
                continue
            total += sum((Decimal(str(i["amount"])) for i in r.investors if i["is_fund"]), Decimal(0))
    return total


def _quarters(deals: list[Deal], committed_deals: list[Deal], first: dt.date | None, on: dt.date):
    if first is None:
        return []
    out, end = [], quarter_end(first)
    while end < on:
        paid, _dist, value = _nav(deals, end)
        committed = paid + _approved_unpaid(committed_deals, end)
        out.append(QuarterPoint(end.year, (end.month - 1) // 3 + 1, end, committed, paid, value))
        end = quarter_end(end + dt.timedelta(days=1))
    paid, _dist, value = _nav(deals, on)
    out.append(
        QuarterPoint(on.year, (on.month - 1) // 3 + 1, on, paid + _approved_unpaid(committed_deals, on), paid, value)
    )
    return out


def _changes(deals: list[Deal], on: dt.date) -> QuarterChanges:
    start = quarter_start(on)
    before = start - dt.timedelta(days=1)
    paid0, dist0, nav0 = _nav(deals, before)
    paid1, dist1, nav1 = _nav(deals, on)
    movements = [Movement(f.on, d, f.kind, f.amount) for d in deals for f in d.flows.all() if start <= f.on <= on]
    for d in deals:
        for m in d.marks.all():
            if not start <= m.on <= on:
                continue
            # A round the fund invests in marks the holding at the price it pays: shown as the investment.
            if m.kind == MarkKind.ROUND and any(
                f.on == m.on and f.kind != FlowKind.DISTRIBUTION for f in d.flows.all()
            ):
                continue
            movements.append(Movement(m.on, d, m.kind, m.value, m.reason))
    movements.sort(key=lambda m: (m.on, m.deal.pk, m.kind))
    new = [d for d in deals if (first := min((f.on for f in d.flows.all()), default=None)) and start <= first <= on]
    return QuarterChanges(
        start=start,
        end=on,
        nav_start=nav0,
        paid_in=paid1 - paid0,
        distributed=dist1 - dist0,
        value_change=nav1 - nav0 - (paid1 - paid0),
        nav_end=nav1,
        new_companies=new,
        movements=movements,
    )


def portfolio(*, actor: Principal, on: dt.date | None = None) -> Portfolio:
    """Gross figures (fund ↔ companies): paid-in is the cash invested, as LP calls are not kept here."""
    actor.require(FUND_MANAGE)
    on = on or timezone.localdate()
    deals = list(
        Deal.objects.filter(stage__in=INVESTED)
        .select_related("enterprise__organisation")
        .prefetch_related("flows", "marks", "table_events", "rounds__meeting", "enterprise__facts")
    )
    # Rounds approved and not closed yet count as committed: deals still at term sheet or closing too.
    pending = list(
        Deal.objects.filter(stage__in=(Stage.COMMITTEE, Stage.TERM_SHEET, Stage.CLOSING))
        .select_related("enterprise__organisation")
        .prefetch_related("flows", "marks", "rounds__meeting")
    )
    invested = [d for d in deals if d.flows.all()]
    positions = [_position(d, on, with_table=True) for d in invested]
    positions = [p for p in positions if p.first_on is not None]
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
    stage_mix = Counter(p.stage_name or "—" for p in positions)
    stage_cost: dict[str, Decimal] = {}
    for p in positions:
        stage_cost[p.stage_name or "—"] = stage_cost.get(p.stage_name or "—", Decimal(0)) + p.cost
    timeline = []
    dates = sorted(
        {f.on for d in deals for f in d.flows.all() if f.on <= on}
        | {m.on for d in deals for m in d.marks.all() if m.on <= on}
    )
    for day in dates:
        paid, _dist, nav = _nav(invested, day)
        timeline.append((day, paid, nav))
    first = min((d for d, _a in flows), default=None)
    return Portfolio(
        on=on,
        positions=positions,
        totals=Multiples(cost, distributed, value),
        irr=_meaningful_irr(flows, value, on, first),
        size=rules.size_cny,
        deployed=cost,
        left=rules.size_cny - cost,
        deals_by_year=dict(sorted(by_year.items())),
        deals_per_year_target=rules.deals_per_year,
        survival=(Decimal(alive) / Decimal(len(positions))).quantize(Decimal("0.0001")) if positions else None,
        stage_mix=dict(stage_mix),
        industry_mix=dict(industry),
        value_over_time=timeline,
        stages=[StageRow(k, n, stage_cost[k]) for k, n in stage_mix.most_common()],
        quarters=_quarters(invested, invested + pending, first, on),
        changes=_changes(invested, on),
        status_counts=dict(Counter(p.deal.stage for p in positions)),
    )
