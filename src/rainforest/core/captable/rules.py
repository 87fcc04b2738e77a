"""The fund's rule file (rules/fund.yaml), loaded strictly."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class DealRule:
    id: str
    title: dict
    op: str
    strictness: str
    source: str
    limit: Decimal | None = None


@dataclass(frozen=True)
class FundRules:
    id: str
    version: str
    size_cny: Decimal
    term_years: int
    deals_per_year: int
    committee_members: int
    committee_external: int
    deal: dict[str, DealRule]


def parse(data: dict) -> FundRules:
    fund = data["fund"]
    rules = {}
    for item in data["deal"]:
        unknown = set(item) - {"id", "title", "limit", "op", "strictness", "source", "rule"}
        if unknown:
            raise ValueError(f"fund.yaml: {item.get('id')}: unknown key(s) {sorted(unknown)}")
        limit = item.get("limit")
        rules[item["id"]] = DealRule(
            id=item["id"], title=item["title"], op=item["op"], strictness=item["strictness"],
            source=f"{item['rule']} ({', '.join(item['source'])})",
            limit=None if limit is None else Decimal(str(limit)),
        )  # fmt: skip
    return FundRules(
        id=data["id"], version=str(data["version"]), size_cny=Decimal(str(fund["size_cny"]["value"])),
        term_years=int(fund["term_years"]["value"]), deals_per_year=int(fund["deals_per_year"]["value"]),
        committee_members=int(fund["committee"]["members"]), committee_external=int(fund["committee"]["external"]),
        deal=rules,
    )  # fmt: skip


@cache
def fund_rules() -> FundRules:
    text = resources.files("rainforest.core.captable").joinpath("rules/fund.yaml").read_text("utf-8")
    return parse(yaml.safe_load(text))
