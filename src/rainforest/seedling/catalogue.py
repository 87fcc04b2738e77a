"""The five actions' measures as the rule set states them, and how the platform handles each."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rainforest.core.policy.model import Measure
from rainforest.policy.rules import current_ruleset

# Kinds an enterprise applies for with an amount; in-kind measures with a duration cap (rent)
# are applied for in months; process and unknown measures are shown, never applied for.
MONEY_KINDS = frozenset({"grant", "subsidy", "award"})


@dataclass(frozen=True)
class Entry:
    measure: Measure
    how: str  # "amount", "months", "computed" (interest subsidy), "info" (process / in-kind), "unknown"

    @property
    def cap(self) -> Decimal | None:
        return None if self.measure.amount_cny is None else Decimal(self.measure.amount_cny)


def _how(m: Measure) -> str:
    if m.kind == "unknown":
        return "unknown"
    if m.kind == "subsidy" and "max_rate_points" in m.parameters:
        return "computed"
    if m.kind in MONEY_KINDS and m.amount_cny is not None:
        return "amount"
    if m.kind == "in-kind" and "max_years" in m.parameters:
        return "months"
    return "info"


def catalogue() -> list[Entry]:
    return [Entry(m, _how(m)) for m in current_ruleset().measures]


def entry(measure_id: str) -> Entry | None:
    return next((e for e in catalogue() if e.measure.id == measure_id), None)
