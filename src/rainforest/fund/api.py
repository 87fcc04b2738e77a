"""Fund endpoints of /api/v1/: the same selectors and services as the pages, and `fund check`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import ConfigDict, StrictFloat, StrictInt, StrictStr

from rainforest.accounts.permissions import FUND_MANAGE
from rainforest.api_types import Pages
from rainforest.core.captable.deal import DealError, check
from rainforest.fund import selectors, services
from rainforest.fund.company import CompanyFactsInvalid, company_criteria
from rainforest.fund.models import Deal

router = Router(tags=["fund"])


class DealOut(Schema):
    id: int
    uscc: str
    name: str
    stage: str
    source: str
    rounds: list[dict]
    table: dict[str, int]

    # Read from the deal as its selector fetched it (rounds and table events prefetched for a whole
    # page), so a page of deals costs the same few queries however long it is.
    @staticmethod
    def resolve_uscc(deal: Deal) -> str:
        return deal.enterprise.organisation.uscc

    @staticmethod
    def resolve_name(deal: Deal) -> str:
        return deal.enterprise.organisation.name

    @staticmethod
    def resolve_rounds(deal: Deal) -> list[dict]:
        return [
            {
                "name": r.name,
                "on": r.on.isoformat(),
                "verdict": r.verdict,
                "recorded": r.recorded,
                "digest": r.report_digest,
                "report": r.report,
            }
            for r in deal.rounds.all()
        ]

    @staticmethod
    def resolve_table(deal: Deal) -> dict[str, int]:
        last = max((e.on for e in deal.table_events.all()), default=None)
        return services.table_of(deal).at(last or deal.created_at.date())


@router.get("/fund/deals", response=list[DealOut])
@paginate(Pages)
def deals(request, stage: str = ""):
    return selectors.deal_list(actor=request.principal, stage=stage)


@router.get("/fund/deals/{pk}", response=DealOut)
def deal(request, pk: int):
    return selectors.deal_detail(actor=request.principal, pk=pk)


# --- `fund check` -------------------------------------------------------------------------------
# DEAL.json as the parser reads it (core/captable/deal.py): the shape is checked here (an object
# where an object belongs, a list where a list does), the numbers and rules by the parser, which
# lists every problem. A number may be a JSON number or text ("1,000,000"); unknown keys are kept.

Number = StrictInt | StrictFloat | StrictStr
OPEN = ConfigDict(extra="allow")


class HolderIn(Schema):
    model_config = OPEN
    name: StrictStr | StrictInt | None = None
    shares: Number | None = None
    city_fund: bool | None = None


class InvestorIn(Schema):
    model_config = OPEN
    name: StrictStr | StrictInt | None = None
    amount: Number | None = None
    is_fund: bool | None = None
    city_fund: bool | None = None


class RoundIn(Schema):
    model_config = OPEN
    pre_money: Number | None = None
    investors: list[InvestorIn] | None = None


class ConvertibleIn(Schema):
    model_config = OPEN
    holder: StrictStr | StrictInt | None = None
    kind: StrictStr | None = None
    amount: Number | None = None
    cap: Number | None = None
    cap_basis: StrictStr | None = None
    discount: Number | None = None
    interest_rate: Number | None = None
    issued_on: StrictStr | None = None


class DealIn(Schema):
    model_config = OPEN
    as_of: StrictStr | None = None
    company: dict[str, Any] | None = None
    holders: list[HolderIn] | None = None
    options_outstanding: Number | None = None
    pool_unallocated: Number | None = None
    pool_top_up_post_pct: Number | None = None
    convertibles: list[ConvertibleIn] | None = None
    round: RoundIn | None = None


class CriterionOut(Schema):
    """One criterion of the report: the company's (policy engine) or the deal's (fund rules)."""

    id: str
    title: str | dict[str, str]
    result: str
    value: Any
    threshold: Any
    strictness: str
    source: Any
    missing: list[str] = []  # the company's criteria only
    note: str = ""


class StakeOut(Schema):
    name: str
    stake: float


class UnitsOut(Schema):
    units: int
    stake: float


class RoundOut(Schema):
    pre_money: float
    new_money: float
    fd_post: int
    pool_top_up: int
    new_shares: dict[str, int]
    conversions: dict[str, int]
    table: dict[str, UnitsOut]


class FundCheckOut(Schema):
    verdict: str
    price_per_share: float
    post_money: float
    fund_stake: float
    largest_other_holder: StakeOut
    criteria: list[CriterionOut]
    round: RoundOut
    rules: dict[str, str]


class ProblemsOut(Schema):
    detail: list[str]


@router.post("/fund/check", response={200: FundCheckOut, 422: ProblemsOut}, exclude_unset=True)
def fund_check(request, payload: DealIn):
    """The `rainforest fund check` report for a DEAL.json body (fund managers). A deal the parser
    cannot check is a 422 listing every problem; nothing is stored either way."""
    request.principal.require(FUND_MANAGE)
    try:
        return Status(200, check(payload.dict(exclude_unset=True), company_criteria))
    except (DealError, CompanyFactsInvalid) as problem:
        return Status(422, {"detail": problem.problems})


# --- the portfolio --------------------------------------------------------------------------------


class PositionOut(Schema):
    deal: int
    name: str
    cost: str
    value: str
    moic: str | None
    irr: str | None


class PortfolioOut(Schema):
    """Gross figures; amounts and ratios as decimal text, null where not yet meaningful."""

    on: dt.date
    size: str
    deployed: str
    left: str
    distributed: str
    fair_value: str
    dpi: str | None
    rvpi: str | None
    tvpi: str | None
    irr: str | None
    survival: str | None
    deals_by_year: dict[int, int]
    deals_per_year_target: int
    companies: list[PositionOut]


def _text(value) -> str | None:
    return None if value is None else str(value)


@router.get("/fund/portfolio", response=PortfolioOut)
def portfolio(request):
    p = selectors.portfolio(actor=request.principal)
    t = p.totals
    return {
        "on": p.on,
        "size": str(p.size),
        "deployed": str(p.deployed),
        "left": str(p.left),
        "distributed": str(t.distributed),
        "fair_value": str(t.residual),
        "dpi": _text(t.dpi),
        "rvpi": _text(t.rvpi),
        "tvpi": _text(t.tvpi),
        "irr": _text(p.irr),
        "survival": _text(p.survival),
        "deals_by_year": p.deals_by_year,
        "deals_per_year_target": p.deals_per_year_target,
        "companies": [
            {
                "deal": x.deal.pk,
                "name": x.deal.enterprise.organisation.name,
                "cost": str(x.cost),
                "value": str(x.value),
                "moic": _text(x.multiples.moic),
                "irr": _text(x.irr),
            }
            for x in p.positions
        ],
    }
