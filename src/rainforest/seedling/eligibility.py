"""What the policy engine and the registry say about one enterprise, for the programme."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from rainforest.audit.trail import jsonable
from rainforest.core.policy.evaluate import NOT_IN_FORCE, evaluate
from rainforest.policy.rules import current_ruleset
from rainforest.policy.selectors import enterprise_rows
from rainforest.registry.models import Enterprise, Recognition


def tier_results(enterprise: Enterprise, as_of: dt.date) -> dict:
    """The engine's result for every tier, on the enterprise's registry facts."""
    return evaluate(
        current_ruleset(),
        uscc=enterprise.organisation.uscc,
        name=enterprise.organisation.name,
        founded_on=enterprise.founded_on,
        rows=enterprise_rows(enterprise),
        as_of=as_of,
    )


def in_force(enterprise: Enterprise, on: dt.date):
    """Recognitions in force on ``on``: awarded that year or earlier, not expired."""
    return (
        Recognition.objects.filter(enterprise=enterprise, year__lte=on.year)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
    )


def recognised(enterprise: Enterprise, on: dt.date) -> set[str]:
    return set(in_force(enterprise, on).values_list("kind", flat=True))


def snapshot(result) -> dict:
    """A tier result as JSON, kept with a candidacy so later rule changes never rewrite it."""
    return jsonable({"tier": result.tier, **result.as_dict()})


# Programmes above this one that may put a company in companion support without the good-seedling
# recognition (the fund's portfolio, RF-19) register a check here when they start.
_ALSO_ACCOMPANIED: list = []


def register_also_accompanied(check) -> None:
    if check not in _ALSO_ACCOMPANIED:
        _ALSO_ACCOMPANIED.append(check)


def also_accompanied(enterprise: Enterprise) -> bool:
    """RF-19: a company another programme holds (the fund's portfolio) that meets the good-seedling
    conditions may be managed as one: the engine's verdict must not be ineligible, nor
    not_in_force (before 2025-11-29 there were no good seedlings to be managed as)."""
    if not any(check(enterprise) for check in _ALSO_ACCOMPANIED):
        return False
    from django.utils import timezone

    return tier_results(enterprise, timezone.localdate())["good_seedling"].verdict not in ("ineligible", NOT_IN_FORCE)
