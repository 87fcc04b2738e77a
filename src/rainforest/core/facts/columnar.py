"""Validate facts in batches with polars expressions: exactly :func:`validate.validate_rows`.

The same problems (codes, parameters, values, row numbers) in the same order, for a file read in
batches (see :mod:`stream`). Each column is checked by an expression that accepts only cells that
:func:`validate.parse_cell` certainly accepts, with the same typed value; a cell it does not
accept (a blank required cell, ``1E+5``, ``TRUE``, a lower-case code, anything wrong) goes to
``parse_cell`` itself. Columns with few distinct values (booleans, choices, industry codes, years)
go through ``parse_cell`` once per distinct value. A row with any problem is validated again,
alone, by ``validate_rows``, so its messages are that function's, word for word; the checks across
rows (a repeated enterprise and year, a code with another name or founding date) keep what they
have seen in frames, so that they hold across batches.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import polars as pl

from rainforest.core import uscc as uscc_mod
from rainforest.core.facts.schema import BY_NAME, COLUMNS, Column, Kind
from rainforest.core.facts.stream import cell_names
from rainforest.core.facts.validate import INT_LIMIT, MAX_TEXT, Problem, check_header, parse_cell, validate_rows

# How a typed facts frame holds each kind (amounts and counts as floats, as the evaluator reads them).
FRAME_TYPES = {
    Kind.USCC: pl.String, Kind.TEXT: pl.String, Kind.DATE: pl.Date, Kind.YEAR: pl.Int32, Kind.BOOL: pl.Boolean,
    Kind.INT: pl.Float64, Kind.MONEY: pl.Float64, Kind.CHOICE: pl.String, Kind.CODES: pl.String,
}  # fmt: skip
SCHEMA = {c.name: FRAME_TYPES[c.kind] for c in COLUMNS}
# Few distinct values in any real file: parse_cell decides each distinct value once.
_BY_VALUE = (Kind.BOOL, Kind.CHOICE, Kind.CODES, Kind.YEAR)
_USCC_RE = "^[" + uscc_mod.ALPHABET + "]{18}$"
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"  # validate._CONTROL_RE
_FORMULA = r"^[=+\-@\t\r]"  # validate.FORMULA_PREFIXES
_MAX_INT_DIGITS = len(str(INT_LIMIT)) - 1  # any number of that many digits is within the limit


# uscc._VALUE by byte: a code's characters are ASCII
_USCC_VALUES = pl.Series([uscc_mod._VALUE.get(chr(b), 0) for b in range(256)], dtype=pl.Int64)


def uscc_accepted(raw: pl.Series) -> pl.Series:
    """Codes uscc.validate returns unchanged: 18 characters of its alphabet with the right check
    character (computed for all codes at once over their bytes)."""
    shape = raw.str.contains(_USCC_RE).fill_null(False)
    codes = pl.when(shape).then(raw).otherwise(pl.lit("0" * 18)).cast(pl.Binary)
    digits = codes.bin.reinterpret(dtype=pl.Array(pl.UInt8, 18))
    value = lambda i: pl.lit(_USCC_VALUES).gather(digits.arr.get(i))  # noqa: E731
    total = pl.sum_horizontal(value(i) * w for i, w in enumerate(uscc_mod.WEIGHTS))
    check = value(17) == (31 - total % 31) % 31
    return raw.to_frame().select((pl.lit(shape) & check).alias(raw.name)).to_series()


def code_key(codes: pl.Expr) -> pl.Expr:
    """A valid code as a number in the order of the codes: its first 17 characters in base 31 (the
    18th, the check character, follows from them), 85 bits, so an Int128 that leaves room for more.
    It takes 16 bytes where the code's text takes 34 in a polars column."""
    digits = codes.cast(pl.Binary).bin.reinterpret(dtype=pl.Array(pl.UInt8, 18))
    value = lambda i: pl.lit(_USCC_VALUES).gather(digits.arr.get(i))  # noqa: E731
    high = pl.sum_horizontal(value(i) * 31 ** (8 - i) for i in range(9))
    low = pl.sum_horizontal(value(i) * 31 ** (16 - i) for i in range(9, 17))
    return high.cast(pl.Int128) * 31**8 + low


def code_of_key(key: int) -> str:
    """The code a code_key was made from."""
    digits = []
    for _ in range(17):
        key, digit = divmod(key, 31)
        digits.append(uscc_mod.ALPHABET[digit])
    first17 = "".join(reversed(digits))
    return first17 + uscc_mod.check_character(first17)


