"""A screening result's explanation: kept compactly, rebuilt exactly as `rainforest screen` writes it.

A run keeps, per enterprise, one narrow row (``ScreeningResult``: code, name, year, a letter per tier)
and, a few thousand enterprises at a time, the batch evaluator's detail columns (every criterion's
result, value and threshold and each score) as a Parquet table compressed with zstd
(``ScreeningBlock``) — about a tenth of a byte per byte of the JSON record. What is the same for every
enterprise of the run (the criteria in force, their strictness and source, static thresholds, the
dates a tier is in force from or to) is said once, in the run's ``layout``. ``record`` puts the two
together into the record ``core.policy.screen.records`` yields for that enterprise; a test compares
the two over whole registries (tests/policy/test_storage.py).

The layout is written with the run, so a later change of the rule files never rewrites an old run's
explanations. Runs converted from the JSON records of before (migration 0004) keep each value and
threshold as JSON text (``"json": true``), so they read back exactly whatever they held.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import polars as pl

from rainforest.core.policy.evaluate import NOT_IN_FORCE
from rainforest.core.policy.model import RuleSet

LAYOUT_VERSION = 1
RESULT = {True: "pass", False: "fail", None: "unknown"}
# Enterprises per block: the result page decodes one block (a few hundred KB) to explain one of them.
BLOCK_SIZE = 2000


def plain(value):
    """A value as the screen record holds it: whole floats as integers, dates as ISO text."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _static_threshold(criterion):
    # The record shows the rule's own test's value where the frame has no threshold column.
    value = getattr(criterion.test, "value", None)
    return list(value) if isinstance(value, tuple) else value


def layout(ruleset: RuleSet, tiers: list[str], as_of: dt.date, columns) -> dict:
    """What the run's records share, from the rule set and the columns of the evaluator's detail frame."""
    columns = set(columns)
    out = {"version": LAYOUT_VERSION, "json": False, "tiers": []}
    for t in tiers:
        tier = ruleset.tiers[t]
        criteria = []
        for c in tier.criteria:
            key = f"{t}.{c.id}"
            if f"{key}.result" not in columns:
                continue  # not in force at the as-of date: the record leaves it out
            entry = {
                "id": c.id,
                "strictness": c.strictness,
                "source": c.source.document + (f" {c.source.clause}" if c.source.clause else ""),
                "value": f"{key}.value" in columns,
                "threshold_column": f"{key}.threshold" in columns,
            }
            if not entry["threshold_column"]:
                entry["threshold"] = plain(_static_threshold(c))
            criteria.append(entry)
        score = None
        if f"{t}.score_min" in columns:
            score = "exact" if f"{t}.score" in columns else "range"
        out["tiers"].append({
            "id": t,
            "window": {k: v.isoformat() for k, v in tier.out_of_force(as_of).items()},
            "score": score,
            "criteria": criteria,
        })  # fmt: skip
    return out


def block_columns(layout: dict) -> list[str]:
    """The detail columns a block keeps (the verdicts are the results' codes)."""
    names = ["uscc"]
    for tier in layout["tiers"]:
        t = tier["id"]
        if tier["score"]:
            names += [f"{t}.score_min", f"{t}.score_max"]
        for c in tier["criteria"]:
            key = f"{t}.{c['id']}"
            names.append(f"{key}.result")
            if c["value"]:
                names.append(f"{key}.value")
            if c["threshold_column"]:
                names.append(f"{key}.threshold")
    return names


def encode(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd", compression_level=3, statistics=False)
    return buffer.getvalue()


def decode(data: bytes) -> pl.DataFrame:
    return pl.read_parquet(io.BytesIO(bytes(data)))


def record(layout: dict, *, uscc: str, name: str, fiscal_year: int | None, verdicts: dict, row: dict) -> dict:
    """The enterprise's screen record from its narrow result (``verdicts``: tier -> verdict) and its
    row of the block (``row``: column -> value)."""
    read = (lambda v: json.loads(v)) if layout.get("json") else plain  # noqa: E731
    out = {"uscc": uscc, "name": name, "fiscal_year": fiscal_year, "tiers": {}}
    for tier in layout["tiers"]:
        t = tier["id"]
        entry = {"verdict": verdicts[t]}
        if verdicts[t] == NOT_IN_FORCE:
            entry.update(tier["window"])
        if tier["score"]:
            low, high = row[f"{t}.score_min"], row[f"{t}.score_max"]
            entry["score"] = low if tier["score"] == "exact" and low == high else {"min": low, "max": high}
        criteria = []
        for c in tier["criteria"]:
            key = f"{t}.{c['id']}"
            criteria.append({
                "id": c["id"],
                "result": RESULT[row[f"{key}.result"]],
                "value": read(row[f"{key}.value"]) if c["value"] else None,
                "threshold": read(row[f"{key}.threshold"]) if c["threshold_column"] else c["threshold"],
                "strictness": c["strictness"],
                "source": c["source"],
            })  # fmt: skip
        entry["criteria"] = criteria
        out["tiers"][t] = entry
    return out
