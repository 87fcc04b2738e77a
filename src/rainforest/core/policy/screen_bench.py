"""`rainforest bench screen`: the command line's screening of a facts file, end to end, against
what polars itself needs to read that file and write the same records as JSON lines.

A synthetic facts CSV of N rows (rainforest.core.policy.synthetic, with valid codes) is written
once. Each repetition then times, one after the other so that both see the same machine:

- the floor: ``pl.read_csv`` of the file, then ``write_ndjson`` of the same records in polars'
  own form (records_frame: uscc, name, fiscal_year, tiers -> verdict, score, criteria -> id,
  result, value, threshold, strictness, source), built beforehand and not timed. polars needs one
  type per field, so a value or threshold is written as a JSON string there: the same lines, as
  long as the command's to within a percent;
- ``rainforest screen FILE --as-of D -o OUT`` in a child process, start-up included, with that
  child's peak resident memory (``os.wait4``).

It prints the medians, the ratio and the peak, and says which target is missed: the screen within
``TARGET_RATIO`` times the floor, its memory under ``TARGET_MIB``.
"""

from __future__ import annotations

import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from rainforest.core import uscc
from rainforest.core.facts.schema import COLUMNS, Kind
from rainforest.core.policy.batch import evaluate_frame
from rainforest.core.policy.model import RuleSet
from rainforest.core.policy.synthetic import synthetic_facts

TARGET_RATIO, TARGET_MIB = 3.0, 1024


@dataclass
class Measure:
    rows: int
    enterprises: int
    floor: list[float]
    screen: list[float]
    peak_mib: list[float]
    floor_bytes: int
    screen_bytes: int

    @property
    def ratio(self) -> float:
        return statistics.median(self.screen) / statistics.median(self.floor)

    def missed(self) -> list[str]:
        return [name for name, bad in (("time", self.ratio > TARGET_RATIO), ("memory", max(self.peak_mib) > TARGET_MIB))
                if bad]  # fmt: skip


def write_facts(path: Path, rows: int, *, seed: int, last_year: int) -> pl.DataFrame:
    """Synthetic enterprise-years as a canonical facts CSV the command accepts: real codes (the
    generator's are placeholders), counts written as whole numbers."""
    facts = synthetic_facts(rows, seed=seed, last_year=last_year)
    codes = facts.get_column("uscc").unique(maintain_order=True)
    real = {code: uscc.build("9", "1", "330106", f"{i:08d}") for i, code in enumerate(codes.to_list())}
    facts = facts.with_columns(pl.col("uscc").replace_strict(real))
    counts = [c.name for c in COLUMNS if c.kind == Kind.INT]
    facts.with_columns(pl.col(counts).cast(pl.Int64)).write_csv(path)
    return facts


def run(
    ruleset: RuleSet, write: Callable[[str], None], *, rows: int, repeat: int, seed: int, folder: Path | None = None
) -> Measure:
    today = dt.datetime.now(dt.UTC).date()
    with tempfile.TemporaryDirectory(prefix="rainforest-bench-screen-", dir=folder) as tmp:
        path = Path(tmp) / "facts.csv"
        t0 = time.perf_counter()
        facts = write_facts(path, rows, seed=seed, last_year=today.year - 1)
        enterprises = facts.get_column("uscc").n_unique()
        write(f"wrote {facts.height:,} enterprise-years ({enterprises:,} enterprises, "
              f"{path.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - t0:.1f} s")  # fmt: skip
        records = records_frame(ruleset, evaluate_frame(ruleset, facts, today, details=True), list(ruleset.tiers))
        del facts
        floor_out, screen_out = Path(tmp) / "floor.jsonl", Path(tmp) / "screen.jsonl"
        measure = Measure(rows, enterprises, [], [], [], 0, 0)
        for k in range(repeat):
            t0 = time.perf_counter()
            pl.read_csv(path)
            records.write_ndjson(floor_out)
            measure.floor.append(time.perf_counter() - t0)
            seconds, peak = _screen(path, today, screen_out)
            measure.screen.append(seconds)
            measure.peak_mib.append(peak)
            write(f"  run {k + 1}: floor {measure.floor[-1]:.2f} s, screen {seconds:.2f} s, peak {peak:,.0f} MiB")
        measure.floor_bytes, measure.screen_bytes = floor_out.stat().st_size, screen_out.stat().st_size
        with open(screen_out, "rb") as f:
            lines = sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 24), b""))
        if lines != enterprises:
            raise RuntimeError(f"screen wrote {lines:,} records for {enterprises:,} enterprises")
    return measure