def _fast(col: Column, raw: pl.Expr, today: dt.date) -> tuple[pl.Expr, pl.Expr]:
    """(typed value, accepted) for a non-blank cell; what is not accepted goes to parse_cell."""
    match col.kind:
        case Kind.USCC:  # checked over the whole column first (uscc_accepted); a lower-case code is parse_cell's
            return raw, pl.col(f"!{col.name}")
        case Kind.TEXT:
            fits = raw.str.len_chars() <= MAX_TEXT.get(col.name, 200)
            return raw, fits & ~raw.str.contains(_CONTROL) & ~raw.str.contains(_FORMULA)
        case Kind.DATE:
            value = raw.str.to_date("%Y-%m-%d", strict=False)
            shape = raw.str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
            return value, shape & (value <= pl.lit(today)) & (value.dt.year() >= 1)
        case Kind.INT:
            value = raw.cast(pl.Int64, strict=False)
            shape = raw.str.contains(rf"^[0-9]{{1,{_MAX_INT_DIGITS}}}$")
            return value.cast(pl.Float64), shape & (value <= INT_LIMIT)
        case Kind.MONEY:  # at most 13 whole digits and two decimals: below 1e13, exact as a float
            sign = "-?" if col.signed else ""
            value = raw.cast(pl.Float64, strict=False)
            return value, raw.str.contains(rf"^{sign}[0-9]{{1,13}}(\.[0-9]{{0,2}})?$") & value.is_not_null()
    raise AssertionError(col.kind)  # pragma: no cover


def _frame_value(col: Column, value: object) -> object:
    if col.kind in (Kind.INT, Kind.MONEY) and value is not None:
        return float(value)  # an exact Decimal or int, as batch.frame_from_rows converts it
    return value


