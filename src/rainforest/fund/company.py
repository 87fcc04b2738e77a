"""The company side of a deal: its facts validated as the registry would, then the policy engine's
`fund_target` tier at the closing date."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from rainforest.core.facts.validate import validate_rows
from rainforest.core.policy.evaluate import NOT_IN_FORCE, evaluate
from rainforest.policy.rules import current_ruleset
from rainforest.registry.problems import problem_message


class CompanyFactsInvalid(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def company_criteria(company: dict, as_of: dt.date, pre_money: Fraction) -> list[dict]:
    """RF-07..RF-10b for the company. RF-08's valuation is the round's pre-money: the valuation the
    fund invests at, not an older post-money in the facts."""
    header = list(company)
    result = validate_rows(header, [[_cell(company[h]) for h in header]], as_of)
    if not result.ok:
        raise CompanyFactsInvalid([f"company.{p.column or '-'}: {problem_message(p)}" for p in result.problems])
    row = dict(result.rows[0])
    row["valuation"] = pre_money
    outcome = evaluate(
        current_ruleset(), uscc=row.get("uscc", ""), name=row.get("name", ""), founded_on=row.get("founded_on"),
        rows=[row], as_of=as_of,
    )["fund_target"]  # fmt: skip
    tier = current_ruleset().tiers["fund_target"]
    titles = {c.id: c.title for c in tier.criteria}
    out = _out_of_force(tier, as_of) if outcome.verdict == NOT_IN_FORCE else []
    for c in outcome.criteria:
        item = {"id": c.id, "title": titles.get(c.id, {}), **c.as_dict()}
        if c.id == "RF-08":
            item["note"] = "valuation = this round's pre-money"
        out.append(item)
    return out


def _out_of_force(tier, as_of: dt.date) -> list[dict]:
    """Before the fund's launch (RF-03) its criteria are not in force: a hard failure, so a deal
    dated then is never reported compliant; the company's criteria still follow for information."""
    window = tier.out_of_force(as_of)
    start, end = window.get("in_force_from"), window.get("in_force_to")
    source = tier.in_force_source or tier.criteria[0].source
    return [{
        "id": "RF-03", "title": {"zh-hans": "润苗基金投资标准施行期间", "en": "The fund's criteria in force"},
        "result": "fail", "value": as_of.isoformat(),
        "threshold": f">= {start.isoformat()}" if start else f"<= {end.isoformat()}",
        "strictness": "hard", "source": f"{source.document} {source.clause}".strip(), "missing": [],
        "note": f"not_in_force: the fund's criteria apply from {start.isoformat()}" if start
        else f"not_in_force: the fund's criteria applied until {end.isoformat()}",
    }]  # fmt: skip
