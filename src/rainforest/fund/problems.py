"""Cap-table refusals from core/captable (codes and parameters) in the user's language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from rainforest.core.captable.round import RoundError
from rainforest.core.captable.table import TableError


def _text(code: str, params: dict) -> str:
    messages = {
        "more_than_held": _("%(on)s: %(holder)s holds %(held)s units, fewer than the %(units)s asked for."),
        "not_positive": _("%(on)s: the number of units must be more than zero."),
        "needs_holder": _("%(on)s: this change needs a holder."),
        "needs_buyer": _("%(on)s: a transfer needs a buyer."),
        "unknown_event": _("%(on)s: unknown kind of change."),
        "pre_money_short": _("The pre-money valuation does not cover the converting instruments."),
        "pre_money": _("The pre-money valuation must be more than zero."),
        "holder_name": _("The holder name %(name)s is not allowed."),
        "shares": _("%(name)s: shares must be a whole number, zero or more."),
        "no_shares": _("There are no shares before the round: record the table first."),
        "amount": _("%(name)s: the amount must be more than zero."),
        "pool": _("Options and the pool must be zero or more."),
        "pool_pct": _("The option pool after the round must be between 0 and 100 %."),
        "no_investor": _("The round has no investor."),
    }
    return messages.get(code, code) % params if code in messages else code


def worded(error: TableError | RoundError) -> list[str]:
    if isinstance(error, TableError):
        return [_text(error.code, error.params)]
    return [_text(code, params) for code, params in error.problems]
