"""Screening a facts table: the batch evaluator's frame turned into one record per enterprise.

The record shape is the `rainforest screen` contract:
  {uscc, name, fiscal_year, tiers: {tier: {verdict, score?, criteria: [{id, result, value,
   threshold, strictness, source}]}}}
A tier whose rules are not in force at the as-of date has the verdict ``not_in_force`` and the
date that says why (``in_force_from``: they take effect that day; ``in_force_to``: they ended that
day); its score and criteria are still given, for information, as the rules would read.
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import polars as pl

from rainforest.core.facts.columnar import SCHEMA, BatchValidator, code_of_key
from rainforest.core.facts.stream import open_facts
from rainforest.core.facts.writer import defuse
from rainforest.core.policy.batch import evaluate_frame
from rainforest.core.policy.evaluate import NOT_IN_FORCE
from rainforest.core.policy.model import RuleSet

RESULT = {True: "pass", False: "fail", None: "unknown"}


def _plain(value):
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def records(ruleset: RuleSet, frame: pl.DataFrame, tiers: list[str], as_of: dt.date) -> Iterator[dict]:
    """Records from a frame made by ``evaluate_frame(..., details=True)``."""
    sources = {
        (t, c.id): (c.strictness, c.source.document + (f" {c.source.clause}" if c.source.clause else ""))
        for t in tiers for c in ruleset.tiers[t].criteria
    }  # fmt: skip
    windows = {t: {k: v.isoformat() for k, v in ruleset.tiers[t].out_of_force(as_of).items()} for t in tiers}
    for row in frame.iter_rows(named=True):
        out = {"uscc": row["uscc"], "name": row["name"], "fiscal_year": row["fiscal_year"], "tiers": {}}
        for t in tiers:
            tier = {"verdict": row[t]}
            if row[t] == NOT_IN_FORCE:
                tier.update(windows[t])
            if f"{t}.score_min" in row:
                low, high = row[f"{t}.score_min"], row[f"{t}.score_max"]
                exact = f"{t}.score" in row and low == high  # an expert-judged score is always a range
                tier["score"] = low if exact else {"min": low, "max": high}
            criteria = []
            for c in ruleset.tiers[t].criteria:
                key = f"{t}.{c.id}"
                if f"{key}.result" not in row:
                    continue  # not in force at the as-of date
                strictness, source = sources[(t, c.id)]
                criteria.append({
                    "id": c.id, "result": RESULT[row[f"{key}.result"]], "value": _plain(row.get(f"{key}.value")),
                    "threshold": _plain(row.get(f"{key}.threshold", _static_threshold(c))),
                    "strictness": strictness, "source": source,
                })  # fmt: skip
            tier["criteria"] = criteria
            out["tiers"][t] = tier
        yield out


def _static_threshold(criterion):
    test = criterion.test
    value = getattr(test, "value", None)
    return list(value) if isinstance(value, tuple) else value


def screen(
    ruleset: RuleSet,
    frame: pl.DataFrame,
    as_of: dt.date,
    tiers: list[str] | None = None,
    readings: dict[str, str] | None = None,
):
    tiers = tiers or list(ruleset.tiers)
    result = evaluate_frame(ruleset, frame, as_of, tiers=tiers, readings=readings, details=True)
    return records(ruleset, result, tiers, as_of)


def to_jsonl(items) -> Iterator[str]:
    for item in items:
        yield json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n"


def flat_row(item: dict) -> dict:
    """A record as one spreadsheet row: verdict, score and the criteria that did not pass, per tier
    (for a tier not in force, ``in_force_from:YYYY-MM-DD`` or ``in_force_to:YYYY-MM-DD``)."""
    row = {"uscc": item["uscc"], "name": item["name"], "fiscal_year": item["fiscal_year"]}
    for t, tier in item["tiers"].items():
        row[f"{t}.verdict"] = tier["verdict"]
        if "score" in tier:
            score = tier["score"]
            row[f"{t}.score"] = f"{score['min']}-{score['max']}" if isinstance(score, dict) else score
        not_passed = [f"{c['id']}:{c['result']}" for c in tier["criteria"] if c["result"] != "pass"]
        # not in force: the date comes first, in the same id:result form
        not_passed[:0] = [f"{k}:{tier[k]}" for k in ("in_force_from", "in_force_to") if k in tier]
        row[f"{t}.not_passed"] = ";".join(not_passed)
    return row


# ---------------------------------------------------------------- a file of any size, in columns
#
# `rainforest screen` reads a file in two passes. The first validates it batch by batch (see
# rainforest.core.facts.stream and .columnar) and keeps the typed rows: in memory up to
# KEEP_ROWS rows, beyond that in Arrow IPC files in a temporary folder. The second evaluates the
# enterprises in slices of about SLICE_ROWS rows, each slice a range of codes (an enterprise's
# years are never split, wherever they lie in the file), in code order, which is the order of the
# records; each slice's records are written as text from the result's columns, JSON_BLOCK at a time.

KEEP_ROWS = 250_000  # typed rows kept in memory; beyond, every batch goes to disk
SLICE_ROWS = 100_000  # rows evaluated at once when they were kept on disk
JSON_BLOCK = 5_000
_DUMPS = {"ensure_ascii": False, "separators": (",", ":")}
_ESCAPED = r'["\\\x00-\x1f]'  # what json.dumps escapes when ensure_ascii is off
_EXACT_INT = 2**53
_FORMULA = r"^[=+\-@\t\r]"  # writer.defuse's trigger characters (validate.FORMULA_PREFIXES)


class FileScreen:
    """One file through both passes: ``problems()`` validates every batch and yields each batch's
    problems; when there were none, ``results()`` yields the evaluated slices in code order."""

    def __init__(self, path: Path, today: dt.date):
        self.facts = open_facts(path)
        self.validator = BatchValidator(self.facts.header, today)
        self.rows = 0
        self._kept: list[pl.DataFrame] = []
        self._spilled: list[Path] = []
        self._folder: tempfile.TemporaryDirectory | None = None

    def __enter__(self) -> FileScreen:
        return self

    def __exit__(self, *exc) -> None:
        self._kept = []
        if self._folder is not None:
            self._folder.cleanup()

    @property
    def header_problems(self) -> list:
        return self.validator.header_problems

    def read_to_end(self) -> None:
        """Read every row without checking it: what makes the file unreadable raises ReadError."""
        for _ in self.facts.batches:
            pass

    def problems(self) -> Iterator[list]:
        for batch in _ahead(self.facts.batches):
            rows, problems = self.validator.check(batch)
            if self.validator.problems:
                self._kept, self._spilled = [], []  # nothing is screened: no need to keep rows
            else:
                self._keep(rows)
            if problems:
                yield problems

    def _keep(self, rows: pl.DataFrame) -> None:
        if not rows.height:
            return
        self.rows += rows.height
        self._kept.append(rows)
        if self.rows > KEEP_ROWS or self._spilled:
            if self._folder is None:
                self._folder = tempfile.TemporaryDirectory(prefix="rainforest-screen-")
            for frame in self._kept:
                path = Path(self._folder.name) / f"{len(self._spilled):06d}.arrow"
                frame.write_ipc(path)
                self._spilled.append(path)
            self._kept = []

    def results(self, ruleset: RuleSet, as_of: dt.date, tiers: list[str]) -> Iterator[pl.DataFrame]:
        if not self._spilled:
            facts = pl.concat(self._kept) if self._kept else pl.DataFrame(schema=SCHEMA)
            self._kept = []
            yield evaluate_frame(ruleset, facts, as_of, tiers=tiers, details=True)
            return
        per_code = self.validator.rows_per_code()
        before = per_code.get_column("len").cum_sum() - per_code.get_column("len")
        slices = (
            per_code.with_columns((before // SLICE_ROWS).alias("_slice"))
            .group_by("_slice").agg(pl.col("code").min().alias("lo"), pl.col("code").max().alias("hi"))
            .sort("_slice")
        )  # fmt: skip
        del per_code, before
        for lo, hi in ((code_of_key(lo), code_of_key(hi)) for lo, hi in slices.select("lo", "hi").iter_rows()):
            facts = pl.scan_ipc(self._spilled).filter(pl.col("uscc").is_between(pl.lit(lo), pl.lit(hi))).collect()
            yield evaluate_frame(ruleset, facts, as_of, tiers=tiers, details=True)


def _ahead(items: Iterator) -> Iterator:
    """The items, the next one made in a thread while the caller works on this one (polars and
    file reads release the interpreter's lock, so reading the next block overlaps validating this
    one). What the maker raises is raised here, in order; a caller that stops early stops it."""
    out: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    done = object()

    def hand(entry) -> bool:
        while not stop.is_set():
            try:
                out.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def make() -> None:
        try:
            for item in items:
                if not hand((item, None)):
                    return
        except BaseException as exc:  # noqa: BLE001 - handed over to the caller's thread
            hand((None, exc))
            return
        hand((done, None))

    thread = threading.Thread(target=make, daemon=True, name="screen-ahead")
    thread.start()
    try:
        while True:
            item, error = out.get()
            if error is not None:
                raise error
            if item is done:
                return
            yield item
    finally:
        stop.set()
        thread.join()


class RecordText:
    """The records of :func:`records` as JSON lines (``to_jsonl``'s bytes) and as the rows of
    :func:`flat_row`, built from the result frame's columns rather than a dict per enterprise.

    A value polars cannot write as json.dumps would (a float outside 1e-4..1e16, a string with a
    character JSON escapes) is written by json.dumps itself; such values are rare."""

    def __init__(self, ruleset: RuleSet, tiers: list[str], as_of: dt.date):
        self.ruleset, self.tiers, self.as_of = ruleset, tiers, as_of
        self.windows = {t: {k: v.isoformat() for k, v in ruleset.tiers[t].out_of_force(as_of).items()} for t in tiers}

    # JSON lines ---------------------------------------------------------------

    def write_jsonl(self, result: pl.DataFrame, into: BinaryIO) -> None:
        """to_jsonl's lines for the result's records, in UTF-8, JSON_BLOCK records at a time."""
        texts = _Texts(result)
        line = pl.concat_str(self._line(result.schema, texts)).alias("line")
        blocks = (texts.frame.slice(offset, JSON_BLOCK).select(line) for offset in range(0, result.height, JSON_BLOCK))
        for lines in _ahead(blocks):  # the next block's lines are made while this one is written
            # one column of lines, each written as it is with a line feed after it
            lines.write_csv(into, include_header=False, quote_style="never")

    def _line(self, schema: pl.Schema, texts: _Texts) -> list[pl.Expr]:
        value = texts.of
        out: list = ['{"uscc":', *value("uscc"), ',"name":', *value("name"), ',"fiscal_year":',
                     *value("fiscal_year"), ',"tiers":{']  # fmt: skip
        for k, t in enumerate(self.tiers):
            out += [("," if k else "") + json.dumps(t) + ':{"verdict":', *value(t)]
            # out of force at the as-of date: every record's verdict is not_in_force (evaluate_frame)
            out += [f",{json.dumps(k)}:{json.dumps(v)}" for k, v in self.windows[t].items()]
            if f"{t}.score_min" in schema:
                low, high = value(f"{t}.score_min"), value(f"{t}.score_max")
                pair = pl.concat_str(_merged(['{"min":', *low, ',"max":', *high, "}"]))
                if f"{t}.score" in schema:
                    exact = pl.col(f"{t}.score_min") == pl.col(f"{t}.score_max")
                    pair = pl.when(exact).then(pl.concat_str(_merged(low))).otherwise(pair)
                out += [',"score":', pair]
            out.append(',"criteria":[')
            first = True
            for c in self.ruleset.tiers[t].criteria:
                key = f"{t}.{c.id}"
                if f"{key}.result" not in schema:
                    continue
                threshold = (
                    value(f"{key}.threshold") if f"{key}.threshold" in schema
                    else [json.dumps(_plain(_static_threshold(c)), **_DUMPS)]
                )  # fmt: skip
                source = c.source.document + (f" {c.source.clause}" if c.source.clause else "")
                result = pl.col(f"{key}.result").cast(pl.UInt8).fill_null(2)
                out += [("" if first else ",") + '{"id":' + json.dumps(c.id, **_DUMPS) + ',"result":',
                        _Choice(result, ('"fail"', '"pass"', '"unknown"')), ',"value":',
                        *(value(f"{key}.value") if f"{key}.value" in schema else ["null"]), ',"threshold":',
                        *threshold, ',"strictness":' + json.dumps(c.strictness, **_DUMPS) + ',"source":'
                        + json.dumps(source, **_DUMPS) + "}"]  # fmt: skip
                first = False
            out.append("]}")
        out.append("}}")
        return _merged(out)

    # spreadsheet rows -----------------------------------------------------------

    def header(self, result: pl.DataFrame) -> list[str]:
        names = ["uscc", "name", "fiscal_year"]
        for t in self.tiers:
            names.append(f"{t}.verdict")
            if f"{t}.score_min" in result.schema:
                names.append(f"{t}.score")
            names.append(f"{t}.not_passed")
        return names

    def table(self, results: Iterable[pl.DataFrame]) -> Iterator[list]:
        """The header, then each record's cells as flat_row gives them and the command always
        wrote them (text defused, numbers as numbers, a blank year as None)."""
        header = None
        for result in results:
            if header is None:
                header = self.header(result) if result.height else ["uscc", "name", "fiscal_year"]
                yield header
            flat = self.flat(result)
            columns = []
            for name in header:
                values = flat.get_column(name).to_list()
                if f"{name}_text" in flat.columns:  # an exact score is a number, a range is text
                    ranges = flat.get_column(f"{name}_text").to_list()
                    values = [v if r is None else r for v, r in zip(values, ranges, strict=True)]
                elif flat.schema[name] == pl.String and flat.select(pl.col(name).str.contains(_FORMULA).any()).item():
                    values = [None if v is None else defuse(v) for v in values]
                columns.append(values)
            yield from (list(row) for row in zip(*columns, strict=True))
        if header is None:
            yield ["uscc", "name", "fiscal_year"]

    def flat(self, result: pl.DataFrame) -> pl.DataFrame:
        """flat_row's cells as columns: a score is an integer or "min-max" text (``.score`` and
        ``.score_text``, one of them null), not_passed is text."""
        columns: list[pl.Expr] = [pl.col("uscc"), pl.col("name"), pl.col("fiscal_year")]
        for t in self.tiers:
            columns.append(pl.col(t).alias(f"{t}.verdict"))
            if f"{t}.score_min" in result.schema:
                low, high = pl.col(f"{t}.score_min"), pl.col(f"{t}.score_max")
                exact = (low == high) if f"{t}.score" in result.schema else pl.lit(False)
                columns.append(pl.when(exact).then(low).alias(f"{t}.score"))
                columns.append(
                    pl.when(exact).then(None).otherwise(pl.format("{}-{}", low, high)).alias(f"{t}.score_text")
                )
            items = [
                pl.when(pl.col(t) == NOT_IN_FORCE).then(pl.lit(f"{k}:{v}"))
                for k, v in self.windows[t].items()
                if k in ("in_force_from", "in_force_to")
            ]
            for c in self.ruleset.tiers[t].criteria:
                result_col = f"{t}.{c.id}.result"
                if result_col in result.schema:
                    r = pl.col(result_col)
                    items.append(
                        pl.when(r.is_null()).then(pl.lit(f"{c.id}:unknown")).when(~r).then(pl.lit(f"{c.id}:fail"))
                    )
            not_passed = pl.concat_str(items, separator=";", ignore_nulls=True) if items else pl.lit("")
            columns.append(not_passed.fill_null("").alias(f"{t}.not_passed"))
        return result.select(columns)


class _Choice:
    """One of a few texts per record, picked by an index column (a result: fail, pass, unknown):
    the literal text on either side is folded into each option, so it costs one piece."""

    def __init__(self, index: pl.Expr, options: tuple[str, ...]):
        self.index, self.options = index, options


def _merged(pieces: list) -> list[pl.Expr]:
    """Adjacent literal texts joined, choices folded with their neighbours, all as expressions."""
    out: list = []
    for p in pieces:
        if isinstance(p, str) and out and isinstance(out[-1], str):
            out[-1] += p
        elif isinstance(p, str) and out and isinstance(out[-1], _Choice):
            out[-1] = _Choice(out[-1].index, tuple(o + p for o in out[-1].options))
        elif isinstance(p, _Choice) and out and isinstance(out[-1], str):
            out[-1] = _Choice(p.index, tuple(out[-1] + o for o in p.options))
        else:
            out.append(p)
    return [
        pl.lit(p) if isinstance(p, str)
        else pl.lit(pl.Series(p.options, dtype=pl.String)).gather(p.index) if isinstance(p, _Choice)
        else p
        for p in out
    ]  # fmt: skip


class _Texts:
    """Each column's values as the text json.dumps(_plain(value)) writes, as pieces for concat_str.
    Expressions write most values; json.dumps writes the rest (a float outside 1e-4..1e16 or beyond
    2**53, a string with a character JSON escapes), found for the whole block at once."""

    def __init__(self, result: pl.DataFrame):
        self.frame = result  # with a text column added for each column json.dumps helps write
        self.nulls = dict(zip(result.columns, result.null_count().row(0), strict=True))
        hard = {n: h for n, d in result.schema.items() if (h := _json_text(pl.col(n), d, True)[1]) is not None}
        # float columns (or struct fields) of whole numbers only: written as integers, a cheaper cast
        floats = {p: e for n, d in result.schema.items() for p, e in _floats(n, pl.col(n), d)}
        whole = [((e == e.floor()) & (e.abs() < _EXACT_INT)).fill_null(True).all().alias(f"whole:{p}")
                 for p, e in floats.items()]  # fmt: skip
        flags = result.select(*(h.any().alias(n) for n, h in hard.items()), *whole).row(0, named=True)
        self.hard = {n: hard[n] for n in hard if flags[n]}
        self.whole = {p for p in floats if flags[f"whole:{p}"]}

    def of(self, name: str) -> list:
        dtype = self.frame.schema[name]
        pieces, _ = _json_text(pl.col(name), dtype, self.nulls[name] > 0, name, self.whole)
        if name not in self.hard:
            return pieces
        text = self.frame.select(pl.concat_str(_merged(pieces)).alias(name)).get_column(name)
        at = self.frame.select(pl.arg_where(self.hard[name])).to_series().to_list()
        values = self.frame.get_column(name).gather(at).to_list()
        text.scatter(at, [json.dumps(_plain(v), **_DUMPS) for v in values])
        self.frame = self.frame.with_columns(text.alias(f"json:{name}"))
        return [pl.col(f"json:{name}")]


def _floats(path: str, x: pl.Expr, dtype: pl.DataType) -> list[tuple[str, pl.Expr]]:
    if dtype.is_float():
        return [(path, x)]
    if isinstance(dtype, pl.Struct):
        return [p for f in dtype.fields for p in _floats(f"{path}\x00{f.name}", x.struct.field(f.name), f.dtype)]
    return []


def _json_text(
    x: pl.Expr, dtype: pl.DataType, nulls: bool, path: str = "", whole: frozenset | set = frozenset()
) -> tuple[list, pl.Expr | None]:
    """(pieces, hard): pieces whose concatenation is json.dumps(_plain(value)) wherever ``hard`` is
    false; ``hard`` is None when no value can need json.dumps itself. ``whole`` names the float
    columns (``path``) known to hold whole numbers below 2**53 only."""
    fill = (lambda e: e.fill_null("null")) if nulls else (lambda e: e)  # noqa: E731
    if dtype.is_float() and path in whole:
        return [fill(x.cast(pl.Int64).cast(pl.String))], None
    if dtype == pl.Null:
        return ["null"], None
    if dtype == pl.String:
        hard = x.str.contains(_ESCAPED).fill_null(False)
        if nulls:
            return [pl.concat_str([pl.lit('"'), x, pl.lit('"')]).fill_null("null")], hard
        return ['"', x, '"'], hard
    if dtype == pl.Boolean or dtype.is_integer():
        return [fill(x.cast(pl.String))], None
    if dtype.is_float():
        # polars writes the shortest repr, as Python does, between 1e-4 and 1e16 (no exponent);
        # a whole number below 2**53 loses its ".0" (_plain makes it an int); -0.0 + 0.0 is 0.0
        plain = (x.abs() < _EXACT_INT) & ((x.abs() >= 1e-4) | (x == 0))
        return [fill((x + 0.0).cast(pl.String).str.strip_suffix(".0"))], (x.is_not_null() & ~plain).fill_null(False)
    if dtype == pl.Date:
        if nulls:
            return [pl.concat_str([pl.lit('"'), x.dt.to_string("%Y-%m-%d"), pl.lit('"')]).fill_null("null")], None
        return ['"', x.dt.to_string("%Y-%m-%d"), '"'], None
    if isinstance(dtype, pl.Struct):
        pieces: list = ["{"]
        hard_parts = [x.is_null()]  # a missing struct is rare: json.dumps writes it
        for k, field in enumerate(dtype.fields):
            texts, hard = _json_text(x.struct.field(field.name), field.dtype, True, f"{path}\x00{field.name}", whole)
            pieces += [("," if k else "") + json.dumps(field.name, **_DUMPS) + ":", *texts]
            if hard is not None:
                hard_parts.append(hard)
        pieces.append("}")
        return pieces, pl.any_horizontal(hard_parts).fill_null(False)
    if isinstance(dtype, pl.List) and dtype.inner.is_integer():
        inner = x.list.eval(pl.element().cast(pl.String).fill_null("null")).list.join(",")
        return ["[", inner.fill_null(""), "]"], x.is_null()
    return ["null"], x.is_not_null()
