"""The good seedlings' loan-interest subsidy (RM-M03c), computed from loan records.

Reading used (policy-spec §2.5 gives the two numbers, grade A, and leaves the shape open, grade D):

    subsidy(year) = min(cap, Σ over loans of principal × min(loan rate, max points) × days / 365)

- ``days``: the days of the loan's period [start, end) that fall in the calendar year — actual
  days over a fixed 365 (actual/365 fixed), in leap years too, as Chinese bank interest is
  usually quoted. The day of drawdown counts, the day of repayment does not.
- ``principal``: constant within one record; an amortising loan is recorded as one record per
  period of constant principal outstanding.
- The subsidised rate never exceeds the loan's own rate, so the subsidy never exceeds the interest.
- The cap is per enterprise per calendar year, across all its loans and applications.
- Exact decimals throughout; rounded once, at the end, half up to the fen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from rainforest.core.seedling.money import round_fen

DAYS_IN_YEAR = Decimal(365)


@dataclass(frozen=True)
class Loan:
    reference: str
    principal: Decimal
    annual_rate: Decimal  # 0.0385 for 3.85 %
    start: dt.date
    end: dt.date  # repayment date (not counted)


@dataclass(frozen=True)
class LoanLine:
    reference: str
    days: int
    rate: Decimal  # the subsidised rate: min(loan rate, max points)
    amount: Decimal  # unrounded


@dataclass(frozen=True)
class Subsidy:
    year: int
    lines: tuple[LoanLine, ...]
    uncapped: Decimal  # rounded
    amount: Decimal  # rounded, capped
    capped: bool


def days_in(loan: Loan, year: int) -> int:
    start = max(loan.start, dt.date(year, 1, 1))
    end = min(loan.end, dt.date(year + 1, 1, 1))
    return max(0, (end - start).days)


def interest_subsidy(loans: list[Loan], year: int, *, max_rate: Decimal, cap: Decimal) -> Subsidy:
    lines = []
    for loan in loans:
        if loan.principal <= 0 or loan.annual_rate < 0 or loan.end <= loan.start:
            raise ValueError(f"loan {loan.reference}: principal, rate or dates do not add up")
        days = days_in(loan, year)
        if days == 0:
            continue
        rate = min(loan.annual_rate, max_rate)
        lines.append(LoanLine(loan.reference, days, rate, loan.principal * rate * days / DAYS_IN_YEAR))
    total = sum((line.amount for line in lines), Decimal(0))
    return Subsidy(year, tuple(lines), round_fen(total), round_fen(min(total, cap)), total > cap)
