"""Scenarios and capabilities as index documents, and which of them the index may hold."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import translation

from rainforest.core.matching.documents import Document
from rainforest.exchange.choices import CapabilityStatus, Domain, FocusArea
from rainforest.exchange.models import Capability, Scenario
from rainforest.exchange.selectors import PUBLIC_STATES
from rainforest.matching.models import Collection


def indexable(collection: str) -> QuerySet:
    """Only what everyone may see is indexed: approved capabilities, public scenarios."""
    if collection == Collection.CAPABILITY:
        return Capability.objects.filter(status=CapabilityStatus.APPROVED).select_related("organisation")
    return Scenario.objects.filter(status__in=PUBLIC_STATES).select_related("publisher")


def _labels(choices, values) -> tuple[str, ...]:
    # Tags in the platform's own language, whatever the current request's: the index is shared.
    with translation.override("zh-hans"):
        return tuple(str(choices(v).label) for v in values if v in choices.values)


def capability_document(c: Capability) -> Document:
    body = "\n".join(part for part in (c.description, c.reference_cases, c.certifications) if part)
    return Document(
        id=str(c.pk),
        title=c.title,
        body=body,
        tags=_labels(Domain, c.domains),
        domains=tuple(c.domains),
        districts=tuple(c.districts_served),
        trl=c.trl,
        org_kind=c.organisation.kind,
    )


def scenario_document(s: Scenario) -> Document:
    body = "\n".join(part for part in (s.problem, s.site, s.resources, s.constraints) if part)
    return Document(
        id=str(s.pk),
        title=s.title,
        body=body,
        tags=_labels(Domain, [s.domain]) + _labels(FocusArea, [s.focus_area]),
        domains=(s.domain,),
        districts=(s.district,) if s.district else (),
        trl=s.min_trl,
        org_kind=s.publisher.kind,
    )


def to_document(collection: str, obj) -> Document:
    return capability_document(obj) if collection == Collection.CAPABILITY else scenario_document(obj)
