"""The scenario lifecycle as an explicit table: action -> (from states, to state, who)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from rainforest.accounts.permissions import EXCHANGE_MANAGE, EXCHANGE_PUBLISH, Principal
from rainforest.exchange.choices import ScenarioStatus as S

PUBLISHER, OFFICER = "publisher", "officer"

SCENARIO_MOVES: dict[str, tuple[frozenset[str], str, frozenset[str]]] = {
    "submit": (frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED, frozenset({PUBLISHER})),
    "return": (frozenset({S.SUBMITTED}), S.RETURNED, frozenset({OFFICER})),
    "approve": (frozenset({S.SUBMITTED}), S.APPROVED, frozenset({OFFICER})),
    "publish": (frozenset({S.APPROVED}), S.PUBLISHED, frozenset({OFFICER})),
    "open_call": (frozenset({S.PUBLISHED}), S.CALL_OPEN, frozenset({PUBLISHER, OFFICER})),
    "close_call": (frozenset({S.CALL_OPEN}), S.CALL_CLOSED, frozenset({PUBLISHER, OFFICER})),
    "award": (frozenset({S.CALL_CLOSED}), S.AWARDED, frozenset({OFFICER})),
    "close": (frozenset({S.PUBLISHED, S.AWARDED, S.CALL_CLOSED}), S.CLOSED, frozenset({PUBLISHER, OFFICER})),
    "withdraw": (
        frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED, S.APPROVED, S.PUBLISHED}),
        S.WITHDRAWN,
        frozenset({PUBLISHER, OFFICER}),
    ),
}
REASON_REQUIRED = frozenset({"return", "withdraw"})
EDITABLE = frozenset({S.DRAFT, S.RETURNED})


def capacities(actor: Principal, scenario) -> set[str]:
    """In which capacities the actor may act on this scenario."""
    out = set()
    if actor.can(EXCHANGE_MANAGE):
        out.add(OFFICER)
    if actor.can(EXCHANGE_PUBLISH) and (actor.is_system or actor.organisation_id == scenario.publisher_id):
        out.add(PUBLISHER)
    return out


def check_move(actor: Principal, scenario, action: str) -> str:
    """The target state of ``action``, or an error saying why the move is not allowed."""
    if action not in SCENARIO_MOVES:
        raise ValidationError(_("Unknown action."))
    sources, target, who = SCENARIO_MOVES[action]
    if not (capacities(actor, scenario) & who):
        raise PermissionDenied(action)
    if scenario.status not in sources:
        raise ValidationError(
            _("This scenario is %(state)s; it cannot be moved that way now.") % {"state": scenario.get_status_display()}
        )
    return target


def apply_move(scenario, action: str) -> None:
    """Move a scenario along the table as part of a larger step whose service checked the actor
    (opening a call, starting review, finalising awards, publishing a list)."""
    sources, target, _who = SCENARIO_MOVES[action]
    if scenario.status not in sources:
        raise ValidationError(
            _("This scenario is %(state)s; it cannot be moved that way now.") % {"state": scenario.get_status_display()}
        )
    scenario.status = target
    scenario.save(update_fields=["status", "updated_at"])


def allowed_actions(actor: Principal, scenario) -> list[str]:
    mine = capacities(actor, scenario)
    return [
        a
        for a, (src, _t, who) in SCENARIO_MOVES.items()
        if scenario.status in src and mine & who and a not in ("publish", "open_call", "award", "close_call")
    ]
