"""Reads of the Seedling programme, through what the principal may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from rainforest import conflicts, formatting
from rainforest.accounts.permissions import SEEDLING_APPLY, SEEDLING_MANAGE, SEEDLING_REVIEW, Principal
from rainforest.core.policy.batch import evaluate_frame, frame_from_rows
from rainforest.core.seedling.ladder import LADDER, Standing, standing
from rainforest.exchange.choices import ProjectStatus
from rainforest.exchange.models import Project
from rainforest.policy import labels
from rainforest.policy.labels import results_context
from rainforest.policy.rules import current_ruleset
from rainforest.policy.selectors import enterprise_rows, self_check
from rainforest.registry.models import Enterprise, Recognition, YearlyFacts
from rainforest.registry.selectors import facts_export_rows
from rainforest.seedling import standings
from rainforest.seedling.choices import NeedStatus, RoundStatus
from rainforest.seedling.eligibility import recognised
from rainforest.seedling.models import Candidacy, MeasureApplication, Need, PanelMember, SelectionRound
from rainforest.seedling.standings import TARGET_YEAR

# Pyramid tiers -> the rule set's 2027 target keys.
TARGET_KEYS = {"tech_sme": "tech_sme", "seed": "seed_pool", "good_seedling": "good_seedling", "hnte": "hnte",
               "young_eagle": "young_eagle", "tech_leader": "tech_leader"}  # fmt: skip


def may_see_enterprise(actor: Principal, enterprise: Enterprise) -> bool:
    return actor.can(SEEDLING_MANAGE) or (
        actor.can(SEEDLING_APPLY) and enterprise.organisation_id == actor.organisation_id
    )


@dataclass
class Ladder:
    enterprise: Enterprise
    as_of: dt.date
    standing: Standing
    lacking: list = field(default_factory=list)  # the next rung's failed or unknown criteria
    advice: dict = field(default_factory=dict)  # criterion id -> advice
    next_verdict: str = ""
    next_result: object = None  # the engine's whole result for the next rung
    next_context: dict = field(default_factory=dict)  # for policy/_tier_results.html


def ladder(*, actor: Principal, enterprise: Enterprise, as_of: dt.date | None = None) -> Ladder:
    if not may_see_enterprise(actor, enterprise):
        raise PermissionDenied
    as_of = as_of or timezone.localdate()
    _ruleset, results, advice = self_check(
        rows=enterprise_rows(enterprise), founded_on=enterprise.founded_on, as_of=as_of,
        uscc=enterprise.organisation.uscc, name=enterprise.organisation.name,
    )  # fmt: skip
    verdicts = {tier: r.verdict for tier, r in results.items()}
    place = standing(recognised(enterprise, as_of), verdicts)
    out = Ladder(enterprise, as_of, place)
    if place.next and place.next in results:
        result = results[place.next]
        out.next_verdict = result.verdict
        out.lacking = [c for c in result.criteria if c.result != "pass"]
        out.advice = {cid: a for (tier, cid), a in advice.items() if tier == place.next}
        out.next_result = result
        out.next_context = results_context(_ruleset, {place.next: result}, advice)
    return out


@dataclass
class PyramidRow:
    tier: str
    count: int
    target: int | None
    gap: int | None
    per_year_needed: float | None
    by_year: dict[int, int]


def pyramid_recount(*, actor: Principal, years: list[int], district: str = "", cluster: str = "") -> dict:
    """Per tier, per year, counted from the registry itself: the definition the standings must equal."""
    scopes = {y: _in_scope(_latest_facts(y), district, cluster) for y in years}
    return {
        tier: {
            y: (_seed_count(actor, y, scopes[y]) if tier == "seed" else _recognised_count(tier, y, scopes[y]))
            for y in years
        }
        for tier in LADDER
    }


def _latest_facts(year: int) -> dict[int, YearlyFacts]:
    latest: dict[int, YearlyFacts] = {}
    for f in YearlyFacts.objects.filter(fiscal_year__lte=year).order_by("enterprise_id", "fiscal_year"):
        latest[f.enterprise_id] = f
    return latest


def _in_scope(latest: dict[int, YearlyFacts], district: str, cluster: str) -> set[int]:
    return {
        eid
        for eid, f in latest.items()
        if (not district or f.district == district) and (not cluster or cluster in (f.industries or "").split(";"))
    }


def _recognised_count(kind: str, year: int, scope: set[int]) -> int:
    end = dt.date(year, 12, 31)
    return (
        Recognition.objects.filter(kind=kind, year__lte=year, enterprise_id__in=scope)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=end))
        .values("enterprise_id")
        .distinct()
        .count()
    )


def _seed_count(actor: Principal, year: int, scope: set[int]) -> int:
    """Seeds are not certified: the pool is the enterprises the engine finds eligible as seeds at
    the end of the year, on the registry's facts (the batch evaluator, as bulk screening)."""
    rows = list(facts_export_rows(actor=actor, enterprises=Enterprise.objects.filter(pk__in=scope)))
    if not rows:
        return 0
    result = evaluate_frame(current_ruleset(), frame_from_rows(rows), dt.date(year, 12, 31), tiers=["seed"])
    return int((result["seed"] == "eligible").sum())


