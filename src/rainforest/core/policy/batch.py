"""Evaluate a whole facts frame at once with polars: the same rule files, the same verdicts as
:mod:`evaluate`, built as column expressions instead of Python loops.

The frame is long (one row per enterprise and fiscal year) with the canonical columns; the
result has one row per enterprise with, per tier, the verdict, the score and, when asked, each
criterion's result, value and threshold.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

from rainforest.core.facts.schema import COLUMNS, Kind
from rainforest.core.policy.evaluate import NOT_IN_FORCE
from rainforest.core.policy.fields import BOOLEAN, NUMERIC, RATIOS
from rainforest.core.policy.model import (
    SCORE_FIELDS,
    AllOf,
    AnyOf,
    Compare,
    RuleSet,
    Score,
    ScorePart,
    Tier,
    Unpublished,
    is_score_field,
)

SCHEMA = {
    c.name: {
        Kind.USCC: pl.String, Kind.TEXT: pl.String, Kind.DATE: pl.Date, Kind.YEAR: pl.Int32, Kind.BOOL: pl.Boolean,
        Kind.INT: pl.Float64, Kind.MONEY: pl.Float64, Kind.CHOICE: pl.String, Kind.CODES: pl.String,
    }[c.kind]
    for c in COLUMNS
}  # fmt: skip
GROWTH_COLUMNS = {"net_asset_growth": "net_assets", "sales_growth": "revenue"}
# Columns the three-year figures read in each year of the period (fields.period_of).
PERIOD_COLUMNS = ("rd_expense", "rd_expense_domestic", "revenue", "conversions", "net_assets")


def frame_from_rows(rows: list[dict]) -> pl.DataFrame:
    """Typed rows (as the facts validator returns them) to a frame with the canonical schema."""
    columns = {name: [r.get(name) for r in rows] for name in SCHEMA}
    for name, dtype in SCHEMA.items():
        if dtype == pl.Float64:
            columns[name] = [None if v is None else float(v) for v in columns[name]]
    return pl.DataFrame(columns, schema=SCHEMA)


def _per_enterprise(facts: pl.DataFrame | pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    """One row per enterprise: its latest usable year, the two rows before it and its period
    (fields.period_of: the years ``start``..Y, ``_in<k>`` for year Y-k, ``_whole`` when each has a row).

    The period's years lie among the latest three rows, so each period column is read at the
    year Y (the latest row), Y-1 (the row before, if it is that year) and Y-2 (either of the two
    rows before, if one is that year) — ``_<column>@1`` and ``_<column>@2``, null where no row is.
    """
    lf = facts.lazy()
    everyone = lf.select("uscc").unique()
    usable = lf.filter(pl.col("fiscal_year") <= as_of.year).sort("uscc", "fiscal_year")
    before = lambda c, k: pl.col(c).tail(k + 1).first()  # noqa: E731 - the k-th row before the latest
    grouped = usable.group_by("uscc").agg(
        *[pl.col(c).last() for c in SCHEMA if c != "uscc"],
        pl.len().clip(upper_bound=3).alias("_n"),
        *[before(c, k).alias(f"_{c}_r{k}") for c in ("fiscal_year", *PERIOD_COLUMNS) for k in (1, 2)],
    )
    identity = lf.group_by("uscc").agg(
        pl.col("name").last().alias("_name"), pl.col("founded_on").last().alias("_founded")
    )
    year, r1, r2 = pl.col("fiscal_year"), pl.col("_fiscal_year_r1"), pl.col("_fiscal_year_r2")
    founded = pl.col("founded_on")
    # 实际经营期不满三年 (fields.operated_under_three_years): the third anniversary is after the as-of date.
    # Such an enterprise's period starts at its first row from max(Y-2, founding year) on; rows are
    # ascending, so that is the earliest of r2, r1, Y not below it (none when Y is below it).
    young = pl.lit(as_of) < founded.dt.offset_by("3y")
    floor = pl.max_horizontal(founded.dt.year(), year - 2)
    first = pl.when(r2 >= floor).then(r2).when(r1 >= floor).then(r1).when(year >= floor).then(year)
    start = pl.when(young).then(first.fill_null(year + 1)).otherwise(year - 2)
    at1, at2 = r1 == year - 1, (r1 == year - 2) | (r2 == year - 2)
    return (
        everyone.join(grouped, on="uscc", how="left")
        .join(identity, on="uscc", how="left")
        .with_columns(pl.col("_name").alias("name"), pl.col("_founded").alias("founded_on"), pl.col("_n").fill_null(0))
        .with_columns(
            *[
                expr
                for c in PERIOD_COLUMNS
                for expr in (
                    pl.when(at1).then(pl.col(f"_{c}_r1")).alias(f"_{c}@1"),
                    pl.when(r1 == year - 2)
                    .then(pl.col(f"_{c}_r1"))
                    .when(r2 == year - 2)
                    .then(pl.col(f"_{c}_r2"))
                    .alias(f"_{c}@2"),
                )
            ],  # fmt: skip
            (year >= start).fill_null(False).alias("_in0"),
            (year - 1 >= start).fill_null(False).alias("_in1"),
            (year - 2 >= start).fill_null(False).alias("_in2"),
            at1.fill_null(False).alias("_at1"),
            at2.fill_null(False).alias("_at2"),
        )
        .with_columns(
            # every year of the period has a row; _m: how many years it has
            (pl.col("_in0") & (~pl.col("_in1") | pl.col("_at1")) & (~pl.col("_in2") | pl.col("_at2"))).alias("_whole"),
            (pl.col("_in0").cast(pl.Int32) + pl.col("_in1").cast(pl.Int32) + pl.col("_in2").cast(pl.Int32)).alias("_m"),
        )
    )


def _at(column: str, k: int) -> pl.Expr:
    """The column's value k years before the latest usable year."""
    return pl.col(column) if k == 0 else pl.col(f"_{column}@{k}")


