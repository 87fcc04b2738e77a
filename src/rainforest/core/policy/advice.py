"""What an enterprise would need to change to pass a failed criterion, where a number says it."""

from __future__ import annotations

from dataclasses import dataclass

from rainforest.core.policy.fields import RATIOS


@dataclass(frozen=True)
class Advice:
    criterion: str
    field: str  # the column to change
    current: float
    target: float  # the value that would just pass
    direction: str  # "raise" or "lower"


def _target(op: str, threshold: float) -> tuple[float, str] | None:
    if op in (">=", ">"):
        return threshold, "raise"
    if op in ("<=", "<"):
        return threshold, "lower"
    return None


def advise(criterion_id: str, test, value, threshold, latest: dict) -> Advice | None:
    """A single-number change that would make ``test`` pass, or None where no such number exists
    (groups, flags, expert ranges, unpublished criteria)."""
    field = getattr(test, "field", None)
    op = getattr(test, "op", None)
    if field is None or not isinstance(value, int | float) or not isinstance(threshold, int | float):
        return None
    found = _target(op, float(threshold))
    if found is None:
        return None
    target, direction = found
    if field in RATIOS:
        numerator, denominator = RATIOS[field]
        den = latest.get(denominator)
        num = latest.get(numerator)
        if den is None or num is None or float(den) == 0:
            return None
        return Advice(criterion_id, numerator, float(num), target * float(den), direction)
    if field in latest:
        return Advice(criterion_id, field, float(value), target, direction)
    return Advice(criterion_id, field, float(value), target, direction)
