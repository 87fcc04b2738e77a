"""Scenarios and capabilities: drafting, approval, and the published lists."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from rainforest.accounts.errors import StaleEdit
from rainforest.accounts.permissions import EXCHANGE_MANAGE, EXCHANGE_PUBLISH, EXCHANGE_SUPPLY, Principal
from rainforest.audit import trail
from rainforest.exchange.choices import CapabilityStatus, ListKind, ScenarioStatus
from rainforest.exchange.models import Capability, PublishedList, Scenario
from rainforest.exchange.models.lists import numbered_order
from rainforest.exchange.workflows import (
    CAPABILITY,
    CAPABILITY_REASON_REQUIRED,
    EDITABLE,
    REASON_REQUIRED,
    SCENARIO,
    capability_capacities,
    capacities,
    offered,
)

SCENARIO_FIELDS = (
    "title",
    "domain",
    "focus_area",
    "kind",
    "problem",
    "site",
    "resources",
    "constraints",
    "min_trl",
    "budget_min",
    "budget_max",
    "district",
    "starts_on",
    "ends_on",
    "contact_name",
    "contact_phone",
    "contact_public",
)
CAPABILITY_FIELDS = ("title", "domains", "description", "trl", "reference_cases", "certifications", "districts_served")
# What a published list shows of each item (contacts only with consent).
SCENARIO_SNAPSHOT = tuple(f for f in SCENARIO_FIELDS if not f.startswith("contact_"))


def _state(obj, fields) -> dict:
    return trail.jsonable(model_to_dict(obj, fields=fields))


@transaction.atomic
def scenario_create(*, actor: Principal, files: list[tuple[str, bytes]] = (), **values) -> Scenario:
    actor.require(EXCHANGE_PUBLISH)
    scenario = Scenario(publisher=actor.organisation, created_by=actor.user, **values)
    scenario.full_clean()
    scenario.save()
    _attach(actor, scenario, files)
    trail.record(
        actor,
        "exchange.scenario.created",
        subject_type="scenario",
        subject_id=scenario.pk,
        subject_label=scenario.title,
        after=_state(scenario, SCENARIO_FIELDS),
    )
    return scenario


def _attach(actor: Principal, scenario: Scenario, files) -> None:
    from rainforest.exchange.services.attachments import attachment_save

    for name, data in files:
        attachment_save(owner_type="scenario", owner_id=scenario.pk, data=data, name=name, user=actor.user)


@transaction.atomic
def scenario_update(
    *, actor: Principal, scenario: Scenario, version: int, files: list[tuple[str, bytes]] = (), **values
) -> Scenario:
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    actor.require(EXCHANGE_PUBLISH)
    if actor.organisation_id != scenario.publisher_id:
        raise PermissionDenied
    if scenario.status not in EDITABLE:
        raise ValidationError(_("Only a draft or a returned scenario can be edited."))
    if scenario.version != version:
        raise StaleEdit(_("Someone else changed this scenario after you opened it."))
    before = _state(scenario, SCENARIO_FIELDS)
    for key, value in values.items():
        setattr(scenario, key, value)
    scenario.full_clean()
    scenario.version += 1
    scenario.save()
    _attach(actor, scenario, files)
    after = _state(scenario, SCENARIO_FIELDS)
    changed = {k for k in after if after[k] != before[k]}
    trail.record(
        actor,
        "exchange.scenario.updated",
        subject_type="scenario",
        subject_id=scenario.pk,
        subject_label=scenario.title,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return scenario


@transaction.atomic
def scenario_move(*, actor: Principal, scenario: Scenario, action: str, reason: str = "") -> Scenario:
    """Submit, return, approve, withdraw or close a scenario, as the table (workflows.SCENARIO)
    allows; the moves a larger step makes (publish, open_call, close_call, award) are not asked for
    by name.

    The row is locked first, so two officers approving at once leave one decision and the second
    is told the scenario has already moved."""
    if not offered(SCENARIO, action):
        raise ValidationError(_("Unknown action."))
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    move = SCENARIO.check(scenario, action, capacities(actor, scenario))
    if action in REASON_REQUIRED and len(reason.strip()) < 5:
        raise ValidationError(_("Give the reason (at least 5 characters)."))
    before = scenario.status
    SCENARIO.apply(scenario, action)
    if action in REASON_REQUIRED:
        scenario.status_reason = reason.strip()
    scenario.save(update_fields=["status", "status_reason", "updated_at"])
    trail.record(
        actor,
        f"exchange.scenario.{action}",
        subject_type="scenario",
        subject_id=scenario.pk,
        subject_label=scenario.title,
        before={"status": before},
        after={"status": move.target, "reason": reason.strip()} if reason else {"status": move.target},
    )
    return scenario


@transaction.atomic
def capability_create(*, actor: Principal, submit: bool = False, **values) -> Capability:
    """A new capability, as a draft; with ``submit``, sent for review in the same step."""
    actor.require(EXCHANGE_SUPPLY)
    capability = Capability(organisation=actor.organisation, created_by=actor.user, **values)
    capability.full_clean()
    capability.save()
    trail.record(
        actor,
        "exchange.capability.created",
        subject_type="capability",
        subject_id=capability.pk,
        subject_label=capability.title,
        after=_state(capability, CAPABILITY_FIELDS),
    )
    if submit:
        capability = capability_move(actor=actor, capability=capability, action="submit")
    return capability


@transaction.atomic
def capability_move(*, actor: Principal, capability: Capability, action: str, reason: str = "") -> Capability:
    """Submit, return, approve or withdraw a capability, as the table (workflows.CAPABILITY) allows."""
    capability = Capability.objects.select_for_update().get(pk=capability.pk)
    move = CAPABILITY.check(capability, action, capability_capacities(actor, capability))
    if action in CAPABILITY_REASON_REQUIRED and len(reason.strip()) < 5:
        raise ValidationError(_("Give the reason (at least 5 characters)."))
    before = capability.status
    CAPABILITY.apply(capability, action)
    if action in CAPABILITY_REASON_REQUIRED:
        capability.status_reason = reason.strip()
    if move.target == CapabilityStatus.APPROVED:
        capability.approved_at = timezone.now()
    capability.save()
    trail.record(
        actor,
        f"exchange.capability.{action}",
        subject_type="capability",
        subject_id=capability.pk,
        subject_label=capability.title,
        before={"status": before},
        after={"status": move.target},
    )
    return capability


def _snapshot(kind: str, obj) -> dict:
    if kind == ListKind.SCENARIOS:
        data = _state(obj, SCENARIO_SNAPSHOT)
        data["publisher"] = obj.publisher.name
        if obj.contact_public:
            data.update(contact_name=obj.contact_name, contact_phone=obj.contact_phone)
    else:
        data = _state(obj, CAPABILITY_FIELDS)
        data["organisation"] = obj.organisation.name
    data["id"] = obj.pk
    return data


def number_items(items: list[dict], previous: list[dict] | None = None) -> list[dict]:
    """The items in the order the list prints them, each with its number ``no`` (1..n), stored with
    the version so a citation ("item 12 of batch 3") never changes meaning after publication.

    A first version is in the order the items were drafted (their ids); a correction keeps the
    previous version's order for the items it keeps and puts new ones after them, so a reader
    comparing two versions finds the same items in the same sequence."""
    before = {item["id"]: position for position, item in enumerate(numbered_order(previous or []))}
    ordered = sorted(items, key=lambda item: (before.get(item["id"], len(before)), item["id"]))
    return [{**item, "no": n} for n, item in enumerate(ordered, start=1)]


# Not facts of an item: its number follows from its place in the version.
_NOT_COMPARED = frozenset({"no"})


def _diff(old: list[dict], new: list[dict]) -> dict:
    before, after = {i["id"]: i for i in old}, {i["id"]: i for i in new}
    changed = {
        str(k): {
            f: [before[k].get(f), after[k].get(f)]
            for f in after[k]
            if f not in _NOT_COMPARED and before[k].get(f) != after[k].get(f)
        }
        for k in after.keys() & before.keys()
        if {f: v for f, v in before[k].items() if f not in _NOT_COMPARED}
        != {f: v for f, v in after[k].items() if f not in _NOT_COMPARED}
    }
    return {
        "added": sorted(after.keys() - before.keys()),
        "removed": sorted(before.keys() - after.keys()),
        "changed": changed,
    }


@transaction.atomic
def list_publish(
    *, actor: Principal, kind: str, year: int, number: int, title: str, ids: list[int], correction_note: str = ""
) -> PublishedList:
    """Publish batch ``year``-``number``; if it exists, publish a corrected new version of it.

    Scenarios enter a first list by moving from approved to published; capabilities must be approved."""
    actor.require(EXCHANGE_MANAGE)
    if not ids:
        raise ValidationError(_("A list needs at least one item."))
    model = Scenario if kind == ListKind.SCENARIOS else Capability
    objects = list(model.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(objects) != len(set(ids)):
        raise ValidationError(_("Some items no longer exist."))
    ok_states = (
        {
            ScenarioStatus.APPROVED,
            ScenarioStatus.PUBLISHED,
            ScenarioStatus.CALL_OPEN,
            ScenarioStatus.CALL_CLOSED,
            ScenarioStatus.AWARDED,
        }
        if kind == ListKind.SCENARIOS
        else {CapabilityStatus.APPROVED}
    )
    not_ready = [o.title for o in objects if o.status not in ok_states]
    if not_ready:
        raise ValidationError(_("Not approved, cannot be listed: %(items)s.") % {"items": "; ".join(not_ready)})
    previous = PublishedList.objects.filter(kind=kind, year=year, number=number).order_by("-version").first()
    if previous and len(correction_note.strip()) < 5:
        raise ValidationError(_("This batch is already published: a correction needs a note saying why."))
    items = number_items([_snapshot(kind, o) for o in objects], previous.items if previous else None)
    now = timezone.now()
    published = PublishedList.objects.create(
        kind=kind,
        year=year,
        number=number,
        version=(previous.version + 1) if previous else 1,
        title=title,
        items=items,
        changes=_diff(previous.items, items) if previous else {},
        correction_note=correction_note.strip(),
        published_by=actor.user,
        published_by_label=actor.label,
        published_at=now,
    )
    newly = []
    if kind == ListKind.SCENARIOS:
        for scenario in objects:
            if scenario.status == ScenarioStatus.APPROVED:
                SCENARIO.check(scenario, "publish", capacities(actor, scenario))
                SCENARIO.apply(scenario, "publish")
                scenario.published_at = now
                scenario.save(update_fields=["status", "published_at", "updated_at"])
                newly.append(scenario)
    trail.record(
        actor,
        "exchange.list.published",
        subject_type="published_list",
        subject_id=published.pk,
        subject_label=str(published),
        after={
            "kind": kind,
            "year": year,
            "number": number,
            "version": published.version,
            "items": [i["id"] for i in items],
            "changes": published.changes,
        },
    )
    if newly:
        from rainforest.exchange.tasks import notify_scenarios_published

        # A job in this transaction: the subscribers are told if and only if the list is published.
        notify_scenarios_published.enqueue([s.pk for s in newly])
    return published


def next_batch_number(kind: str, year: int) -> int:
    top = PublishedList.objects.filter(kind=kind, year=year).aggregate(m=Max("number"))["m"]
    return (top or 0) + 1
