"""Reads of the exchange, always through what the principal may see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from rainforest import formatting
from rainforest.accounts.permissions import (
    EXCHANGE_MANAGE,
    EXCHANGE_PUBLISH,
    EXCHANGE_REVIEW,
    EXCHANGE_SUPPLY,
    Principal,
)
from rainforest.exchange import search
from rainforest.exchange.choices import (
    ApplicationStatus,
    CallStatus,
    CapabilityStatus,
    Domain,
    FocusArea,
    ListKind,
    ScenarioKind,
    ScenarioStatus,
)
from rainforest.exchange.models import (
    Application,
    Attachment,
    Call,
    Capability,
    ExpertAssignment,
    Notification,
    Objection,
    Project,
    PublishedList,
    Scenario,
)
from rainforest.exchange.models.lists import numbered_order
from rainforest.place_names import district_label
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
    """The version's items in their printed order, narrowed by the filters; each keeps its number."""
    items = numbered_order(published.items)
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


def list_separator() -> str:
    """How the reader's language joins the names in a list."""
    return ", " if (get_language() or "").startswith("en") else "、"


def _item_value(field: str, value) -> str:
    """One fact of a list item as a reader reads it: names for codes, 元 and dates written out."""
    if value in (None, "", []):
        return "—"
    if field in ("district", "districts_served"):
        return district_label(value)
    if field in ("domain", "domains"):
        labels = dict(Domain.choices)
        return list_separator().join(str(labels.get(v, v)) for v in (value if isinstance(value, list) else [value]))
    if field == "focus_area":
        return str(dict(FocusArea.choices).get(value, value))
    if field == "kind":
        return str(dict(ScenarioKind.choices).get(value, value))
    if field.startswith("budget"):
        return formatting.yuan(value, 0)
    if field in ("starts_on", "ends_on"):
        return formatting.date_cn(value)
    if field == "contact_public":
        return formatting.yes_no(value)
    if isinstance(value, list):
        return list_separator().join(map(str, value))
    return str(value)


