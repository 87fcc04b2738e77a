from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    uscc: str
    district: str


class EnterpriseOut(Schema):
    uscc: str
    name: str
    district: str
    founded_on: dt.date
    version: int
    latest_year: int | None = None


class FactsIn(Schema):
    version: int | None = None
    district: str | None = None
    registered_in_hangzhou: bool | None = None
    industries: str | None = None
    hnte_field: str | None = None
    stage: str | None = None
    last_round: str | None = None
    employees: int | None = None
    tech_staff: int | None = None
    rd_staff: int | None = None
    revenue: Decimal | None = None
    total_costs: Decimal | None = None
    rd_expense: Decimal | None = None
    rd_expense_domestic: Decimal | None = None
    high_tech_income: Decimal | None = None
    total_income: Decimal | None = None
    total_assets: Decimal | None = None
    net_assets: Decimal | None = None
    financing_total: Decimal | None = None
    valuation: Decimal | None = None
    ip_class1: int | None = None
    ip_class2: int | None = None
    conversions: int | None = None
    tech_sme_registered: bool | None = None
    provincial_tech_sme: bool | None = None
    hnte_certified_on: dt.date | None = None
    direct_confirmation: bool | None = None
    restricted_sector: bool | None = None
    clean_record: bool | None = None


class FactsOut(FactsIn):
    fiscal_year: int


class ProblemOut(Schema):
    column: str
    value: str
    code: str
    message: str
