"""Conflicts of interest between an expert and an organisation, as every programme sees them.

An expert judging for the exchange's calls or the good-seedling selection must not judge an
organisation they are tied to. What counts as a tie is known by the app that holds it (a
cooperation project in the exchange, a part in the Seedling fund's investment), so each app
registers its check when it starts, and any panel asks `ties` without importing those apps: the
panels stay below the programmes they draw on.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from rainforest.accounts.models import Membership, Organisation

# (expert, the expert's organisation ids, the organisation judged) -> the reason, or "" for none.
TieCheck = Callable[[object, set[int], Organisation], str]
_CHECKS: list[TieCheck] = []


def register(check: TieCheck) -> TieCheck:
    if check not in _CHECKS:
        _CHECKS.append(check)
    return check


def own_organisations(expert) -> set[int]:
    return set(Membership.objects.filter(user=expert).values_list("organisation_id", flat=True))


def tie(expert, organisation: Organisation, own: set[int] | None = None) -> str:
    """The first reason this expert may not judge ``organisation`` ("" when the platform sees
    none): they work for it, or a registered check finds a tie."""
    own = own_organisations(expert) if own is None else own
    if organisation.pk in own:
        return _("works for %(org)s") % {"org": organisation.name}
    for check in _CHECKS:
        reason = check(expert, own, organisation)
        if reason:
            return reason
    return ""
