"""Fund metrics (ILPA-style, shared/fund-reference.md §3.7): MOIC, DPI, RVPI, TVPI and XIRR.

Amounts are Decimal; XIRR is pyxirr's (actual days / 365, as Excel), fed floats at the boundary
and returned as a Decimal rounded to 10 places. No positive flow (a write-off) or no negative one
means the IRR is not meaningful: ``None``, shown as "n/m".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from pyxirr import InvalidPaymentsError, xirr

from rainforest.core.captable.numbers import TEN_DP


@dataclass(frozen=True)
class Multiples:
    paid_in: Decimal
    distributed: Decimal
    residual: Decimal

    def _ratio(self, value: Decimal) -> Decimal | None:
        return None if not self.paid_in else (value / self.paid_in).quantize(Decimal("0.0001"))

    @property
    def dpi(self) -> Decimal | None:
        return self._ratio(self.distributed)

    @property
    def rvpi(self) -> Decimal | None:
        return self._ratio(self.residual)

    @property
    def tvpi(self) -> Decimal | None:
        return self._ratio(self.distributed + self.residual)

    moic = tvpi  # for one company: (proceeds + fair value) ÷ cost


def irr(
    flows: list[tuple[dt.date, Decimal]], *, residual: Decimal = Decimal(0), on: dt.date | None = None
) -> Decimal | None:
    """XIRR of dated flows (negative = paid in), with the residual value as a last inflow on ``on``."""
    points = list(flows)
    if residual and on is not None:
        points.append((on, residual))
    if not any(a > 0 for _d, a in points) or not any(a < 0 for _d, a in points):
        return None
    try:
        rate = xirr([d for d, _a in points], [float(a) for _d, a in points])
    except InvalidPaymentsError:
        return None
    return None if rate is None else Decimal(repr(rate)).quantize(TEN_DP)