def records_frame(ruleset: RuleSet, result: pl.DataFrame, tiers: list[str]) -> pl.DataFrame:
    """The screen's records as a polars frame of nested structs (see the module's docstring)."""

    def text(name: str) -> pl.Expr:
        if name not in result.schema:
            return pl.lit(None, dtype=pl.String)
        if isinstance(result.schema[name], pl.Struct):
            return pl.col(name).struct.json_encode()
        if isinstance(result.schema[name], pl.List):
            return pl.col(name).cast(pl.List(pl.String)).list.join(",")
        return pl.col(name).cast(pl.String)

    per_tier = []
    for t in tiers:
        fields = [pl.col(t).alias("verdict")]
        if f"{t}.score_min" in result.schema:
            fields.append(pl.struct(pl.col(f"{t}.score_min").alias("min"), pl.col(f"{t}.score_max").alias("max"))
                          .alias("score"))  # fmt: skip
        criteria = []
        for c in ruleset.tiers[t].criteria:
            key = f"{t}.{c.id}"
            if f"{key}.result" not in result.schema:
                continue
            r = pl.col(f"{key}.result")
            criteria.append(pl.struct(
                pl.lit(c.id).alias("id"),
                pl.when(r.is_null()).then(pl.lit("unknown")).when(r).then(pl.lit("pass")).otherwise(pl.lit("fail"))
                .alias("result"),
                text(f"{key}.value").alias("value"), text(f"{key}.threshold").alias("threshold"),
                pl.lit(c.strictness).alias("strictness"),
                pl.lit(c.source.document + (f" {c.source.clause}" if c.source.clause else "")).alias("source"),
            ))  # fmt: skip
        fields.append(pl.concat_list(criteria).alias("criteria"))
        per_tier.append(pl.struct(fields).alias(t))
    return result.select("uscc", "name", "fiscal_year", pl.struct(per_tier).alias("tiers"))


# Linux keeps a process's peak RSS across exec, and a child started from this (large) process
# begins as this process's memory: so a small, fresh Python starts the command and reports the
# command's own peak (ru_maxrss of wait4, kilobytes) and seconds.
_LAUNCHER = """
import os, subprocess, sys, time
t0 = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(time.perf_counter() - t0, usage.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _screen(path: Path, as_of: dt.date, out: Path) -> tuple[float, float]:
    """Seconds of ``rainforest screen`` in a child process, and that child's peak RSS in MiB."""
    command = [sys.executable, "-m", "rainforest", "screen", str(path), "--as-of", as_of.isoformat(), "-o", str(out)]
    with tempfile.TemporaryFile() as errors:
        launched = subprocess.run([sys.executable, "-c", _LAUNCHER, *command], stdout=subprocess.PIPE, stderr=errors)
        if launched.returncode:
            errors.seek(0)
            raise RuntimeError(f"rainforest screen exited {launched.returncode}: {errors.read()[-2000:].decode()}")
    seconds, peak_kib = launched.stdout.split()
    return float(seconds), int(peak_kib) / 1024


def lines(measure: Measure) -> list[str]:
    median = statistics.median
    return [
        "",
        f"floor (polars: read_csv, then write_ndjson of the same records, {measure.floor_bytes / 2**20:,.0f} MiB): "
        f"median {median(measure.floor):.2f} s over {len(measure.floor)} runs",
        f"rainforest screen (child process, start-up included, {measure.screen_bytes / 2**20:,.0f} MiB of JSON "
        f"lines): median {median(measure.screen):.2f} s, {measure.rows / median(measure.screen):,.0f} rows/s",
        f"ratio: {measure.ratio:.2f}x   target <= {TARGET_RATIO:.0f}x",
        f"peak memory of the screen (child max RSS): {max(measure.peak_mib):,.0f} MiB   target < {TARGET_MIB:,} MiB",
    ]
