"""Reads for the policy pages: registry facts for screening, runs, results, self-checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import polars as pl
from django.db.models import Q, QuerySet
from django.http import Http404

from rainforest.accounts.permissions import POLICY_SCREEN, REGISTRY_VIEW_OWN, Principal
from rainforest.core.facts.schema import YEAR_COLUMNS
from rainforest.core.policy.advice import advise
from rainforest.core.policy.evaluate import TierResult, evaluate
from rainforest.core.policy.fields import select_rows
from rainforest.policy import explain
from rainforest.policy.models import CODE_VERDICTS, VERDICT_CODES, ScreeningBlock, ScreeningResult, ScreeningRun
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


def run_done(*, actor: Principal, pk: int) -> ScreeningRun:
    """A run whose results may be read: done (404 while it runs, or when it failed)."""
    run = run_get(actor=actor, pk=pk)
    if not run.done:
        raise Http404
    return run


def result_list(*, actor: Principal, run: ScreeningRun, tier: str = "", verdict: str = "", q: str = ""):
    """A done run's results in code order; none of a run not done (its chunks are not a result).
    ``tier`` and ``verdict`` filter on the (run, codes) index: the run's combinations of verdicts
    that have ``verdict`` for ``tier`` (a handful) are looked up there."""
    actor.require(POLICY_SCREEN)
    qs = run.results.all() if run.done else run.results.none()
    if tier and verdict:
        position, code = run.tier_position(tier), VERDICT_CODES.get(verdict)
        if position is None or code is None:
            qs = qs.none()
        else:
            qs = qs.filter(codes__in=sorted(c for c in run.combinations if c[position - 1] == code))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(uscc=q.strip().upper()))
    return qs.order_by("uscc")


def result_count(*, run: ScreeningRun, tier: str = "", verdict: str = "", q: str = "") -> int | None:
    """How many results ``result_list`` holds, from the run's own counts where they say it (no
    query), None where only a count of the rows can say (a search)."""
    if q:
        return None
    if not run.done:
        return 0
    if tier and verdict:
        return run.counts.get(tier, {}).get(verdict, 0) if VERDICT_CODES.get(verdict) else 0
    return run.enterprises


def result_get(*, actor: Principal, run: ScreeningRun, uscc: str) -> ScreeningResult:
    actor.require(POLICY_SCREEN)
    result = run.results.filter(uscc=uscc).prefetch_related("decisions").first() if run.done else None
    if result is None:
        raise Http404
    return result


def explanation(result: ScreeningResult) -> dict:
    """The enterprise's screen record, rebuilt from its block (policy/explain.py)."""
    run = result.run
    block = explain.decode(ScreeningBlock.objects.values_list("data", flat=True).get(run=run, seq=result.block))
    rows = block.filter(pl.col("uscc") == result.uscc).to_dicts()
    return explain.record(run.layout, uscc=result.uscc, name=result.name, fiscal_year=result.fiscal_year,
                          verdicts=result.verdicts, row=rows[0])  # fmt: skip


def run_records(run: ScreeningRun) -> Iterator[dict]:
    """Every record of a done run in code order, a block at a time (the download)."""
    results = run.results.order_by("block", "uscc").values_list("uscc", "name", "fiscal_year", "codes", "block")
    blocks = ScreeningBlock.objects.filter(run=run).order_by("seq").values_list("seq", "data")
    pending = iter(results.iterator(chunk_size=explain.BLOCK_SIZE))
    current = next(pending, None)
    for seq, data in blocks.iterator(chunk_size=1):
        rows = {row["uscc"]: row for row in explain.decode(data).iter_rows(named=True)}
        while current is not None and current[4] == seq:
            uscc, name, year, codes, _block = current
            verdicts = {t: CODE_VERDICTS[c] for t, c in zip(run.tiers, codes, strict=True)}
            yield explain.record(run.layout, uscc=uscc, name=name, fiscal_year=year, verdicts=verdicts, row=rows[uscc])
            current = next(pending, None)


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
