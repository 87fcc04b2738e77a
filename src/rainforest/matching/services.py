"""Writes of the matching app: officers' feedback on recommendations, publishers' shortlists."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rainforest.accounts.permissions import EXCHANGE_MANAGE, Principal
from rainforest.audit import trail
from rainforest.exchange.models import Capability, Scenario
from rainforest.exchange.selectors import can_see_recommendations
from rainforest.matching.models import Feedback, Shortlist, Verdict


@transaction.atomic
def feedback_record(
    *, actor: Principal, scenario: Scenario, capability: Capability, verdict: str, note: str = ""
) -> Feedback:
    """An officer marks a recommendation good or wrong (again: the latest word replaces the earlier)."""
    actor.require(EXCHANGE_MANAGE)
    if verdict not in Verdict.values:
        raise ValidationError(_("Choose good or wrong."))
    note = note.strip()[:500]
    feedback, created = Feedback.objects.update_or_create(
        scenario=scenario, capability=capability, by=actor.user, defaults={"verdict": verdict, "note": note}
    )
    trail.record(
        actor,
        "matching.feedback.recorded",
        subject_type="scenario",
        subject_id=scenario.pk,
        subject_label=scenario.title,
        after={"capability": capability.pk, "verdict": verdict, "note": note, "new": created},
    )
    return feedback


@transaction.atomic
def shortlist_toggle(*, actor: Principal, scenario: Scenario, capability: Capability) -> bool:
    """Keep (or drop) a recommended capability on the scenario's shortlist; returns whether it is
    on the list now. The scenario's publisher and officers only."""
    if not can_see_recommendations(actor, scenario):
        raise PermissionDenied
    Scenario.objects.select_for_update().filter(pk=scenario.pk).first()  # two clicks at once: one result
    entry = Shortlist.objects.filter(scenario=scenario, capability=capability).first()
    if entry is not None:
        entry.delete()
    else:
        Shortlist.objects.create(scenario=scenario, capability=capability, added_by=actor.user)
    trail.record(
        actor,
        "matching.shortlist.removed" if entry else "matching.shortlist.added",
        subject_type="scenario",
        subject_id=scenario.pk,
        subject_label=scenario.title,
        after={"capability": capability.pk, "organisation": capability.organisation.name},
    )
    return entry is None
