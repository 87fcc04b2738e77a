"""Facts builders for rule tests: a start-up that passes the seed tier, changed one field at a time."""

import datetime as dt

from rainforest.core.policy.evaluate import evaluate
from rainforest.core.policy.loader import load_ruleset

RULES = load_ruleset()
AS_OF = dt.date(2026, 11, 28)

BASE = {
    "fiscal_year": 2025, "district": "滨江区", "registered_in_hangzhou": True, "industries": "HZ296X.T.AI",
    "hnte_field": "F1", "stage": "rd", "last_round": "angel", "employees": 40, "tech_staff": 16,
    "rd_staff": 8, "revenue": 10_000_000, "total_costs": 9_000_000, "rd_expense": 1_000_000,
    "rd_expense_domestic": 900_000, "high_tech_income": 8_000_000, "total_income": 10_000_000,
    "total_assets": 12_000_000, "net_assets": 6_000_000, "financing_total": 5_000_000,
    "valuation": 50_000_000, "ip_class1": 1, "ip_class2": 4, "conversions": 2,
    "tech_sme_registered": True, "provincial_tech_sme": True, "hnte_certified_on": None,
    "direct_confirmation": False, "restricted_sector": False, "clean_record": True,
}  # fmt: skip


def rows(**changes):
    return [{**BASE, **changes}]


def years(*per_year):
    """Several fiscal years ending in 2025, each a dict of changes from BASE."""
    first = 2025 - len(per_year) + 1
    return [{**BASE, **changes, "fiscal_year": first + i} for i, changes in enumerate(per_year)]


def run(tier, facts_rows, founded_on=dt.date(2023, 3, 1), as_of=AS_OF, readings=None):
    return evaluate(
        RULES, uscc="91330106MA2B2Y6X2A", name="测试企业", founded_on=founded_on, rows=facts_rows,
        as_of=as_of, tiers=[tier], readings=readings,
    )[tier]  # fmt: skip


def criterion(result, cid):
    return next(c for c in result.criteria if c.id == cid)
