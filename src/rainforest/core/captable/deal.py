"""`rainforest fund check DEAL.json`: read a deal, run the round, report compliance.

DEAL.json: {"as_of": date, "company": {facts-schema columns of the latest year},
"holders": [{"name", "shares", optional "city_fund"}], "options_outstanding": n,
"pool_top_up_post_pct": p, optional "pool_unallocated": n, optional "convertibles": [...],
"round": {"pre_money": x, "investors": [{"name", "amount", "is_fund", optional "city_fund"}]}}.
``is_fund`` marks the Seedling fund; ``city_fund`` marks the city's other funds (for the
city-funds criterion). ``pool_top_up_post_pct`` is a fraction (0.10 for 10 %) or, above 1, a
percentage (10 for 10 %).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from rainforest.core.captable.compliance import deal_criteria, verdict
from rainforest.core.captable.conversion import Convertible
from rainforest.core.captable.numbers import dec, exact
from rainforest.core.captable.round import Investor, RoundError, priced_round
from rainforest.core.captable.rules import fund_rules


class DealError(ValueError):
    """The file cannot be checked; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _number(problems, where, value, *, whole=False, positive=False, allow_zero=True):
    try:
        number = exact(value)
    except ValueError:
        problems.append(f"{where}: not a number ({value!r})")
        return None
    if whole and number.denominator != 1:
        problems.append(f"{where}: must be a whole number of shares ({value!r})")
    if number < 0 or (positive and number == 0) or (not allow_zero and number == 0):
        problems.append(
            f"{where}: must be more than zero ({value!r})" if positive else f"{where}: must not be negative ({value!r})"
        )
    return number


def parse(deal: dict):
    problems: list[str] = []
    if not isinstance(deal, dict):
        raise DealError(["the file must hold one JSON object"])
    try:
        as_of = dt.date.fromisoformat(str(deal.get("as_of", "")))
    except ValueError:
        problems.append("as_of: a date such as 2026-11-28 is required")
        as_of = None
    company = deal.get("company")
    if not isinstance(company, dict):
        problems.append("company: an object of facts-schema columns is required")
    holders: dict[str, int] = {}
    city: set[str] = set()
    for i, h in enumerate(deal.get("holders") or []):
        name = str((h or {}).get("name", "")).strip()
        if not name:
            problems.append(f"holders[{i}]: name is required")
            continue
        shares = _number(problems, f"holders[{i}] ({name}).shares", (h or {}).get("shares"), whole=True)
        if shares is not None and shares >= 0 and shares.denominator == 1:
            holders[name] = holders.get(name, 0) + int(shares)
        if h.get("city_fund"):
            city.add(name)
    if not holders:
        problems.append("holders: at least one holder with shares is required")
    options = _number(problems, "options_outstanding", deal.get("options_outstanding", 0), whole=True)
    pool = _number(problems, "pool_unallocated", deal.get("pool_unallocated", 0), whole=True)
    p = _number(problems, "pool_top_up_post_pct", deal.get("pool_top_up_post_pct", 0))
    if p is not None and p >= 1:
        p = p / 100
    if p is not None and p >= 1:
        problems.append("pool_top_up_post_pct: must be below 100 %")
    rnd = deal.get("round") or {}
    pre = _number(problems, "round.pre_money", rnd.get("pre_money"), positive=True)
    investors = []
    for i, inv in enumerate(rnd.get("investors") or []):
        name = str((inv or {}).get("name", "")).strip()
        amount = _number(problems, f"round.investors[{i}].amount", (inv or {}).get("amount"), positive=True)
        if not name:
            problems.append(f"round.investors[{i}]: name is required")
        if name and amount is not None and amount > 0:
            investors.append(Investor(name, amount, bool(inv.get("is_fund")), bool(inv.get("city_fund"))))
            if inv.get("city_fund"):
                city.add(name)
    if not investors:
        problems.append("round.investors: at least one investor is required")
    elif not any(i.is_fund for i in investors):
        problems.append("round.investors: no investor is marked is_fund (the Seedling fund)")
    convertibles = []
    for i, c in enumerate(deal.get("convertibles") or []):
        where = f"convertibles[{i}]"
        amount = _number(problems, f"{where}.amount", c.get("amount"), positive=True)
        cap = None if c.get("cap") in (None, "") else _number(problems, f"{where}.cap", c.get("cap"), positive=True)
        discount = _number(problems, f"{where}.discount", c.get("discount", 0))
        if discount is not None and discount >= 1:
            discount = discount / 100
        issued = None
        if c.get("issued_on"):
            try:
                issued = dt.date.fromisoformat(str(c["issued_on"]))
            except ValueError:
                problems.append(f"{where}.issued_on: not a date")
        if amount and not problems:
            convertibles.append(Convertible(
                holder=str(c.get("holder") or f"convertible {i + 1}"), amount=amount, cap=cap,
                cap_basis=str(c.get("cap_basis", "post")), discount=discount or Fraction(0),
                interest_rate=exact(c.get("interest_rate", 0)), issued_on=issued, kind=str(c.get("kind", "safe")),
            ))  # fmt: skip
    if problems:
        raise DealError(problems)
    return as_of, company, holders, int(options), int(pool), p, pre, investors, convertibles, city


def check(deal: dict, company_criteria) -> dict:
    """The compliance report. ``company_criteria(company, as_of, pre_money)`` returns the policy
    engine's fund_target criteria as dicts (the caller validates the facts)."""
    as_of, company, holders, options, pool, p, pre, investors, convertibles, city = parse(deal)
    try:
        result = priced_round(
            holders=holders, pre_money=pre, investors=investors, options_outstanding=options,
            pool_unallocated=pool, pool_top_up_post_pct=p, convertibles=convertibles, on=as_of,
        )  # fmt: skip
    except (RoundError, ValueError) as exc:
        raise DealError([str(exc)]) from exc
    rules = fund_rules()
    deal_part, figures = deal_criteria(rules, result, investors, city)
    company_part = company_criteria(company, as_of, pre)
    criteria = [c.as_dict() for c in deal_part]
    outcomes = [(c["result"], c["strictness"]) for c in company_part] + [(c.result, c.strictness) for c in deal_part]
    return {
        "verdict": verdict(outcomes),
        "price_per_share": float(dec(result.price_per_share)),
        "post_money": float(dec(result.post_money)),
        "fund_stake": figures["fund_stake"],
        "largest_other_holder": figures["largest_other_holder"],
        "criteria": company_part + criteria,
        "round": {
            "pre_money": float(dec(pre)),
            "new_money": float(dec(result.new_money)),
            "fd_post": result.fd_post,
            "pool_top_up": result.pool_top_up,
            "new_shares": result.new_shares,
            "conversions": result.conversions,
            "table": {
                k: {"units": v, "stake": float(dec(Fraction(v, result.fd_post)))} for k, v in result.table.items()
            },
        },
        "rules": {"fund": f"{rules.id} {rules.version}"},
    }