def _field_label(model, field: str) -> str:
    try:
        return capfirst(model._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:
        return capfirst(field)


def list_changes(published: PublishedList) -> dict | None:
    """What a correction changed, by the items' numbers and titles (never their database ids):
    items added (their number in this version), items removed (their number in the previous one)
    and, for each item kept, each fact that changed with its name and both values."""
    if not published.changes:
        return None
    previous = (
        PublishedList.objects.filter(
            kind=published.kind, year=published.year, number=published.number, version__lt=published.version
        )
        .order_by("-version")
        .first()
    )
    now = {item["id"]: item for item in published.items}
    before = {item["id"]: item for item in previous.items} if previous else {}
    model = Scenario if published.kind == ListKind.SCENARIOS else Capability

    def row(item: dict | None) -> dict:
        return {"no": (item or {}).get("no"), "title": (item or {}).get("title", "—")}

    def by_number(r: dict) -> tuple:
        return (r["no"] is None, r["no"] or 0)

    changes = published.changes
    changed = [
        {
            **row(now.get(int(pk))),
            "fields": [
                (_field_label(model, f), _item_value(f, pair[0]), _item_value(f, pair[1])) for f, pair in fields.items()
            ],
        }
        for pk, fields in (changes.get("changed") or {}).items()
    ]
    return {
        "note": published.correction_note,
        "added": sorted((row(now.get(pk)) for pk in changes.get("added") or []), key=by_number),
        "removed": sorted((row(before.get(pk)) for pk in changes.get("removed") or []), key=by_number),
        "changed": sorted(changed, key=by_number),
    }


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


def deadline_passed(call: Call, now: dt.datetime | None = None) -> bool:
    """Whether proposals may be read: the call has left its open state (review starts only after
    the deadline) and its closing second is over. Before that applicants can still change them,
    and no reviewer or publisher reads a proposal before its deadline."""
    now = now or timezone.now()
    return call.status != CallStatus.OPEN and now > call.closes_at


def panel_applications(*, assignment: ExpertAssignment) -> list[Application]:
    """What a panel member may see of the call's applications: nothing before the deadline
    (applicants can still edit, and a reviewer must not read a proposal before it), then every
    live application in the order they came in."""
    if not deadline_passed(assignment.call):
        return []
    return list(
        assignment.call.applications.exclude(status=ApplicationStatus.WITHDRAWN)
        .select_related("applicant")
        .order_by("pk")
    )


def _reading_seat(actor: Principal, application: Application) -> ExpertAssignment | None:
    """The actor's seat on the application's panel, if it lets them read it: a declared member
    without a declared conflict with it, after the deadline."""
    if not actor.can(EXCHANGE_REVIEW) or not deadline_passed(application.call):
        return None
    seat = ExpertAssignment.objects.filter(call=application.call, expert=actor.user, declared_at__isnull=False).first()
    if seat is None or application.pk in seat.declared_conflicts:
        return None
    return seat


def panel_attachments(*, assignment: ExpertAssignment, applications: list[Application]) -> dict[int, list]:
    """The files each application came with, for its panel: only once the member may read it
    (after the deadline, declared, no conflict with it); each with the name the member sees (in a
    blind review a neutral one, since a file name often carries the company's)."""
    if assignment.declared_at is None or not deadline_passed(assignment.call):
        return {}
    readable = [a.pk for a in applications if a.pk not in assignment.declared_conflicts]
    out: dict[int, list] = {pk: [] for pk in readable}
    files = Attachment.objects.filter(owner_type="application", owner_id__in=readable).order_by("owner_id", "pk")
    for attachment in files:
        shown = out[attachment.owner_id]
        attachment.shown_name = (
            blind_file_name(attachment, len(shown) + 1) if assignment.call.blind_review else attachment.original_name
        )
        shown.append(attachment)
    return out


def application_files(applications) -> dict[int, list[Attachment]]:
    """The files of each application, for those who see the applications whole (the publisher
    after the deadline, officers): by application id, in the order they came in."""
    ids = [a.pk for a in applications]
    out: dict[int, list[Attachment]] = {pk: [] for pk in ids}
    for attachment in Attachment.objects.filter(owner_type="application", owner_id__in=ids).order_by("pk"):
        out[attachment.owner_id].append(attachment)
    return out


def blind_file_name(attachment: Attachment, n: int) -> str:
    extension = {
        "application/pdf": ".pdf",
        "image/png": ".png",
        "image/jpeg": ".jpg",
        "application/zip": ".docx",
    }.get(attachment.content_type, "")
    name = attachment.original_name
    if attachment.content_type == "application/zip" and "." in name:
        extension = "." + name.rsplit(".", 1)[1][:5]  # an Office file: its own extension (.docx, .xlsx, .pptx)
    return _("Attachment %(n)d") % {"n": n} + extension


def application_get_for(*, actor: Principal | None, pk: int) -> Application:
    """One application, or 404 for a missing one and for anyone who may not see it. It is seen by
    the applicant and the programme's officers; by the publisher of its scenario after the
    deadline; and by a declared panel member after the deadline, unless the review is blind or
    the member declared a conflict with it."""
    from rainforest.exchange.workflows import OFFICER, PUBLISHER, capacities

    application = Application.objects.select_related("call__scenario", "applicant").filter(pk=pk).first()
    if application is None or actor is None:
        raise Http404
    call = application.call
    mine = capacities(actor, call.scenario)
    if actor.organisation_id == application.applicant_id or OFFICER in mine:
        return application
    if PUBLISHER in mine and deadline_passed(call):
        return application
    if not call.blind_review and _reading_seat(actor, application):
        return application
    raise Http404


def attachment_get_for(*, actor: Principal | None, pk: int) -> tuple[Attachment, str]:
    """One uploaded file and the name it is served under, or 404 for anyone who may not see it.
    A published scenario's files are public. An application's go to whoever may see the
    application (application_get_for) and to its panel after the deadline, a blind panel too:
    they need the plan to score it, so the name is neutral (applicants of a blind call leave
    their name out of their files)."""
    attachment = Attachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    if attachment.owner_type == "scenario":
        scenario_get(actor=actor, pk=attachment.owner_id)  # 404 unless visible
        return attachment, attachment.original_name
    if attachment.owner_type != "application" or actor is None:
        raise Http404
    application = Application.objects.select_related("call__scenario").filter(pk=attachment.owner_id).first()
    if application is None:
        raise Http404
    if application.call.blind_review:
        seat = _reading_seat(actor, application)
        if seat is not None:
            n = list(
                Attachment.objects.filter(owner_type="application", owner_id=application.pk)
                .order_by("pk")
                .values_list("pk", flat=True)
            ).index(attachment.pk)
            return attachment, blind_file_name(attachment, n + 1)
    application_get_for(actor=actor, pk=application.pk)  # 404 unless visible
    return attachment, attachment.original_name


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


def targets(year: int, today: dt.date | None = None) -> dict:
    """The three yearly figures against the programme's targets, with the counting rule of each:
    the year's total, how it grew month by month (months still to come are None), and its split
    by domain and by district."""
    goals = current_ruleset().targets
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, 1, 1, tzinfo=tz)
    end = dt.datetime(year + 1, 1, 1, tzinfo=tz)
    today = today or timezone.localdate()
    opened = Scenario.objects.filter(published_at__gte=start, published_at__lt=end)
    projects = Project.objects.filter(agreed_on__year=year)
    landed = Project.objects.filter(landed_on__year=year)
    # The last month with figures: all twelve for a past year, none for a future one.
    last_month = 12 if year < today.year else (today.month if year == today.year else 0)

    def split(qs, domain_field, district_field):
        return {
            "by_domain": dict(qs.values_list(domain_field).annotate(n=Count("id")).order_by()),
            "by_district": dict(qs.values_list(district_field).annotate(n=Count("id")).order_by()),
        }

    def by_month(moments) -> list[int | None]:
        counts = [0] * 12
        for moment in moments:
            day = timezone.localtime(moment).date() if isinstance(moment, dt.datetime) else moment
            counts[day.month - 1] += 1
        return [n if month <= last_month else None for month, n in enumerate(counts, start=1)]

    rows = [
        {
            "key": "scenarios",
            "count": opened.count(),
            "target": goals["exchange_scenarios_per_year"],
            "by_month": by_month(opened.values_list("published_at", flat=True)),
            **split(opened, "domain", "district"),
        },
        {
            "key": "projects",
            "count": projects.count(),
            "target": goals["exchange_projects_per_year"],
            "by_month": by_month(projects.values_list("agreed_on", flat=True)),
            **split(projects, "scenario__domain", "scenario__district"),
        },
        {
            "key": "landings",
            "count": landed.count(),
            "target": goals["exchange_landings_per_year"],
            "by_month": by_month(landed.values_list("landed_on", flat=True)),
            **split(landed, "scenario__domain", "scenario__district"),
        },
    ]
    for row in rows:
        running, cumulative = 0, []
        for n in row["by_month"]:
            running += n or 0
            cumulative.append(None if n is None else running)
        row["cumulative"] = cumulative
        row["share"] = row["count"] / row["target"] if row["target"] else None
    return {"year": year, "last_month": last_month, "rows": rows}
