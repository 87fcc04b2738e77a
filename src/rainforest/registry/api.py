"""Registry endpoints of /api/v1/: the same selectors and services as the pages."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Path, Router
from ninja.pagination import paginate

from rainforest.api_types import FIRST_YEAR, LAST_YEAR, Pages
from rainforest.registry import selectors, services
from rainforest.registry.schemas import EnterpriseOut, FactsIn, FactsOut, OrganisationOut

router = Router(tags=["registry"])


@router.get("/enterprises", response=list[EnterpriseOut])
@paginate(Pages)
def enterprise_list(request, q: str = "", district: str = "", industry: str = ""):
    """Enterprises in registration order, a page at a time (``limit``, ``offset``)."""
    return selectors.enterprise_list(actor=request.principal, q=q, district=district, industry=industry)


@router.get("/enterprises/{uscc}", response=EnterpriseOut)
def enterprise_detail(request, uscc: str):
    return selectors.enterprise_get(actor=request.principal, uscc=uscc)


@router.get("/enterprises/{uscc}/facts", response=list[FactsOut])
def facts_list(request, uscc: str):
    enterprise = selectors.enterprise_get(actor=request.principal, uscc=uscc)
    return list(selectors.facts_list(actor=request.principal, enterprise=enterprise))


@router.put("/enterprises/{uscc}/facts/{year}", response=FactsOut)
def facts_put(request, uscc: str, payload: FactsIn, year: int = Path(..., ge=FIRST_YEAR, le=LAST_YEAR)):
    """Create or replace one year. Send the ``version`` you read; a stale one gets 409."""
    enterprise = selectors.enterprise_get(actor=request.principal, uscc=uscc)
    values = payload.dict(exclude={"version"})
    services.facts_save(
        actor=request.principal, enterprise=enterprise, fiscal_year=year, values=values,
        version=payload.version,
    )  # fmt: skip
    return get_object_or_404(enterprise.facts, fiscal_year=year)


@router.get("/organisations", response=list[OrganisationOut])
@paginate(Pages)
def organisation_list(request):
    """Organisations in registration order, a page at a time (``limit``, ``offset``)."""
    return selectors.organisation_list(actor=request.principal)
