"""Exchange endpoints of /api/v1/: the same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from rainforest.accounts.api import PUBLIC
from rainforest.api_types import Count, Pages, PlatformDate, PlatformDateTime, SmallCount, Trl, money, text
from rainforest.exchange import selectors
from rainforest.exchange.choices import Domain, FocusArea, ScenarioKind
from rainforest.exchange.models import Application, Capability, PublishedList
from rainforest.exchange.services import calls, scenarios
from rainforest.exchange.workflows import CAPABILITY, SCENARIO, offered

router = Router(tags=["exchange"])

Budget = money(14, 0)  # Scenario.budget_min/max, Application.budget: DecimalField(14, 0), never negative
# The moves a person may ask for by name: the tables' own, less those a larger step makes.
DomainChoice = Literal[tuple(Domain.values)]
ScenarioAction = Literal[tuple(m.action for m in SCENARIO.moves if offered(SCENARIO, m.action))]
CapabilityAction = Literal[tuple(m.action for m in CAPABILITY.moves if offered(CAPABILITY, m.action))]


class ScenarioOut(Schema):
    id: int
    title: str
    publisher: str
    domain: str
    focus_area: str
    kind: str
    problem: str
    site: str
    min_trl: int
    budget_min: Decimal | None
    budget_max: Decimal | None
    district: str
    status: str
    published_at: dt.datetime | None
    call_id: int | None = None

    @staticmethod
    def resolve_publisher(obj):
        return obj.publisher.name

    @staticmethod
    def resolve_call_id(obj):
        call = getattr(obj, "call", None)
        return call.pk if call else None


class ScenarioIn(Schema):
    title: text(200)
    domain: DomainChoice
    focus_area: Literal[tuple(FocusArea.values)]
    kind: Literal[tuple(ScenarioKind.values)]
    problem: str
    site: text(200) = ""
    resources: str = ""
    constraints: str = ""
    min_trl: Trl
    budget_min: Budget | None = None
    budget_max: Budget | None = None
    district: text(50) = ""
    starts_on: PlatformDate | None = None
    ends_on: PlatformDate | None = None
    contact_name: text(100) = ""
    contact_phone: text(40) = ""
    contact_public: bool = False


class ScenarioActionIn(Schema):
    action: ScenarioAction
    reason: str = ""


class CapabilityActionIn(Schema):
    action: CapabilityAction
    reason: str = ""


class ListOut(Schema):
    id: int
    kind: str
    year: int
    number: int
    version: int
    title: str
    published_at: dt.datetime
    items: list[dict]
    changes: dict


class CapabilityOut(Schema):
    id: int
    organisation: str
    title: str
    domains: list[str]
    description: str
    trl: int
    districts_served: list[str]
    status: str

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation.name


class CapabilityIn(Schema):
    title: text(200)
    domains: Annotated[list[DomainChoice], Field(min_length=1, max_length=len(Domain.values))]
    description: str
    trl: Trl
    reference_cases: str = ""
    certifications: str = ""
    districts_served: Annotated[list[text(50)], Field(min_length=1, max_length=50)]


class CallOut(Schema):
    id: int
    scenario_id: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    status: str
    max_winners: int
    blind_review: bool
    rubric: list[dict]

    @staticmethod
    def resolve_rubric(obj):
        return [{"name": r.name, "weight": r.weight, "max_score": r.max_score} for r in obj.rubric.all()]


class CallIn(Schema):
    scenario_id: int
    opens_at: PlatformDateTime
    closes_at: PlatformDateTime
    rubric: Annotated[list[tuple[text(100), SmallCount, SmallCount]], Field(max_length=50)]
    max_winners: Annotated[int, Field(ge=1, le=32_767)] = 1
    blind_review: bool = False


class ApplicationIn(Schema):
    approach: str
    plan: str
    budget: Budget
    team: str


class ApplicationEdit(ApplicationIn):
    version: Count


class ReceiptOut(Schema):
    id: int
    call_id: int
    applicant: str
    status: str
    receipt_no: str
    digest: str
    submitted_at: dt.datetime
    version: int

    @staticmethod
    def resolve_applicant(obj):
        return obj.applicant.name


@router.get("/exchange/scenarios", response=list[ScenarioOut], auth=None)
@paginate(Pages)
def scenario_list(request, domain: str = "", kind: str = "", district: str = "", min_trl: str = "", q: str = ""):
    # The call's id is in each row: joined here, not asked for per scenario.
    qs = selectors.scenario_search(domain=domain, kind=kind, district=district, min_trl=min_trl, q=q)
    return qs.select_related("call")


@router.get("/exchange/scenarios/{pk}", response=ScenarioOut, auth=PUBLIC)
def scenario_detail(request, pk: int):
    """A published scenario for anyone (as on its page); a draft for its publisher and officers."""
    return selectors.scenario_get(actor=request.principal, pk=pk)


@router.post("/exchange/scenarios", response=ScenarioOut)
def scenario_create(request, payload: ScenarioIn):
    return scenarios.scenario_create(actor=request.principal, **payload.dict())


@router.post("/exchange/scenarios/{pk}/actions", response=ScenarioOut)
def scenario_action(request, pk: int, payload: ScenarioActionIn):
    scenario = selectors.scenario_get(actor=request.principal, pk=pk)
    return scenarios.scenario_move(actor=request.principal, scenario=scenario, **payload.dict())


@router.get("/exchange/lists", response=list[ListOut], auth=None)
@paginate(Pages)
def list_index(request):
    return selectors.lists_latest()


@router.get("/exchange/lists/{pk}", response=ListOut, auth=None)
def list_detail(request, pk: int):
    return get_object_or_404(PublishedList, pk=pk)


@router.get("/exchange/capabilities", response=list[CapabilityOut], auth=None)
@paginate(Pages)
def capability_list(request, domain: str = "", district: str = "", min_trl: str = "", q: str = ""):
    return selectors.capability_search(domain=domain, district=district, min_trl=min_trl, q=q)


@router.post("/exchange/capabilities", response=CapabilityOut)
def capability_create(request, payload: CapabilityIn):
    return scenarios.capability_create(actor=request.principal, **payload.dict())


@router.post("/exchange/capabilities/{pk}/actions", response=CapabilityOut)
def capability_action(request, pk: int, payload: CapabilityActionIn):
    capability = get_object_or_404(Capability, pk=pk)
    return scenarios.capability_move(actor=request.principal, capability=capability, **payload.dict())


@router.get("/exchange/calls/{pk}", response=CallOut, auth=None)
def call_detail(request, pk: int):
    return selectors.call_get(pk=pk)


@router.post("/exchange/calls", response=CallOut)
def call_create(request, payload: CallIn):
    scenario = selectors.scenario_get(actor=request.principal, pk=payload.scenario_id)
    data = payload.dict(exclude={"scenario_id"})
    return calls.call_open(actor=request.principal, scenario=scenario, **data)


@router.get("/exchange/calls/{pk}/applications", response=list[ReceiptOut])
@paginate(Pages)
def application_list(request, pk: int):
    """Publisher and officers see every application; an applicant sees its own."""
    return selectors.call_applications(actor=request.principal, call=selectors.call_get(pk=pk))


@router.post("/exchange/calls/{pk}/applications", response=ReceiptOut)
def application_submit(request, pk: int, payload: ApplicationIn):
    call = selectors.call_get(pk=pk)
    return calls.application_submit(actor=request.principal, call=call, **payload.dict())


@router.put("/exchange/applications/{pk}", response=ReceiptOut)
def application_update(request, pk: int, payload: ApplicationEdit):
    application = get_object_or_404(Application, pk=pk, applicant_id=request.principal.organisation_id)
    data = payload.dict()
    version = data.pop("version")
    return calls.application_update(actor=request.principal, application=application, version=version, **data)


@router.post("/exchange/applications/{pk}/withdraw", response=ReceiptOut)
def application_withdraw(request, pk: int):
    application = get_object_or_404(Application, pk=pk, applicant_id=request.principal.organisation_id)
    return calls.application_withdraw(actor=request.principal, application=application)