def pyramid(*, actor: Principal, year: int, district: str = "", cluster: str = "") -> list[PyramidRow]:
    """Counts per tier at the end of ``year`` (recognitions in force; seeds by the engine) against
    the 2027 targets, the gap and the yearly increase needed to close it; and the years before."""
    actor.require(SEEDLING_MANAGE)
    targets = current_ruleset().targets
    first = Recognition.objects.order_by("year").values_list("year", flat=True).first() or year
    years = list(range(max(first, year - 4), year + 1))
    build = standings.current_build()
    if build is not None and year <= build.last_year:
        counts = standings.counts(years, district, cluster)
    else:  # stale or never built: count live (slow at city scale), until the standings job has run
        counts = pyramid_recount(actor=actor, years=years, district=district, cluster=cluster)
    rows = []
    for tier in LADDER:
        by_year = counts[tier]
        count = by_year[year]
        target = targets.get(TARGET_KEYS[tier]) if not (district or cluster) else None
        gap = max(0, int(target) - count) if target is not None else None
        left = TARGET_YEAR - year
        per_year = (gap / left if left > 0 else float(gap)) if gap is not None else None
        rows.append(PyramidRow(tier, count, int(target) if target is not None else None, gap, per_year, by_year))
    return rows


def rounds(*, actor: Principal) -> QuerySet[SelectionRound]:
    if not (actor.can(SEEDLING_MANAGE) or actor.can(SEEDLING_APPLY) or actor.can(SEEDLING_REVIEW)):
        raise PermissionDenied
    return SelectionRound.objects.all()


def candidates(*, actor: Principal, selection: SelectionRound) -> QuerySet[Candidacy]:
    """Officers see every candidate; an expert of the panel after declaring; an enterprise its own."""
    qs = selection.candidacies.select_related("enterprise__organisation").order_by("rank", "submitted_at", "pk")
    if actor.can(SEEDLING_MANAGE):
        return qs
    if actor.can(SEEDLING_REVIEW):
        member = PanelMember.objects.filter(round=selection, expert=actor.user).first()
        if member is None:
            raise PermissionDenied
        return qs if member.declared_at else qs.none()
    if actor.can(SEEDLING_APPLY):
        return qs.filter(enterprise__organisation_id=actor.organisation_id)
    raise PermissionDenied


def applications(*, actor: Principal, status: str = "") -> QuerySet[MeasureApplication]:
    qs = MeasureApplication.objects.select_related("enterprise__organisation", "disbursement").order_by("-submitted_at")
    if status:
        qs = qs.filter(status=status)
    if actor.can(SEEDLING_MANAGE):
        return qs
    if actor.can(SEEDLING_APPLY):
        return qs.filter(enterprise__organisation_id=actor.organisation_id)
    raise PermissionDenied


def own_enterprise(actor: Principal) -> Enterprise | None:
    actor.require(SEEDLING_APPLY)
    return Enterprise.objects.select_related("organisation").filter(organisation_id=actor.organisation_id).first()


@dataclass
class Case:
    enterprise: Enterprise
    officer: object
    visits: list
    needs: list
    overdue: int
    landings: list  # exchange projects that landed: support received through the exchange


def case(*, actor: Principal, enterprise: Enterprise) -> Case:
    if not may_see_enterprise(actor, enterprise):
        raise PermissionDenied
    current = enterprise.case_officers.filter(until=None).select_related("officer").first()
    needs = list(enterprise.needs.all())
    today = timezone.localdate()
    overdue = sum(1 for n in needs if n.status == NeedStatus.OPEN and n.due_on < today)
    landings = list(
        Project.objects.filter(
            enterprise_id=enterprise.organisation_id,
            status__in=[ProjectStatus.LANDED, ProjectStatus.ACCEPTED, ProjectStatus.SCALED],
        ).select_related("scenario")
    )
    return Case(enterprise, current.officer if current else None, list(enterprise.visits.all()[:20]), needs, overdue,
                landings)  # fmt: skip


def needs(*, actor: Principal, status: str = "open") -> QuerySet:
    """Every enterprise's raised needs, the most urgent first (officers)."""
    actor.require(SEEDLING_MANAGE)
    qs = Need.objects.select_related("enterprise__organisation").order_by("status", "due_on", "pk")
    return qs.filter(status=status) if status in (NeedStatus.OPEN, NeedStatus.RESOLVED) else qs


