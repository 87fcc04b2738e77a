"""The Seedling programme's workflows as tables (rainforest.workflow): the selection round (open →
expert review → approved → published), its candidacies (selected or not when the round is
approved), measure applications (submitted → approved or refused; approved → paid) and companion
needs (open → resolved).

Who moves is said in capacities: "officer" (SEEDLING_MANAGE), "enterprise" (SEEDLING_APPLY, for the
staff of the enterprise the record belongs to) and "expert" (SEEDLING_REVIEW, on the round's panel).
A refusal for the wrong state keeps the programme's own words (``refusals``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from rainforest.accounts.permissions import SEEDLING_APPLY, SEEDLING_MANAGE, SEEDLING_REVIEW, Principal
from rainforest.seedling.choices import ApplicationStatus as A
from rainforest.seedling.choices import CandidacyStatus as C
from rainforest.seedling.choices import NeedStatus as N
from rainforest.seedling.choices import RoundStatus as R
from rainforest.seedling.models import PanelMember, Score, SelectionRound
from rainforest.workflow import Move, Workflow, move

OFFICER = "officer"
ENTERPRISE = "enterprise"
EXPERT = "expert"


class Table(Workflow):
    """A workflow table whose refusal for a move from the wrong state may be the programme's own
    message (``refusals``: action -> text, with ``%(status)s`` for the state's label)."""

    def __init__(self, name, choices, moves, *, refusals=None, field="status"):
        self.refusals = dict(refusals or {})
        super().__init__(name, choices, moves, field=field)

    def check_state(self, obj, m: Move) -> None:
        if self.state(obj) not in m.sources and m.action in self.refusals:
            label = self.choices(self.state(obj)).label
            raise ValidationError(str(self.refusals[m.action]) % {"status": label})
        super().check_state(obj, m)


def _enterprise_of(obj):
    """The enterprise a record belongs to (a candidacy, an application or a need), if any."""
    return getattr(obj, "enterprise", None)


def capacities(actor: Principal | None, obj=None) -> set[str]:
    """What ``actor`` may do towards ``obj`` (a round, candidacy, application or need)."""
    if actor is None:
        return set()
    held = set()
    if actor.can(SEEDLING_MANAGE):
        held.add(OFFICER)
    enterprise = _enterprise_of(obj)
    if actor.can(SEEDLING_APPLY) and enterprise is not None and enterprise.organisation_id == actor.organisation_id:
        held.add(ENTERPRISE)
    if actor.can(SEEDLING_REVIEW) and obj is not None:
        selection_id = obj.pk if isinstance(obj, SelectionRound) else getattr(obj, "round_id", None)
        if selection_id and PanelMember.objects.filter(round_id=selection_id, expert=actor.user).exists():
            held.add(EXPERT)
    return held


def _scored(selection) -> str:
    if Score.objects.filter(candidacy__round=selection, candidacy__status=C.CANDIDATE).exists():
        return ""
    return _("No candidate has been scored yet.")


ROUND_NOT_NOW = _("The round is %(status)s; this cannot be done now.")

ROUND = Table(
    "seedling.round",
    R,
    [
        move("close", {R.OPEN}, R.REVIEW, {OFFICER}),
        move("approve", {R.REVIEW}, R.APPROVED, {OFFICER}, guard=_scored),
        move("publish", {R.APPROVED}, R.PUBLISHED, {OFFICER}),
    ],
    refusals={"close": ROUND_NOT_NOW, "approve": ROUND_NOT_NOW, "publish": ROUND_NOT_NOW},
)

# Made by the round's approval, for every live candidate at once (rounds.round_approve).
CANDIDACY = Table(
    "seedling.candidacy",
    C,
    [
        move("select", {C.CANDIDATE}, C.SELECTED, {OFFICER}, internal=True),
        move("not_select", {C.CANDIDATE}, C.NOT_SELECTED, {OFFICER}, internal=True),
    ],
)

DECIDED = _("This application has already been decided (%(status)s).")

APPLICATION = Table(
    "seedling.application",
    A,
    [
        move("approve", {A.SUBMITTED}, A.APPROVED, {OFFICER}),
        move("refuse", {A.SUBMITTED}, A.REFUSED, {OFFICER}),
        move("pay", {A.APPROVED}, A.DISBURSED, {OFFICER}),
    ],
    refusals={
        "approve": DECIDED,
        "refuse": DECIDED,
        "pay": _("Only an approved application not yet paid can be paid."),
    },
)

NEED = Table(
    "seedling.need",
    N,
    [move("resolve", {N.OPEN}, N.RESOLVED, {OFFICER})],
    refusals={"resolve": _("This need is already resolved.")},
)
