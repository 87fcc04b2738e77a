"""Exchange endpoints of /api/v1/: the same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from rainforest.exchange import selectors
from rainforest.exchange.models import Application, Capability, PublishedList
from rainforest.exchange.services import calls, scenarios

router = Router(tags=["exchange"])


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
    title: str
    domain: str
    focus_area: str
    kind: str
    problem: str
    site: str = ""
    resources: str = ""
    constraints: str = ""
    min_trl: int
    budget_min: Decimal | None = None
    budget_max: Decimal | None = None
    district: str = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    contact_name: str = ""
    contact_phone: str = ""
    contact_public: bool = False


class ActionIn(Schema):
    action: str
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
    title: str
    domains: list[str]
    description: str
    trl: int
    reference_cases: str = ""
    certifications: str = ""
    districts_served: list[str] = []


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
    opens_at: dt.datetime
    closes_at: dt.datetime
    rubric: list[tuple[str, int, int]]
    max_winners: int = 1
    blind_review: bool = False


class ApplicationIn(Schema):
    approach: str
    plan: str
    budget: Decimal
    team: str


class ApplicationEdit(ApplicationIn):
    version: int


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
@paginate
def scenario_list(request, domain: str = "", kind: str = "", district: str = "", min_trl: str = "", q: str = ""):
    return selectors.scenario_search(domain=domain, kind=kind, district=district, min_trl=min_trl, q=q)


@router.get("/exchange/scenarios/{pk}", response=ScenarioOut)
def scenario_detail(request, pk: int):
    return selectors.scenario_get(actor=request.principal, pk=pk)


@router.post("/exchange/scenarios", response=ScenarioOut)
def scenario_create(request, payload: ScenarioIn):
    return scenarios.scenario_create(actor=request.principal, **payload.dict())


@router.post("/exchange/scenarios/{pk}/actions", response=ScenarioOut)
def scenario_action(request, pk: int, payload: ActionIn):
    scenario = selectors.scenario_get(actor=request.principal, pk=pk)
    return scenarios.scenario_move(actor=request.principal, scenario=scenario, **payload.dict())


@router.get("/exchange/lists", response=list[ListOut], auth=None)
def list_index(request):
    return selectors.lists_latest()


@router.get("/exchange/lists/{pk}", response=ListOut, auth=None)
def list_detail(request, pk: int):
    return get_object_or_404(PublishedList, pk=pk)


@router.get("/exchange/capabilities", response=list[CapabilityOut], auth=None)
@paginate
def capability_list(request, domain: str = "", district: str = "", min_trl: str = "", q: str = ""):
    return selectors.capability_search(domain=domain, district=district, min_trl=min_trl, q=q)


@router.post("/exchange/capabilities", response=CapabilityOut)
def capability_create(request, payload: CapabilityIn):
    return scenarios.capability_create(actor=request.principal, **payload.dict())


@router.post("/exchange/capabilities/{pk}/actions", response=CapabilityOut)
def capability_action(request, pk: int, payload: ActionIn):
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
def application_list(request, pk: int):
    """Publisher and officers see every application; an applicant sees its own."""
    from rainforest.exchange.workflows import OFFICER, PUBLISHER, capacities

    call = selectors.call_get(pk=pk)
    if capacities(request.principal, call.scenario) & {PUBLISHER, OFFICER}:
        return list(call.applications.select_related("applicant"))
    return list(call.applications.filter(applicant_id=request.principal.organisation_id))


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
