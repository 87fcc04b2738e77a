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


def _latest(field: str) -> Subquery:
    """One figure of the enterprise's latest year (a correlated subquery: keep it to a page's rows)."""
    latest = YearlyFacts.objects.filter(enterprise=OuterRef("pk")).order_by("-fiscal_year")
    return Subquery(latest.values(field)[:1])


class EnterprisePages:
    """The enterprises a list shows, read a page at a time, in registration order (the primary key).

    Each page is two queries whatever its place: the page's ids, from the enterprise table's primary
    key index (an OFFSET there walks one narrow index, so the last of 120,000 enterprises costs what
    the first does, where sorting on the organisation's name needed a join and a sort of the whole
    registry), then those enterprises with their organisation and their latest year's figures. The
    count is one query more, once. Django's Paginator (pages) and ninja's limit/offset pagination
    (the API) both read it by ``count()`` and a slice."""

    def __init__(self, keys: QuerySet[Enterprise]):
        self._keys = keys.order_by("pk")
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = self._keys.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def all(self) -> EnterprisePages:
        return self  # ninja counts a paginated result through .all().count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            page = self[index : index + 1]
            if not page:
                raise IndexError(index)
            return page[0]
        ids = list(self._keys.values_list("pk", flat=True)[index])
        rows = Enterprise.objects.filter(pk__in=ids).select_related("organisation").annotate(
            latest_year=_latest("fiscal_year"), latest_employees=_latest("employees"),
            latest_revenue=_latest("revenue"),
        )  # fmt: skip
        by_id = {e.pk: e for e in rows}
        return [by_id[pk] for pk in ids if pk in by_id]


def enterprise_list(
    *, actor: Principal, q: str = "", district: str = "", industry: str = "", stage: str = ""
) -> EnterprisePages:
    """Enterprises the actor may see, with their latest year's headline figures, a page at a time."""
    qs = _visible(actor, Enterprise.objects.all(), "organisation_id")
    if q:
        qs = qs.filter(Q(organisation__name__icontains=q) | Q(organisation__uscc__iexact=q.strip()))
    if district:
        qs = qs.filter(organisation__district=district)
    if industry:
        qs = qs.annotate(latest_industries=_latest("industries")).filter(latest_industries__contains=industry)
    if stage:
        qs = qs.annotate(latest_stage=_latest("stage")).filter(latest_stage=stage)
    return EnterprisePages(qs)


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
    qs = _visible(actor, Organisation.objects.filter(kind="enterprise"), "pk").exclude(district="")
    return list(qs.order_by("district").values_list("district", flat=True).distinct())


def organisation_list(*, actor: Principal) -> QuerySet[Organisation]:
    """In registration order: the primary key pages through 120,000 organisations by its index
    alone, where their name (unindexed) would sort them all for every page."""
    if actor.can(ORGANISATIONS_VIEW_ALL):
        qs = Organisation.objects.all()
    elif actor.organisation_id:
        qs = Organisation.objects.filter(pk=actor.organisation_id)
    else:
        qs = Organisation.objects.none()
    return qs.order_by("pk")


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