def _period_sum(column: str) -> pl.Expr:
    """Oldest year first, as the single evaluator adds them (the same floating-point sum); a blank
    inside the period makes it null."""
    inside = lambda k: pl.when(pl.col(f"_in{k}")).then(_at(column, k)).otherwise(0.0)  # noqa: E731
    return (inside(2) + inside(1)) + _at(column, 0)


def _over_period(expr: pl.Expr) -> pl.Expr:
    return pl.when(pl.col("_whole")).then(expr).otherwise(None)


def _ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    return pl.when(den == 0).then(None).otherwise(num / den)


def _age_years(as_of: dt.date) -> pl.Expr:
    founded = pl.col("founded_on")
    whole = pl.lit(as_of.year) - founded.dt.year()
    before_anniversary = (pl.lit(as_of.month) < founded.dt.month()) | (
        (pl.lit(as_of.month) == founded.dt.month()) & (pl.lit(as_of.day) < founded.dt.day())
    )
    whole = (whole - before_anniversary.cast(pl.Int32)).cast(pl.Int32)
    start = founded.dt.offset_by(pl.format("{}y", whole))
    end = founded.dt.offset_by(pl.format("{}y", whole + 1))
    days = (pl.lit(as_of) - start).dt.total_days()
    span = (end - start).dt.total_days()
    return pl.when(founded > pl.lit(as_of)).then(None).otherwise(whole + days / span)


