"""BM25 over bm25s, with field weights and cheap updates.

Field weights follow BM25F's simplest form: a title word counts (by default) three times, a tag
twice, a body word once (the ranking weights' ``fields``), so the one bm25s matrix carries all
three fields.

The index is a base segment (bm25s's sparse matrix, built in bulk) plus a small delta segment
for documents saved since, scored here with the same Lucene BM25 formula and the statistics of
both segments. Removal is the caller's business (a tombstone mask over slots). When the delta
grows past ``compact_threshold`` the owner rebuilds the base from the live documents.
"""

from __future__ import annotations

import logging
import math
from array import array
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import bm25s
import numpy as np

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every build at INFO

K1 = 1.2
B = 0.75


def weighted_tokens(title: list[str], tags: list[str], body: list[str], fields: dict[str, int]) -> list[str]:
    return title * fields["title"] + tags * fields["tags"] + body * fields["body"]


class LexicalIndex:
    def __init__(self) -> None:
        self._bm25: bm25s.BM25 | None = None
        self._base_n = 0
        self._base_df: dict[str, int] = {}
        self._base_total_len = 0
        self._delta_postings: dict[str, list[tuple[int, int]]] = {}
        self._delta_len: list[int] = []
        self._delta_tokens: list[frozenset[str]] = []

    @property
    def size(self) -> int:
        return self._base_n + len(self._delta_len)

    @property
    def delta_size(self) -> int:
        return len(self._delta_len)

    def build(self, corpus: Iterable[list[str]]) -> None:
        """Replace everything with a base segment over ``corpus`` (slot i = the i-th token list).
        A generator is consumed one document at a time, so the token strings never pile up."""
        vocab: dict[str, int] = {"": 0}
        # Compact int arrays, not lists of Python ints: a third of the memory at 200,000 documents.
        ids = [array("i", [vocab.setdefault(t, len(vocab)) for t in tokens]) for tokens in corpus]
        self._bm25 = bm25s.BM25(k1=K1, b=B, method="lucene")
        if ids:
            self._bm25.index((ids, vocab), show_progress=False, create_empty_token=False)
            indptr = self._bm25.scores["indptr"]
            counts = np.diff(indptr)
            self._base_df = {t: int(counts[i]) for t, i in self._bm25.vocab_dict.items() if i < len(counts)}
        else:
            self._base_df = {}
        self._base_n = len(ids)
        self._base_total_len = sum(len(t) for t in ids)
        self._delta_postings = {}
        self._delta_len = []
        self._delta_tokens = []

    def append(self, tokens: list[str]) -> int:
        """Add one document to the delta segment; returns its slot."""
        slot = len(self._delta_len)
        for token, tf in Counter(tokens).items():
            self._delta_postings.setdefault(token, []).append((slot, tf))
        self._delta_len.append(len(tokens))
        self._delta_tokens.append(frozenset(tokens))
        return self._base_n + slot

    def idf(self, token: str) -> float:
        """The token's BM25 inverse document frequency over both segments (a token no document
        holds gets the highest: what is asked for and offered by nobody weighs as much as the rarest)."""
        df = self.df(token)
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def df(self, token: str) -> int:
        """How many documents hold the token, over both segments."""
        return self._base_df.get(token, 0) + len(self._delta_postings.get(token, ()))

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every slot, each query token counted as often as the query holds it: a need
        that names its task three times, or in three synonyms (each emits the concept), is about it."""
        out = np.zeros(self.size, dtype=np.float32)
        if self._base_n and self._bm25 is not None:
            vocab = self._bm25.vocab_dict
            ids = [vocab[t] for t in query_tokens if t in vocab]
            if ids:  # bm25s adds a repeated id's postings once per repeat
                out[: self._base_n] = self._bm25.get_scores_from_ids(ids)
        if self._delta_len:
            out[self._base_n :] = self._delta_scores(Counter(query_tokens))
        return out

    def holding(self, tokens: Iterable[str], slots: list[int]) -> list[frozenset[str]]:
        """Which of ``tokens`` each of ``slots`` holds, read from the postings (each token's
        documents, in slot order) instead of cutting the documents' texts again."""
        tokens = list(dict.fromkeys(tokens))
        held: list[set[str]] = [set() for _ in slots]
        wanted = np.asarray(slots, dtype=np.int64)
        in_base = np.flatnonzero(wanted < self._base_n)
        if len(in_base) and self._bm25 is not None:
            vocab, postings_of = self._bm25.vocab_dict, self._bm25.scores
            indptr, indices = postings_of["indptr"], postings_of["indices"]
            base_slots = wanted[in_base]
            for token in tokens:
                tid = vocab.get(token)
                if tid is None or tid >= len(indptr) - 1:
                    continue
                postings = indices[indptr[tid] : indptr[tid + 1]]
                if not len(postings):
                    continue
                at = np.minimum(np.searchsorted(postings, base_slots), len(postings) - 1)
                for position in in_base[postings[at] == base_slots]:
                    held[position].add(token)
        for position, slot in enumerate(slots):
            if slot >= self._base_n:
                held[position].update(self._delta_tokens[slot - self._base_n].intersection(tokens))
        return [frozenset(h) for h in held]

    def _delta_scores(self, counts: Counter) -> np.ndarray:
        n = self.size
        lengths = np.asarray(self._delta_len, dtype=np.float32)
        avg = (self._base_total_len + lengths.sum()) / n
        norm = K1 * ((1 - B) + B * lengths / avg)
        scores = np.zeros(len(lengths), dtype=np.float32)
        for token, repeats in counts.items():
            postings = self._delta_postings.get(token)
            if not postings:
                continue
            df = self._base_df.get(token, 0) + len(postings)
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            slots = np.fromiter((s for s, _ in postings), dtype=np.int64, count=len(postings))
            tf = np.fromiter((f for _, f in postings), dtype=np.float32, count=len(postings))
            scores[slots] += repeats * idf * tf / (tf + norm[slots])
        return scores

    def save(self, folder: Path) -> None:
        """Persist the base segment (the owner compacts first, so there is no delta)."""
        if self.delta_size:
            raise ValueError("compact the index before saving it")
        folder.mkdir(parents=True, exist_ok=True)
        if self._bm25 is not None and self._base_n:
            self._bm25.save(str(folder))
        (folder / "stats.txt").write_text(f"{self._base_n} {self._base_total_len}\n")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        index = cls()
        base_n, total = (int(x) for x in (folder / "stats.txt").read_text().split())
        index._base_n, index._base_total_len = base_n, total
        index._bm25 = bm25s.BM25(k1=K1, b=B, method="lucene")
        if base_n:
            index._bm25 = bm25s.BM25.load(str(folder))
            counts = np.diff(index._bm25.scores["indptr"])
            index._base_df = {t: int(counts[i]) for t, i in index._bm25.vocab_dict.items() if i < len(counts)}
        return index
