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
from rainforest.core.policy.fields import BOOLEAN, NUMERIC, RATIOS
from rainforest.core.policy.model import AllOf, AnyOf, Compare, RuleSet, Score, ScorePart, Tier, Unpublished

SCHEMA = {
    c.name: {
        Kind.USCC: pl.String, Kind.TEXT: pl.String, Kind.DATE: pl.Date, Kind.YEAR: pl.Int32, Kind.BOOL: pl.Boolean,
        Kind.INT: pl.Float64, Kind.MONEY: pl.Float64, Kind.CHOICE: pl.String, Kind.CODES: pl.String,
    }[c.kind]
    for c in COLUMNS
}  # fmt: skip
GROWTH_COLUMNS = {"net_asset_growth": "net_assets", "sales_growth": "revenue"}


def frame_from_rows(rows: list[dict]) -> pl.DataFrame:
    """Typed rows (as the facts validator returns them) to a frame with the canonical schema."""
    columns = {name: [r.get(name) for r in rows] for name in SCHEMA}
    for name, dtype in SCHEMA.items():
        if dtype == pl.Float64:
            columns[name] = [None if v is None else float(v) for v in columns[name]]
    return pl.DataFrame(columns, schema=SCHEMA)


def _per_enterprise(facts: pl.DataFrame | pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    """One row per enterprise: its latest usable year plus the three-year aggregates."""
    lf = facts.lazy()
    everyone = lf.select("uscc").unique()
    usable = lf.filter(pl.col("fiscal_year") <= as_of.year).sort("uscc", "fiscal_year")
    last3 = lambda c: pl.col(c).tail(3)  # noqa: E731
    grouped = usable.group_by("uscc").agg(
        *[pl.col(c).last() for c in SCHEMA if c != "uscc"],
        pl.len().clip(upper_bound=3).alias("_n"),
        last3("rd_expense").sum().alias("_rd_sum"),
        last3("rd_expense").null_count().alias("_rd_nulls"),
        last3("revenue").sum().alias("_rev_sum"),
        last3("revenue").null_count().alias("_rev_nulls"),
        last3("conversions").mean().alias("_conv_mean"),
        last3("conversions").null_count().alias("_conv_nulls"),
        *[
            expr
            for column in ("net_assets", "revenue")
            for expr in (
                pl.col(column).last().alias(f"_{column}_y3"),
                pl.col(column).tail(2).first().alias(f"_{column}_y2"),
                pl.col(column).tail(3).first().alias(f"_{column}_y1"),
                last3(column).null_count().alias(f"_{column}_nulls"),
            )
        ],
    )
    identity = lf.group_by("uscc").agg(
        pl.col("name").last().alias("_name"), pl.col("founded_on").last().alias("_founded")
    )
    return (
        everyone.join(grouped, on="uscc", how="left")
        .join(identity, on="uscc", how="left")
        .with_columns(pl.col("_name").alias("name"), pl.col("_founded").alias("founded_on"), pl.col("_n").fill_null(0))
    )


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
    """The S29 formula on the latest (up to) three years, positions taken from the end."""
    column = GROWTH_COLUMNS[name]
    n = pl.col("_n")
    last, prev, prev2 = (pl.col(f"_{column}_y{i}") for i in (3, 2, 1))
    # with three years: y1 = prev2, y2 = prev, y3 = last; with two: y1 = prev, y2 = last
    three = (
        pl.when(prev == 0).then(0.0).when(prev2 == 0).then(last / prev - 1)
        .otherwise(0.5 * (prev / prev2 + last / prev) - 1)
    )  # fmt: skip
    two = pl.when(prev == 0).then(0.0).otherwise(last / prev - 1)
    return (
        pl.when(pl.col(f"_{column}_nulls") > 0).then(None)
        .when(n < 2).then(0.0).when(n == 2).then(two).otherwise(three)
    )  # fmt: skip


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
            undecided = (pl.col("_rd_nulls") > 0) | (pl.col("_rev_nulls") > 0) | (pl.col("_n") == 0)
            return pl.when(undecided).then(None).otherwise(_ratio(pl.col("_rd_sum"), pl.col("_rev_sum")))
        case "conversions_avg_3y":
            undecided = (pl.col("_conv_nulls") > 0) | (pl.col("_n") == 0)
            return pl.when(undecided).then(None).otherwise(pl.col("_conv_mean"))
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
        self.widen = bool(tier.score and tier.score.is_range)
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
            case "max_of":
                subs = [(p, *self._part(p)) for p in part.options]
                lo = pl.max_horizontal([s[1] for s in subs])
                hi = pl.max_horizontal(
                    [pl.when(s[1].is_null()).then(pl.lit(s[0].maximum)).otherwise(s[2]) for s in subs]
                )
                if not self.widen:
                    lo = pl.when(lo == hi).then(lo).otherwise(null)
                    hi = pl.when(lo.is_null()).then(null).otherwise(hi)
            case "sum_of":
                subs = [(p, *self._part(p)) for p in part.options]
                any_unknown = pl.any_horizontal([s[1].is_null() for s in subs])
                lo = pl.sum_horizontal([s[1].fill_null(0) for s in subs])
                hi = pl.sum_horizontal([s[2].fill_null(pl.lit(s[0].maximum)) for s in subs])
                if not self.widen:
                    lo = pl.when(any_unknown).then(null).otherwise(lo)
                    hi = pl.when(any_unknown).then(null).otherwise(hi)
        if self.widen:
            lo, hi = lo.fill_null(0), hi.fill_null(part.maximum)
        lo, hi = lo.clip(upper_bound=part.maximum), hi.clip(upper_bound=part.maximum)  # keeps nulls
        return lo.cast(pl.Int64), hi.cast(pl.Int64)

    def _score(self, score: Score) -> None:
        for part in score.parts:
            self.parts[part.id] = self._part(part)
        los = [lo for lo, _ in self.parts.values()]
        his = [hi for _, hi in self.parts.values()]
        unknown = pl.any_horizontal([lo.is_null() for lo in los])
        null = pl.lit(None, dtype=pl.Int64)
        self.total = (
            pl.when(unknown).then(null).otherwise(pl.sum_horizontal(los)),
            pl.when(unknown).then(null).otherwise(pl.sum_horizontal(his)),
        )

    # tests ----------------------------------------------------------------
    def _field(self, name: str) -> pl.Expr:
        """A field's column, computed once per frame before the tests run (see evaluate_frame)."""
        self.fields.add(name)
        return pl.col(f"f:{name}")

    def _value(self, name: str) -> pl.Expr:
        if name == "score":
            return self.total[0]
        if name.startswith("score."):
            lo, hi = self.parts[name[6:]]
            return pl.when(lo == hi).then(lo).otherwise(None)
        return self._field(name)

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
        if test.field == "score_range":
            lo, hi = self.total
            v = pl.lit(test.value)
            a, b = _op(test.op, lo, v), _op(test.op, hi, v)
            result = pl.when(a & b).then(True).when(~a & ~b).then(False).otherwise(None)
            return result, pl.concat_list(lo, hi), v
        value = self._value(test.field)
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
    """One row per enterprise: ``uscc``, ``name``, ``fiscal_year``, then per tier ``<tier>``
    (the verdict), ``<tier>.score`` or ``<tier>.score_min``/``.score_max``, and with ``details``
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
        columns.append(_verdict(criteria).alias(tier_id))
        if compiler.total is not None:
            if tier.score.is_range:
                columns += [
                    compiler.total[0].alias(f"{tier_id}.score_min"),
                    compiler.total[1].alias(f"{tier_id}.score_max"),
                ]
            else:
                columns.append(compiler.total[0].alias(f"{tier_id}.score"))
        needed |= compiler.fields
    base = base.with_columns([field_expr(name, as_of).alias(f"f:{name}") for name in sorted(needed)])
    return base.select(columns).sort("uscc").collect()