def _growth(name: str) -> pl.Expr:
    """The S29 formula over the period (fields._growth): three years y1..y3, an actual period of
    two, and one year alone measures nothing (null)."""
    column = GROWTH_COLUMNS[name]
    latest, back1, back2 = (_at(column, k) for k in (0, 1, 2))  # fields._growth's y3, y2, y1 over three years
    m = pl.col("_m")
    blank = latest.is_null() | (pl.col("_in1") & back1.is_null()) | (pl.col("_in2") & back2.is_null())
    three = (
        pl.when(back1 == 0).then(0.0).when(back2 == 0).then(latest / back1 - 1)
        .otherwise(0.5 * (back1 / back2 + latest / back1) - 1)
    )  # fmt: skip
    two = pl.when(back1 == 0).then(0.0).otherwise(latest / back1 - 1)
    return _over_period(pl.when(blank).then(None).when(m == 3).then(three).when(m == 2).then(two).otherwise(None))


def field_expr(name: str, as_of: dt.date) -> pl.Expr:  # noqa: C901 - one branch per field, by design
    if name in NUMERIC or name in BOOLEAN or name in ("hnte_field", "stage", "last_round", "industries"):
        return pl.col(name)
    if name in RATIOS:
        num, den = RATIOS[name]
        return _ratio(pl.col(num), pl.col(den))
    match name:
        case "age_years":
            return _age_years(as_of)
        case "is_tech_sme_any":
            return pl.col("tech_sme_registered") | pl.col("provincial_tech_sme")
        case "hnte_certificate_valid":
            certified = pl.col("hnte_certified_on")
            return (certified <= pl.lit(as_of)) & (pl.lit(as_of) < certified.dt.offset_by("3y"))
        case "mainland_registered":
            return pl.col("uscc").is_not_null()
        case "ip_total":
            return pl.col("ip_class1") + pl.col("ip_class2")
        case "years_of_data":
            return pl.col("_n").cast(pl.Float64)
        case "rd_to_revenue_3y":
            return _over_period(_ratio(_period_sum("rd_expense"), _period_sum("revenue")))
        case "rd_domestic_share_3y":
            return _over_period(_ratio(_period_sum("rd_expense_domestic"), _period_sum("rd_expense")))
        case "conversions_avg_3y":
            return _over_period(_period_sum("conversions") / pl.col("_m"))
        case "net_asset_growth" | "sales_growth":
            return _growth(name)
    raise KeyError(name)


def _pattern(patterns) -> str:
    alternatives = [re.escape(p[:-1]) + "[^;]*" if p.endswith("*") else re.escape(p) for p in patterns]
    return "(^|;)(" + "|".join(alternatives) + ")($|;)"


