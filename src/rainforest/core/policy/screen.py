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
from collections.abc import Iterator

import polars as pl

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
