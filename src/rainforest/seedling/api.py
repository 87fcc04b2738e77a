"""Seedling endpoints of /api/v1/: the same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.responses import Status

from rainforest.api_types import FIRST_YEAR, LAST_YEAR, SmallCount, Year, money, text
from rainforest.registry.models import Enterprise
from rainforest.seedling import selectors
from rainforest.seedling.models import MeasureApplication, SelectionRound
from rainforest.seedling.services import measures

router = Router(tags=["seedling"])


class PyramidRowOut(Schema):
    tier: str
    count: int
    target: int | None
    gap: int | None
    per_year_needed: float | None
    by_year: dict[int, int]


class RungOut(Schema):
    tier: str
    held: bool
    by: str
    verdict: str


class LadderOut(Schema):
    uscc: str
    as_of: dt.date
    current: str | None
    next: str | None
    rungs: list[RungOut]
    lacking: list[dict]


class CandidacyOut(Schema):
    uscc: str
    name: str
    route: str
    precheck_verdict: str
    ground: str
    rank: int | None
    mean_score: Decimal | None
    status: str


class ApplicationIn(Schema):
    measure: text(16)
    year: Year
    amount: money(14, 2) | None = None  # MeasureApplication.amount_requested
    months: SmallCount | None = None
    evidence: str = ""


class ApplicationOut(Schema):
    id: int
    uscc: str
    measure: str
    year: int
    event: str
    amount_requested: Decimal
    amount_computed: Decimal | None
    amount_approved: Decimal | None
    months: int | None
    status: str
    reason: str


def _application(a: MeasureApplication) -> dict:
    return {
        **{f: getattr(a, f) for f in ApplicationOut.model_fields if f != "uscc"},
        "uscc": a.enterprise.organisation.uscc,
    }


@router.get("/seedling/pyramid", response=list[PyramidRowOut])
def pyramid(request, year: int = Query(..., ge=FIRST_YEAR, le=LAST_YEAR), district: str = "", cluster: str = ""):
    return selectors.pyramid(actor=request.principal, year=year, district=district, cluster=cluster)


@router.get("/seedling/enterprises/{uscc}/ladder", response=LadderOut)
def ladder(request, uscc: str):
    enterprise = get_object_or_404(Enterprise.objects.select_related("organisation"), organisation__uscc=uscc)
    if not selectors.may_see_enterprise(request.principal, enterprise):
        raise Http404
    result = selectors.ladder(actor=request.principal, enterprise=enterprise)
    return {
        "uscc": uscc, "as_of": result.as_of, "current": result.standing.current, "next": result.standing.next,
        "rungs": [r.__dict__ for r in result.standing.rungs],
        "lacking": [{"id": c.id, "result": c.result, "value": str(c.value), "threshold": str(c.threshold),
                     "advice": result.advice.get(c.id, "")} for c in result.lacking],
    }  # fmt: skip


@router.get("/seedling/rounds/{pk}/candidates", response=list[CandidacyOut])
def candidates(request, pk: int):
    selection = get_object_or_404(SelectionRound, pk=pk)
    return [
        {"uscc": c.enterprise.organisation.uscc, "name": c.enterprise.organisation.name, "route": c.route,
         "precheck_verdict": c.precheck_verdict, "ground": c.ground, "rank": c.rank, "mean_score": c.mean_score,
         "status": c.status}
        for c in selectors.candidates(actor=request.principal, selection=selection)
    ]  # fmt: skip


@router.get("/seedling/applications", response=list[ApplicationOut])
def applications(request, status: str = ""):
    return [_application(a) for a in selectors.applications(actor=request.principal, status=status)[:500]]


@router.post("/seedling/applications", response={201: ApplicationOut})
def apply(request, payload: ApplicationIn):
    enterprise = selectors.own_enterprise(request.principal)
    if enterprise is None:
        raise Http404
    application = measures.measure_apply(
        actor=request.principal, enterprise=enterprise, measure_id=payload.measure, year=payload.year,
        amount=None if payload.amount is None else str(payload.amount), months=payload.months,
        evidence=payload.evidence,
    )  # fmt: skip
    return Status(201, _application(application))


class NeedOut(Schema):
    uscc: str
    category: str
    description: str
    raised_on: dt.date
    due_on: dt.date
    status: str
    resolved_on: dt.date | None
    resolution: str


@router.get("/seedling/needs", response=list[NeedOut])
def needs(request, status: str = "open"):
    return [
        {"uscc": n.enterprise.organisation.uscc, "category": n.category, "description": n.description,
         "raised_on": n.raised_on, "due_on": n.due_on, "status": n.status, "resolved_on": n.resolved_on,
         "resolution": n.resolution}
        for n in selectors.needs(actor=request.principal, status=status)[:1000]
    ]  # fmt: skip