class _Compiler:
    """Turns one tier's tests and score into polars expressions."""

    def __init__(self, tier: Tier, as_of: dt.date):
        self.tier, self.as_of = tier, as_of
        self.fields: set[str] = set()
        self.parts: dict[str, tuple[pl.Expr, pl.Expr]] = {}
        self.total: tuple[pl.Expr, pl.Expr] | None = None
        if tier.score:
            self._score(tier.score)

    # scores ---------------------------------------------------------------
    def _part(self, part: ScorePart) -> tuple[pl.Expr, pl.Expr]:
        null = pl.lit(None, dtype=pl.Int64)
        match part.kind:
            case "bands":
                x = self._field(part.field)
                lo = hi = null
                for band in reversed(part.bands):
                    cond = _band_condition(x, band)
                    lo = pl.when(cond).then(pl.lit(band.points[0])).otherwise(lo)
                    hi = pl.when(cond).then(pl.lit(band.points[1])).otherwise(hi)
            case "expert":
                lo, hi = pl.lit(part.expert[0]), pl.lit(part.expert[1])
            case "first_match":
                lo = hi = None
                for test, pts in reversed(part.matches):
                    if test is None:
                        lo, hi = pl.lit(pts[0], dtype=pl.Int64), pl.lit(pts[1], dtype=pl.Int64)
                        continue
                    r = self.test(test)[0]
                    lo = pl.when(r.is_null()).then(null).when(r).then(pl.lit(pts[0])).otherwise(lo)
                    hi = pl.when(r.is_null()).then(null).when(r).then(pl.lit(pts[1])).otherwise(hi)
            case "max_of":  # sub-parts are never null: an unknown one is already 0..its maximum
                subs = [self._part(p) for p in part.options]
                lo, hi = pl.max_horizontal([s[0] for s in subs]), pl.max_horizontal([s[1] for s in subs])
            case "sum_of":
                subs = [self._part(p) for p in part.options]
                lo, hi = pl.sum_horizontal([s[0] for s in subs]), pl.sum_horizontal([s[1] for s in subs])
        # what the data cannot decide counts from 0 to the part's maximum (evaluate.part_points)
        lo, hi = lo.fill_null(0), hi.fill_null(part.maximum)
        lo, hi = lo.clip(upper_bound=part.maximum), hi.clip(upper_bound=part.maximum)
        return lo.cast(pl.Int64), hi.cast(pl.Int64)

    def _score(self, score: Score) -> None:
        for part in score.parts:
            self.parts[part.id] = self._part(part)
        self.total = (
            pl.sum_horizontal([lo for lo, _ in self.parts.values()]),
            pl.sum_horizontal([hi for _, hi in self.parts.values()]),
        )

    # tests ----------------------------------------------------------------
    def _field(self, name: str) -> pl.Expr:
        """A field's column, computed once per frame before the tests run (see evaluate_frame)."""
        self.fields.add(name)
        return pl.col(f"f:{name}")

    def _range(self, name: str) -> tuple[pl.Expr, pl.Expr]:
        return self.total if name in SCORE_FIELDS else self.parts[name[6:]]

    def test(self, test) -> tuple[pl.Expr, pl.Expr | None, pl.Expr | None]:
        """(result, value, threshold) expressions; result is a Kleene boolean (null = undecided)."""
        if isinstance(test, Unpublished):
            return pl.lit(None, dtype=pl.Boolean), None, None
        if isinstance(test, AnyOf | AllOf):
            compiled = [self.test(t) for t in test.tests]
            out = compiled[0][0]
            for r, _v, _t in compiled[1:]:
                out = (out | r) if isinstance(test, AnyOf) else (out & r)
            named = [
                (v if v is not None else pl.lit(None)).alias(t.field if isinstance(t, Compare) else f"#{i}")
                for i, (t, (_r, v, _t)) in enumerate(zip(test.tests, compiled, strict=True))
            ]
            return out, pl.struct(named), None
        assert isinstance(test, Compare)
        if is_score_field(test.field):
            # a range is decided when both ends are on the same side (evaluate._score_outcome)
            lo, hi = self._range(test.field)
            v = pl.lit(test.value)
            a, b = _op(test.op, lo, v), _op(test.op, hi, v)
            result = pl.when(a & b).then(True).when(~a & ~b).then(False).otherwise(None)
            shown = pl.concat_list(lo, hi) if test.field == "score_range" else pl.when(lo == hi).then(lo)
            return result, shown, v
        value = self._field(test.field)
        if test.threshold_field:
            by = self._field(test.threshold_field)
            threshold = pl.lit(None, dtype=pl.Float64)
            for band in reversed(test.threshold_bands):
                threshold = pl.when(_band_condition(by, band)).then(pl.lit(band.value)).otherwise(threshold)
        else:
            threshold = pl.lit(test.value) if not isinstance(test.value, tuple) else None
        match test.op:
            case "is_true":
                return value == True, value, pl.lit(True)  # noqa: E712 - Kleene equality keeps nulls
            case "is_false":
                return value == False, value, pl.lit(False)  # noqa: E712
            case "in" | "not_in":
                inside = value.is_in(list(test.value))
                result = pl.when(value.is_null()).then(None).otherwise(inside if test.op == "in" else ~inside)
                return result, value, None
            case "any_in":
                found = value.str.contains(_pattern(test.value))
                return pl.when(value.is_null()).then(None).otherwise(found), value, None
        return _op(test.op, value, threshold), value, threshold


