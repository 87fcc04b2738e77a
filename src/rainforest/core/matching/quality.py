"""Ranking quality: nDCG@10 and Recall@20 on judged scenario-capability pairs.

The evaluation set (data/evalset) grades pairs 2 = could deliver it, 1 = partly (adjacent
technology, a test site, a component), 0 = judged not relevant; unjudged pairs count as 0, as in
TREC practice. Each scenario belongs to one part (scenarios.csv, column ``split``):

- ``development``: what weights are fitted and ideas tried on (the first 40 scenarios, written with
  the engine, are all here: the engine was tuned on them);
- ``held-out``: never tuned on; its figures are the ones that say how the engine generalises.

The capabilities are shared: every query ranks all of them.
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


DEVELOPMENT, HELD_OUT = "development", "held-out"


@dataclass(frozen=True)
class EvalSet:
    scenarios: list[Document]
    capabilities: list[Document]
    judgements: Judgements
    splits: dict[str, str] | None = None  # scenario id -> part; None: one undivided set

    @property
    def pairs(self) -> int:
        return sum(len(j) for j in self.judgements.values())

    def part(self, name: str) -> EvalSet:
        """The scenarios of one part with their judgements, over every capability."""
        kept = [s for s in self.scenarios if (self.splits or {}).get(s.id) == name]
        ids = {s.id for s in kept}
        return EvalSet(kept, self.capabilities, {k: v for k, v in self.judgements.items() if k in ids}, None)

    def with_judgements(self, more: Judgements) -> EvalSet:
        """This set with ``more`` graded pairs (a later grade of the same pair wins)."""
        merged = {k: dict(v) for k, v in self.judgements.items()}
        for scenario, grades in more.items():
            merged.setdefault(scenario, {}).update(grades)
        return EvalSet(self.scenarios, self.capabilities, merged, self.splits)


def read_judgements(path: Path | str) -> Judgements:
    out: Judgements = {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            out.setdefault(row["scenario"].strip(), {})[row["capability"].strip()] = int(row["grade"])
    return out


def read_splits(path: Path | str) -> dict[str, str] | None:
    """Scenario id -> part from a ``split`` column; None when the file has none."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or "split" not in rows[0]:
        return None
    splits = {row["id"].strip(): (row["split"] or "").strip() for row in rows}
    unknown = sorted({v for v in splits.values() if v not in (DEVELOPMENT, HELD_OUT)})
    if unknown:
        raise ValueError(f"{path}: split must be {DEVELOPMENT} or {HELD_OUT}, not {', '.join(unknown)}")
    return splits


def evalset_from(folder: Path) -> EvalSet:
    return EvalSet(
        scenarios=read_items(folder / "scenarios.csv"),
        capabilities=read_items(folder / "capabilities.csv"),
        judgements=read_judgements(folder / "judgements.csv"),
        splits=read_splits(folder / "scenarios.csv"),
    )


def builtin_evalset() -> EvalSet:
    folder = resources.files("rainforest.core.matching").joinpath("data/evalset")
    with resources.as_file(folder) as path:
        return evalset_from(path)


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
