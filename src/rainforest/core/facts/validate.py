"""Check every cell and row of a facts table and collect every problem at once.

Problems carry a stable ``code`` and parameters, never prose: the web layer, the CLI and the
API render them in the user's language.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from rainforest.core import uscc as uscc_mod
from rainforest.core.facts import industries
from rainforest.core.facts.schema import BY_NAME, NAMES, REQUIRED, Column, Kind

MAX_TEXT = {"name": 200, "district": 50}
MAX_CODES = 300  # YearlyFacts.industries is a CharField(max_length=300)
# Ten trillion yuan: above any real enterprise's figure, stops a typo of extra digits, and keeps
# every amount exact to the fen through SQLite, which stores decimals as doubles (15 digits).
MONEY_LIMIT = Decimal("1e13")
# Head counts, patents and conversions: above any real enterprise, and well inside the database's
# PositiveIntegerField (2,147,483,647 on PostgreSQL), so a typo is a cell problem, never a DataError.
INT_LIMIT = 100_000_000
_INT_RE = re.compile(r"^-?[0-9]+$")  # ASCII digits only: no "1_000", no full-width or other scripts
_YEAR_RE = re.compile(r"^[0-9]{4}$")
_MONEY_RE = re.compile(r"^-?[0-9]+(\.[0-9]*)?$")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# NUL and the other C0/C1 controls: PostgreSQL refuses NUL in text, and none belongs in a name.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_TRUE = {"true", "1", "yes", "是"}
_FALSE = {"false", "0", "no", "否"}


@dataclass(frozen=True)
class Problem:
    """One refusal: ``row`` is the spreadsheet row (header is row 1), 0 for the header."""

    row: int
    column: str
    value: str
    code: str
    params: dict = field(default_factory=dict)


@dataclass
class Result:
    rows: list[dict]  # typed values per valid row, with "_row" holding the sheet row number
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_header(header: list[str]) -> list[Problem]:
    problems = []
    seen = set()
    for name in header:
        if name in seen:
            problems.append(Problem(1, name, name, "duplicate_column"))
        seen.add(name)
        if name not in BY_NAME:
            problems.append(Problem(1, name, name, "unknown_column"))
    for name in REQUIRED:
        if name not in seen:
            problems.append(Problem(1, name, "", "missing_column"))
    return problems


def parse_cell(col: Column, raw: str, today: dt.date) -> tuple[object, str | None, dict]:
    """Return (value, problem code or None, params). A blank cell is None: unknown, never 0."""
    if raw == "":
        return None, ("required" if col.required else None), {}
    if raw.startswith(FORMULA_PREFIXES) and not (raw.startswith("-") and col.kind in (Kind.MONEY, Kind.INT)):
        return None, "formula", {}
    match col.kind:
        case Kind.USCC:
            try:
                return uscc_mod.validate(raw), None, {}
            except uscc_mod.UsccError as exc:
                return None, f"uscc_{exc.code}", {"expected": exc.expected or ""}
        case Kind.TEXT:
            limit = MAX_TEXT.get(col.name, 200)
            if len(raw) > limit:
                return None, "too_long", {"limit": limit}
            if _CONTROL_RE.search(raw):
                return None, "control_chars", {}
            return raw, None, {}
        case Kind.DATE:
            if not _DATE_RE.fullmatch(raw):
                return None, "date_format", {}
            try:
                value = dt.date.fromisoformat(raw)
            except ValueError:
                return None, "date_format", {}
            if value > today:
                return None, "date_future", {"today": today.isoformat()}
            return value, None, {}
        case Kind.YEAR:
            if not _YEAR_RE.fullmatch(raw):
                return None, "year_format", {}
            value = int(raw)
            if value > today.year:
                return None, "year_future", {"year": today.year}
            if value < 1949:
                return None, "year_format", {}
            return value, None, {}
        case Kind.BOOL:
            low = raw.lower()
            if low in _TRUE:
                return True, None, {}
            if low in _FALSE:
                return False, None, {}
            return None, "bool_format", {}
        case Kind.INT:
            if not _INT_RE.fullmatch(raw):
                return None, "int_format", {}
            if raw.startswith("-") and raw.strip("-0"):
                return None, "negative", {}
            # Compare the digits before int(): a thousand-digit cell is refused, not converted.
            if len(raw.lstrip("-0")) > len(str(INT_LIMIT)) or int(raw) > INT_LIMIT:
                return None, "int_too_large", {"limit": INT_LIMIT}
            return int(raw), None, {}
        case Kind.MONEY:
            if len(raw) > 40:  # 13 digits, a point and two decimals fit with room to spare
                whole = raw.lstrip("-").split(".")[0].lstrip("0")
                return None, ("money_too_large" if _MONEY_RE.fullmatch(raw) and len(whole) > 13 else "money_format"), {}
            try:
                value = Decimal(raw)
            except InvalidOperation:
                return None, "money_format", {}
            if not value.is_finite() or value.as_tuple().exponent < -2:
                return None, "money_format", {}
            # adjusted(), not abs(): 1E+999999999 would overflow the decimal context.
            if value and value.adjusted() >= MONEY_LIMIT.adjusted():
                return None, "money_too_large", {}
            if value.as_tuple().exponent > 0:  # 1E+5 or 0E+999999999: plain digits for the database
                value = value.quantize(Decimal(1))
            if value < 0 and not col.signed:
                return None, "negative", {}
            return value, None, {}
        case Kind.CHOICE:
            if raw not in col.choices:
                return None, "choice", {"choices": ", ".join(col.choices)}
            return raw, None, {}
        case Kind.CODES:
            codes = [c.strip() for c in raw.split(";") if c.strip()]
            bad = [c for c in codes if not industries.is_known(c)]
            if bad:
                return None, "industry_code", {"codes": ";".join(bad)}
            value = ";".join(dict.fromkeys(codes))
            if len(value) > MAX_CODES:
                return None, "too_long", {"limit": MAX_CODES}
            return value, None, {}
    raise AssertionError(col.kind)  # pragma: no cover


def cross_checks(row: dict) -> list[tuple[str, str]]:
    """Consistency between columns of one row: (column, code)."""
    out = []
    emp = row.get("employees")
    for col in ("tech_staff", "rd_staff"):
        if emp is not None and row.get(col) is not None and row[col] > emp:
            out.append((col, f"{col}_above_employees"))
    rd, dom = row.get("rd_expense"), row.get("rd_expense_domestic")
    if rd is not None and dom is not None and dom > rd:
        out.append(("rd_expense_domestic", "domestic_above_rd"))
    hti, ti = row.get("high_tech_income"), row.get("total_income")
    if hti is not None and ti is not None and hti > ti:
        out.append(("high_tech_income", "high_tech_above_total"))
    founded, year = row.get("founded_on"), row.get("fiscal_year")
    if founded is not None and year is not None and year < founded.year:
        out.append(("fiscal_year", "year_before_founding"))
    return out


def validate_rows(header: list[str], rows: list[list[str]], today: dt.date) -> Result:
    """Validate a whole table; the result holds either all rows or the complete problem list."""
    problems = check_header(header)
    if problems:
        return Result(rows=[], problems=problems)
    cols = [BY_NAME[h] for h in header]
    parsed: list[dict] = []
    first_seen: dict[tuple[str, int], int] = {}
    identity: dict[str, tuple[str, dt.date, int]] = {}
    for index, raw_row in enumerate(rows):
        sheet_row = index + 2
        if len(raw_row) > len(cols) and any(c.strip() for c in raw_row[len(cols) :]):
            problems.append(Problem(sheet_row, "", "", "extra_cells", {"cells": len(raw_row), "columns": len(cols)}))
        elif len(raw_row) < len(cols):
            # A CSV row that lost separators: its values would land in the wrong columns.
            # (The XLSX reader pads rows itself, where a missing cell is a blank one.)
            problems.append(Problem(sheet_row, "", "", "short_row", {"cells": len(raw_row), "columns": len(cols)}))
            continue
        cells = (raw_row + [""] * len(cols))[: len(cols)]
        row: dict = {"_row": sheet_row}
        row_ok = True
        for col, raw in zip(cols, cells, strict=True):
            value, code, params = parse_cell(col, raw.strip(), today)
            if code:
                problems.append(Problem(sheet_row, col.name, raw, code, params))
                row_ok = False
            row[col.name] = value
        for name in NAMES:
            row.setdefault(name, None)
        for column, code in cross_checks(row):
            problems.append(Problem(sheet_row, column, str(row[column]), code))
            row_ok = False
        if row["uscc"] and row["fiscal_year"] is not None:
            key = (row["uscc"], row["fiscal_year"])
            if key in first_seen:
                problems.append(Problem(sheet_row, "uscc", row["uscc"], "duplicate", {"first": first_seen[key]}))
                row_ok = False
            else:
                first_seen[key] = sheet_row
        if row["uscc"] and row["name"] and row["founded_on"]:
            seen = identity.setdefault(row["uscc"], (row["name"], row["founded_on"], sheet_row))
            if seen[:2] != (row["name"], row["founded_on"]):
                problems.append(Problem(sheet_row, "name", row["name"], "conflicting_identity", {"first": seen[2]}))
                row_ok = False
        if row_ok:
            parsed.append(row)
    return Result(rows=parsed if not problems else [], problems=problems)
