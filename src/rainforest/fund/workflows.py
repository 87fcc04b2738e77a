"""The deal's workflow as a table (rainforest.workflow): sourced → screening → diligence →
committee → term sheet → closing → post-investment → exited or written off; declined from any
stage before closing. Guards say what must be true of the deal first."""

from __future__ import annotations

from django.utils.translation import gettext as _

from rainforest.accounts.permissions import FUND_MANAGE, Principal
from rainforest.fund.choices import Stage as S
from rainforest.workflow import Workflow, move

MANAGER = "manager"


def capacities(actor: Principal, deal=None) -> set[str]:
    return {MANAGER} if actor.can(FUND_MANAGE) else set()


def _diligence_done(deal) -> str:
    missing = [item for item, state in deal.checklist.items() if not state.get("done")]
    return _("Due diligence is not complete: %(items)s.") % {"items": "、".join(missing)} if missing else ""


def _committee_approved(deal) -> str:
    if deal.rounds.filter(meeting__decision="approved").exists():
        return ""
    return _("The investment committee has not approved a round of this deal.")


def _closing_recorded(deal) -> str:
    return "" if deal.rounds.filter(recorded=True).exists() else _("Record the closing round on the cap table first.")


BEFORE_CLOSING = {S.SOURCED, S.SCREENING, S.DILIGENCE, S.COMMITTEE, S.TERM_SHEET}

DEAL = Workflow(
    "fund.deal",
    S,
    [
        move("screen", {S.SOURCED}, S.SCREENING, {MANAGER}),
        move("diligence", {S.SCREENING}, S.DILIGENCE, {MANAGER}),
        move("committee", {S.DILIGENCE}, S.COMMITTEE, {MANAGER}, guard=_diligence_done),
        move("term_sheet", {S.COMMITTEE}, S.TERM_SHEET, {MANAGER}, guard=_committee_approved),
        move("closing", {S.TERM_SHEET}, S.CLOSING, {MANAGER}),
        move("portfolio", {S.CLOSING}, S.PORTFOLIO, {MANAGER}, guard=_closing_recorded),
        move("exit", {S.PORTFOLIO}, S.EXITED, {MANAGER}),
        move("write_off", {S.PORTFOLIO}, S.WRITTEN_OFF, {MANAGER}),
        move("decline", BEFORE_CLOSING, S.DECLINED, {MANAGER}),
    ],
    field="stage",
)
# Moves that end or reverse an investment decision must say why.
REASON_REQUIRED = frozenset({"decline", "write_off", "exit"})
