"""Companion support (陪伴式服务): a case officer per good seedling, visits, needs with a clock."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rainforest.accounts.models import Membership
from rainforest.accounts.permissions import SEEDLING_APPLY, SEEDLING_MANAGE, Principal
from rainforest.audit import trail
from rainforest.exchange.calendar import is_working_day
from rainforest.registry.choices import RecognitionKind
from rainforest.registry.models import Enterprise
from rainforest.seedling.eligibility import also_accompanied, recognised
from rainforest.seedling.models import CaseOfficer, Need, Visit
from rainforest.seedling.workflows import NEED, capacities


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (China's calendar, make-up days included)."""
    day, left = start, days
    while left > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


@transaction.atomic
def case_officer_assign(*, actor: Principal, enterprise: Enterprise, officer) -> CaseOfficer:
    actor.require(SEEDLING_MANAGE)
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    if RecognitionKind.GOOD_SEEDLING not in recognised(enterprise, timezone.localdate()) and not also_accompanied(
        enterprise
    ):
        raise ValidationError(_("Case officers accompany good seedlings; this enterprise is not one (yet)."))
    if not Membership.objects.filter(user=officer, role="programme_officer").exists():
        raise ValidationError(_("A case officer must be a programme officer."))
    today = timezone.localdate()
    CaseOfficer.objects.filter(enterprise=enterprise, until=None).update(until=today)
    case = CaseOfficer.objects.create(enterprise=enterprise, officer=officer, since=today)
    trail.record(
        actor, "seedling.case_officer.assigned", subject_type="enterprise", subject_id=enterprise.pk,
        subject_label=enterprise.organisation.name, after={"officer": officer.username},
    )  # fmt: skip
    return case


@transaction.atomic
def visit_record(*, actor: Principal, enterprise: Enterprise, on: dt.date, notes: str) -> Visit:
    actor.require(SEEDLING_MANAGE)
    if not notes.strip():
        raise ValidationError(_("Write what was discussed."))
    if on > timezone.localdate():
        raise ValidationError(_("A visit is recorded after it took place."))
    visit = Visit.objects.create(enterprise=enterprise, officer=actor.user, on=on, notes=notes.strip())
    trail.record(
        actor, "seedling.visit.recorded", subject_type="enterprise", subject_id=enterprise.pk,
        subject_label=enterprise.organisation.name, after={"on": on, "notes": visit.notes},
    )  # fmt: skip
    return visit


@transaction.atomic
def need_raise(*, actor: Principal, enterprise: Enterprise, category: str, description: str) -> Need:
    """The company raises a need (or its officer records one raised in a visit); the clock starts."""
    if not (
        actor.can(SEEDLING_MANAGE)
        or (actor.can(SEEDLING_APPLY) and enterprise.organisation_id == actor.organisation_id)
    ):
        raise PermissionDenied
    if not category.strip() or not description.strip():
        raise ValidationError(_("Give the kind of need and describe it."))
    today = timezone.localdate()
    need = Need.objects.create(
        enterprise=enterprise, raised_on=today, category=category.strip()[:50], description=description.strip(),
        due_on=add_working_days(today, settings.SEEDLING_NEED_WORKING_DAYS), recorded_by=actor.user,
    )  # fmt: skip
    trail.record(
        actor, "seedling.need.raised", subject_type="enterprise", subject_id=enterprise.pk,
        subject_label=enterprise.organisation.name,
        after={"category": need.category, "description": need.description, "due_on": need.due_on},
    )  # fmt: skip
    return need


@transaction.atomic
def need_resolve(*, actor: Principal, need: Need, resolution: str) -> Need:
    need = Need.objects.select_for_update().get(pk=need.pk)
    NEED.check(need, "resolve", capacities(actor, need))
    if not resolution.strip():
        raise ValidationError(_("Say how the need was resolved."))
    NEED.apply(need, "resolve")
    need.resolved_on, need.resolution = timezone.localdate(), resolution.strip()
    need.save(update_fields=["status", "resolved_on", "resolution"])
    trail.record(
        actor, "seedling.need.resolved", subject_type="enterprise", subject_id=need.enterprise_id,
        subject_label=need.enterprise.organisation.name,
        after={"category": need.category, "resolution": need.resolution, "late": need.resolved_on > need.due_on},
    )  # fmt: skip
    return need
