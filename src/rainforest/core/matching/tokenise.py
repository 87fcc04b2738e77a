"""Tokens for the index: rjieba's search-mode segmentation, the domain dictionary, concepts.

A text becomes its words (search mode, so 变电站巡检机器人 also yields 变电站, 巡检, 机器人), minus
stop words and lone punctuation, plus one concept token for each word that belongs to a synonym
set. Concept tokens carry the synonyms: 机器狗 and 四足机器人 both emit ``~quadruped``.
"""

from __future__ import annotations

import threading

import rjieba

from rainforest.core.matching.normalise import normalise
from rainforest.core.matching.vocabulary import CONCEPT_PREFIX, Vocabulary, default_vocabulary

# Function words and filler common to every scenario text; they would only add noise.
STOP_WORDS = frozenset(
    "的 了 和 与 及 或 在 是 为 对 等 将 把 被 由 于 以 其 之 并 且 也 而 但 从 向 至 到 中 上 下 内 外 "
    "一 个 这 那 各 每 该 本 我 你 他 她 它 们 有 无 不 可 能 会 要 需 需要 进行 开展 实现 具备 相关 "
    "支持 提供 通过 基于 用于 包括 能够 以及 一个 一种 方面 工作 问题 情况 要求 项目 方案 系统 "
    "平台 服务 技术 应用 场景 企业 能力".split()
)


class Tokeniser:
    """Safe to share between threads: the dictionary is only written while the tokeniser is built."""

    def __init__(self, vocabulary: Vocabulary | None = None):
        self.vocabulary = vocabulary or default_vocabulary()
        self._jieba = rjieba.Jieba()
        for term in sorted(self.vocabulary.terms):
            if not term.isascii():
                self._jieba.add_word(term, 200_000, None)

    def words(self, normalised: str) -> list[str]:
        out = []
        for chunk in normalised.split(" "):
            if not chunk:
                continue
            for word in self._jieba.cut_for_search(chunk):
                word = word.strip()
                if word and word not in STOP_WORDS and (len(word) > 1 or not word.isascii() or word.isalnum()):
                    out.append(word)
        return out

    def tokens(self, text: str, *, normalised: bool = False) -> list[str]:
        """Words then concept tokens, with repeats (term frequency matters to BM25)."""
        words = self.words(text if normalised else normalise(text))
        concepts_of = self.vocabulary.concepts_of
        concepts = [CONCEPT_PREFIX + c for w in words for c in concepts_of.get(w, ())]
        return words + concepts

    def concept_label(self, token: str) -> str:
        return self.vocabulary.label.get(token.removeprefix(CONCEPT_PREFIX), token)


_shared: Tokeniser | None = None
_shared_lock = threading.Lock()


def shared_tokeniser() -> Tokeniser:
    """One tokeniser per process (building the dictionary takes a few milliseconds, not nothing)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Tokeniser()
        return _shared
