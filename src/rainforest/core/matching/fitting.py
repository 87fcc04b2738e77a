"""Fitting the ranking weights on judged pairs, and judging a version on the held-out part.

``fit`` searches the field weights, the fusion's lexical share, the dense floor and the dense feedback
for the best mean nDCG@10 on the development sets (ties: the better Recall@20, then the earlier grid
point, so a refit on the same judgements gives the same weights), then fits the calibration — a logistic regression of
"judged relevant" on each top-20 hit's evidence — so that a level means the same from one query
to the next. It never sees the held-out part; ``judge`` does, to compare two versions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rainforest.core.matching.documents import Mode
from rainforest.core.matching.index import MatchIndex
from rainforest.core.matching.quality import EvalSet, Score, evaluate
from rainforest.core.matching.weights import FEATURES, RankingWeights

FIELD_GRID = tuple({"title": t, "tags": g, "body": 1} for t in (2, 3, 4) for g in (1, 2))
SHARE_GRID = tuple(round(0.1 * i, 1) for i in range(11))
FLOOR_GRID = (0.0, 0.05, 0.1)
FEEDBACK_GRID = ((0, 0.0), (5, 1.0), (5, 2.0))  # (closest documents, share of their centroid)
TOP = 20


@dataclass(frozen=True)
class Judged:
    """A version's figures on one set: its weights and the mean nDCG@10 / Recall@20."""

    score: Score

    def better_than(self, other: Judged) -> bool:
        """Strictly better nDCG@10 and no worse Recall@20: what adopting a refit requires."""
        return self.score.ndcg10 > other.score.ndcg10 and self.score.recall20 >= other.score.recall20


def _index(evalset: EvalSet, weights: RankingWeights, encoder: str | None) -> MatchIndex:
    index = MatchIndex(encoder=encoder, weights=weights)
    index.rebuild(evalset.capabilities, extra_texts=[s.text for s in evalset.scenarios])
    return index


def ranker(index: MatchIndex, mode: Mode | None = None):
    """Scenario -> capability ids, best first, as the platform ranks them (its domain preference
    included), for :func:`~rainforest.core.matching.quality.evaluate`."""

    def rank(scenario):
        boosts = index.weights.boosts_for(scenario.domains)
        return [h.id for h in index.search(scenario.text, top=TOP, mode=mode, boosts=boosts).hits]

    return rank


def _mean(scores: list[Score]) -> Score:
    queries = sum(s.queries for s in scores) or 1
    return Score(
        round(sum(s.ndcg10 * s.queries for s in scores) / queries, 4),
        round(sum(s.recall20 * s.queries for s in scores) / queries, 4),
        queries,
    )


def judge(weights: RankingWeights, sets: list[EvalSet], *, encoder: str | None = "lsa") -> Judged:
    """The figures of ``weights`` on ``sets`` (query-weighted means)."""
    return Judged(_mean([evaluate(ranker(_index(s, weights, encoder)), s) for s in sets if s.judgements]))


def fit(
    sets: list[EvalSet],
    *,
    start: RankingWeights,
    version: str,
    source: str,
    encoder: str | None = "lsa",
    fields_grid=FIELD_GRID,
    share_grid=SHARE_GRID,
    floor_grid=FLOOR_GRID,
    feedback_grid=FEEDBACK_GRID,
) -> tuple[RankingWeights, Score]:
    """The best weights for ``sets`` (development judgements only) and their figures there."""
    sets = [s for s in sets if s.judgements]
    if not sets:
        raise ValueError("no judged pairs to fit on")
    best: tuple[tuple, RankingWeights, Score] | None = None
    for order, fields in enumerate(fields_grid):
        indexes = [_index(s, start.with_changes(fields=fields), encoder) for s in sets]
        grid = [(share, floor, fb) for share in share_grid for floor in floor_grid for fb in feedback_grid]
        for step, (share, floor, (documents, moved)) in enumerate(grid):
            for index in indexes:
                index.weights = index.weights.with_changes(
                    lexical_share=share, dense_floor=floor, feedback_documents=documents, feedback_dense=moved
                )
            score = _mean([evaluate(ranker(index), s) for index, s in zip(indexes, sets, strict=True)])
            key = (score.ndcg10, score.recall20, -order, -step)
            if best is None or key > best[0]:
                best = (key, indexes[0].weights, score)
    _key, chosen, score = best
    chosen = _calibrated(chosen, sets, encoder)
    return chosen.with_changes(version=version, source=source), score


def _calibrated(weights: RankingWeights, sets: list[EvalSet], encoder: str | None) -> RankingWeights:
    """Logistic regression of "graded 1 or 2" on the evidence of every top-20 hit (unjudged = 0);
    and one on coverage alone, for searches without a dense model."""
    from sklearn.linear_model import LogisticRegression

    rows, labels = [], []
    for evalset in sets:
        index = _index(evalset, weights, encoder)
        for scenario in evalset.scenarios:
            grades = evalset.judgements.get(scenario.id)
            if grades is None:
                continue
            boosts = weights.boosts_for(scenario.domains)
            for hit in index.search(scenario.text, top=TOP, boosts=boosts).hits:
                rows.append([hit.evidence[name] for name in FEATURES])
                labels.append(1 if grades.get(hit.id, 0) > 0 else 0)
    if len(set(labels)) < 2:
        return weights  # nothing to tell apart: keep the calibration in use
    model = LogisticRegression(C=1.0, max_iter=1000).fit(rows, labels)
    coefficients = {name: round(float(c), 4) for name, c in zip(FEATURES, model.coef_[0], strict=True)}
    intercept = float(model.intercept_[0])
    coverage_only = LogisticRegression(C=1.0, max_iter=1000).fit([[r[0]] for r in rows], labels)
    lexical = (float(coverage_only.intercept_[0]), float(coverage_only.coef_[0][0]))
    if not all(math.isfinite(x) for x in (intercept, *lexical)):
        return weights
    return weights.with_changes(
        intercept=round(intercept, 4),
        coefficients=coefficients,
        lexical_intercept=round(lexical[0], 4),
        lexical_coverage=round(lexical[1], 4),
    )
