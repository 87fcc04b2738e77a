"""What a rule file becomes once loaded: tiers, criteria, tests and score models."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

STRICTNESS = ("hard", "presumptive", "relaxable", "expert")
CONFIDENCE = ("A", "B", "C", "D")
COMPARE_OPS = ("<=", "<", ">=", ">", "==", "!=")
SET_OPS = ("in", "not_in", "any_in")
BOOL_OPS = ("is_true", "is_false")
OPS = COMPARE_OPS + SET_OPS + BOOL_OPS
ORDERING = ("<=", "<", ">=", ">")
SCORE_FIELDS = ("score", "score_range")  # and "score.<part>": a tier's score, always a range (low, high)


def is_score_field(name: str) -> bool:
    return name in SCORE_FIELDS or name.startswith("score.")


@dataclass(frozen=True)
class Band:
    """An interval [ge|gt, le|lt) of a field and what it gives (points or a threshold value)."""

    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    points: tuple[int, int] | None = None  # (min, max); a fixed score has min == max
    value: float | None = None

    def contains(self, x: float) -> bool:
        return (
            (self.ge is None or x >= self.ge)
            and (self.gt is None or x > self.gt)
            and (self.le is None or x <= self.le)
            and (self.lt is None or x < self.lt)
        )

    def describe(self) -> str:
        low = f">= {self.ge:g}" if self.ge is not None else f"> {self.gt:g}" if self.gt is not None else ""
        high = f"<= {self.le:g}" if self.le is not None else f"< {self.lt:g}" if self.lt is not None else ""
        return " and ".join(p for p in (low, high) if p) or "any"


@dataclass(frozen=True)
class Compare:
    field: str
    op: str
    value: object = None
    threshold_field: str | None = None  # the threshold depends on this field's band
    threshold_bands: tuple[Band, ...] = ()


@dataclass(frozen=True)
class AnyOf:
    tests: tuple


@dataclass(frozen=True)
class AllOf:
    tests: tuple


@dataclass(frozen=True)
class Unpublished:
    reason: str  # the engine's note, in English: part of the `rainforest screen` output
    # The reason for people, by language ({"zh-hans": ..., "en": ...}); pages only, never compared.
    text: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Source:
    document: str
    clause: str = ""
    refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Criterion:
    id: str
    title: dict[str, str]
    tests: dict[str, object]  # reading name -> test; the default reading is used unless asked
    default_reading: str
    strictness: str
    source: Source
    confidence: str
    in_force_from: dt.date | None = None
    in_force_to: dt.date | None = None
    relaxation_grounds: tuple[str, ...] = ()

    @property
    def test(self):
        return self.tests[self.default_reading]

    def in_force(self, as_of: dt.date) -> bool:
        return (self.in_force_from is None or as_of >= self.in_force_from) and (
            self.in_force_to is None or as_of <= self.in_force_to
        )


@dataclass(frozen=True)
class ScorePart:
    """One block of a score: a band table, the best of several, a first match, an expert range,
    or a capped sum of sub-parts."""

    id: str
    kind: str  # bands | max_of | first_match | expert | sum_of
    maximum: int
    field: str | None = None
    bands: tuple[Band, ...] = ()
    options: tuple[ScorePart, ...] = ()  # for max_of and sum_of
    matches: tuple[tuple[Compare | None, tuple[int, int]], ...] = ()  # for first_match
    expert: tuple[int, int] | None = None


@dataclass(frozen=True)
class Score:
    id: str
    parts: tuple[ScorePart, ...]
    source: Source

    @property
    def is_range(self) -> bool:
        """True when experts judge part of it, so a pre-check gives only a range."""

        def has_expert(part: ScorePart) -> bool:
            return (
                part.kind == "expert"
                or any(has_expert(p) for p in part.options)
                or any(m[1][0] != m[1][1] for m in part.matches)
                or any(b.points and b.points[0] != b.points[1] for b in part.bands)
            )

        return any(has_expert(p) for p in self.parts)


@dataclass(frozen=True)
class Tier:
    id: str
    name: dict[str, str]
    document: str
    in_force_from: dt.date | None
    in_force_to: dt.date | None
    criteria: tuple[Criterion, ...]
    score: Score | None = None
    # Each note as {language: text}; a rule file may give a note in English only ({"en": ...}).
    notes: tuple[dict[str, str], ...] = ()
    unresolved: tuple[dict[str, str], ...] = ()
    in_force_source: Source | None = None  # where the dates come from

    def in_force(self, as_of: dt.date) -> bool:
        return not self.out_of_force(as_of)

    def out_of_force(self, as_of: dt.date) -> dict[str, dt.date]:
        """Empty while the rules apply; else the date that says why not: ``{"in_force_from": d}``
        before they took effect, ``{"in_force_to": d}`` after they ended."""
        if self.in_force_from is not None and as_of < self.in_force_from:
            return {"in_force_from": self.in_force_from}
        if self.in_force_to is not None and as_of > self.in_force_to:
            return {"in_force_to": self.in_force_to}
        return {}


@dataclass(frozen=True)
class Measure:
    """A support measure of the five actions, as data the Seedling programme uses."""

    id: str
    action: int
    title: dict[str, str]
    kind: str  # grant, subsidy, award, in-kind, process
    strictness: str  # fixed, cap, process
    amount_cny: int | None
    tiers: tuple[str, ...]
    frequency: str
    source: Source
    confidence: str
    parameters: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RuleSet:
    id: str
    version: str
    published: dt.date
    tiers: dict[str, Tier]
    measures: tuple[Measure, ...] = ()
    targets: dict = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
