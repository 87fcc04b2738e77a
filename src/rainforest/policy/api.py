"""Policy endpoints of /api/v1/: the rule library and self-check are public; runs need an officer."""

# No `from __future__ import annotations` here: ninja reads a paginated view's query types in the
# paginator's module, where a name such as VerdictFilter would not resolve; real objects do.
import datetime as dt
from typing import Annotated, Any, Literal

from django.utils import timezone
from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from rainforest.api_types import Pages, PastDate, PlatformDate, Year
from rainforest.core.policy.evaluate import VERDICTS
from rainforest.policy import selectors, services
from rainforest.policy.labels import formula
from rainforest.policy.rules import current_ruleset
from rainforest.registry.schemas import FactsIn

router = Router(tags=["policy"])

# eligible | ineligible | review | unknown | not_in_force (the engine's list: Literal[tuple] lists each)
Verdict = Literal[VERDICTS]
VerdictFilter = Literal[(*VERDICTS, "")]  # "" for every verdict


class YearIn(FactsIn):
    fiscal_year: Year


class CheckIn(Schema):
    founded_on: PastDate
    as_of: PlatformDate | None = None
    rows: Annotated[list[YearIn], Field(max_length=50)]


class RunIn(Schema):
    as_of: PlatformDate
    tiers: list[str] | None = None


class RunOut(Schema):
    """A screening run. One asked for here is queued (``status``) and run in the background: poll
    ``GET /policy/runs/{id}`` until it is ``done`` (counts and results) or ``failed`` (``failure``
    says why). ``screened`` of ``enterprises`` are written while it runs."""

    id: int
    created_at: dt.datetime
    created_by_label: str
    ruleset: str
    ruleset_version: str
    as_of: dt.date
    source: str
    filename: str
    tiers: list[str]
    status: Literal["queued", "running", "done", "failed"]
    failure: str
    counts: dict[str, dict[Verdict, int]]
    enterprises: int
    screened: int


class ResultOut(Schema):
    uscc: str
    name: str
    fiscal_year: int | None
    verdicts: dict[str, Verdict]


class CriterionOut(Schema):
    id: str
    result: Literal["pass", "fail", "unknown"]
    value: Any
    threshold: Any
    strictness: str
    source: str
    missing: list[str]
    note: str


class ScoreRangeOut(Schema):
    min: int
    max: int
    parts: dict[str, Any]


class TierOut(Schema):
    """One tier of a self-check. ``not_in_force`` comes with ``in_force_from`` (the rules take
    effect that day) or ``in_force_to`` (they ended that day), and ``in_force: false``; its
    criteria then show, for information only, how the enterprise would fare under those rules."""

    verdict: Verdict
    in_force_from: dt.date | None = None
    in_force_to: dt.date | None = None
    criteria: list[CriterionOut]
    score: int | ScoreRangeOut | None = None  # a range where experts judge part of it or data is missing
    score_parts: dict[str, Any] | None = None
    in_force: bool = True


class DecisionIn(Schema):
    tier: str
    decision: Literal["eligible", "ineligible"]
    reason: str


@router.get("/policy/rules", auth=None)
def rules(request):
    """Every tier and criterion with its test, strictness, source, confidence and dates."""
    ruleset = current_ruleset()
    return {
        "id": ruleset.id, "version": ruleset.version, "published": ruleset.published,
        "tiers": [
            {
                "id": t.id, "name": t.name, "document": t.document, "in_force_from": t.in_force_from,
                "in_force_to": t.in_force_to, "unresolved": [u["en"] for u in t.unresolved],
                "criteria": [
                    {"id": c.id, "title": c.title, "test": formula(c.test), "strictness": c.strictness,
                     "source": {"document": c.source.document, "clause": c.source.clause, "refs": list(c.source.refs)},
                     "confidence": c.confidence, "readings": list(c.tests), "default_reading": c.default_reading}
                    for c in t.criteria
                ],
            }
            for t in ruleset.tiers.values()
        ],
        "measures": [
            {"id": m.id, "action": m.action, "title": m.title, "kind": m.kind, "strictness": m.strictness,
             "amount_cny": m.amount_cny, "tiers": list(m.tiers), "parameters": m.parameters}
            for m in ruleset.measures
        ],
        "targets": ruleset.targets,
    }  # fmt: skip


@router.post("/policy/check", auth=None, response=dict[str, TierOut], exclude_unset=True)
def check(request, payload: CheckIn):
    """Self-check one enterprise from the figures sent; nothing is stored."""
    rows = [r.dict() for r in payload.rows]
    _ruleset, results, _advice = selectors.self_check(
        rows=rows, founded_on=payload.founded_on, as_of=payload.as_of or timezone.localdate()
    )
    return {tier: result.as_dict() for tier, result in results.items()}


@router.get("/policy/runs", response=list[RunOut])
@paginate(Pages)
def run_list(request):
    return selectors.run_list(actor=request.principal)


@router.post("/policy/runs", response=RunOut)
def run_create(request, payload: RunIn):
    """Ask for a screening of the whole registry at a date; it runs in the background (uploads go
    through the web page or `rainforest screen`)."""
    return services.screening_request(actor=request.principal, as_of=payload.as_of, tiers=payload.tiers)


@router.get("/policy/runs/{pk}", response=RunOut)
def run_detail(request, pk: int):
    return selectors.run_get(actor=request.principal, pk=pk)


@router.get("/policy/runs/{pk}/results", response=list[ResultOut])
@paginate(Pages)
def result_list(request, pk: int, tier: str = "", verdict: VerdictFilter = ""):
    run = selectors.run_get(actor=request.principal, pk=pk)
    return selectors.result_list(actor=request.principal, run=run, tier=tier, verdict=verdict)


@router.get("/policy/runs/{pk}/results/{uscc}")
def result_detail(request, pk: int, uscc: str):
    run = selectors.run_get(actor=request.principal, pk=pk)
    result = selectors.result_get(actor=request.principal, run=run, uscc=uscc)
    decisions = [
        {"tier": d.tier, "decision": d.decision, "reason": d.reason, "by": d.decided_by_label, "at": d.decided_at}
        for d in result.decisions.all()
    ]
    return {**selectors.explanation(result), "decisions": decisions}


@router.post("/policy/runs/{pk}/results/{uscc}/decisions")
def settle(request, pk: int, uscc: str, payload: DecisionIn):
    run = selectors.run_get(actor=request.principal, pk=pk)
    result = selectors.result_get(actor=request.principal, run=run, uscc=uscc)
    decision = services.review_settle(actor=request.principal, result=result, **payload.dict())
    return {"tier": decision.tier, "decision": decision.decision, "reason": decision.reason}