# One object for a page action, as the actor may see it: 404 for one it may not (or that does not
# exist), 403 when its role has nothing to do with the programme's part it belongs to.


def enterprise_get_for(actor: Principal, uscc: str) -> Enterprise:
    enterprise = Enterprise.objects.select_related("organisation").filter(organisation__uscc=uscc).first()
    if enterprise is None or not may_see_enterprise(actor, enterprise):
        raise Http404
    return enterprise


def round_get_for(actor: Principal, pk: int) -> SelectionRound:
    return get_object_or_404(rounds(actor=actor), pk=pk)


def candidacy_get_for(actor: Principal, pk: int) -> Candidacy:
    """A candidacy the actor sees on its round's page (an expert: once declared, on that panel)."""
    candidacy = Candidacy.objects.select_related("round", "enterprise__organisation").filter(pk=pk).first()
    rounds(actor=actor)  # 403 for roles outside the selection
    if candidacy is None:
        raise Http404
    try:
        visible = candidates(actor=actor, selection=candidacy.round).filter(pk=pk).exists()
    except PermissionDenied:  # an expert not on this round's panel
        visible = False
    if not visible:
        raise Http404
    return candidacy


# What an expert reads before scoring a good-seedling candidate

# The registry's columns a reviewer reads, in the order of the facts schema's groups.
MATERIAL_FIELDS = (
    "employees", "tech_staff", "rd_staff", "revenue", "rd_expense", "total_costs", "total_assets",
    "net_assets", "financing_total", "valuation", "ip_class1", "ip_class2", "conversions", "stage",
    "last_round", "industries", "district", "tech_sme_registered", "provincial_tech_sme",
)  # fmt: skip


@dataclass
class Material:
    candidacy: Candidacy
    years: list[int]  # the latest fiscal years, oldest first
    facts: list[dict]  # per field: {"label", "values": [text per year]}
    precheck: list[dict]  # the good-seedling criteria as the engine judged them at submission
    recognitions: list
    may_score: bool = False
    own_score: object = None


def _fact(name: str, value) -> str:
    """A registry figure in the material's table: amounts all in 万元 to two places, so that a
    column of years reads down evenly."""
    if name in labels.MONEY and value is not None:
        return formatting.wan(value)
    return labels.value_text(name, value)


def candidacy_material(*, actor: Principal, pk: int) -> Material:
    """A candidate's file for its reviewers: the registry's figures for its latest years, the
    engine's verdict on each good-seedling criterion when it was submitted, its relaxation ground
    and evidence, and the recognitions it holds. For the round's panel experts who have declared
    their interests and have no tie to the candidate (the same rule as scoring), and for officers;
    never for the enterprise itself, nor for experts of other panels (404: they may not know of it)."""
    candidacy = candidacy_get_for(actor, pk)  # 403 outside the selection; 404 off the panel or undeclared
    reviewer = not actor.can(SEEDLING_MANAGE)
    if reviewer:
        if not actor.can(SEEDLING_REVIEW):
            raise PermissionDenied  # an enterprise reads its own figures on its own pages
        if conflicts.tie(actor.user, candidacy.enterprise.organisation):
            raise PermissionDenied
    enterprise = candidacy.enterprise
    rows = list(enterprise.facts.order_by("-fiscal_year")[:3])[::-1]
    facts = [{"label": labels.field_label(name), "values": [_fact(name, getattr(r, name)) for r in rows]}
             for name in MATERIAL_FIELDS]  # fmt: skip
    ruleset = current_ruleset()
    precheck = [labels.criterion_row(ruleset, "good_seedling", c) for c in candidacy.precheck.get("criteria", [])]
    for row in precheck:
        found = next((c for c in ruleset.tiers["good_seedling"].criteria if c.id == row["id"]), None)
        row["title"] = found.title if found else ""
    held = Recognition.objects.filter(enterprise=enterprise).order_by("-year", "kind")
    own = candidacy.scores.filter(expert=actor.user).first() if reviewer else None
    may_score = reviewer and own is None and candidacy.round.status == RoundStatus.REVIEW
    return Material(candidacy, [r.fiscal_year for r in rows], facts, precheck, list(held), may_score, own)


def application_get_for(actor: Principal, pk: int) -> MeasureApplication:
    return get_object_or_404(applications(actor=actor), pk=pk)


def need_get_for(actor: Principal, pk: int) -> Need:
    need = Need.objects.select_related("enterprise__organisation").filter(pk=pk).first()
    if need is None or not may_see_enterprise(actor, need.enterprise):
        raise Http404
    return need
