"""The yearly good-seedling ranking and the quota.

Tie rules, in order (documented on the round's page and in the export):
1. higher mean weighted expert score;
2. higher R&D intensity (R&D expense / operating revenue) in the latest fiscal year, unknown last;
3. earlier submission;
4. the unified social credit code, ascending (only so that the order is total and reproducible).
Candidates with no expert score are not ranked. The top ``quota`` ranked candidates are selected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Entry:
    key: int
    uscc: str
    scores: tuple[Decimal, ...]  # each expert's weighted total
    rd_intensity: Decimal | None
    submitted_at: dt.datetime


@dataclass(frozen=True)
class Ranked:
    key: int
    rank: int
    mean: Decimal
    selected: bool


def mean(scores) -> Decimal:
    return (sum(scores, Decimal(0)) / len(scores)).quantize(Decimal("0.0001"))


def rank(entries: list[Entry], quota: int) -> list[Ranked]:
    scored = [e for e in entries if e.scores]
    order = sorted(
        scored,
        key=lambda e: (
            -mean(e.scores),
            e.rd_intensity is None,
            -(e.rd_intensity or Decimal(0)),
            e.submitted_at,
            e.uscc,
        ),
    )
    return [Ranked(e.key, i + 1, mean(e.scores), i < quota) for i, e in enumerate(order)]
