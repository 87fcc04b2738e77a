"""The quantities rule files may test, each computed twice: for one enterprise in Python and
for a whole frame in polars. Both follow the same definitions; tests check they agree.

An enterprise's "year" is its latest fiscal year at or before the as-of date. Three-year rules
use its *period* (see :func:`period_of`): the three accounting years ending with the year, or the
actual period for an enterprise that has operated under three years. A value is unknown (None /
null) when a column it needs is blank or a year of its period has no row, and a ratio is unknown
when its denominator is zero — the explanation says which.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

NUMERIC = (
    "employees", "tech_staff", "rd_staff", "revenue", "total_costs", "rd_expense",
    "rd_expense_domestic", "high_tech_income", "total_income", "total_assets", "net_assets",
    "financing_total", "valuation", "ip_class1", "ip_class2", "conversions",
)  # fmt: skip
BOOLEAN = (
    "registered_in_hangzhou", "tech_sme_registered", "provincial_tech_sme", "direct_confirmation",
    "restricted_sector", "clean_record",
)  # fmt: skip
TEXT = ("hnte_field", "stage", "last_round", "industries")

# name: (numerator, denominator) over the latest year
RATIOS = {
    "tech_staff_ratio": ("tech_staff", "employees"),
    "rd_staff_ratio": ("rd_staff", "employees"),
    "rd_to_revenue": ("rd_expense", "revenue"),
    "rd_to_total_costs": ("rd_expense", "total_costs"),
    "high_tech_income_share": ("high_tech_income", "total_income"),
}

DERIVED = {
    "age_years": "years since founding at the as-of date (exact: 5.0 on the fifth anniversary)",
    "is_tech_sme_any": "on the national or the provincial tech-SME register",
    "hnte_certificate_valid": "holds a high-tech certificate dated within 3 years before the as-of date",
    "ip_total": "class-I plus class-II IP",
    "rd_to_revenue_3y": "R&D expense / revenue, both summed over the period (three accounting years)",
    "rd_domestic_share_3y": "R&D spent in China / all R&D, both summed over the same period as rd_to_revenue_3y",
    "conversions_avg_3y": "results converted per year over the period (three accounting years)",
    "net_asset_growth": "HNTE growth formula on net assets over the period (edge rules of S29)",
    "sales_growth": "HNTE growth formula on revenue over the period (edge rules of S29)",
    "years_of_data": "rows among the latest three fiscal years at or before the as-of date",
    "mainland_registered": "holds a mainland unified social credit code (checked on import)",
}

FIELDS = frozenset(NUMERIC + BOOLEAN + TEXT + tuple(RATIOS) + tuple(DERIVED))


@dataclass
class Known:
    """A field's value, or why it is unknown."""

    value: object = None
    missing: tuple[str, ...] = ()  # blank columns
    undefined: str = ""  # e.g. "employees is 0"
    note: str = ""

    @property
    def unknown(self) -> bool:
        return self.value is None


@dataclass
class Facts:
    """One enterprise at one as-of date: its identity and its rows, oldest first."""

    uscc: str
    name: str
    founded_on: dt.date | None
    rows: list[dict]
    as_of: dt.date
    cache: dict = field(default_factory=dict)

    @property
    def latest(self) -> dict:
        return self.rows[-1] if self.rows else {}


@dataclass(frozen=True)
class Period:
    """The accounting years the three-year rules use, and their rows (oldest first) when every
    year has one; otherwise ``missing`` names what is lacking and ``note`` says why it is needed."""

    years: tuple[int, ...]
    rows: tuple[dict, ...] = ()
    missing: tuple[str, ...] = ()
    undefined: str = ""
    note: str = ""

    @property
    def complete(self) -> bool:
        return bool(self.rows) and not self.missing and not self.undefined


