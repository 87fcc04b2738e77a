"""Numbers: exact fractions inside, whole units out, ten decimals at the edge.

- Computation uses ``fractions.Fraction``: no rounding happens until a result leaves the module.
- Shares (or yuan of registered capital — one yuan is one unit) are whole units, floored: new
  shares, conversion shares and a pool top-up are rounded down, never up (SAFE practice).
- Prices and fractions leave as ``Decimal`` rounded half-up to 10 decimals (OCF's Numeric
  precision); money to the fen.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

TEN_DP = Decimal("0.0000000001")
FEN = Decimal("0.01")


def exact(value) -> Fraction:
    """A number from JSON or a form, exactly: floats are read from their shortest decimal form."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a number: {value!r}")
        value = repr(value)
    try:
        return Fraction(Decimal(str(value).strip()))
    except (ArithmeticError, ValueError) as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def units(value: Fraction) -> int:
    return math.floor(value)


def dec(value: Fraction, quantum: Decimal = TEN_DP) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(quantum, rounding=ROUND_HALF_UP)
