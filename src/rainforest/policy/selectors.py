"""Reads for the policy pages: registry facts for screening, runs, results, self-checks."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import Http404

from rainforest.accounts.permissions import POLICY_SCREEN, REGISTRY_VIEW_OWN, Principal
from rainforest.core.facts.schema import YEAR_COLUMNS
from rainforest.core.policy.advice import advise
from rainforest.core.policy.evaluate import TierResult, evaluate
from rainforest.core.policy.fields import select_rows
from rainforest.policy.models import ScreeningResult, ScreeningRun
from rainforest.policy.rules import current_ruleset
from rainforest.registry.models import Enterprise


def run_list(*, actor: Principal) -> QuerySet[ScreeningRun]:
    actor.require(POLICY_SCREEN)
    return ScreeningRun.objects.all()


def run_get(*, actor: Principal, pk: int) -> ScreeningRun:
    actor.require(POLICY_SCREEN)
    run = ScreeningRun.objects.filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


def result_list(*, actor: Principal, run: ScreeningRun, tier: str = "", verdict: str = "", q: str = ""):
    actor.require(POLICY_SCREEN)
    qs = run.results.all()
    if tier and verdict:
        qs = qs.filter(**{f"verdicts__{tier}": verdict}) if tier in run.tiers else qs.none()
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(uscc=q.strip().upper())
    return qs.order_by("uscc")


def result_get(*, actor: Principal, run: ScreeningRun, uscc: str) -> ScreeningResult:
    actor.require(POLICY_SCREEN)
    result = run.results.filter(uscc=uscc).prefetch_related("decisions").first()
    if result is None:
        raise Http404
    return result


def self_check(*, rows: list[dict], founded_on: dt.date | None, as_of: dt.date, uscc: str = "", name: str = ""):
    """Every tier for one enterprise, with what it would take to pass each failed criterion."""
    ruleset = current_ruleset()
    results: dict[str, TierResult] = evaluate(
        ruleset, uscc=uscc or "self-check", name=name, founded_on=founded_on, rows=rows, as_of=as_of
    )
    usable = select_rows(rows, as_of)
    latest = usable[-1] if usable else {}
    advice = {}
    for tier_id, result in results.items():
        tier = ruleset.tiers[tier_id]
        by_id = {c.id: c for c in tier.criteria}
        for c in result.criteria:
            if c.result == "fail":
                found = advise(c.id, by_id[c.id].tests[c.reading], c.value, c.threshold, latest)
                if found:
                    advice[(tier_id, c.id)] = found
    return ruleset, results, advice


def own_enterprise(*, actor: Principal) -> Enterprise:
    actor.require(REGISTRY_VIEW_OWN)
    enterprise = Enterprise.objects.filter(organisation_id=actor.organisation_id).select_related("organisation").first()
    if enterprise is None:
        raise Http404
    return enterprise


def enterprise_rows(enterprise: Enterprise) -> list[dict]:
    return [{n: getattr(f, n) for n in YEAR_COLUMNS} for f in enterprise.facts.all()]
