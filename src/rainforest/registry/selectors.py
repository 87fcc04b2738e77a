"""Reads of the registry, always through what the principal may see."""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from rainforest.accounts.models import Organisation
from rainforest.accounts.permissions import (
    ORGANISATIONS_VIEW_ALL,
    REGISTRY_EXPORT,
    REGISTRY_VIEW_ALL,
    REGISTRY_VIEW_OWN,
    Principal,
)
from rainforest.core.facts.schema import NAMES
from rainforest.registry.models import Enterprise, YearlyFacts


def _visible(actor: Principal, qs: QuerySet, org_field: str) -> QuerySet:
    if actor.can(REGISTRY_VIEW_ALL):
        return qs
    if actor.can(REGISTRY_VIEW_OWN) and actor.organisation_id:
        return qs.filter(**{org_field: actor.organisation_id})
    return qs.none()


def enterprise_list(
    *, actor: Principal, q: str = "", district: str = "", industry: str = "", stage: str = ""
) -> QuerySet[Enterprise]:
    """Enterprises the actor may see, with their latest year's headline figures."""
    latest = YearlyFacts.objects.filter(enterprise=OuterRef("pk")).order_by("-fiscal_year")
    qs = Enterprise.objects.select_related("organisation").annotate(
        latest_year=Subquery(latest.values("fiscal_year")[:1]),
        latest_employees=Subquery(latest.values("employees")[:1]),
        latest_revenue=Subquery(latest.values("revenue")[:1]),
        latest_industries=Subquery(latest.values("industries")[:1]),
        latest_stage=Subquery(latest.values("stage")[:1]),
    )
    qs = _visible(actor, qs, "organisation_id")
    if q:
        qs = qs.filter(Q(organisation__name__icontains=q) | Q(organisation__uscc__iexact=q.strip()))
    if district:
        qs = qs.filter(organisation__district=district)
    if industry:
        qs = qs.filter(latest_industries__contains=industry)
    if stage:
        qs = qs.filter(latest_stage=stage)
    return qs.order_by("organisation__name")


def enterprise_get(*, actor: Principal, uscc: str) -> Enterprise:
    """The enterprise, or 404 when it does not exist or the actor may not see it."""
    qs = _visible(actor, Enterprise.objects.select_related("organisation"), "organisation_id")
    enterprise = qs.filter(organisation__uscc=uscc.upper()).first()
    if enterprise is None:
        raise Http404
    return enterprise


def facts_list(*, actor: Principal, enterprise: Enterprise) -> QuerySet[YearlyFacts]:
    enterprise_get(actor=actor, uscc=enterprise.organisation.uscc)
    return enterprise.facts.order_by("-fiscal_year")


def district_choices(*, actor: Principal) -> list[str]:
    qs = _visible(actor, Organisation.objects.filter(kind="enterprise"), "pk")
    return sorted(set(qs.exclude(district="").values_list("district", flat=True)))


def organisation_list(*, actor: Principal) -> QuerySet[Organisation]:
    if actor.can(ORGANISATIONS_VIEW_ALL):
        return Organisation.objects.order_by("name")
    if actor.organisation_id:
        return Organisation.objects.filter(pk=actor.organisation_id)
    return Organisation.objects.none()


def facts_export_rows(*, actor: Principal, enterprises: QuerySet[Enterprise] | None = None):
    """Every visible enterprise-year as a canonical-schema dict, for the exporters."""
    actor.require(REGISTRY_EXPORT)
    qs = YearlyFacts.objects.select_related("enterprise__organisation").order_by(
        "enterprise__organisation__uscc", "fiscal_year"
    )
    if enterprises is not None:
        qs = qs.filter(enterprise__in=enterprises)
    for facts in qs.iterator(chunk_size=2000):
        org = facts.enterprise.organisation
        row = {n: getattr(facts, n, None) for n in NAMES}
        row.update(uscc=org.uscc, name=org.name, founded_on=facts.enterprise.founded_on)
        yield row