def select_rows(rows: list[dict], as_of: dt.date) -> list[dict]:
    usable = sorted((r for r in rows if r["fiscal_year"] <= as_of.year), key=lambda r: r["fiscal_year"])
    return usable[-3:]


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year: the period ends on 28 February
        return day.replace(year=day.year + years, day=28)


def age_years(founded: dt.date, as_of: dt.date) -> float:
    """Exact age: whole years completed plus the fraction of the current year of age."""
    whole = as_of.year - founded.year
    if add_years(founded, whole) > as_of:
        whole -= 1
    start, end = add_years(founded, whole), add_years(founded, whole + 1)
    return whole + (as_of - start).days / (end - start).days


def operated_under_three_years(founded: dt.date, as_of: dt.date) -> bool:
    """实际经营期不满三年: the third anniversary (29 February -> 28 February) is after the as-of date.
    On the anniversary itself the enterprise has operated three years (不满 excludes the boundary)."""
    return as_of < add_years(founded, 3)


def period_of(facts: Facts) -> Period:
    """HNTE art. 11(5) and the growth rules (S25, S29): the three accounting years ending with the
    year. "实际经营期不满三年的按实际经营时间计算": only an enterprise that has operated under three
    years at the as-of date may use fewer — its actual period, its latest rows up to three, none
    before its founding year, without a gap. An older enterprise lacking a year of the three is
    unknown for every three-year figure, the year named: never judged on fewer years."""
    if "_period" in facts.cache:
        return facts.cache["_period"]
    last = facts.rows[-1]["fiscal_year"]
    by_year = {r["fiscal_year"]: r for r in facts.rows}
    young = None if facts.founded_on is None else operated_under_three_years(facts.founded_on, facts.as_of)
    if young:
        held = [y for y in range(max(last - 2, facts.founded_on.year), last + 1) if y in by_year]
        years = tuple(range(held[0], last + 1)) if held else ()
        why = "operated under three years: its actual period runs without a gap to the latest year"
    else:
        years = tuple(range(last - 2, last + 1))
        why = (
            "the founding date decides whether fewer than three accounting years may be used"
            if young is None
            else "operated three years or more at the as-of date: needs all three accounting years"
        )
    absent = [y for y in years if y not in by_year]
    if not years:
        period = Period(years, undefined=f"no accounting year since founding ({facts.founded_on.year})")
    elif absent:
        missing = tuple(f"fiscal year {y}" for y in absent) + (("founded_on",) if young is None else ())
        period = Period(years, missing=missing, note=f"{why} ({years[0]}–{years[-1]})")
    else:
        note = f"operated under three years: the actual period {years[0]}–{years[-1]} is used" if len(years) < 3 else ""
        period = Period(years, tuple(by_year[y] for y in years), note=note)
    facts.cache["_period"] = period
    return period


