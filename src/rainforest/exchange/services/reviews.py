"""Expert panels with conflict checks, locked scores, ranking, awards and public notice."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rainforest.accounts.choices import ADMIN_ROLES, Role
from rainforest.accounts.models import Membership
from rainforest.accounts.permissions import EXCHANGE_MANAGE, EXCHANGE_REVIEW, Principal
from rainforest.audit import trail
from rainforest.conflicts import own_organisations, tie
from rainforest.exchange.calendar import notice_window
from rainforest.exchange.choices import ApplicationStatus, CallStatus
from rainforest.exchange.models import (
    Application,
    Award,
    Call,
    ExpertAssignment,
    Objection,
    Project,
    PublicNotice,
    Review,
    Scenario,
)
from rainforest.exchange.workflows import (
    APPLICATION,
    CALL,
    OBJECTION,
    OFFICER,
    SCENARIO,
    call_capacities,
    capacities,
    officer_capacities,
)
from rainforest.policy.rules import current_ruleset


def conflicts(expert, call: Call, applications=None) -> list[str]:
    """Why an expert may not judge this call (or these applications): reasons the platform can see.

    Same organisation as the publisher; any tie with an applicant that rainforest.conflicts knows
    (same organisation, a cooperation project, a part in the Seedling fund's investment)."""
    own = own_organisations(expert)
    apps = applications if applications is not None else call.applications.exclude(status="withdrawn")
    apps = list(apps.select_related("applicant")) if hasattr(apps, "select_related") else list(apps)
    reasons = []
    if call.scenario.publisher_id in own:
        reasons.append(_("works for the publisher %(org)s") % {"org": call.scenario.publisher.name})
    for app in apps:
        reason = tie(expert, app.applicant, own)
        if reason:
            reasons.append(reason)
    return reasons


def _manager(actor: Principal, call: Call) -> None:
    if OFFICER not in capacities(actor, call.scenario):
        raise PermissionDenied


@transaction.atomic
def panel_assign(*, actor: Principal, call: Call, expert) -> ExpertAssignment:
    actor.require(EXCHANGE_MANAGE)
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.status not in (CallStatus.OPEN, CallStatus.REVIEW):
        raise ValidationError(_("The panel can only change before or during review."))
    if not Membership.objects.filter(user=expert, role=Role.EXPERT).exists() or not expert.is_active:
        raise ValidationError(_("%(u)s is not an active expert.") % {"u": expert.username})
    reasons = conflicts(expert, call)
    if reasons:
        raise ValidationError(
            _("Assignment refused: %(u)s %(why)s.") % {"u": expert.username, "why": "; ".join(reasons)}
        )
    if ExpertAssignment.objects.filter(call=call, expert=expert).exists():
        raise ValidationError(_("%(u)s is already on this panel.") % {"u": expert.username})
    assignment = ExpertAssignment.objects.create(call=call, expert=expert, assigned_by_label=actor.label)
    trail.record(
        actor,
        "exchange.panel.assigned",
        subject_type="call",
        subject_id=call.pk,
        subject_label=str(call.scenario),
        after={"expert": expert.username},
    )
    return assignment


def _own_assignment(actor: Principal, assignment: ExpertAssignment) -> ExpertAssignment:
    actor.require(EXCHANGE_REVIEW)
    assignment = ExpertAssignment.objects.select_for_update().select_related("call").get(pk=assignment.pk)
    if assignment.expert_id != actor.user.pk:
        raise PermissionDenied
    return assignment


@transaction.atomic
def panel_declare(*, actor: Principal, assignment: ExpertAssignment, conflicted: list[int], note: str = ""):
    """The expert's declaration of interests; it comes before any application is shown."""
    assignment = _own_assignment(actor, assignment)
    if assignment.declared_at:
        raise ValidationError(_("You have already declared; the declaration cannot be changed."))
    if assignment.call.status == CallStatus.OPEN:
        raise ValidationError(_("The panel declares once the call has closed and review has started."))
    live = set(assignment.call.applications.exclude(status="withdrawn").values_list("pk", flat=True))
    assignment.declared_conflicts = sorted(set(conflicted) & live)
    assignment.declaration_note = note.strip()
    assignment.declared_at = timezone.now()
    assignment.save()
    trail.record(
        actor,
        "exchange.panel.declared",
        subject_type="call",
        subject_id=assignment.call_id,
        subject_label=str(assignment.call.scenario),
        after={"conflicted": assignment.declared_conflicts, "note": assignment.declaration_note},
    )
    return assignment


@transaction.atomic
def review_submit(
    *, actor: Principal, assignment: ExpertAssignment, application: Application, scores: dict, comment: str = ""
) -> Review:
    """Scores for one application, locked once submitted: a second submission is refused."""
    assignment = _own_assignment(actor, assignment)
    call = assignment.call
    if call.status != CallStatus.REVIEW:
        raise ValidationError(_("Scoring is open only while the call is under review."))
    if not assignment.declared_at:
        raise ValidationError(_("Declare your interests before scoring."))
    if application.call_id != call.pk or application.status == ApplicationStatus.WITHDRAWN:
        raise ValidationError(_("This application is not part of the review."))
    if application.pk in assignment.declared_conflicts or conflicts(actor.user, call, [application]):
        raise ValidationError(_("You have a conflict of interest with this application and may not score it."))
    if Review.objects.filter(assignment=assignment, application=application).exists():
        raise ValidationError(_("Your scores for this application are already submitted and locked."))
    rubric = list(call.rubric.all())
    clean = {}
    for criterion in rubric:
        value = scores.get(str(criterion.pk), scores.get(criterion.pk))
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise ValidationError(_("Score every criterion.")) from None
        if not 0 <= value <= criterion.max_score:
            raise ValidationError(
                _("%(c)s is scored from 0 to %(m)d.") % {"c": criterion.name, "m": criterion.max_score}
            )
        clean[str(criterion.pk)] = value
    weighted = sum(c.weight * clean[str(c.pk)] / c.max_score for c in rubric) / sum(c.weight for c in rubric) * 100
    review = Review.objects.create(
        assignment=assignment,
        application=application,
        scores=clean,
        comment=comment.strip(),
        weighted=round(weighted, 4),
        submitted_at=timezone.now(),
    )
    trail.record(
        actor,
        "exchange.review.submitted",
        subject_type="application",
        subject_id=application.pk,
        subject_label=str(application),
        after={"scores": clean, "weighted": review.weighted},
    )
    return review


def ranking(call: Call) -> list[tuple[Application, float | None, int]]:
    """Live applications by mean weighted score, highest first; ties go to the earlier submission;
    unscored applications come last. Returns (application, score, number of reviews)."""
    rows = []
    for app in call.applications.exclude(status="withdrawn").prefetch_related("reviews").select_related("applicant"):
        scores = [r.weighted for r in app.reviews.all()]
        rows.append((app, round(sum(scores) / len(scores), 2) if scores else None, len(scores)))
    rows.sort(key=lambda r: (r[1] is None, -(r[1] or 0), r[0].submitted_at))
    return rows


@transaction.atomic
def award_pick(*, actor: Principal, call: Call, picks: list[tuple[Application, str]], channel: str) -> PublicNotice:
    """The publisher (or an officer) picks winners with reasons; the results go on public notice."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    CALL.check(call, "pick", call_capacities(actor, call))
    if not picks or len(picks) > call.max_winners:
        raise ValidationError(_("Pick between 1 and %(n)d winner(s).") % {"n": call.max_winners})
    for application, reason in picks:
        if application.call_id != call.pk or application.status == ApplicationStatus.WITHDRAWN:
            raise ValidationError(_("A pick is not a live application of this call."))
        if not application.reviews.exists():
            raise ValidationError(_("%(a)s has not been scored yet.") % {"a": application.applicant.name})
        if len(reason.strip()) < 5:
            raise ValidationError(_("Give the reason for each pick."))
    if len(channel.strip()) < 3:
        raise ValidationError(_("Name the channel for objections (an e-mail address or a phone number)."))
    days = int(current_ruleset().targets.get("exchange_notice_working_days", 5))
    starts_on, ends_on = notice_window(timezone.localdate(), days)
    notice = PublicNotice.objects.create(call=call, starts_on=starts_on, ends_on=ends_on, channel=channel.strip())
    for application, reason in picks:
        Award.objects.create(notice=notice, application=application, reason=reason.strip(), picked_by_label=actor.label)
    CALL.apply(call, "pick")
    call.save(update_fields=["status"])
    trail.record(
        actor,
        "exchange.award.picked",
        subject_type="call",
        subject_id=call.pk,
        subject_label=str(call.scenario),
        after={"winners": [a.pk for a, _r in picks], "reasons": [r for _a, r in picks], "notice": [starts_on, ends_on]},
    )
    return notice


def objection_allowed(actor: Principal | None) -> None:
    """Anyone signed in may object to a notice, except the three administrators, who take no
    business action (separation of duties)."""
    if actor is None or actor.user is None or actor.role in ADMIN_ROLES:
        raise PermissionDenied


@transaction.atomic
def objection_submit(*, actor: Principal, notice: PublicNotice, text: str) -> Objection:
    objection_allowed(actor)
    today = timezone.localdate()
    if notice.void or notice.finalised_at or not notice.starts_on <= today <= notice.ends_on:
        raise ValidationError(_("Objections are taken only while the notice runs."))
    if len(text.strip()) < 10:
        raise ValidationError(_("Say what the objection is (at least 10 characters)."))
    objection = Objection.objects.create(
        notice=notice, submitted_by=actor.user, submitted_by_label=actor.label, text=text.strip()
    )
    trail.record(
        actor,
        "exchange.objection.submitted",
        subject_type="notice",
        subject_id=notice.pk,
        subject_label=str(notice.call.scenario),
        after={"text": objection.text},
    )
    return objection


@transaction.atomic
def objection_resolve(*, actor: Principal, objection: Objection, upheld: bool, response: str) -> Objection:
    """An officer answers an objection; upholding it voids the notice and reopens review."""
    objection = Objection.objects.select_for_update().select_related("notice").get(pk=objection.pk)
    OBJECTION.check(objection, "uphold" if upheld else "dismiss", officer_capacities(actor))
    if len(response.strip()) < 5:
        raise ValidationError(_("Give the response (at least 5 characters)."))
    OBJECTION.apply(objection, "uphold" if upheld else "dismiss")
    objection.response = response.strip()
    objection.save()
    if upheld:
        notice = objection.notice
        notice.void = True
        notice.save(update_fields=["void"])
        call = Call.objects.select_for_update().get(pk=notice.call_id)
        CALL.apply(call, "reopen_review")
        call.save(update_fields=["status"])
    trail.record(
        actor,
        "exchange.objection.resolved",
        subject_type="notice",
        subject_id=objection.notice_id,
        subject_label=str(objection.notice.call.scenario),
        after={"outcome": objection.outcome, "response": objection.response},
    )
    return objection


@transaction.atomic
def notice_finalise(*, actor: Principal, call: Call) -> list[Project]:
    """After the notice period with every objection answered: winners become projects."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    CALL.check(call, "finalise", call_capacities(actor, call))
    notice = call.notices.filter(void=False, finalised_at=None).first()
    winners = {a.application_id for a in notice.awards.all()}
    projects = []
    for application in call.applications.exclude(status=ApplicationStatus.WITHDRAWN).order_by("pk"):
        won = application.pk in winners
        APPLICATION.apply(application, "select" if won else "not_select")
        application.save(update_fields=["status"])
        if won:
            projects.append(
                Project.objects.create(
                    scenario=call.scenario,
                    application=application,
                    publisher=call.scenario.publisher,
                    enterprise=application.applicant,
                    contract_value=application.budget,
                    agreed_on=timezone.localdate(),
                )
            )
    CALL.apply(call, "finalise")  # before the notice is marked final: the guard looks for it
    call.save(update_fields=["status"])
    notice.finalised_at = timezone.now()
    notice.save(update_fields=["finalised_at"])
    scenario = Scenario.objects.select_for_update().get(pk=call.scenario_id)
    SCENARIO.apply(scenario, "award")
    scenario.save(update_fields=["status", "updated_at"])
    trail.record(
        actor,
        "exchange.call.finalised",
        subject_type="call",
        subject_id=call.pk,
        subject_label=str(scenario),
        after={"winners": sorted(winners), "projects": [p.pk for p in projects]},
    )
    return projects
