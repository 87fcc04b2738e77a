"""Matching endpoints of /api/v1/: the same selectors and services as the pages."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.responses import Status

from rainforest.exchange import selectors as exchange_selectors
from rainforest.exchange.choices import CapabilityStatus
from rainforest.exchange.models import Capability
from rainforest.matching import selectors, services

router = Router(tags=["matching"])


class RecommendationOut(Schema):
    id: int
    title: str
    organisation: str
    score: float
    level: str
    level_label: str
    confidence: float
    reasons: list[str]
    shortlisted: bool = False
    verdict: str = ""


class RecommendationsOut(Schema):
    mode: str
    notices: list[str]
    no_good_match: bool
    results: list[RecommendationOut]


class FeedbackIn(Schema):
    capability: int
    verdict: str
    note: str = ""


def _out(result: selectors.Recommendations) -> dict:
    rows = []
    for rec in result.items:
        owner = getattr(rec.item, "organisation", None) or getattr(rec.item, "publisher", None)
        rows.append(
            {
                "id": rec.item.pk,
                "title": rec.item.title,
                "organisation": str(owner),
                "score": rec.score,
                "level": rec.level,
                "level_label": rec.level_label,
                "confidence": rec.confidence,
                "reasons": rec.reasons,
                "shortlisted": rec.shortlisted,
                "verdict": rec.verdict,
            }
        )
    return {"mode": result.mode, "notices": result.notices, "no_good_match": result.no_good_match, "results": rows}


@router.get("/matching/scenarios/{pk}/capabilities", response=RecommendationsOut)
def who_could_do(request, pk: int, top: int = 10):
    """Who could do this scenario (its publisher and officers)."""
    scenario = exchange_selectors.scenario_get(actor=request.principal, pk=pk)
    return _out(selectors.who_could_do(actor=request.principal, scenario=scenario, top=max(1, min(top, 50))))


@router.get("/matching/scenarios-for-me", response=RecommendationsOut)
def scenarios_for(request, q: str = "", top: int = 20):
    return _out(selectors.scenarios_for(actor=request.principal, q=q, top=max(1, min(top, 50))))


@router.get("/matching/where-to-test", response=RecommendationsOut)
def where_to_test(request, q: str = "", top: int = 10):
    return _out(selectors.where_to_test(actor=request.principal, q=q, top=max(1, min(top, 50))))


@router.post("/matching/scenarios/{pk}/feedback", response={204: None})
def feedback(request, pk: int, payload: FeedbackIn):
    scenario = exchange_selectors.scenario_get(actor=request.principal, pk=pk)
    capability = get_object_or_404(Capability, pk=payload.capability, status=CapabilityStatus.APPROVED)
    services.feedback_record(
        actor=request.principal, scenario=scenario, capability=capability, verdict=payload.verdict, note=payload.note
    )
    return Status(204, None)
