"""The fund's rules on one deal: the company (the policy engine's `fund_target` tier) and the deal
itself on the post-round fully diluted table (rules/fund.yaml). Every criterion names its value,
its threshold and its source. Verdict: a hard failure -> ineligible; a presumptive failure (the
ticket; the city's funds together) or anything undecidable -> review; else eligible."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from rainforest.core.captable.numbers import dec
from rainforest.core.captable.round import NOT_HOLDERS, Investor, RoundResult
from rainforest.core.captable.rules import FundRules


@dataclass(frozen=True)
class Criterion:
    id: str
    title: dict
    result: str  # pass | fail | unknown
    value: object
    threshold: object
    strictness: str
    source: str
    note: str = ""

    def as_dict(self) -> dict:
        out = {"id": self.id, "title": self.title, "result": self.result, "value": self.value,
               "threshold": self.threshold, "strictness": self.strictness, "source": self.source}  # fmt: skip
        if self.note:
            out["note"] = self.note
        return out


def verdict(outcomes: list[tuple[str, str]]) -> str:
    """From (result, strictness) pairs of every criterion, the company's and the deal's."""
    if any(result == "fail" and strictness == "hard" for result, strictness in outcomes):
        return "ineligible"
    if any(result != "pass" for result, _strictness in outcomes):
        return "review"
    return "eligible"


def holdings(result: RoundResult, investors: list[Investor], fund_names: set[str]) -> tuple[int, dict[str, int]]:
    """The fund's units (its investors' names together, earlier holdings included) and every other
    holder's. The pool and outstanding options are not holders."""
    fund = sum(result.table.get(name, 0) for name in fund_names)
    others = {k: v for k, v in result.table.items() if k not in fund_names and k not in NOT_HOLDERS}
    return fund, others


def deal_criteria(
    rules: FundRules, result: RoundResult, investors: list[Investor], city_holders: set[str], fund_names=frozenset()
) -> tuple[list[Criterion], dict]:
    """``fund_names``: names under which the fund already holds units (a later round it may not join)."""
    fund_names = {i.name for i in investors if i.is_fund} | set(fund_names)
    ticket = sum((i.amount for i in investors if i.is_fund), Fraction(0))
    fund_units, others = holdings(result, investors, fund_names)
    stake = Fraction(fund_units, result.fd_post)
    largest_name, largest_units = max(others.items(), key=lambda kv: (kv[1], kv[0]), default=("", 0))
    r = rules.deal
    out = []
    t = r["FUND-TICKET"]
    over = "" if ticket <= t.limit else "over the ticket in principle: needs the committee's recorded override"
    out.append(Criterion(t.id, t.title, "pass" if ticket <= t.limit else "fail", float(dec(ticket)), float(t.limit),
                         t.strictness, t.source, over))  # fmt: skip
    s = r["FUND-STAKE"]
    out.append(Criterion(s.id, s.title, "pass" if stake <= s.limit else "fail", float(dec(stake)), float(s.limit),
                         s.strictness, s.source))  # fmt: skip
    n = r["FUND-NOT-LARGEST"]
    basis = "fully diluted after the round; the unallocated pool and options are not a holder"
    out.append(Criterion(n.id, n.title, "pass" if fund_units < largest_units else "fail", fund_units,
                         {"holder": largest_name, "units": largest_units}, n.strictness, n.source, basis))  # fmt: skip
    c = r["FUND-CITY-FUNDS"]
    city = fund_units + sum(v for k, v in others.items() if k in city_holders)
    private = {k: v for k, v in others.items() if k not in city_holders}
    top_private = max(private.values(), default=0)
    out.append(Criterion(c.id, c.title, "pass" if city < top_private else "fail", city,
                         {"largest_private_units": top_private}, c.strictness, c.source,
                         "the Seedling fund plus holders marked as city funds"))  # fmt: skip
    largest = {"name": largest_name, "stake": float(dec(Fraction(largest_units, result.fd_post)))}
    return out, {"fund_stake": float(dec(stake)), "largest_other_holder": largest, "fund_units": fund_units}
