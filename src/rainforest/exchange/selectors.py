"""Reads of the exchange, always through what the principal may see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from rainforest.accounts.permissions import (
    EXCHANGE_MANAGE,
    EXCHANGE_PUBLISH,
    EXCHANGE_REVIEW,
    EXCHANGE_SUPPLY,
    Principal,
)
from rainforest.exchange import search
from rainforest.exchange.choices import ApplicationStatus, CallStatus, CapabilityStatus, ScenarioStatus
from rainforest.exchange.models import (
    Application,
    Call,
    Capability,
    ExpertAssignment,
    Notification,
    Objection,
    Project,
    PublishedList,
    Scenario,
)
from rainforest.policy.rules import current_ruleset

PUBLIC_STATES = (
    ScenarioStatus.PUBLISHED,
    ScenarioStatus.CALL_OPEN,
    ScenarioStatus.CALL_CLOSED,
    ScenarioStatus.AWARDED,
    ScenarioStatus.CLOSED,
)


def _money(value: str) -> Decimal | None:
    try:
        return Decimal(value) if value else None
    except ArithmeticError:
        return None


def scenario_search(
    *, domain="", kind="", district="", min_trl="", budget="", status="", q="", focus_area=""
) -> QuerySet[Scenario]:
    """Published scenarios for everyone, with the public filters. ``min_trl`` keeps scenarios a
    capability of that TRL can meet; ``budget`` keeps those whose range reaches that amount."""
    qs = Scenario.objects.filter(status__in=PUBLIC_STATES).select_related("publisher")
    if domain:
        qs = qs.filter(domain=domain)
    if kind:
        qs = qs.filter(kind=kind)
    if focus_area:
        qs = qs.filter(focus_area=focus_area)
    if district:
        qs = qs.filter(district=district)
    if min_trl.isdigit():
        qs = qs.filter(min_trl__lte=int(min_trl))
    if (amount := _money(budget)) is not None:
        qs = qs.filter(Q(budget_max__gte=amount) | Q(budget_max__isnull=True))
    if status in PUBLIC_STATES:
        qs = qs.filter(status=status)
    if q:
        return _ranked(qs, "scenario", q)
    return qs.order_by("-published_at", "-id")


def scenario_get(*, actor: Principal | None, pk: int) -> Scenario:
    """A published scenario for anyone; a draft only for its publisher and officers."""
    scenario = Scenario.objects.select_related("publisher").filter(pk=pk).first()
    if scenario is None:
        raise Http404
    if scenario.status in PUBLIC_STATES:
        return scenario
    if actor and (
        actor.can(EXCHANGE_MANAGE) or (actor.can(EXCHANGE_PUBLISH) and actor.organisation_id == scenario.publisher_id)
    ):
        return scenario
    raise Http404


def my_scenarios(*, actor: Principal) -> QuerySet[Scenario]:
    actor.require(EXCHANGE_PUBLISH)
    return Scenario.objects.filter(publisher_id=actor.organisation_id).order_by("-updated_at")


def approval_queue(*, actor: Principal):
    actor.require(EXCHANGE_MANAGE)
    return (
        Scenario.objects.filter(status=ScenarioStatus.SUBMITTED).select_related("publisher"),
        Capability.objects.filter(status=CapabilityStatus.SUBMITTED).select_related("organisation"),
        Scenario.objects.filter(status=ScenarioStatus.APPROVED).select_related("publisher"),
        Capability.objects.filter(status=CapabilityStatus.APPROVED).select_related("organisation"),
    )


def capability_search(*, domain="", district="", min_trl="", q="") -> QuerySet[Capability]:
    qs = Capability.objects.filter(status=CapabilityStatus.APPROVED).select_related("organisation")
    if domain:
        qs = qs.filter(domains__contains=[domain]) if _json_contains() else qs.filter(domains__icontains=domain)
    if district:
        qs = qs.filter(districts_served__icontains=district)
    if min_trl.isdigit():
        qs = qs.filter(trl__gte=int(min_trl))
    if q:
        return _ranked(qs, "capability", q)
    return qs.order_by("-approved_at", "-id")


def _ranked(qs: QuerySet, collection: str, q: str) -> QuerySet:
    """The search box: the registered ranking (the matching engine: traditional or simplified,
    synonyms) within the other filters, best first; plain word search where none is registered."""
    ids = search.ranked_ids(collection, q)
    if ids is None:
        field = "problem" if collection == "scenario" else "description"
        return qs.filter(Q(title__icontains=q) | Q(**{f"{field}__icontains": q}))
    if not ids:
        return qs.none()
    order = Case(*(When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)), output_field=IntegerField())
    return qs.filter(pk__in=ids).order_by(order)


def _json_contains() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def capability_get(*, actor: Principal | None, pk: int) -> Capability:
    """An approved capability for anyone (it is on the public list); any other only for its own
    organisation and officers; 404 otherwise."""
    capability = Capability.objects.select_related("organisation").filter(pk=pk).first()
    if capability is None:
        raise Http404
    if capability.status == CapabilityStatus.APPROVED:
        return capability
    if actor and (
        actor.can(EXCHANGE_MANAGE)
        or (actor.can(EXCHANGE_SUPPLY) and actor.organisation_id == capability.organisation_id)
    ):
        return capability
    raise Http404


def my_capabilities(*, actor: Principal) -> QuerySet[Capability]:
    actor.require(EXCHANGE_SUPPLY)
    return Capability.objects.filter(organisation_id=actor.organisation_id).order_by("-updated_at")


def lists_latest(kind: str | None = None) -> list[PublishedList]:
    """The latest version of every batch."""
    qs = PublishedList.objects.order_by("kind", "-year", "-number", "-version")
    if kind:
        qs = qs.filter(kind=kind)
    seen, out = set(), []
    for item in qs:
        key = (item.kind, item.year, item.number)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def list_versions(published: PublishedList) -> QuerySet[PublishedList]:
    return PublishedList.objects.filter(kind=published.kind, year=published.year, number=published.number)


def list_items(published: PublishedList, filters: dict) -> list[dict]:
    items = published.items
    for key in ("domain", "kind", "district", "focus_area"):
        if filters.get(key):
            items = [i for i in items if i.get(key) == filters[key] or filters[key] in (i.get(f"{key}s") or [])]
    if filters.get("min_trl", "").isdigit():
        level = int(filters["min_trl"])
        items = [i for i in items if (i.get("min_trl") or 0) <= level or (i.get("trl") or 0) >= level]
    if filters.get("q"):
        q = filters["q"].lower()
        items = [i for i in items if q in " ".join(str(v) for v in i.values()).lower()]
    return items


def call_get(*, pk: int) -> Call:
    call = Call.objects.select_related("scenario__publisher").filter(pk=pk).first()
    if call is None or call.scenario.status not in PUBLIC_STATES:
        raise Http404
    return call


def own_application(*, actor: Principal, call: Call) -> Application | None:
    if not actor or not actor.can(EXCHANGE_SUPPLY):
        return None
    return call.applications.filter(applicant_id=actor.organisation_id).exclude(status="withdrawn").first()


def call_applications(*, actor: Principal, call: Call) -> QuerySet[Application]:
    """A call's applications: every one for its publisher and officers, an applicant's own for
    anyone else (none for a person of no organisation). The pk settles the order of a page."""
    from rainforest.exchange.workflows import OFFICER, PUBLISHER, capacities

    qs = call.applications.select_related("applicant").order_by("rank", "submitted_at", "pk")
    if capacities(actor, call.scenario) & {PUBLISHER, OFFICER}:
        return qs
    return qs.filter(applicant_id=actor.organisation_id) if actor.organisation_id else qs.none()


def my_assignments(*, actor: Principal) -> QuerySet[ExpertAssignment]:
    actor.require(EXCHANGE_REVIEW)
    return ExpertAssignment.objects.filter(expert=actor.user).select_related("call__scenario")


def assignment_get(*, actor: Principal, pk: int) -> ExpertAssignment:
    actor.require(EXCHANGE_REVIEW)
    assignment = ExpertAssignment.objects.select_related("call__scenario").filter(pk=pk, expert=actor.user).first()
    if assignment is None:
        raise Http404
    return assignment


def panel_applications(*, assignment: ExpertAssignment) -> list[Application]:
    """What a panel member may see of the call's applications: nothing while the call is open
    (applicants can still edit, and a reviewer must not read a proposal before its deadline), then
    every live application in the order they came in."""
    if assignment.call.status == CallStatus.OPEN:
        return []
    return list(
        assignment.call.applications.exclude(status=ApplicationStatus.WITHDRAWN)
        .select_related("applicant")
        .order_by("pk")
    )


def application_get_for(*, actor: Principal | None, pk: int) -> Application:
    """One application, or 404 for a missing one and for anyone who may not see it. It is seen by
    the applicant, by the publisher and officers of its scenario, and by a declared panel member
    once review has started, unless the review is blind or the member declared a conflict with it."""
    from rainforest.exchange.workflows import OFFICER, PUBLISHER, capacities

    application = Application.objects.select_related("call__scenario", "applicant").filter(pk=pk).first()
    if application is None or actor is None:
        raise Http404
    call = application.call
    if actor.organisation_id == application.applicant_id or capacities(actor, call.scenario) & {PUBLISHER, OFFICER}:
        return application
    if actor.can(EXCHANGE_REVIEW) and not call.blind_review and call.status != CallStatus.OPEN:
        assignment = ExpertAssignment.objects.filter(call=call, expert=actor.user, declared_at__isnull=False).first()
        if assignment and application.pk not in assignment.declared_conflicts:
            return application
    raise Http404


def objection_get(*, actor: Principal | None, pk: int) -> Objection:
    """An objection, for those who see the call's objections: its publisher and officers."""
    from rainforest.exchange.workflows import OFFICER, PUBLISHER, capacities

    objection = Objection.objects.select_related("notice__call__scenario").filter(pk=pk).first()
    if objection is None or actor is None:
        raise Http404
    call = objection.notice.call
    if call.scenario.status not in PUBLIC_STATES or not capacities(actor, call.scenario) & {PUBLISHER, OFFICER}:
        raise Http404
    return objection


