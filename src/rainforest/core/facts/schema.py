"""Columns of the canonical facts schema, one row per enterprise per fiscal year.

The order here is the export order. Every import, export and screening reads this table,
so a column is added in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"
    USCC = "uscc"
    DATE = "date"
    YEAR = "year"
    BOOL = "bool"
    INT = "int"
    MONEY = "money"
    CHOICE = "choice"
    CODES = "codes"


STAGES = ("idea", "rd", "prototype", "product", "growth", "mature")
ROUNDS = ("none", "angel", "seed", "pre_a", "a", "b", "c", "later", "listed")
HNTE_FIELDS = tuple(f"F{i}" for i in range(1, 9))


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = False
    choices: tuple[str, ...] = ()
    # Money columns that can legitimately be negative (net assets of a loss-making start-up).
    signed: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("uscc", Kind.USCC, required=True),
    Column("name", Kind.TEXT, required=True),
    Column("founded_on", Kind.DATE, required=True),
    Column("fiscal_year", Kind.YEAR, required=True),
    Column("district", Kind.TEXT),
    Column("registered_in_hangzhou", Kind.BOOL),
    Column("industries", Kind.CODES),
    Column("hnte_field", Kind.CHOICE, choices=HNTE_FIELDS),
    Column("stage", Kind.CHOICE, choices=STAGES),
    Column("last_round", Kind.CHOICE, choices=ROUNDS),
    Column("employees", Kind.INT),
    Column("tech_staff", Kind.INT),
    Column("rd_staff", Kind.INT),
    Column("revenue", Kind.MONEY),
    Column("total_costs", Kind.MONEY),
    Column("rd_expense", Kind.MONEY),
    Column("rd_expense_domestic", Kind.MONEY),
    Column("high_tech_income", Kind.MONEY),
    Column("total_income", Kind.MONEY),
    Column("total_assets", Kind.MONEY),
    Column("net_assets", Kind.MONEY, signed=True),
    Column("financing_total", Kind.MONEY),
    Column("valuation", Kind.MONEY),
    Column("ip_class1", Kind.INT),
    Column("ip_class2", Kind.INT),
    Column("conversions", Kind.INT),
    Column("tech_sme_registered", Kind.BOOL),
    Column("provincial_tech_sme", Kind.BOOL),
    Column("hnte_certified_on", Kind.DATE),
    Column("direct_confirmation", Kind.BOOL),
    Column("restricted_sector", Kind.BOOL),
    Column("clean_record", Kind.BOOL),
)

BY_NAME = {c.name: c for c in COLUMNS}
NAMES = tuple(c.name for c in COLUMNS)
REQUIRED = tuple(c.name for c in COLUMNS if c.required)
# Columns that describe the enterprise rather than one of its years.
ENTERPRISE_COLUMNS = ("uscc", "name", "founded_on")
YEAR_COLUMNS = tuple(n for n in NAMES if n not in ENTERPRISE_COLUMNS)
