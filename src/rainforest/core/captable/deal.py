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
from decimal import Decimal
from fractions import Fraction

from rainforest.core.captable.compliance import deal_criteria, verdict
from rainforest.core.captable.conversion import Convertible
from rainforest.core.captable.numbers import dec, exact
from rainforest.core.captable.problems import shown
from rainforest.core.captable.round import Investor, RoundError, priced_round
from rainforest.core.captable.rules import fund_rules

MAX_UNITS = 10**15  # shares or yuan of registered capital: far above any company, inside a BigIntegerField
MAX_MONEY = 10**16  # yuan: the registry's money limit
MAX_DECIMALS = 20  # a float such as 1/3 has 16 or 17; 1e-999999 would be a million-digit fraction
MAX_NUMBER_TEXT = 40
MAX_NAME = 200  # a holder's name as the cap table stores it
SCALARS = (str, int, float, bool, type(None))


class DealError(ValueError):
    """The file cannot be checked; ``problems`` lists every reason. :func:`parse` and
    :func:`check` raise nothing else for any JSON value, however wrong its shape."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _number(problems, where, value, *, whole=False, positive=False, allow_zero=True, limit=MAX_MONEY):
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        problems.append(f"{where}: not a number ({shown(value)})")
        return None
    if isinstance(value, int):
        if abs(value) > limit:
            problems.append(f"{where}: too large, at most {limit:,} ({shown(value)})")
            return None
    elif isinstance(value, str) and len(value.strip()) > MAX_NUMBER_TEXT:
        problems.append(f"{where}: not a number of at most {MAX_NUMBER_TEXT} characters ({shown(value)})")
        return None
    else:
        try:
            written = Decimal(repr(value) if isinstance(value, float) else value.strip())
        except (ArithmeticError, ValueError):
            problems.append(f"{where}: not a number ({shown(value)})")
            return None
        if not written.is_finite():
            problems.append(f"{where}: not a number ({shown(value)})")
            return None
        if abs(written) > limit:
            problems.append(f"{where}: too large, at most {limit:,} ({shown(value)})")
            return None
        if written.as_tuple().exponent < -MAX_DECIMALS:
            problems.append(f"{where}: more than {MAX_DECIMALS} decimals ({shown(value)})")
            return None
    number = exact(value)
    if whole and number.denominator != 1:
        problems.append(f"{where}: must be a whole number of shares ({shown(value)})")
    if number < 0 or (positive and number == 0) or (not allow_zero and number == 0):
        problems.append(
            f"{where}: must be more than zero ({shown(value)})"
            if positive
            else f"{where}: must not be negative ({shown(value)})"
        )
    return number


def _objects(problems, where, value) -> list[tuple[int, dict]]:
    """The objects of a list (absent or null: none); every other shape is a problem."""
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(f"{where}: a list of objects is required, not {shown(value)}")
        return []
    out = []
    for i, item in enumerate(value):
        if isinstance(item, dict):
            out.append((i, item))
        else:
            problems.append(f"{where}[{i}]: an object is required, not {shown(item)}")
    return out


def _name(problems, where, value) -> str:
    if value is None or value == "":
        problems.append(f"{where}: name is required")
        return ""
    if not isinstance(value, str):
        problems.append(f"{where}: name must be text, not {shown(value)}")
        return ""
    name = value.strip()
    if not name:
        problems.append(f"{where}: name is required")
    elif len(name) > MAX_NAME:
        problems.append(f"{where}: name is longer than {MAX_NAME} characters")
        return ""
    return name


def _date(problems, where, value, required_text) -> dt.date | None:
    if isinstance(value, str) and len(value) <= 40:
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    problems.append(f"{where}: {required_text}")
    return None


def _company(problems, value):
    if not isinstance(value, dict):
        problems.append("company: an object of facts-schema columns is required")
        return value
    for key, cell in value.items():
        # Cells are scalars; `industries` may be a list of codes. Nothing nested is read further.
        if isinstance(cell, list) and all(isinstance(v, str) for v in cell):
            continue
        if not isinstance(cell, SCALARS):
            problems.append(f"company.{key}: a single value is required, not {shown(cell)}")
    return value


def parse(deal: dict):
    problems: list[str] = []
    if not isinstance(deal, dict):
        raise DealError(["the file must hold one JSON object"])
    as_of = _date(problems, "as_of", deal.get("as_of"), "a date such as 2026-11-28 is required")
    company = _company(problems, deal.get("company"))
    holders: dict[str, int] = {}
    city: set[str] = set()
    for i, h in _objects(problems, "holders", deal.get("holders")):
        name = _name(problems, f"holders[{i}]", h.get("name"))
        if not name:
            continue
        shares = _number(problems, f"holders[{i}] ({name}).shares", h.get("shares"), whole=True, limit=MAX_UNITS)
        if shares is not None and shares >= 0 and shares.denominator == 1:
            holders[name] = holders.get(name, 0) + int(shares)
        if h.get("city_fund"):
            city.add(name)
    if sum(holders.values()) > MAX_UNITS:
        problems.append(f"holders: more than {MAX_UNITS:,} shares in all")
    if not holders:
        problems.append("holders: at least one holder with shares is required")
    options = _number(problems, "options_outstanding", deal.get("options_outstanding", 0), whole=True, limit=MAX_UNITS)
    pool = _number(problems, "pool_unallocated", deal.get("pool_unallocated", 0), whole=True, limit=MAX_UNITS)
    p = _number(problems, "pool_top_up_post_pct", deal.get("pool_top_up_post_pct", 0), limit=100)
    if p is not None and p >= 1:
        p = p / 100
    if p is not None and p >= 1:
        problems.append("pool_top_up_post_pct: must be below 100 %")
    rnd = deal.get("round")
    if rnd is None:
        rnd = {}
    elif not isinstance(rnd, dict):
        problems.append(f"round: an object with pre_money and investors is required, not {shown(rnd)}")
        rnd = {}
    pre = _number(problems, "round.pre_money", rnd.get("pre_money"), positive=True)
    investors = []
    for i, inv in _objects(problems, "round.investors", rnd.get("investors")):
        amount = _number(problems, f"round.investors[{i}].amount", inv.get("amount"), positive=True)
        name = _name(problems, f"round.investors[{i}]", inv.get("name"))
        if name and amount is not None and amount > 0:
            investors.append(Investor(name, amount, bool(inv.get("is_fund")), bool(inv.get("city_fund"))))
            if inv.get("city_fund"):
                city.add(name)
    if not investors:
        problems.append("round.investors: at least one investor is required")
    elif not any(i.is_fund for i in investors):
        problems.append("round.investors: no investor is marked is_fund (the Seedling fund)")
    convertibles = []
    for i, c in _objects(problems, "convertibles", deal.get("convertibles")):
        where = f"convertibles[{i}]"
        amount = _number(problems, f"{where}.amount", c.get("amount"), positive=True)
        cap = None if c.get("cap") in (None, "") else _number(problems, f"{where}.cap", c.get("cap"), positive=True)
        discount = _number(problems, f"{where}.discount", c.get("discount", 0), limit=100)
        if discount is not None and discount >= 1:
            discount = discount / 100
        if discount is not None and discount >= 1:
            problems.append(f"{where}.discount: must be below 100 %")
        rate = _number(problems, f"{where}.interest_rate", c.get("interest_rate", 0), limit=1)
        issued = None
        if c.get("issued_on"):
            issued = _date(problems, f"{where}.issued_on", c["issued_on"], "not a date")
        holder = c.get("holder") or f"convertible {i + 1}"
        if not isinstance(holder, str) or len(holder) > MAX_NAME:
            problems.append(f"{where}.holder: a name of at most {MAX_NAME} characters is required")
        basis, kind = c.get("cap_basis", "post"), c.get("kind", "safe")
        if basis not in ("post", "pre"):
            problems.append(f"{where}.cap_basis: post or pre, not {shown(basis)}")
        if kind not in ("safe", "note"):
            problems.append(f"{where}.kind: safe or note, not {shown(kind)}")
        if amount and not problems:
            convertibles.append(Convertible(
                holder=holder.strip(), amount=amount, cap=cap, cap_basis=basis, discount=discount or Fraction(0),
                interest_rate=rate or Fraction(0), issued_on=issued, kind=kind,
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
    except (RoundError, ValueError, ArithmeticError) as exc:
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