def can_see_recommendations(actor: Principal | None, scenario: Scenario) -> bool:
    """Who is shown "who could do this" for a scenario: officers, and the publisher's own staff."""
    return bool(
        actor
        and (
            actor.can(EXCHANGE_MANAGE)
            or (actor.can(EXCHANGE_PUBLISH) and actor.organisation_id == scenario.publisher_id)
        )
    )


def _visible_projects(actor: Principal) -> QuerySet[Project]:
    qs = Project.objects.select_related("scenario", "publisher", "enterprise").prefetch_related("milestones")
    if actor.can(EXCHANGE_MANAGE):
        return qs
    if actor.can(EXCHANGE_PUBLISH) or actor.can(EXCHANGE_SUPPLY):
        return qs.filter(Q(publisher_id=actor.organisation_id) | Q(enterprise_id=actor.organisation_id))
    return qs.none()


def projects_for(*, actor: Principal) -> QuerySet[Project]:
    """The projects list: for officers, publishers and suppliers (their own); not a page for others."""
    if not (actor.can(EXCHANGE_MANAGE) or actor.can(EXCHANGE_PUBLISH) or actor.can(EXCHANGE_SUPPLY)):
        raise PermissionDenied
    return _visible_projects(actor)


def project_get(*, actor: Principal, pk: int) -> Project:
    project = _visible_projects(actor).filter(pk=pk).first()
    if project is None:
        raise Http404
    return project


