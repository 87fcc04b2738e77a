"""Evaluate one enterprise against a rule set: a verdict per tier and the reason for each.

Verdicts (shared/facts-schema.md):
  ineligible  a hard criterion fails (an expert-judged score whose best case misses counts too)
  unknown     no hard failure, but a hard criterion cannot be decided from the data
  review      only presumptive or relaxable criteria fail or are undecided, or experts decide
  eligible    every criterion passes
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rainforest.core.policy.fields import Facts, Known, select_rows, value_of
from rainforest.core.policy.model import AllOf, AnyOf, Compare, Criterion, RuleSet, Score, ScorePart, Tier, Unpublished

SOFT = ("presumptive", "relaxable")


@dataclass
class Outcome:
    """A test's outcome: True pass, False fail, None undecided, with what decided it."""

    result: bool | None
    value: object = None
    threshold: object = None
    missing: tuple[str, ...] = ()
    note: str = ""


@dataclass
class CriterionResult:
    id: str
    title: dict
    result: str  # pass | fail | unknown
    value: object
    threshold: object
    strictness: str
    source: str
    confidence: str
    reading: str
    missing: list[str] = field(default_factory=list)
    note: str = ""

    def as_dict(self) -> dict:
        return {
            "id": self.id, "result": self.result, "value": self.value, "threshold": self.threshold,
            "strictness": self.strictness, "source": self.source, "missing": self.missing, "note": self.note,
        }  # fmt: skip


@dataclass
class TierResult:
    tier: str
    verdict: str
    criteria: list[CriterionResult]
    score: int | None = None
    score_range: tuple[int, int] | None = None
    score_parts: dict = field(default_factory=dict)
    in_force: bool = True

    def as_dict(self) -> dict:
        out = {"verdict": self.verdict, "criteria": [c.as_dict() for c in self.criteria]}
        if self.score_range is not None:
            out["score"] = {"min": self.score_range[0], "max": self.score_range[1], "parts": self.score_parts}
        elif self.score is not None or self.score_parts:
            out["score"] = self.score
            out["score_parts"] = self.score_parts
        if not self.in_force:
            out["in_force"] = False
        return out


# ---------------------------------------------------------------- scores


@dataclass
class Points:
    low: int | None
    high: int | None
    missing: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        return self.low is not None and self.low == self.high


def _band_points(part: ScorePart, facts: Facts) -> Points:
    known = value_of(facts, part.field)
    if known.unknown:
        return Points(None, None, known.missing or (known.undefined,))
    for band in part.bands:
        if band.contains(known.value):
            return Points(*band.points)
    raise ValueError(f"{part.id}: no band holds {known.value}")  # the loader demands full tables


def part_points(part: ScorePart, facts: Facts, widen: bool) -> Points:
    """Points of one part. With ``widen`` (range scores), unknown data counts as 0..max."""
    match part.kind:
        case "bands":
            points = _band_points(part, facts)
        case "expert":
            points = Points(*part.expert)
        case "first_match":
            points = Points(0, 0)
            for test, pts in part.matches:
                if test is None:
                    points = Points(*pts)
                    break
                outcome = run_test(test, facts, None)
                if outcome.result is None:
                    points = Points(None, None, outcome.missing or (outcome.note,))
                    break
                if outcome.result:
                    points = Points(*pts)
                    break
        case "max_of" | "sum_of":
            options = [part_points(p, facts, widen) for p in part.options]
            missing = tuple(m for o in options for m in o.missing)
            if part.kind == "max_of":
                known = [o for o in options if o.low is not None]
                if not known:
                    return Points(None, None, missing)
                low = max(o.low for o in known)
                high = max([o.high for o in known] + [p.maximum for p, o in zip(part.options, options, strict=True)
                                                      if o.low is None])  # fmt: skip
                points = Points(low, high, missing) if (low == high or widen) else Points(None, None, missing)
            else:
                if any(o.low is None for o in options):
                    return (
                        Points(None, None, missing)
                        if not widen
                        else Points(
                            sum(o.low or 0 for o in options),
                            sum(
                                o.high if o.high is not None else p.maximum
                                for p, o in zip(part.options, options, strict=True)
                            ),
                            missing,
                        )
                    )
                points = Points(sum(o.low for o in options), sum(o.high for o in options), missing)
    if points.low is None and widen:
        return Points(0, part.maximum, points.missing)
    if points.low is not None:
        return Points(min(points.low, part.maximum), min(points.high, part.maximum), points.missing)
    return points


def score_of(score: Score, facts: Facts) -> tuple[Points, dict]:
    widen = score.is_range
    parts = {p.id: part_points(p, facts, widen) for p in score.parts}
    missing = tuple(m for p in parts.values() for m in p.missing)
    shown = {k: (p.low if p.known else [p.low, p.high] if p.low is not None else None) for k, p in parts.items()}
    if any(p.low is None for p in parts.values()):
        return Points(None, None, missing), shown
    return Points(sum(p.low for p in parts.values()), sum(p.high for p in parts.values()), missing), shown


# ---------------------------------------------------------------- tests


def _matches(code: str, patterns) -> bool:
    return any(code == p or (p.endswith("*") and code.startswith(p[:-1])) for p in patterns)


def _compare(op: str, x, y) -> bool:
    match op:
        case "<=":
            return x <= y
        case "<":
            return x < y
        case ">=":
            return x >= y
        case ">":
            return x > y
        case "==":
            return x == y
        case "!=":
            return x != y
    raise ValueError(op)


