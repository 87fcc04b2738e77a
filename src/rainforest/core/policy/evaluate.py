"""Evaluate one enterprise against a rule set: a verdict per tier and the reason for each.

Verdicts (shared/facts-schema.md):
  not_in_force  the as-of date is before the tier's rules took effect (or after they ended): the
                result says from (or until) when they apply; its criteria show, for information
                only, how the enterprise would fare under them
  ineligible    a hard criterion fails (an expert-judged score whose best case misses counts too)
  unknown       no hard failure, but a hard criterion cannot be decided from the data
  review        only presumptive or relaxable criteria fail or are undecided, or experts decide
  eligible      every criterion passes

Scores are ranges: a part the data cannot decide counts anywhere from 0 to its maximum (missing is
unknown, never 0), so the known parts decide a threshold whenever the unknown ones cannot change
the outcome; otherwise the criterion is unknown (or, for expert-judged scores, a review).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rainforest.core.policy.fields import Facts, select_rows, value_of
from rainforest.core.policy.model import (
    SCORE_FIELDS,
    AllOf,
    AnyOf,
    Compare,
    Criterion,
    RuleSet,
    Score,
    ScorePart,
    Tier,
    Unpublished,
    is_score_field,
)

SOFT = ("presumptive", "relaxable")
NOT_IN_FORCE = "not_in_force"
VERDICTS = ("eligible", "ineligible", "review", "unknown", NOT_IN_FORCE)


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
    window: dict[str, dt.date] = field(default_factory=dict)  # not in force: {"in_force_from": date} or _to

    def as_dict(self) -> dict:
        out = {"verdict": self.verdict, **{k: v.isoformat() for k, v in self.window.items()}}
        out["criteria"] = [c.as_dict() for c in self.criteria]
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
    """A score or a part of one as a range: fixed points have low == high."""

    low: int
    high: int
    missing: tuple[str, ...] = ()  # what would narrow the range

    @property
    def known(self) -> bool:
        return self.low == self.high

    @property
    def shown(self):
        return self.low if self.known else [self.low, self.high]


def part_points(part: ScorePart, facts: Facts) -> Points:
    """Points of one part. A part the data cannot decide counts from 0 to its maximum."""
    match part.kind:
        case "bands":
            known = value_of(facts, part.field)
            if known.unknown:
                points = Points(0, part.maximum, known.missing or (known.undefined,))
            else:
                band = next((b for b in part.bands if b.contains(known.value)), None)
                if band is None:
                    raise ValueError(f"{part.id}: no band holds {known.value}")
                points = Points(*band.points)
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
                    points = Points(0, part.maximum, outcome.missing or (outcome.note,))
                    break
                if outcome.result:
                    points = Points(*pts)
                    break
        case "max_of":  # the enterprise picks the better option: an unknown one matters only if it could be better
            options = [part_points(p, facts) for p in part.options]
            best = max(o.low for o in options)
            missing = tuple(m for o in options if o.high > best for m in o.missing)
            points = Points(best, max(o.high for o in options), missing)
        case "sum_of":
            options = [part_points(p, facts) for p in part.options]
            missing = tuple(m for o in options for m in o.missing)
            points = Points(sum(o.low for o in options), sum(o.high for o in options), missing)
    return Points(min(points.low, part.maximum), min(points.high, part.maximum), points.missing)


def score_of(score: Score, facts: Facts) -> tuple[Points, dict[str, Points]]:
    """The total and each part, as ranges."""
    parts = {p.id: part_points(p, facts) for p in score.parts}
    missing = tuple(dict.fromkeys(m for p in parts.values() for m in p.missing))
    total = Points(sum(p.low for p in parts.values()), sum(p.high for p in parts.values()), missing)
    return total, parts


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


def _score_outcome(test: Compare, score: tuple[Points, dict[str, Points]]) -> Outcome:
    """A threshold on a score range: decided when both ends agree, else undecided with the range."""
    total, parts = score
    points = total if test.field in SCORE_FIELDS else parts[test.field[6:]]
    low, high = points.low, points.high
    shown = [low, high] if test.field == "score_range" else points.shown
    at_low, at_high = _compare(test.op, low, test.value), _compare(test.op, high, test.value)
    if at_low == at_high:
        return Outcome(at_low, shown, test.value)
    if test.field == "score_range":
        note = f"experts decide: the score can be {low} to {high}"
    else:
        note = f"the score can be {low} to {high}: the known parts do not decide it"
    return Outcome(None, shown, test.value, points.missing, note)


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
    if is_score_field(test.field):
        return _score_outcome(test, score)
    known = value_of(facts, test.field)
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
    """The criteria and score as the rules read; outside the tier's dates they are shown for
    information only and the verdict is ``not_in_force`` with the date."""
    readings = readings or {}
    score = score_of(tier.score, facts) if tier.score else None
    criteria = [_criterion(c, facts, score, readings.get(c.id)) for c in tier.criteria if c.in_force(facts.as_of)]
    window = tier.out_of_force(facts.as_of)
    verdict = NOT_IN_FORCE if window else verdict_of(criteria)
    result = TierResult(tier.id, verdict, criteria, in_force=not window, window=window)
    if score:
        total, parts = score
        result.score_parts = {k: p.shown for k, p in parts.items()}
        if tier.score.is_range or not total.known:
            result.score_range = (total.low, total.high)
        else:
            result.score = total.low
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