def notifications(*, actor: Principal) -> QuerySet[Notification]:
    return Notification.objects.filter(user=actor.user)


def targets(year: int) -> dict:
    """The three yearly figures against the programme's targets, with the counting rule of each."""
    goals = current_ruleset().targets
    start = dt.datetime(year, 1, 1, tzinfo=timezone.get_current_timezone())
    end = dt.datetime(year + 1, 1, 1, tzinfo=timezone.get_current_timezone())
    opened = Scenario.objects.filter(published_at__gte=start, published_at__lt=end)
    projects = Project.objects.filter(agreed_on__year=year)
    landed = Project.objects.filter(landed_on__year=year)

    def split(qs, domain_field, district_field):
        return {
            "by_domain": dict(qs.values_list(domain_field).annotate(n=Count("id")).order_by()),
            "by_district": dict(qs.values_list(district_field).annotate(n=Count("id")).order_by()),
        }

    return {
        "year": year,
        "rows": [
            {
                "key": "scenarios",
                "count": opened.count(),
                "target": goals["exchange_scenarios_per_year"],
                **split(opened, "domain", "district"),
            },
            {
                "key": "projects",
                "count": projects.count(),
                "target": goals["exchange_projects_per_year"],
                **split(projects, "scenario__domain", "scenario__district"),
            },
            {
                "key": "landings",
                "count": landed.count(),
                "target": goals["exchange_landings_per_year"],
                **split(landed, "scenario__domain", "scenario__district"),
            },
        ],
    }
