"""Which subscriptions follow which scenarios.

Domains and districts are exact facets. Keywords go through the matching engine's lexical ranking
(``rainforest.core.matching``), so a keyword also finds its synonyms (机器狗 finds 四足机器人巡检),
its other spelling (機器狗) and its words in another order (巡检机器人 finds 机器人巡检), where
substring matching found none of them.

A keyword counts when *every* one of its words comes back in a hit's ``terms`` or ``synonyms``
reason: the keyword is the subscriber's phrase, so 变电站巡检机器人 asks for a substation, an
inspection and a robot, not for every robot. Its words are the longest words the engine's
tokeniser finds in it: the pieces that search-mode segmentation adds (机器 of 机器狗, 无人 and 人机
of 无人机) would otherwise make 机器视觉 a match for 机器狗. Generic words (the engine's stop words
and ``GENERIC_WORDS``) are not required. A single character is required but never enough: a keyword
without a word of two characters or more that is not generic follows nothing, as 智能, 技术 or 狗
alone would otherwise follow nearly every scenario.

One search per distinct keyword, not one per subscription with its keywords joined: a hit's
reasons then say which keyword it answers, the reasons' lists are never cut short by a long
query, and the thousands of subscriptions that share 机器人 or 无人机 cost one search between them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rainforest.core.matching.documents import Document
from rainforest.core.matching.index import MatchIndex
from rainforest.core.matching.normalise import normalise
from rainforest.core.matching.tokenise import shared_tokeniser

# Words in most scenario titles ("智慧养老", "智能巡检", "数字化改造"): a keyword's other words say
# what it is about. Alone they would follow nearly every scenario, so alone they follow none.
GENERIC_WORDS = frozenset(
    "智能 智慧 智能化 数字 数字化 信息化 网络化 自动化 创新 新型 综合 一体化 示范 试点 提升 建设 "
    "改造 升级 管理 解决 高效 先进 新一代 现代化 产品 设备 装备 行业 领域 产业 城市 全面 推进".split()
)


def keyword_words(keyword: str) -> frozenset[str]:
    """The words of ``keyword`` that a scenario must hold (itself or a synonym) to follow it; none
    when the keyword has no telling word (of two characters or more, not generic)."""
    words = shared_tokeniser().words(normalise(keyword))
    longest = {w for w in words if not any(w != other and w in other for other in words)}
    required = frozenset(w for w in longest if w not in GENERIC_WORDS)
    return required if any(len(w) > 1 for w in required) else frozenset()


def scenario_document(position: int, scenario) -> Document:
    return Document(
        id=str(position),
        title=scenario.title,
        body=scenario.problem or "",
        domains=(scenario.domain,) if scenario.domain else (),
        districts=(scenario.district,) if scenario.district else (),
    )


class Followers:
    """The subscriptions' view of a few scenarios (one publication, or the calls opened lately).

    Build once per batch of scenarios, then ask :meth:`followed` for each subscription: the index is
    built once and each distinct keyword is searched once."""

    def __init__(self, scenarios: Sequence):
        self.scenarios = list(scenarios)
        self._tokeniser = shared_tokeniser()
        documents = [scenario_document(i, s) for i, s in enumerate(self.scenarios)]
        self._index = MatchIndex(encoder=None, tokeniser=self._tokeniser)
        self._index.rebuild(documents)
        # Every word and concept of the scenarios: a keyword sharing none of them cannot be a hit,
        # and most keywords are of that kind for a handful of scenarios, so they skip the search.
        self._held = frozenset(t for d in documents for t in self._tokeniser.tokens(d.text))
        self._by_keyword: dict[str, frozenset[int]] = {}

    def followed(self, subscription) -> list:
        """The scenarios ``subscription`` follows, in the order they were given."""
        positions = {
            i
            for i, s in enumerate(self.scenarios)
            if s.domain in subscription.domains or (s.district and s.district in subscription.districts)
        }
        for keyword in subscription.keywords or ():
            if keyword:
                positions |= self.by_keyword(keyword)
        return [self.scenarios[i] for i in sorted(positions)]

    def by_keyword(self, keyword: str) -> frozenset[int]:
        """Positions of the scenarios that answer ``keyword`` (see the module's docstring)."""
        key = normalise(keyword)
        found = self._by_keyword.get(key)
        if found is None:
            found = self._by_keyword[key] = self._search(key)
        return found

    def _search(self, normalised: str) -> frozenset[int]:
        required = keyword_words(normalised)
        if not required or not self.scenarios:
            return frozenset()
        if self._held.isdisjoint(self._tokeniser.tokens(normalised, normalised=True)):
            return frozenset()
        answer = self._index.search(normalised, top=len(self.scenarios), mode="lexical")
        return frozenset(int(hit.id) for hit in answer.hits if required <= _answered(hit.reasons))


def _answered(reasons: Iterable) -> set[str]:
    """The query's words that a hit holds, itself (``terms``) or as a synonym (``synonyms``)."""
    words: set[str] = set()
    for reason in reasons:
        if reason.code == "terms":
            words.update(reason.params.get("terms", ()))
        elif reason.code == "synonyms":
            words.update(query_word for query_word, _doc_word in reason.params.get("pairs", ()))
    return words


def follows(subscription, scenario) -> bool:
    """Whether one subscription follows one scenario (builds an index: for a single check only)."""
    return bool(Followers([scenario]).followed(subscription))