def _field(name: str, facts: Facts, score: tuple[Points, dict] | None) -> Known:
    if name == "score" or name == "score_range":
        points, _parts = score
        if points.low is None:
            return Known(missing=points.missing)
        return Known((points.low, points.high) if name == "score_range" else points.low)
    if name.startswith("score."):
        _points, parts = score
        value = parts.get(name[6:])
        return Known(value) if isinstance(value, int) else Known(missing=(f"{name}",))
    return value_of(facts, name)


def run_test(test, facts: Facts, score) -> Outcome:
    if isinstance(test, Unpublished):
        return Outcome(None, note=test.reason, missing=("(criteria not published)",))
    if isinstance(test, AnyOf | AllOf):
        outcomes = [run_test(t, facts, score) for t in test.tests]
        values = {t.field if isinstance(t, Compare) else f"#{i}": o.value for i, (t, o) in enumerate(
            zip(test.tests, outcomes, strict=True))}  # fmt: skip
        missing = tuple(m for o in outcomes for m in o.missing)
        note = "; ".join(o.note for o in outcomes if o.note)
        results = [o.result for o in outcomes]
        decisive = True if isinstance(test, AnyOf) else False
        if decisive in results:
            return Outcome(decisive, values, None, (), note)
        if None in results:
            return Outcome(None, values, None, missing, note)
        return Outcome(not decisive, values, None, (), note)
    known = _field(test.field, facts, score)
    threshold = test.value
    if test.threshold_field:
        by = value_of(facts, test.threshold_field)
        if by.unknown:
            return Outcome(None, known.value, None, by.missing, by.undefined)
        threshold = next(b.value for b in test.threshold_bands if b.contains(by.value))
    if known.unknown:
        return Outcome(None, None, threshold, known.missing, known.undefined or known.note)
    value = known.value
    match test.op:
        case "is_true":
            return Outcome(value is True, value, True, note=known.note)
        case "is_false":
            return Outcome(value is False, value, False, note=known.note)
        case "in" | "not_in":
            inside = value in threshold
            return Outcome(inside if test.op == "in" else not inside, value, list(threshold))
        case "any_in":
            return Outcome(any(_matches(c, threshold) for c in value), ";".join(value), list(threshold))
    if test.field == "score_range":
        low, high = value
        if _compare(test.op, low, threshold) and _compare(test.op, high, threshold):
            return Outcome(True, list(value), threshold)
        if not _compare(test.op, low, threshold) and not _compare(test.op, high, threshold):
            return Outcome(False, list(value), threshold)
        return Outcome(None, list(value), threshold, note=f"experts decide: the score can be {low} to {high}")
    return Outcome(_compare(test.op, value, threshold), value, threshold, note=known.note)


# ---------------------------------------------------------------- verdicts


def verdict_of(results: list[CriterionResult]) -> str:
    if any(r.result == "fail" and r.strictness in ("hard", "expert") for r in results):
        return "ineligible"
    if any(r.result == "unknown" and r.strictness == "hard" for r in results):
        return "unknown"
    if any(r.result != "pass" and r.strictness in (*SOFT, "expert") for r in results):
        return "review"
    return "eligible"


def _criterion(c: Criterion, facts: Facts, score, reading: str | None) -> CriterionResult:
    name = reading if reading in c.tests else c.default_reading
    outcome = run_test(c.tests[name], facts, score)
    result = {True: "pass", False: "fail", None: "unknown"}[outcome.result]
    note = outcome.note
    if result == "fail" and c.relaxation_grounds:
        note = (note + "; " if note else "") + "may be relaxed on grounds: " + ", ".join(c.relaxation_grounds)
    source = c.source.document + (f" {c.source.clause}" if c.source.clause else "")
    return CriterionResult(
        id=c.id, title=c.title, result=result, value=outcome.value, threshold=outcome.threshold,
        strictness=c.strictness, source=source, confidence=c.confidence, reading=name,
        missing=list(dict.fromkeys(outcome.missing)) if result == "unknown" else [], note=note,
    )  # fmt: skip


def evaluate_tier(tier: Tier, facts: Facts, readings: dict[str, str] | None = None) -> TierResult:
    readings = readings or {}
    score = score_of(tier.score, facts) if tier.score else None
    criteria = [_criterion(c, facts, score, readings.get(c.id)) for c in tier.criteria if c.in_force(facts.as_of)]
    in_force = (tier.in_force_from is None or facts.as_of >= tier.in_force_from) and (
        tier.in_force_to is None or facts.as_of <= tier.in_force_to
    )
    result = TierResult(tier.id, verdict_of(criteria), criteria, in_force=in_force)
    if score:
        points, parts = score
        result.score_parts = parts
        if tier.score.is_range:
            result.score_range = (points.low, points.high) if points.low is not None else None
        else:
            result.score = points.low
    return result


def evaluate(
    ruleset: RuleSet,
    *,
    uscc: str,
    name: str,
    founded_on: dt.date | None,
    rows: list[dict],
    as_of: dt.date,
    tiers: list[str] | None = None,
    readings: dict[str, str] | None = None,
) -> dict[str, TierResult]:
    """Every requested tier for one enterprise: ``rows`` are its yearly facts (any order)."""
    facts = Facts(uscc, name, founded_on, select_rows(rows, as_of), as_of)
    wanted = tiers or list(ruleset.tiers)
    return {t: evaluate_tier(ruleset.tiers[t], facts, readings) for t in wanted}
