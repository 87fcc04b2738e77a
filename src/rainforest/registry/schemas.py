from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from rainforest.api_types import Count, PastDate, text
from rainforest.core.facts.schema import HNTE_FIELDS, ROUNDS, STAGES
from rainforest.core.facts.validate import MONEY_LIMIT


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    uscc: str
    district: str


class EnterpriseOut(Schema):
    """An enterprise as its selector reads it (the organisation joined, the latest year annotated
    on a list's rows)."""

    uscc: str
    name: str
    district: str
    founded_on: dt.date
    version: int
    latest_year: int | None = None

    @staticmethod
    def resolve_uscc(enterprise) -> str:
        return enterprise.organisation.uscc

    @staticmethod
    def resolve_name(enterprise) -> str:
        return enterprise.organisation.name

    @staticmethod
    def resolve_district(enterprise) -> str:
        return enterprise.organisation.district

    @staticmethod
    def resolve_latest_year(enterprise) -> int | None:
        return getattr(enterprise, "latest_year", None)


# YearlyFacts columns: DecimalField(18, 2) money (only net assets may be negative), PositiveIntegerField
# counts; a value the column cannot hold is refused by the schema, before the facts rules run.
# Amounts are bounded like the facts file's (core.facts.validate.MONEY_LIMIT), tighter than the column.
Money = Annotated[Decimal, Field(ge=0, lt=MONEY_LIMIT, decimal_places=2)]
SignedMoney = Annotated[Decimal, Field(gt=-MONEY_LIMIT, lt=MONEY_LIMIT, decimal_places=2)]


class FactsIn(Schema):
    version: Count | None = None
    district: text(50) | None = None
    registered_in_hangzhou: bool | None = None
    industries: text(300) | None = None
    hnte_field: Literal[HNTE_FIELDS] | None = None
    stage: Literal[STAGES] | None = None
    last_round: Literal[ROUNDS] | None = None
    employees: Count | None = None
    tech_staff: Count | None = None
    rd_staff: Count | None = None
    revenue: Money | None = None
    total_costs: Money | None = None
    rd_expense: Money | None = None
    rd_expense_domestic: Money | None = None
    high_tech_income: Money | None = None
    total_income: Money | None = None
    total_assets: Money | None = None
    net_assets: SignedMoney | None = None
    financing_total: Money | None = None
    valuation: Money | None = None
    ip_class1: Count | None = None
    ip_class2: Count | None = None
    conversions: Count | None = None
    tech_sme_registered: bool | None = None
    provincial_tech_sme: bool | None = None
    hnte_certified_on: PastDate | None = None
    direct_confirmation: bool | None = None
    restricted_sector: bool | None = None
    clean_record: bool | None = None


class FactsOut(Schema):
    """One year as stored (the columns of FactsIn, unbounded: what the database holds is shown)."""

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
    fiscal_year: int


class ProblemOut(Schema):
    column: str
    value: str
    code: str
    message: str
