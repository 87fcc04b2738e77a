"""Recommendations and search, always re-read from the database through what the principal may see."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404

from rainforest.accounts.choices import OrganisationKind
from rainforest.accounts.permissions import EXCHANGE_SUPPLY, Principal
from rainforest.core.matching.documents import Boosts, Filters
from rainforest.core.matching.weights import POSSIBLE, STRONG, WEAK
from rainforest.exchange.choices import ApplicationStatus, CapabilityStatus
from rainforest.exchange.models import Application, Capability, Scenario
from rainforest.exchange.selectors import can_see_recommendations
from rainforest.matching.documents import indexable
from rainforest.matching.engine import engine
from rainforest.matching.models import Collection, Feedback, Shortlist
from rainforest.matching.reasons import describe, level_label, notice

CARRIER_KINDS = frozenset({OrganisationKind.POC_CENTRE, OrganisationKind.PILOT_BASE})
# Who can deliver a scenario: anyone but the carriers, whose offers are test facilities.
SUPPLIER_KINDS = frozenset(OrganisationKind.values) - CARRIER_KINDS


@dataclass
class Recommendation:
    item: Scenario | Capability
    score: float
    reasons: list[str]
    verdict: str = ""  # this officer's feedback, if any
    shortlisted: bool = False
    level: str = WEAK  # strong / possible / weak: calibrated, comparable from one page to the next
    confidence: float = 0.0

    @property
    def level_label(self) -> str:
        return level_label(self.level)

    @property
    def good(self) -> bool:
        return self.level in (STRONG, POSSIBLE)


@dataclass
class Recommendations:
    items: list[Recommendation] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    mode: str = ""
    searched: bool = True  # False when there was nothing to search with (the notices say why)
    # With no good match: offers that would fit but stay below the scenario's minimum readiness,
    # so the page can say whether lowering it would help.
    below_readiness: list[Recommendation] = field(default_factory=list)

    @property
    def good(self) -> list[Recommendation]:
        return [r for r in self.items if r.good]

    @property
    def weak(self) -> list[Recommendation]:
        return [r for r in self.items if not r.good]

    @property
    def no_good_match(self) -> bool:
        """Something was searched and nothing at least possibly fits: the page says so."""
        return self.searched and not self.good


def _stated(reason) -> bool:
    """Whether a reason is worth a line on the page. A hard filter is the page's own scope, true of
    every row and said once above the list (suppliers at the scenario's readiness or above on "who
    could do this", carriers on "where to test it")."""
    return reason.code != "filter"


def _resolve(collection: str, answer, *, limit: int) -> Recommendations:
    """Hits -> live objects in rank order; anything no longer visible is dropped here."""
    ids = [int(h.id) for h in answer.hits]
    live = indexable(collection).in_bulk(ids)
    items = [
        Recommendation(
            live[int(h.id)],
            h.score,
            [describe(r) for r in h.reasons if _stated(r)],
            level=h.level,
            confidence=h.confidence,
        )
        for h in answer.hits
        if int(h.id) in live
    ]
    return Recommendations(items[:limit], [notice(n) for n in answer.notices], answer.mode.value)


def who_could_do(*, actor: Principal, scenario: Scenario, top: int = 10) -> Recommendations:
    """Capabilities most able to deliver ``scenario``: from suppliers (not test carriers), at or
    above its minimum TRL (hard filters), its domain and district preferred (soft). For the
    publisher and officers only."""
    if not can_see_recommendations(actor, scenario):
        raise Http404  # not theirs to see, on the page and in the API alike
    index = engine().index(Collection.CAPABILITY)
    need = f"{scenario.title}\n{scenario.problem}\n{scenario.resources}\n{scenario.constraints}"
    boosts = Boosts(domain=scenario.domain, district=scenario.district)
    answer = index.search(
        need, top=top + 10, filters=Filters(min_trl=scenario.min_trl, org_kinds=SUPPLIER_KINDS), boosts=boosts
    )
    result = _resolve(Collection.CAPABILITY, answer, limit=top)
    if result.no_good_match and scenario.min_trl:
        anyhow = _resolve(
            Collection.CAPABILITY,
            index.search(need, top=top + 10, filters=Filters(org_kinds=SUPPLIER_KINDS), boosts=boosts),
            limit=top,
        )
        result.below_readiness = [r for r in anyhow.good if (r.item.trl or 0) < scenario.min_trl]
    verdicts = dict(Feedback.objects.filter(scenario=scenario, by=actor.user).values_list("capability_id", "verdict"))
    kept = set(Shortlist.objects.filter(scenario=scenario).values_list("capability_id", flat=True))
    for rec in result.items:
        rec.verdict = verdicts.get(rec.item.pk, "")
        rec.shortlisted = rec.item.pk in kept
    return result


def own_capabilities(actor: Principal) -> QuerySet[Capability]:
    return Capability.objects.filter(organisation_id=actor.organisation_id).exclude(status=CapabilityStatus.WITHDRAWN)


def _profile(actor: Principal) -> tuple[str, str, int | None]:
    """An enterprise's own capabilities as one query, its main domain and its best TRL."""
    caps = list(own_capabilities(actor).order_by("-updated_at")[:20])
    text = "\n".join(f"{c.title}\n{c.description}" for c in caps)
    domains = [d for c in caps for d in c.domains]
    main = max(set(domains), key=domains.count) if domains else ""
    best = max((c.trl for c in caps), default=None)
    return text, main, best


def scenarios_for(*, actor: Principal, q: str = "", top: int = 20) -> Recommendations:
    """Published scenarios an enterprise could win, from its capabilities (or a query it types).
    Scenarios whose minimum TRL is above the enterprise's best capability are left out."""
    actor.require(EXCHANGE_SUPPLY)
    text, domain, best = _profile(actor)
    if not (q or text):
        return Recommendations(notices=[notice("no_profile")], searched=False)
    answer = (
        engine()
        .index(Collection.SCENARIO)
        .search(
            q or text,
            top=top * 2,
            boosts=Boosts(domain=domain, district=(actor.organisation.district if actor.organisation else "")),
        )
    )
    result = _resolve(Collection.SCENARIO, answer, limit=top * 2)
    if best is not None:
        result.items = [r for r in result.items if r.item.min_trl <= best]
    result.items = result.items[:top]
    return result


def where_to_test(*, actor: Principal, q: str = "", top: int = 10) -> Recommendations:
    """Proof-of-concept centres' and pilot bases' offers that fit what the enterprise does."""
    actor.require(EXCHANGE_SUPPLY)
    text, _domain, _best = _profile(actor)
    if not (q or text):
        return Recommendations(notices=[notice("no_profile")], searched=False)
    answer = (
        engine()
        .index(Collection.CAPABILITY)
        .search(
            q or text,
            top=top,
            filters=Filters(org_kinds=CARRIER_KINDS),
            boosts=Boosts(district=(actor.organisation.district if actor.organisation else "")),
        )
    )
    return _resolve(Collection.CAPABILITY, answer, limit=top)


def ranked_ids(collection: str, q: str, *, limit: int = 500) -> tuple[list[int], list[str]]:
    """The public lists' search box: ids best first (other filters are applied by the list). A weak
    hit stays only when it holds a whole word or concept asked for, not just a fragment of one (机器
    of 机器狗): a list answers what was typed, not what is vaguely near it."""
    index = engine().index(collection)
    answer = index.search(q, top=limit)
    weak = [h.id for h in answer.hits if h.level == WEAK]
    answering = index.answering(q, weak)
    kept = [h for h in answer.hits if h.level != WEAK or h.id in answering]
    return [int(h.id) for h in kept], [notice(n) for n in answer.notices]


def feedback_judgements() -> dict[tuple[int, int], int]:
    """What the platform has learnt, as graded judgements (scenario id, capability id) -> grade:
    an award 2; an officer's "good" 2; an application from a recommended (shortlisted) company 1;
    an officer's "wrong" 0 unless the company was awarded or applied after all."""
    grades: dict[tuple[int, int], int] = {}
    for scenario_id, capability_id, verdict in Feedback.objects.values_list("scenario_id", "capability_id", "verdict"):
        key = (scenario_id, capability_id)
        grades[key] = max(grades.get(key, 0), 2 if verdict == "good" else 0)
    shortlisted = Shortlist.objects.values_list("scenario_id", "capability_id", "capability__organisation_id")
    for scenario_id, capability_id, org_id in shortlisted:
        outcome = (
            Application.objects.filter(call__scenario_id=scenario_id, applicant_id=org_id)
            .exclude(status=ApplicationStatus.WITHDRAWN)
            .values_list("status", flat=True)
            .first()
        )
        if outcome is not None:
            key = (scenario_id, capability_id)
            grades[key] = max(grades.get(key, 0), 2 if outcome == ApplicationStatus.WINNER else 1)
    return grades
