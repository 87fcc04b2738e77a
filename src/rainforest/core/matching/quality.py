"""Ranking quality: nDCG@10 and Recall@20 on judged scenario-capability pairs.

The evaluation set (data/evalset) holds 40 scenarios, 70 capabilities (carriers included) and
310 judged pairs, graded 2 = could deliver it, 1 = partly (adjacent technology, a test site, a
component), 0 = judged not relevant. Unjudged pairs count as 0, as in TREC practice.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rainforest.core.matching.documents import Document
from rainforest.core.matching.items import read_items

Judgements = dict[str, dict[str, int]]  # scenario -> capability -> grade


@dataclass(frozen=True)
class EvalSet:
    scenarios: list[Document]
    capabilities: list[Document]
    judgements: Judgements

    @property
    def pairs(self) -> int:
        return sum(len(j) for j in self.judgements.values())


def read_judgements(path: Path | str) -> Judgements:
    out: Judgements = {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            out.setdefault(row["scenario"].strip(), {})[row["capability"].strip()] = int(row["grade"])
    return out


def builtin_evalset() -> EvalSet:
    folder = resources.files("rainforest.core.matching").joinpath("data/evalset")
    with resources.as_file(folder) as path:
        return EvalSet(
            scenarios=read_items(path / "scenarios.csv"),
            capabilities=read_items(path / "capabilities.csv"),
            judgements=read_judgements(path / "judgements.csv"),
        )


def ndcg_at(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    dcg = sum((2 ** grades.get(doc, 0) - 1) / math.log2(i + 2) for i, doc in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: list[str], grades: dict[str, int], k: int = 20) -> float:
    relevant = {doc for doc, g in grades.items() if g > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


@dataclass(frozen=True)
class Score:
    ndcg10: float
    recall20: float
    queries: int


def evaluate(rank: Callable[[Document], list[str]], evalset: EvalSet) -> Score:
    """Mean nDCG@10 and Recall@20 of ``rank`` (scenario -> capability ids, best first) over the
    judged scenarios."""
    judged = [s for s in evalset.scenarios if s.id in evalset.judgements]
    ndcg = recall = 0.0
    for scenario in judged:
        ranked = rank(scenario)
        grades = evalset.judgements[scenario.id]
        ndcg += ndcg_at(ranked, grades)
        recall += recall_at(ranked, grades)
    n = len(judged) or 1
    return Score(round(ndcg / n, 4), round(recall / n, 4), len(judged))


class BaselineUnavailable(RuntimeError):
    """jieba and rank_bm25 (the `bench` extra) are not installed."""


class PlainBaseline:
    """The usual first choice, with default settings: jieba's default cut and rank_bm25's Okapi
    BM25 over title + description, no normalisation, no dictionary, no field weights."""

    def __init__(self, documents: list[Document]):
        try:
            import jieba
            from rank_bm25 import BM25Okapi
        except ImportError as exc:  # the baseline is an extra: the platform itself never needs it
            raise BaselineUnavailable("pip install -e '.[bench]'") from exc

        jieba.setLogLevel(60)
        self._cut = jieba.lcut
        self._ids = [d.id for d in documents]
        self._bm25 = BM25Okapi([self._cut(f"{d.title} {d.body}") or [""] for d in documents])

    def rank(self, text: str, top: int = 20) -> list[str]:
        scores = self._bm25.get_scores(self._cut(text))
        order = sorted(range(len(scores)), key=lambda i: -scores[i])[:top]
        return [self._ids[i] for i in order if scores[i] > 0]
