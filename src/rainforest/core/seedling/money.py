"""Money: Decimal yuan end to end, rounded once, at the end, half up to the fen (0.01 yuan)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")


def yuan(value) -> Decimal:
    """An exact amount from user input or a stored value; floats are refused (they are not exact)."""
    if isinstance(value, float):
        raise TypeError("money is never a float")
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return amount


def round_fen(amount: Decimal) -> Decimal:
    """The one rounding step: half up to 0.01 yuan."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)
