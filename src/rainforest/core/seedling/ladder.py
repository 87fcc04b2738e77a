"""The tier ladder: where an enterprise stands and the next rung.

Order (policy-spec §2.3 and the brief): tech SME → seed → good seedling → high-tech enterprise →
young eagle → tech leader. A rung is *held* when a recognition for it is in force on the date
(seed has no certificate: it is held when the engine's verdict is eligible). The next rung is
the first above the highest held one; what it lacks comes from the engine's criteria.
"""

from __future__ import annotations

from dataclasses import dataclass

LADDER = ("tech_sme", "seed", "good_seedling", "hnte", "young_eagle", "tech_leader")
# Rungs that are a title someone awards (a recognition); the others are an engine verdict.
RECOGNISED = frozenset({"tech_sme", "good_seedling", "hnte", "young_eagle", "tech_leader"})


@dataclass(frozen=True)
class Rung:
    tier: str
    held: bool
    by: str  # "recognition", "verdict" or "" (not held)
    verdict: str  # the engine's verdict for this tier ("" when not screened)


@dataclass(frozen=True)
class Standing:
    rungs: tuple[Rung, ...]
    current: str | None  # highest held rung
    next: str | None  # first rung above it (None at the top)


def standing(recognised: set[str], verdicts: dict[str, str]) -> Standing:
    rungs = []
    for tier in LADDER:
        by_recognition = tier in RECOGNISED and tier in recognised
        by_verdict = tier not in RECOGNISED and verdicts.get(tier) == "eligible"
        by = "recognition" if by_recognition else "verdict" if by_verdict else ""
        rungs.append(Rung(tier, bool(by), by, verdicts.get(tier, "")))
    held = [i for i, r in enumerate(rungs) if r.held]
    top = held[-1] if held else -1
    return Standing(
        tuple(rungs),
        LADDER[top] if top >= 0 else None,
        LADDER[top + 1] if top + 1 < len(LADDER) else None,
    )