def _num(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value


def _growth(values: list) -> Known:
    """S29: 0.5 x (y2/y1 + y3/y2) - 1; y1 = 0 -> last two years; y2 = 0 -> 0 points. Over an actual
    period of two years, y2/y1 - 1. One year alone measures no growth: unknown, never 0 points."""
    if len(values) < 2:
        return Known(undefined="one accounting year: growth cannot be measured")
    if len(values) == 2:
        y1, y2 = values
        if y1 == 0:
            return Known(0.0, note="first year is 0: growth scores 0 points")
        return Known(y2 / y1 - 1, note="two years of data: actual period used")
    y1, y2, y3 = values
    if y2 == 0:
        return Known(0.0, note="second year is 0: growth scores 0 points")
    if y1 == 0:
        return Known(y3 / y2 - 1, note="first year is 0: the last two years are used")
    return Known(0.5 * (y2 / y1 + y3 / y2) - 1)


def _over_period(facts: Facts, columns: tuple[str, ...]) -> tuple[Period, Known | None]:
    """The period's rows, or the unknown that stops a three-year figure: a year without a row or a
    blank cell in one (named as "rd_expense 2024")."""
    if not facts.rows:
        return Period(()), Known(missing=columns)
    period = period_of(facts)
    if not period.complete:
        return period, Known(missing=period.missing, undefined=period.undefined, note=period.note)
    blanks = tuple(dict.fromkeys(
        f"{c} {r['fiscal_year']}" for r in period.rows for c in columns if r.get(c) is None
    ))  # fmt: skip
    return period, (Known(missing=blanks) if blanks else None)


def _period_ratio(facts: Facts, numerator: str, denominator: str) -> Known:
    period, stop = _over_period(facts, (numerator, denominator))
    if stop:
        return stop
    num = sum(_num(r[numerator]) for r in period.rows)
    den = sum(_num(r[denominator]) for r in period.rows)
    if den == 0:
        return Known(undefined=f"{denominator} over {period.years[0]}–{period.years[-1]} is 0")
    return Known(num / den, note=period.note)


def value_of(facts: Facts, name: str) -> Known:
    if name in facts.cache:
        return facts.cache[name]
    result = _compute(facts, name)
    facts.cache[name] = result
    return result


def _compute(facts: Facts, name: str) -> Known:  # noqa: C901 - one branch per field, by design
    latest = facts.latest
    if name in NUMERIC or name in BOOLEAN:
        value = _num(latest.get(name))
        return Known(value, missing=(name,) if value is None else ())
    if name in TEXT:
        value = latest.get(name)
        if name == "industries" and value is not None:
            value = tuple(c for c in value.split(";") if c)
        return Known(value, missing=(name,) if value is None else ())
    if name in RATIOS:
        num, den = (value_of(facts, n) for n in RATIOS[name])
        missing = num.missing + den.missing
        if missing:
            return Known(missing=missing)
        if den.value == 0:
            return Known(undefined=f"{RATIOS[name][1]} is 0")
        return Known(num.value / den.value)
    match name:
        case "age_years":
            if facts.founded_on is None:
                return Known(missing=("founded_on",))
            if facts.founded_on > facts.as_of:
                return Known(undefined="founded after the as-of date")
            return Known(age_years(facts.founded_on, facts.as_of))
        case "is_tech_sme_any":
            return _either(value_of(facts, "tech_sme_registered"), value_of(facts, "provincial_tech_sme"))
        case "hnte_certificate_valid":
            certified = latest.get("hnte_certified_on")
            if certified is None:
                return Known(missing=("hnte_certified_on",))
            return Known(certified <= facts.as_of < add_years(certified, 3))
        case "ip_total":
            one, two = value_of(facts, "ip_class1"), value_of(facts, "ip_class2")
            if one.missing or two.missing:
                return Known(missing=one.missing + two.missing)
            return Known(one.value + two.value)
        case "mainland_registered":
            return Known(bool(facts.uscc)) if facts.uscc else Known(missing=("uscc",))
        case "years_of_data":
            return Known(float(len(facts.rows)))
        case "rd_to_revenue_3y":
            return _period_ratio(facts, "rd_expense", "revenue")
        case "rd_domestic_share_3y":
            return _period_ratio(facts, "rd_expense_domestic", "rd_expense")
        case "conversions_avg_3y":
            period, stop = _over_period(facts, ("conversions",))
            if stop:
                return stop
            values = [_num(r["conversions"]) for r in period.rows]
            return Known(sum(values) / len(values), note=period.note)
        case "net_asset_growth" | "sales_growth":
            column = "net_assets" if name == "net_asset_growth" else "revenue"
            period, stop = _over_period(facts, (column,))
            if stop:
                return stop
            return _growth([_num(r[column]) for r in period.rows])
    raise KeyError(name)


def _either(a: Known, b: Known) -> Known:
    """Kleene OR: true if either is true; unknown only if neither is true and one is unknown."""
    if a.value is True or b.value is True:
        return Known(True)
    if a.unknown or b.unknown:
        return Known(missing=a.missing + b.missing)
    return Known(False)
