"""Open calls and applications: windows to the second, receipts with a digest."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rainforest.accounts.errors import StaleEdit
from rainforest.accounts.permissions import EXCHANGE_SUPPLY, Principal
from rainforest.audit import trail
from rainforest.core.years import PLATFORM_YEARS, YEAR_BOUNDS
from rainforest.exchange.choices import ApplicationStatus
from rainforest.exchange.models import Application, Attachment, Call, RubricCriterion, Scenario
from rainforest.exchange.services.attachments import attachment_save
from rainforest.exchange.workflows import (
    APPLICATION,
    CALL,
    SCENARIO,
    application_capacities,
    call_capacities,
    capacities,
    second,
    window_refusal,
)
from rainforest.exchange.workflows import accepting as accepting  # the pages and tests ask it here

PROPOSAL_FIELDS = ("approach", "plan", "budget", "team")


RUBRIC_MAX_SCORE = 100  # a criterion is scored out of 1 to 100 points


def _check_rubric(rubric) -> None:
    """Every criterion named once, weighted 1-100 %, scored out of 1-100 points; weights sum to 100.
    A maximum of 0 would divide every score by zero."""
    names = [name.strip() for name, _w, _m in rubric]
    if not rubric or any(not n or len(n) > 100 for n in names) or len(set(names)) != len(names):
        raise ValidationError(_("Name each criterion once (at most 100 characters)."))
    if any(not 1 <= m <= RUBRIC_MAX_SCORE for _n, _w, m in rubric):
        raise ValidationError(_("A criterion's maximum score is between 1 and 100."))
    if any(w < 1 for _n, w, _m in rubric) or sum(w for _n, w, _m in rubric) != 100:
        raise ValidationError(_("The rubric's weights must add up to 100."))


@transaction.atomic
def call_open(
    *,
    actor: Principal,
    scenario: Scenario,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    rubric: list[tuple[str, int, int]],
    max_winners: int = 1,
    blind_review: bool = False,
) -> Call:
    """Open a call on a published scenario. Times are kept to the second; weights sum to 100."""
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    SCENARIO.check(scenario, "open_call", capacities(actor, scenario))
    opens_at, closes_at = second(opens_at), second(closes_at)
    if opens_at.year not in PLATFORM_YEARS or closes_at.year not in PLATFORM_YEARS:
        raise ValidationError(_("The year must be between %(first)d and %(last)d.") % YEAR_BOUNDS)
    if closes_at <= opens_at:
        raise ValidationError(_("The call must close after it opens."))
    if closes_at <= timezone.now():
        raise ValidationError(_("The closing time is already past."))
    _check_rubric(rubric)
    if max_winners < 1:
        raise ValidationError(_("A call has at least one winner."))
    call = Call.objects.create(
        scenario=scenario,
        opens_at=opens_at,
        closes_at=closes_at,
        max_winners=max_winners,
        blind_review=blind_review,
        opened_by_label=actor.label,
    )
    RubricCriterion.objects.bulk_create(
        [RubricCriterion(call=call, name=n, weight=w, max_score=m, position=i) for i, (n, w, m) in enumerate(rubric)]
    )
    SCENARIO.apply(scenario, "open_call")
    scenario.save(update_fields=["status", "updated_at"])
    trail.record(
        actor,
        "exchange.call.opened",
        subject_type="call",
        subject_id=call.pk,
        subject_label=scenario.title,
        after={
            "opens_at": opens_at,
            "closes_at": closes_at,
            "rubric": rubric,
            "max_winners": max_winners,
            "blind_review": blind_review,
        },
    )
    return call


def _refuse_if_closed(call: Call, now: dt.datetime) -> None:
    refusal = window_refusal(call, now)
    if refusal:
        raise ValidationError(refusal)


def _receipt(application: Application, attachments: list[Attachment]) -> None:
    content = {
        "call": application.call_id,
        "applicant": application.applicant.uscc,
        **{f: str(getattr(application, f)) for f in PROPOSAL_FIELDS},
        "attachments": sorted(a.sha256 for a in attachments),
        "received_at": application.submitted_at.isoformat(),
    }
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    application.digest = hashlib.sha256(text.encode()).hexdigest()
    stamp = timezone.localtime(application.submitted_at).strftime("%Y%m%d%H%M%S")
    application.receipt_no = f"RF{application.call_id}-{stamp}-{secrets.token_hex(3).upper()}"


def _supplier(actor: Principal) -> None:
    actor.require(EXCHANGE_SUPPLY)
    if actor.organisation is None:
        raise PermissionDenied


@transaction.atomic
def application_submit(
    *, actor: Principal, call: Call, approach: str, plan: str, budget, team: str, files: list[tuple[str, bytes]] = ()
) -> Application:
    """Apply to a call. The call row is locked, so the deadline check and the insert are one step."""
    _supplier(actor)
    call = Call.objects.select_for_update().get(pk=call.pk)
    now = timezone.now()
    _refuse_if_closed(call, now)
    if call.scenario.publisher_id == actor.organisation_id:
        raise ValidationError(_("A publisher cannot apply to its own call."))
    if call.applications.filter(applicant=actor.organisation).exclude(status=ApplicationStatus.WITHDRAWN).exists():
        raise ValidationError(_("Your organisation has already applied to this call; edit that application instead."))
    application = Application(
        call=call,
        applicant=actor.organisation,
        submitted_by=actor.user,
        approach=approach,
        plan=plan,
        budget=budget,
        team=team,
        submitted_at=now,
    )
    application.full_clean(exclude=["receipt_no", "digest"])
    application.receipt_no, application.digest = "pending-" + secrets.token_hex(8), "0" * 64
    application.save()
    attachments = [
        attachment_save(owner_type="application", owner_id=application.pk, data=data, name=name, user=actor.user)
        for name, data in files
    ]
    _receipt(application, attachments)
    application.save(update_fields=["receipt_no", "digest"])
    trail.record(
        actor,
        "exchange.application.submitted",
        subject_type="application",
        subject_id=application.pk,
        subject_label=str(application),
        after={
            "receipt": application.receipt_no,
            "digest": application.digest,
            "received_at": now,
            "attachments": [a.sha256 for a in attachments],
        },
    )
    return application


@transaction.atomic
def application_update(
    *, actor: Principal, application: Application, version: int, files: list[tuple[str, bytes]] = (), **values
) -> Application:
    """Edit before the deadline; the edit is a new receipt over everything received."""
    _supplier(actor)
    call = Call.objects.select_for_update().get(pk=application.call_id)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.applicant_id != actor.organisation_id:
        raise PermissionDenied
    now = timezone.now()
    _refuse_if_closed(call, now)
    if application.status != ApplicationStatus.SUBMITTED:
        raise ValidationError(_("A withdrawn application cannot be edited; apply again."))
    if application.version != version:
        raise StaleEdit(_("Someone else saved this application after you opened it."))
    before = {"receipt": application.receipt_no, "digest": application.digest}
    for key in PROPOSAL_FIELDS:
        if key in values:
            setattr(application, key, values[key])
    application.submitted_at, application.version = now, application.version + 1
    application.full_clean(exclude=["receipt_no", "digest"])
    for name, data in files:
        attachment_save(owner_type="application", owner_id=application.pk, data=data, name=name, user=actor.user)
    _receipt(application, list(Attachment.objects.filter(owner_type="application", owner_id=application.pk)))
    application.save()
    trail.record(
        actor,
        "exchange.application.updated",
        subject_type="application",
        subject_id=application.pk,
        subject_label=str(application),
        before=before,
        after={"receipt": application.receipt_no, "digest": application.digest, "received_at": now},
    )
    return application


@transaction.atomic
def application_withdraw(*, actor: Principal, application: Application) -> Application:
    """Withdraw before the deadline (workflows.APPLICATION: the applicant, while the call is open)."""
    _supplier(actor)
    call = Call.objects.select_for_update().get(pk=application.call_id)
    application = Application.objects.select_for_update().get(pk=application.pk)
    application.call = call
    move = APPLICATION.check(application, "withdraw", application_capacities(actor, application))
    before = application.status
    APPLICATION.apply(application, "withdraw")
    application.save(update_fields=["status"])
    trail.record(
        actor,
        "exchange.application.withdrawn",
        subject_type="application",
        subject_id=application.pk,
        subject_label=str(application),
        before={"status": before},
        after={"status": move.target},
    )
    return application


@transaction.atomic
def call_start_review(*, actor: Principal, call: Call) -> Call:
    """After the deadline: no more submissions; the panel may score. The scenario's call closes."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    CALL.check(call, "start_review", call_capacities(actor, call))
    CALL.apply(call, "start_review")
    call.save(update_fields=["status"])
    scenario = Scenario.objects.select_for_update().get(pk=call.scenario_id)
    SCENARIO.apply(scenario, "close_call")
    scenario.save(update_fields=["status", "updated_at"])
    trail.record(
        actor,
        "exchange.call.review_started",
        subject_type="call",
        subject_id=call.pk,
        subject_label=scenario.title,
        after={"applications": call.applications.exclude(status=ApplicationStatus.WITHDRAWN).count()},
    )
    return call