def _band_condition(x: pl.Expr, band) -> pl.Expr:
    cond = pl.lit(True)
    if band.ge is not None:
        cond = cond & (x >= band.ge)
    if band.gt is not None:
        cond = cond & (x > band.gt)
    if band.le is not None:
        cond = cond & (x <= band.le)
    if band.lt is not None:
        cond = cond & (x < band.lt)
    return cond & x.is_not_null()


def _op(op: str, a: pl.Expr, b: pl.Expr) -> pl.Expr:
    return {"<=": a <= b, "<": a < b, ">=": a >= b, ">": a > b, "==": a == b, "!=": a != b}[op]


def _verdict(criteria: list[tuple[str, pl.Expr]]) -> pl.Expr:
    hard_fail = [~r.fill_null(True) for s, r in criteria if s in ("hard", "expert")]
    hard_unknown = [r.is_null() for s, r in criteria if s == "hard"]
    soft_issue = [~r.fill_null(False) for s, r in criteria if s in ("presumptive", "relaxable", "expert")]
    any_of = lambda xs: pl.any_horizontal(xs) if xs else pl.lit(False)  # noqa: E731
    return (
        pl.when(any_of(hard_fail)).then(pl.lit("ineligible"))
        .when(any_of(hard_unknown)).then(pl.lit("unknown"))
        .when(any_of(soft_issue)).then(pl.lit("review"))
        .otherwise(pl.lit("eligible"))
    )  # fmt: skip


def evaluate_frame(
    ruleset: RuleSet,
    facts: pl.DataFrame | pl.LazyFrame,
    as_of: dt.date,
    *,
    tiers: list[str] | None = None,
    readings: dict[str, str] | None = None,
    details: bool = False,
) -> pl.DataFrame:
    """One row per enterprise: ``uscc``, ``name``, ``fiscal_year``, then per tier ``<tier>`` (the
    verdict; ``not_in_force`` for every row when the as-of date is outside the tier's dates, the
    criteria then computed for information as in ``evaluate``) and,
    for a tier with a score, ``<tier>.score_min``/``.score_max`` (plus ``<tier>.score``, the exact
    score or null, unless experts judge part of it); with ``details``,
    ``<tier>.<criterion>.result|value|threshold`` for each criterion in force."""
    readings = readings or {}
    base = _per_enterprise(facts, as_of)
    columns: list[pl.Expr] = [pl.col("uscc"), pl.col("name"), pl.col("fiscal_year")]
    needed: set[str] = set()
    for tier_id in tiers or list(ruleset.tiers):
        tier = ruleset.tiers[tier_id]
        compiler = _Compiler(tier, as_of)
        criteria = []
        for c in tier.criteria:
            if not c.in_force(as_of):
                continue
            test = c.tests.get(readings.get(c.id, ""), c.test)
            result, value, threshold = compiler.test(test)
            criteria.append((c.strictness, result))
            if details:
                columns.append(result.alias(f"{tier_id}.{c.id}.result"))
                if value is not None:
                    columns.append(value.alias(f"{tier_id}.{c.id}.value"))
                if threshold is not None:
                    columns.append(threshold.alias(f"{tier_id}.{c.id}.threshold"))
        verdict = _verdict(criteria) if tier.in_force(as_of) else pl.lit(NOT_IN_FORCE)
        columns.append(verdict.alias(tier_id))
        if compiler.total is not None:
            lo, hi = compiler.total
            if not tier.score.is_range:
                columns.append(pl.when(lo == hi).then(lo).alias(f"{tier_id}.score"))
            columns += [lo.alias(f"{tier_id}.score_min"), hi.alias(f"{tier_id}.score_max")]
        needed |= compiler.fields
    base = base.with_columns([field_expr(name, as_of).alias(f"f:{name}") for name in sorted(needed)])
    return base.select(columns).sort("uscc").collect()
