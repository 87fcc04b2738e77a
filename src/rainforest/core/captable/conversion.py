"""Convertibles at a priced round: SAFEs (post- or pre-money cap, discount) and convertible notes.

Conversion price = the lower of the cap price and the round price × (1 − discount); shares =
converting amount ÷ conversion price, floored. Cap price: for a post-money SAFE, cap ÷ company
capitalisation, where capitalisation counts every share and option before the round plus all
post-money SAFEs' own shares (N ÷ (1 − Σ amount/cap)) but not the pool top-up or the new money
(YC post-money safe); for a pre-money SAFE, cap ÷ the fully diluted count before the round. A
note converts principal plus simple interest on actual days over 365.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Convertible:
    holder: str
    amount: Fraction  # purchase amount or note principal
    cap: Fraction | None = None
    cap_basis: str = "post"  # "post" (YC post-money SAFE) or "pre"
    discount: Fraction = Fraction(0)  # 0.2 for 20 %
    interest_rate: Fraction = Fraction(0)  # notes: simple yearly rate
    issued_on: dt.date | None = None
    kind: str = "safe"  # "safe" or "note"

    def converting_amount(self, on: dt.date) -> Fraction:
        if self.kind != "note" or not self.interest_rate or self.issued_on is None:
            return self.amount
        days = max(0, (on - self.issued_on).days)
        return self.amount + self.amount * self.interest_rate * days / 365


def cap_prices(convertibles: list[Convertible], fd_before: Fraction, on: dt.date) -> list[Fraction | None]:
    post = [c for c in convertibles if c.cap is not None and c.cap_basis == "post"]
    share_of_post = sum((c.converting_amount(on) / c.cap for c in post), Fraction(0))
    if share_of_post >= 1:
        raise ValueError("post-money SAFEs would own 100% or more of the company")
    capitalisation = fd_before / (1 - share_of_post)
    out = []
    for c in convertibles:
        if c.cap is None:
            out.append(None)
        elif c.cap_basis == "post":
            out.append(c.cap / capitalisation)
        else:
            out.append(c.cap / fd_before)
    return out
