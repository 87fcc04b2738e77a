"""A priced round: price per share, new shares, the option-pool top-up, conversions, the table after.

Conventions (shared/fund-reference.md §3.2-3.4):
- PPS = pre-money ÷ FD_pre; FD_pre counts every issued share, outstanding options, the unallocated
  pool, the pool top-up the term sheet asks for before the money, and the converting instruments.
- A top-up to a pool of ``p`` of FD_post is created before the round (it dilutes existing holders
  only): P = p × FD_post − existing pool, none if negative.
- Convertibles price off the round (discount) or their cap, whichever gives more shares; a
  discount-bound convertible inside FD_pre makes PPS and its shares depend on each other, solved
  exactly (linear in 1/PPS once it is known which are cap-bound).
- All arithmetic in fractions; units floored (numbers.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

from rainforest.core.captable.conversion import Convertible, cap_prices
from rainforest.core.captable.numbers import units

POOL = "(unallocated option pool)"
OPTIONS = "(options outstanding)"
NOT_HOLDERS = frozenset({POOL, OPTIONS})


class RoundError(ValueError):
    """A round that does not add up. The message says why in plain English (the CLI prints it);
    ``problems`` holds (code, params) pairs for the platform to word."""

    def __init__(self, problems: list[tuple[str, str, dict]]):
        super().__init__("; ".join(text for _code, text, _params in problems))
        self.problems = [(code, params) for code, _text, params in problems]


@dataclass(frozen=True)
class Investor:
    name: str
    amount: Fraction
    is_fund: bool = False
    city_fund: bool = False


@dataclass
class RoundResult:
    price_per_share: Fraction
    pre_money: Fraction
    new_money: Fraction
    post_money: Fraction  # PPS × FD_post
    pool_top_up: int
    conversions: dict[str, int]
    new_shares: dict[str, int]
    table: dict[str, int]  # holder (or POOL / OPTIONS) -> units after the round
    fd_post: int = 0
    notes: list[str] = field(default_factory=list)

    def stake(self, holder: str) -> Fraction:
        return Fraction(self.table.get(holder, 0), self.fd_post)


def priced_round(
    *,
    holders: dict[str, int],
    pre_money: Fraction,
    investors: list[Investor],
    options_outstanding: int = 0,
    pool_unallocated: int = 0,
    pool_top_up_post_pct: Fraction = Fraction(0),
    convertibles: list[Convertible] = (),
    on: dt.date,
) -> RoundResult:
    _check(holders, pre_money, investors, options_outstanding, pool_unallocated, pool_top_up_post_pct)
    money = sum((i.amount for i in investors), Fraction(0))
    post_value = pre_money + money
    n = Fraction(sum(holders.values()) + options_outstanding)
    e = Fraction(pool_unallocated)
    p = pool_top_up_post_pct
    caps = cap_prices(list(convertibles), n + e, on)
    amounts = [c.converting_amount(on) for c in convertibles]

    # Which convertibles are bound by their cap: start with none, add those whose cap price is
    # below the discount price at the resulting PPS, until nothing changes (monotone: ≤ k steps).
    cap_bound: set[int] = set()
    for _ in range(len(convertibles) + 1):
        pps, top_up = _solve(pre_money, post_value, n, e, p, convertibles, caps, amounts, cap_bound)
        now = {
            i for i, c in enumerate(convertibles)
            if caps[i] is not None and (c.discount == 0 or caps[i] <= pps * (1 - c.discount))
        }  # fmt: skip
        if now == cap_bound:
            break
        cap_bound = now
    conversions: dict[str, int] = {}
    for i, c in enumerate(convertibles):
        price = caps[i] if i in cap_bound else pps * (1 - c.discount)
        conversions[c.holder] = conversions.get(c.holder, 0) + units(amounts[i] / price)
    new_shares: dict[str, int] = {}
    for investor in investors:
        new_shares[investor.name] = new_shares.get(investor.name, 0) + units(investor.amount / pps)
    pool_top_up = units(top_up)
    table = dict(holders)
    for extra in (conversions, new_shares):
        for name, count in extra.items():
            table[name] = table.get(name, 0) + count
    if options_outstanding:
        table[OPTIONS] = options_outstanding
    if pool_unallocated + pool_top_up:
        table[POOL] = pool_unallocated + pool_top_up
    fd_post = sum(table.values())
    return RoundResult(
        price_per_share=pps, pre_money=pre_money, new_money=money, post_money=pps * fd_post,
        pool_top_up=pool_top_up, conversions=conversions, new_shares=new_shares, table=table, fd_post=fd_post,
    )  # fmt: skip


def _solve(pre, post, n, e, p, convertibles, caps, amounts, cap_bound) -> tuple[Fraction, Fraction]:
    """PPS and the pool top-up, given which convertibles are cap-bound.

    With a top-up: FD_pre = N + p·FD_post + C_cap + D/PPS, FD_post = FD_pre·post/pre, so
    PPS·FD_pre = pre gives PPS = (pre − p·post − D) / (N + C_cap). Without: FD_pre = N + E + C_cap + D/PPS,
    PPS = (pre − D) / (N + E + C_cap). D = Σ discount-bound amount ÷ (1 − discount)."""
    fixed = sum((amounts[i] / caps[i] for i in cap_bound), Fraction(0))
    discounted = sum(
        (amounts[i] / (1 - c.discount) for i, c in enumerate(convertibles) if i not in cap_bound), Fraction(0)
    )
    if p:
        denominator = n + fixed
        pps = (pre - p * post - discounted) / denominator if denominator else Fraction(0)
        if pps > 0:
            fd_post = (pre / pps) * post / pre
            top_up = p * fd_post - e
            if top_up >= 0:
                return pps, top_up
    denominator = n + e + fixed
    if denominator <= 0 or pre - discounted <= 0:
        raise RoundError([("pre_money_short", "the pre-money valuation does not cover the converting instruments", {})])
    return (pre - discounted) / denominator, Fraction(0)


def _check(holders, pre_money, investors, options, pool, p) -> None:
    problems = []
    if pre_money <= 0:
        problems.append(("pre_money", "the pre-money valuation must be more than zero", {}))
    for name, count in holders.items():
        if not name or name in NOT_HOLDERS:
            problems.append(("holder_name", f"holder name {name!r} is not allowed", {"name": name}))
        if count < 0 or int(count) != count:
            problems.append(
                ("shares", f"{name}: shares must be a whole number, zero or more (got {count})", {"name": name})
            )
    if sum(holders.values()) + options <= 0:
        problems.append(("no_shares", "there are no shares before the round", {}))
    for investor in investors:
        if investor.amount <= 0:
            problems.append(("amount", f"{investor.name}: the amount must be more than zero", {"name": investor.name}))
    if options < 0 or pool < 0:
        problems.append(("pool", "options and pool must be zero or more", {}))
    if not 0 <= p < 1:
        problems.append(("pool_pct", "the pool top-up must be a fraction between 0 and 1", {}))
    if not investors:
        problems.append(("no_investor", "the round has no investor", {}))
    if problems:
        raise RoundError(problems)
