"""The exchange's workflows as tables (rainforest.workflow), one per entity: scenario, capability,
call, application, objection and cooperation project. Who may move is said in capacities (below);
guards say what must be true of the object first. Moves a larger step makes on its own (opening a
call moves the scenario, finalising a notice marks the applications) are ``internal``: the step's
service checks who acts and applies them with ``TABLE.apply``."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from rainforest.accounts.permissions import EXCHANGE_MANAGE, EXCHANGE_PUBLISH, EXCHANGE_SUPPLY, Principal
from rainforest.exchange.choices import ApplicationStatus as A
from rainforest.exchange.choices import CallStatus as C
from rainforest.exchange.choices import CapabilityStatus as K
from rainforest.exchange.choices import ProjectStatus as P
from rainforest.exchange.choices import ScenarioStatus as S
from rainforest.exchange.models import Objection
from rainforest.formatting import date_cn, datetime_cn
from rainforest.workflow import Workflow, move

PUBLISHER, OFFICER = "publisher", "officer"
SUPPLIER = "supplier"  # the organisation that offers a capability
APPLICANT = "applicant"  # the organisation that applied to a call
ENTERPRISE = "enterprise"  # the supplier's side of a cooperation project

Outcome = Objection.Outcome


# --- who acts, towards one object ---------------------------------------------------------------


def capacities(actor: Principal, scenario) -> set[str]:
    """In which capacities the actor may act on this scenario (and on its call)."""
    out = set()
    if actor.can(EXCHANGE_MANAGE):
        out.add(OFFICER)
    if actor.can(EXCHANGE_PUBLISH) and (actor.is_system or actor.organisation_id == scenario.publisher_id):
        out.add(PUBLISHER)
    return out


def call_capacities(actor: Principal, call) -> set[str]:
    return capacities(actor, call.scenario)


def capability_capacities(actor: Principal, capability) -> set[str]:
    out = {OFFICER} if actor.can(EXCHANGE_MANAGE) else set()
    if actor.can(EXCHANGE_SUPPLY) and (actor.is_system or actor.organisation_id == capability.organisation_id):
        out.add(SUPPLIER)
    return out


def application_capacities(actor: Principal, application) -> set[str]:
    out = {OFFICER} if actor.can(EXCHANGE_MANAGE) else set()
    org = actor.organisation_id
    if actor.can(EXCHANGE_SUPPLY) and org is not None and org == application.applicant_id:
        out.add(APPLICANT)
    return out


def officer_capacities(actor: Principal, obj=None) -> set[str]:
    return {OFFICER} if actor.can(EXCHANGE_MANAGE) else set()


def project_capacities(actor: Principal, project) -> set[str]:
    """The sides the actor is on: the officer, the publisher, the enterprise."""
    out = set()
    if actor.can(EXCHANGE_MANAGE):
        out.add(OFFICER)
    if actor.can(EXCHANGE_PUBLISH) and actor.organisation_id == project.publisher_id:
        out.add(PUBLISHER)
    if actor.can(EXCHANGE_SUPPLY) and actor.organisation_id == project.enterprise_id:
        out.add(ENTERPRISE)
    return out


# --- a call's window, to the second -------------------------------------------------------------


def second(moment: dt.datetime) -> dt.datetime:
    return moment.replace(microsecond=0)


def accepting(call, now: dt.datetime) -> bool:
    """Open to the second: a submission stamped within the closing second is in time."""
    return call.status == C.OPEN and call.opens_at <= now and second(now) <= call.closes_at


def window_refusal(call, now: dt.datetime) -> str:
    """Why the call takes no submission, edit or withdrawal at ``now`` ("" when it does)."""
    if call.status == C.OPEN and now < call.opens_at:
        return _("The call opens at %(t)s.") % {"t": datetime_cn(call.opens_at)}
    if not accepting(call, now):
        return _("The call closed at %(t)s; submissions after it are refused.") % {"t": datetime_cn(call.closes_at)}
    return ""


# --- guards: what must be true of the object ----------------------------------------------------


def _call_window_open(application) -> str:
    return window_refusal(application.call, timezone.now())


def _deadline_passed(call) -> str:
    if timezone.now() <= call.closes_at + dt.timedelta(seconds=1):
        return _("The call is still open until %(t)s; the review starts after it.") % {"t": datetime_cn(call.closes_at)}
    return ""


def _notice_over(call) -> str:
    notice = call.notices.filter(void=False, finalised_at=None).first()
    if notice is None:
        return _("There is no public notice to finalise.")
    if timezone.localdate() <= notice.ends_on:
        return _("The notice runs until %(d)s; it can be finalised after that.") % {"d": date_cn(notice.ends_on)}
    if notice.objections.filter(outcome=Outcome.PENDING).exists():
        return _("Answer every objection first.")
    return ""


def _milestones_done(project) -> str:
    if project.milestones.filter(done_on=None).exists():
        return _("Every milestone must be done before the landing is confirmed.")
    return ""


# --- the tables ---------------------------------------------------------------------------------

SCENARIO = Workflow(
    "exchange.scenario",
    S,
    [
        move("submit", {S.DRAFT, S.RETURNED}, S.SUBMITTED, {PUBLISHER}),
        move("return", {S.SUBMITTED}, S.RETURNED, {OFFICER}),
        move("approve", {S.SUBMITTED}, S.APPROVED, {OFFICER}),
        # publishing a list publishes its approved scenarios
        move("publish", {S.APPROVED}, S.PUBLISHED, {OFFICER}, internal=True),
        # opening a call, starting its review and finalising its notice move the scenario
        move("open_call", {S.PUBLISHED}, S.CALL_OPEN, {PUBLISHER, OFFICER}, internal=True),
        move("close_call", {S.CALL_OPEN}, S.CALL_CLOSED, {PUBLISHER, OFFICER}, internal=True),
        move("award", {S.CALL_CLOSED}, S.AWARDED, {OFFICER}, internal=True),
        move("close", {S.PUBLISHED, S.AWARDED, S.CALL_CLOSED}, S.CLOSED, {PUBLISHER, OFFICER}),
        move(
            "withdraw",
            {S.DRAFT, S.SUBMITTED, S.RETURNED, S.APPROVED, S.PUBLISHED},
            S.WITHDRAWN,
            {PUBLISHER, OFFICER},
        ),
    ],
)
REASON_REQUIRED = frozenset({"return", "withdraw"})
EDITABLE = frozenset({S.DRAFT, S.RETURNED})

CAPABILITY = Workflow(
    "exchange.capability",
    K,
    [
        move("submit", {K.DRAFT, K.RETURNED}, K.SUBMITTED, {SUPPLIER}),
        move("return", {K.SUBMITTED}, K.RETURNED, {OFFICER}),
        move("approve", {K.SUBMITTED}, K.APPROVED, {OFFICER}),
        move("withdraw", {K.DRAFT, K.SUBMITTED, K.RETURNED, K.APPROVED}, K.WITHDRAWN, {SUPPLIER}),
    ],
)
CAPABILITY_REASON_REQUIRED = frozenset({"return"})

CALL = Workflow(
    "exchange.call",
    C,
    [
        move("start_review", {C.OPEN}, C.REVIEW, {PUBLISHER, OFFICER}, guard=_deadline_passed),
        move("pick", {C.REVIEW}, C.NOTICE, {PUBLISHER, OFFICER}),
        # an upheld objection voids the notice and sends the call back to review
        move("reopen_review", {C.NOTICE}, C.REVIEW, {OFFICER}, internal=True),
        move("finalise", {C.NOTICE}, C.FINAL, {OFFICER}, guard=_notice_over),
    ],
)

APPLICATION = Workflow(
    "exchange.application",
    A,
    [
        move("withdraw", {A.SUBMITTED}, A.WITHDRAWN, {APPLICANT}, guard=_call_window_open),
        # finalising the notice marks every live application
        move("select", {A.SUBMITTED}, A.WINNER, {OFFICER}, internal=True),
        move("not_select", {A.SUBMITTED}, A.NOT_SELECTED, {OFFICER}, internal=True),
    ],
)

OBJECTION = Workflow(
    "exchange.objection",
    Outcome,
    [
        move("dismiss", {Outcome.PENDING}, Outcome.DISMISSED, {OFFICER}),
        move("uphold", {Outcome.PENDING}, Outcome.UPHELD, {OFFICER}),
    ],
    field="outcome",
)

PROJECT = Workflow(
    "exchange.project",
    P,
    [
        move("start_trial", {P.AGREED}, P.TRIAL, {PUBLISHER, ENTERPRISE, OFFICER}),
        move("confirm_landing", {P.AGREED, P.TRIAL}, P.LANDED, {PUBLISHER}, guard=_milestones_done),
        move("accept", {P.LANDED}, P.ACCEPTED, {PUBLISHER, OFFICER}),
        move("scale", {P.ACCEPTED}, P.SCALED, {PUBLISHER, OFFICER}),
        move("terminate", {P.AGREED, P.TRIAL, P.LANDED}, P.TERMINATED, {PUBLISHER, OFFICER}),
    ],
)


def offered(table: Workflow, action: str) -> bool:
    """Whether ``action`` is a move a person may ask for by name (pages, the API): a known move of
    ``table`` that no larger step makes on its own."""
    m = table.by_action.get(action)
    return m is not None and not m.internal