class BatchValidator:
    """Validates a file's batches in order; ``check`` returns each batch's typed rows and problems."""

    def __init__(self, header: list[str], today: dt.date):
        self.header, self.today = header, today
        self.header_problems = check_header(header)
        self.cols = [BY_NAME[h] for h in header] if not self.header_problems else []
        self.width = len(header)
        self.problems = 0
        # code + year -> the first row with it; code -> the first row's name and founding date
        self.seen = SortedRuns({"_first": pl.Int32})
        self.identity = SortedRuns({"_name": pl.String, "_founded": pl.Date, "_first": pl.Int32})

    def check(self, batch: pl.DataFrame) -> tuple[pl.DataFrame, list[Problem]]:
        """The batch's rows without a problem as a typed frame (``SCHEMA`` columns, file order), and
        its problems in the order validate_rows lists them."""
        assert not self.header_problems, "a header with problems has no rows to check"
        cells = cell_names(self.width)
        frame = batch.with_row_index("_i").with_columns(
            uscc_accepted(batch.get_column(raw)).alias(f"!{col.name}")
            for col, raw in zip(self.cols, cells, strict=True)
            if col.kind == Kind.USCC
        )
        exprs, by_value_bad = [], []
        for col, raw_name in zip(self.cols, cells, strict=True):
            raw = pl.col(raw_name)
            blank = raw == ""
            if col.kind in _BY_VALUE:
                value, accepted = self._by_value(col, frame.get_column(raw_name))
                by_value_bad.append(col.name)
            else:
                value, accepted = _fast(col, raw, self.today)
            exprs.append(pl.when(blank | ~accepted.fill_null(False)).then(None).otherwise(value).alias(col.name))
            # "?": open, for parse_cell to decide (a blank required cell is refused there)
            exprs.append(
                pl.when(blank).then(pl.lit(col.required)).otherwise(~accepted.fill_null(False)).alias(f"?{col.name}")
            )
        typed = frame.lazy().select("_i", "_row", "_cells", "_extra", *exprs).collect()
        typed = typed.with_columns(pl.col(c.name).cast(FRAME_TYPES[c.kind]) for c in self.cols)
        short = typed.get_column("_cells") < self.width
        bad = self._settle(frame, typed, by_value_bad)
        typed = typed.with_columns(bad.alias("_bad"), short.alias("_short"))
        typed = typed.with_columns(self._cross().alias("_cross"))
        typed = self._across_rows(typed)
        flagged = (
            pl.col("_short") | (pl.col("_cells") > self.width) & pl.col("_extra") | pl.col("_bad") | pl.col("_cross")
            | pl.col("_dup").is_not_null() | pl.col("_conflict").is_not_null()
        )  # fmt: skip
        typed = typed.with_columns(flagged.alias("_flagged"))
        problems = self._problems(frame, typed.filter(pl.col("_flagged")))
        self.problems += len(problems)
        good = typed.filter(~pl.col("_flagged"))
        present = {c.name for c in self.cols}
        rows = good.select(
            pl.col(name) if name in present else pl.lit(None, dtype=dtype).alias(name) for name, dtype in SCHEMA.items()
        )
        return rows, problems

    # ------------------------------------------------------------------ cells

    def _by_value(self, col: Column, raw: pl.Series) -> tuple[pl.Expr, pl.Expr]:
        good: dict[str, object] = {}
        for text in raw.unique().to_list():
            if text:
                value, code, _ = parse_cell(col, text, self.today)
                if code is None:
                    good[text] = value
        if not good:
            return pl.lit(None, dtype=FRAME_TYPES[col.kind]), pl.lit(False)
        keys = pl.col(raw.name)
        value = keys.replace_strict(list(good), list(good.values()), default=None, return_dtype=FRAME_TYPES[col.kind])
        return value, keys.is_in(list(good))

    def _settle(self, frame, typed, by_value_bad) -> pl.Series:
        """parse_cell for every cell the expressions left open: its value where it accepts the
        cell, and whether the row has a cell it refuses."""
        flags = typed.select(pl.col(f"?{c.name}").any() for c in self.cols).row(0)
        bad = pl.Series("_bad", [False] * typed.height, dtype=pl.Boolean)
        cells = cell_names(self.width)
        for col, any_open, raw_name in zip(self.cols, flags, cells, strict=True):
            if not any_open:
                continue
            if col.name in by_value_bad:  # decided per distinct value already: open means refused
                bad = bad | typed.get_column(f"?{col.name}")
                continue
            open_rows = frame.filter(typed.get_column(f"?{col.name}")).select("_i", raw_name)
            fixed_at, fixed, refused = [], [], []
            for i, text in open_rows.iter_rows():
                value, code, _ = parse_cell(col, text, self.today)
                if code:
                    refused.append(i)
                else:
                    fixed_at.append(i)
                    fixed.append(_frame_value(col, value))
            if fixed_at:
                series = typed.get_column(col.name).clone()
                series.scatter(fixed_at, pl.Series(fixed, dtype=FRAME_TYPES[col.kind]))
                typed.replace_column(typed.get_column_index(col.name), series)
            if refused:
                bad = bad.scatter(refused, True)
        return bad

    def _cross(self) -> pl.Expr:
        """validate.cross_checks over typed columns: whether any of them fails."""
        present = {c.name for c in self.cols}
        col = lambda name: pl.col(name) if name in present else pl.lit(None)  # noqa: E731
        above = lambda a, b: (col(a) > col(b)).fill_null(False)  # noqa: E731
        fails = [above("tech_staff", "employees"), above("rd_staff", "employees"),
                 above("rd_expense_domestic", "rd_expense"), above("high_tech_income", "total_income")]  # fmt: skip
        if "founded_on" in present and "fiscal_year" in present:
            fails.append((pl.col("fiscal_year") < pl.col("founded_on").dt.year()).fill_null(False))
        return pl.any_horizontal(fails) & ~pl.col("_short")

    # ------------------------------------------------------------------ across rows

    def _across_rows(self, typed: pl.DataFrame) -> pl.DataFrame:
        """``_dup``: the first row with the same code and year; ``_conflict``: the first row of a
        code whose name or founding date differ (validate_rows' duplicate and conflicting_identity)."""
        present = {c.name for c in self.cols}
        has = lambda *names: all(n in present for n in names)  # noqa: E731
        null = pl.lit(None, dtype=pl.Int64)
        typed = typed.with_columns(null.alias("_dup"), null.alias("_conflict"))
        if has("uscc", "fiscal_year"):
            # a valid year has four digits, so code + year is a key that gives the code back
            keys = typed.filter(
                ~pl.col("_short") & pl.col("uscc").is_not_null() & pl.col("fiscal_year").is_not_null()
            ).select("_i", "_row", (code_key(pl.col("uscc")) * 256 + (pl.col("fiscal_year") - 1900)).alias("key"))
            keys = keys.with_columns(self.seen.lookup(keys.get_column("key")).get_column("_first"))
            keys = keys.with_columns(pl.coalesce("_first", pl.col("_row").min().over("key")).alias("_first"))
            self.seen.add(keys.filter(pl.col("_first") == pl.col("_row")).select("key", "_first"))
            dup = keys.filter(pl.col("_first") != pl.col("_row")).select("_i", pl.col("_first").alias("_d"))
            typed = typed.join(dup, on="_i", how="left", maintain_order="left")
            typed = typed.with_columns(pl.col("_d").alias("_dup")).drop("_d")
        if has("uscc", "name", "founded_on"):
            ids = typed.filter(
                ~pl.col("_short") & pl.col("uscc").is_not_null() & pl.col("name").is_not_null()
                & pl.col("founded_on").is_not_null()
            ).select("_i", "_row", code_key(pl.col("uscc")).alias("key"), "name", "founded_on")  # fmt: skip
            ids = pl.concat([ids, self.identity.lookup(ids.get_column("key"))], how="horizontal")
            firsts = (
                ids.filter(pl.col("_first").is_null())
                .group_by("key", maintain_order=True)
                .agg(pl.col("name").first().alias("_n"), pl.col("founded_on").first().alias("_f"),
                     pl.col("_row").first().alias("_r"))
            )  # fmt: skip
            self.identity.add(firsts.select("key", pl.col("_n").alias("_name"), pl.col("_f").alias("_founded"),
                                            pl.col("_r").alias("_first")))  # fmt: skip
            ids = ids.join(firsts, on="key", how="left", maintain_order="left").with_columns(
                pl.coalesce("_name", "_n").alias("_name"),
                pl.coalesce("_founded", "_f").alias("_founded"),
                pl.coalesce("_first", "_r").alias("_first"),
            )
            differs = (pl.col("name") != pl.col("_name")) | (pl.col("founded_on") != pl.col("_founded"))
            conflict = ids.filter(differs).select("_i", pl.col("_first").alias("_c"))
            typed = typed.join(conflict, on="_i", how="left", maintain_order="left")
            typed = typed.with_columns(pl.col("_c").alias("_conflict")).drop("_c")
        return typed

    def rows_per_code(self) -> pl.DataFrame:
        """``code`` (code_key) and ``len``, the rows of each code seen so far, in code order."""
        return (self.seen.keys() // 256).alias("code").to_frame().group_by("code").len().sort("code")

    # ------------------------------------------------------------------ problems

    def _problems(self, frame: pl.DataFrame, flagged: pl.DataFrame) -> list[Problem]:
        """validate_rows on each flagged row alone (row-local problems, word for word), then the
        problems across rows, as validate_rows appends them."""
        if not flagged.height:
            return []
        cells = cell_names(self.width)
        flagged = flagged.sort("_i")
        raw = frame.filter(pl.col("_i").is_in(flagged.get_column("_i").implode())).sort("_i").select(cells).rows()
        out: list[Problem] = []
        columns = ["_row", "_cells", "_extra", "_short", "_dup", "_conflict", "uscc", "name"]
        present = set(flagged.columns)
        picked = flagged.select(pl.col(c) if c in present else pl.lit(None).alias(c) for c in columns)
        for (row, n_cells, extra, short, dup, conflict, code, name), values in zip(picked.rows(), raw, strict=True):
            if short:
                raw_row = list(values[:n_cells])
            else:
                spare = n_cells - self.width
                raw_row = list(values) + (["x" if extra else ""] + [""] * (spare - 1) if spare > 0 else [])
            out += [replace(p, row=row) for p in validate_rows(self.header, [raw_row], self.today).problems]
            if dup is not None:
                out.append(Problem(row, "uscc", code, "duplicate", {"first": dup}))
            if conflict is not None:
                out.append(Problem(row, "name", name, "conflicting_identity", {"first": conflict}))
        return out


class SortedRuns:
    """Values kept by key across batches, looked up in time that grows with the log of what is
    kept: runs of rows sorted by ``key``, the newest merged into the one before while it is at
    least half its size (so there are about log2 of the rows' count runs). A key is added once."""

    def __init__(self, values: dict[str, pl.DataType]):
        self.values = values
        self.runs: list[pl.DataFrame] = []

    def lookup(self, keys: pl.Series) -> pl.DataFrame:
        """The values kept for each key (null where the key was never added), in the keys' order."""
        found = pl.DataFrame({n: pl.Series(n, [None] * len(keys), dtype=t) for n, t in self.values.items()})
        for run in self.runs:
            at = run.get_column("key").search_sorted(keys).clip(upper_bound=max(run.height - 1, 0))
            hit = run.get_column("key").gather(at) == keys
            kept = run.select(*self.values).gather(at)
            found = found.select(pl.coalesce(pl.col(n), pl.when(hit).then(kept.get_column(n))).alias(n)
                                 for n in self.values)  # fmt: skip
        return found

    def add(self, rows: pl.DataFrame) -> None:
        if not rows.height:
            return
        self.runs.append(rows.select("key", *(pl.col(n).cast(t) for n, t in self.values.items())).sort("key"))
        while len(self.runs) > 1 and self.runs[-1].height * 2 >= self.runs[-2].height:
            newest = self.runs.pop()
            self.runs[-1] = pl.concat([self.runs[-1], newest]).sort("key")

    def keys(self) -> pl.Series:
        return pl.concat([run.get_column("key") for run in self.runs]) if self.runs else pl.Series("key", [], pl.Int128)
