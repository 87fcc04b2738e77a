"""Fund endpoints of /api/v1/: the same selectors and services as the pages, and `fund check`."""

from __future__ import annotations

from django.http import Http404
from ninja import Body, Router, Schema
from ninja.responses import Status

from rainforest.accounts.permissions import FUND_MANAGE
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


def _deal(deal: Deal) -> dict:
    return {
        "id": deal.pk,
        "uscc": deal.enterprise.organisation.uscc,
        "name": deal.enterprise.organisation.name,
        "stage": deal.stage,
        "source": deal.source,
        "rounds": [
            {
                "name": r.name,
                "on": r.on.isoformat(),
                "verdict": r.verdict,
                "recorded": r.recorded,
                "digest": r.report_digest,
                "report": r.report,
            }
            for r in deal.rounds.all()
        ],
        "table": services.table_of(deal).at(
            max((e.on for e in deal.table_events.all()), default=None) or deal.created_at.date()
        ),
    }


@router.get("/fund/deals", response=list[DealOut])
def deals(request, stage: str = ""):
    columns = selectors.pipeline(actor=request.principal)
    return [_deal(d) for s, items in columns.items() if not stage or s == stage for d in items]


@router.get("/fund/deals/{pk}", response=DealOut)
def deal(request, pk: int):
    try:
        return _deal(selectors.deal_get(actor=request.principal, pk=pk))
    except Deal.DoesNotExist as exc:
        raise Http404 from exc


@router.post("/fund/check", response={200: dict, 422: dict})
def fund_check(request, payload: Body[dict]):
    """The `rainforest fund check` report for a DEAL.json body (fund managers)."""
    request.principal.require(FUND_MANAGE)
    try:
        return Status(200, check(payload, company_criteria))
    except (DealError, CompanyFactsInvalid) as problem:
        return Status(422, {"detail": problem.problems})


@router.get("/fund/portfolio")
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
        "dpi": str(t.dpi),
        "rvpi": str(t.rvpi),
        "tvpi": str(t.tvpi),
        "irr": None if p.irr is None else str(p.irr),
        "survival": str(p.survival),
        "deals_by_year": p.deals_by_year,
        "deals_per_year_target": p.deals_per_year_target,
        "companies": [
            {
                "deal": x.deal.pk,
                "name": x.deal.enterprise.organisation.name,
                "cost": str(x.cost),
                "value": str(x.value),
                "moic": str(x.multiples.moic),
                "irr": None if x.irr is None else str(x.irr),
            }
            for x in p.positions
        ],
    }
