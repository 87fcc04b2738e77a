"""The match index: documents, hard filters, lexical and dense ranking, reasons, persistence.

One ``MatchIndex`` holds one collection (capabilities, or scenarios). Slots are append-only; an
edit tombstones the old slot and appends the new version, a removal only tombstones, and
``compact()`` rebuilds the base from the live documents when the delta has grown (or on demand).
An owner that must not pay for a rebuild where it upserts (the platform's web processes) makes the
index with ``auto_compact=False`` and asks ``compaction_due`` instead.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import asdict
from pathlib import Path

import numpy as np

from rainforest.core.matching import background as shipped
from rainforest.core.matching.dense import DEFAULT_ENCODER, EncoderUnavailable, make_encoder
from rainforest.core.matching.documents import Answer, Boosts, Document, Filters, Hit, Mode, Reason
from rainforest.core.matching.lexical import LexicalIndex, weighted_tokens
from rainforest.core.matching.normalise import normalise_query
from rainforest.core.matching.tokenise import Tokeniser, shared_tokeniser
from rainforest.core.matching.vocabulary import CONCEPT_PREFIX
from rainforest.core.matching.weights import RankingWeights, builtin_weights

# The mode the quality benchmark found best within the latency targets (README, "Matching").
DEFAULT_MODE = Mode.HYBRID
FORMAT = 2  # 2: the LSA model keeps its own vocabulary instead of hashing
ENCODE_BATCH = 2048
FEEDBACK_POOL = 2000
# A shared word held by more than 1/COMMON_IN_DOMAIN of the texts the dense model read, or
# without one by more than 1/COMMON_SHARE of the collection and more than COMMON_MIN_DOCS
# documents, is common: a reason names it as such.
COMMON_SHARE = 8
COMMON_MIN_DOCS = 5
COMMON_IN_DOMAIN = 10
NO_FILTERS = Filters()
NO_BOOSTS = Boosts()


class MatchIndex:
    def __init__(
        self,
        *,
        encoder: str | None = DEFAULT_ENCODER,
        tokeniser: Tokeniser | None = None,
        auto_compact: bool = True,
        weights: RankingWeights | None = None,
        background: bool = True,
    ):
        self.background = background  # fit the dense model on the shipped in-domain texts too
        self.tokeniser = tokeniser or shared_tokeniser()
        self.weights = weights or builtin_weights()
        self.auto_compact = auto_compact
        self.encoder = None
        self.encoder_problem: EncoderUnavailable | None = None
        if encoder:
            try:
                self.encoder = make_encoder(encoder, self.tokeniser)
            except EncoderUnavailable as problem:
                self.encoder_problem = problem
        self._lock = threading.RLock()
        self._reset()

    def _reset(self) -> None:
        self._docs: list[Document] = []
        self._slot: dict[str, int] = {}
        self._alive = np.zeros(0, dtype=bool)
        self._trl = np.zeros(0, dtype=np.int16)
        self._facets: dict[str, dict[str, list[int]]] = {"domain": {}, "district": {}, "org_kind": {}}
        self._facet_masks: dict[tuple[str, str], np.ndarray] = {}
        self.lexical = LexicalIndex()
        self._vectors = np.zeros((0, 0), dtype=np.float32)
        self._delta_vectors: list[np.ndarray] = []
        # Loaded with a dense model fitted again (the saved one read other shipped texts, or there
        # was none): the owner should save it, or every process that loads it fits it again.
        self.refitted_on_load = False

    # --- contents

    def __len__(self) -> int:
        return int(self._alive.sum())

    def __contains__(self, doc_id: str) -> bool:
        slot = self._slot.get(doc_id)
        return slot is not None and bool(self._alive[slot])

    def get(self, doc_id: str) -> Document | None:
        return self._docs[self._slot[doc_id]] if doc_id in self else None

    @property
    def dense_ready(self) -> bool:
        # An index may hold no document yet and still have a model (fitted on the shipped texts):
        # then its first offers are encoded as they arrive, and a new platform ranks densely at once.
        return self.encoder is not None and self.encoder.fitted and self._vectors.shape[1] > 0

    def _tokens(self, doc: Document) -> list[str]:
        tok = self.tokeniser.tokens
        return weighted_tokens(tok(doc.title), tok(" ".join(doc.tags)), tok(doc.body), self.weights.fields)

    def _register(self, doc: Document) -> int:
        slot = len(self._docs)
        self._docs.append(doc)
        old = self._slot.get(doc.id)
        if old is not None:
            self._alive[old] = False
        self._slot[doc.id] = slot
        for facet, values in (("domain", doc.domains), ("district", doc.districts), ("org_kind", (doc.org_kind,))):
            for value in set(values):
                if value:
                    self._facets[facet].setdefault(value, []).append(slot)
        self._facet_masks.clear()
        return slot

    def rebuild(self, documents, *, extra_texts=()) -> None:
        """Replace the whole index with ``documents`` (later duplicates of an id win). The dense
        model is fitted once, on the documents, on ``extra_texts`` (for example the other side
        of a match, so the model knows the scenarios' words too) and, unless the index was made
        with ``background=False``, on the shipped in-domain texts (core/matching/background.py)."""
        docs = list({d.id: d for d in documents}.values())
        with self._lock:
            self._reset()
            for doc in docs:
                self._register(doc)
            n = len(docs)
            self._alive = np.ones(n, dtype=bool)
            self._trl = np.array([-1 if d.trl is None else d.trl for d in docs], dtype=np.int16)
            self.lexical.build(self._tokens(d) for d in docs)
            self._fit_dense(docs, list(extra_texts))

    @property
    def reads_shipped_texts(self) -> bool:
        return self.background and self.encoder is not None and self.encoder.learns

    @property
    def background_fingerprint(self) -> str | None:
        """Which shipped texts the dense model reads besides its own (None: none, or a model that
        learns nothing from texts)."""
        return shipped.fingerprint() if self.reads_shipped_texts else None

    def _fit_dense(self, docs: list[Document], extra: list[str] = ()) -> None:
        if self.encoder is None:
            return
        texts = [d.text for d in docs]
        extra = list(extra)
        if self.reads_shipped_texts:
            extra += shipped.background_for(docs, extra)
        fit_transform = getattr(self.encoder, "fit_transform", None)
        if fit_transform is not None:  # the model's own texts come out of the fit already encoded
            vectors = fit_transform(texts + extra)
            self._vectors = vectors[: len(texts)] if vectors is not None else np.zeros((0, 0), np.float32)
            return
        self.encoder.fit(texts + extra)
        if not self.encoder.fitted:
            self._vectors = np.zeros((0, 0), dtype=np.float32)
            return
        self._vectors = np.vstack(
            [self.encoder.encode(texts[i : i + ENCODE_BATCH]) for i in range(0, len(texts), ENCODE_BATCH)]
            or [self.encoder.encode(["-"])[:0]]  # no document yet: the model's width, no rows
        )

    def upsert(self, doc: Document) -> None:
        """Add or replace one document; visible to the next search."""
        with self._lock:
            self._register(doc)
            self._alive = np.append(self._alive, True)
            self._trl = np.append(self._trl, np.int16(-1 if doc.trl is None else doc.trl))
            self.lexical.append(self._tokens(doc))
            if self.dense_ready:
                self._delta_vectors.append(self.encoder.encode([doc.text]))
            if self.auto_compact and self.compaction_due:
                self.compact()

    def remove(self, doc_id: str) -> None:
        with self._lock:
            slot = self._slot.pop(doc_id, None)
            if slot is not None:
                self._alive[slot] = False

    @property
    def compaction_due(self) -> bool:
        """The delta has outgrown 5% of the base (or 1,000 documents): time to rebuild the base."""
        return self.lexical.delta_size > max(1000, self.lexical.size // 20)

    def compact(self) -> None:
        """Rebuild the base segment from the live documents (statistics and dense model refreshed)."""
        with self._lock:
            live = [self._docs[s] for s in sorted(self._slot.values()) if self._alive[s]]
            self.rebuild(live)

    # --- search

    def _mask(self, filters: Filters) -> np.ndarray:
        mask = self._alive.copy()
        for facet, value in (("domain", filters.domain), ("district", filters.district)):
            if value:
                mask &= self._facet_mask(facet, value)
        if filters.org_kinds:
            kinds = np.zeros(len(mask), dtype=bool)
            for kind in filters.org_kinds:
                kinds |= self._facet_mask("org_kind", kind)
            mask &= kinds
        if filters.min_trl is not None:
            mask &= self._trl >= filters.min_trl
        return mask

    def _facet_mask(self, facet: str, value: str) -> np.ndarray:
        """The slots holding ``value`` (read-only). Kept until the next document is registered:
        turning a list of a third of 200,000 slots into an array costs more than the BM25 scoring."""
        mask = self._facet_masks.get((facet, value))
        if mask is None:
            mask = np.zeros(len(self._docs), dtype=bool)
            slots = self._facets[facet].get(value)
            if slots:
                mask[np.asarray(slots, dtype=np.int64)] = True
            mask.flags.writeable = False
            self._facet_masks[(facet, value)] = mask
        return mask

    def _boost(self, boosts: Boosts) -> np.ndarray | None:
        domain = boosts.domain if self.weights.domain_counts(boosts.domain) else ""
        if not (domain or boosts.district):
            return None
        factor = np.ones(len(self._docs), dtype=np.float32)
        if domain:
            factor[self._facet_mask("domain", domain)] *= self.weights.domain_factor
        if boosts.district:
            factor[self._facet_mask("district", boosts.district)] *= self.weights.district_factor
        return factor

    def _similarities(self, query: np.ndarray) -> np.ndarray:
        """A new float32 array (callers may change it in place)."""
        query = query.astype(np.float32, copy=False)
        if not self._delta_vectors:
            return self._vectors @ query
        return np.concatenate([self._vectors @ query] + [v @ query for v in self._delta_vectors])

    def _vectors_of(self, slots: np.ndarray) -> np.ndarray:
        base = len(self._vectors)
        inside = slots < base
        if inside.all():
            return self._vectors[slots]
        return np.vstack([self._vectors[s] if s < base else self._delta_vectors[s - base][0] for s in slots])

    def _with_feedback(self, query: np.ndarray, dense: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Similarities to the query moved toward its closest documents (Rocchio's pseudo-relevance
        feedback): a need worded unlike its suppliers still finds them through the suppliers it
        does resemble. Used for ranking only; a hit's similarity stays the one to the query itself.
        Only the FEEDBACK_POOL closest documents are scored again (one more pass over 200,000
        vectors would cost more than the rest of a search); the others keep their own similarity."""
        k, share = self.weights.feedback_documents, self.weights.feedback_dense
        if k <= 0 or share <= 0:
            return dense
        inside = np.flatnonzero(mask)  # a filtered query looks only at what it may return
        if not len(inside):
            return dense
        similar = dense[inside]
        size = min(max(k, FEEDBACK_POOL), len(inside))
        part = np.argpartition(-similar, size - 1)[:size] if len(inside) > size else np.arange(len(inside))
        pool = inside[part[np.argsort(-similar[part], kind="stable")]]
        # Only documents that resemble the query steer it: on a small index the k closest may
        # include ones below the floor, and every document would then look related.
        guides = pool[:k][dense[pool[:k]] >= self.weights.dense_floor]
        if not len(guides):
            return dense
        moved = query + share * self._vectors_of(guides).mean(axis=0)
        norm = float(np.linalg.norm(moved))
        if not norm:
            return dense
        ranked = dense / norm
        ranked[pool] = self._vectors_of(pool) @ (moved / norm)
        return ranked

    def search(
        self,
        text: str,
        *,
        top: int = 20,
        mode: Mode | str | None = None,
        filters: Filters = NO_FILTERS,
        boosts: Boosts = NO_BOOSTS,
    ) -> Answer:
        mode = Mode(mode or DEFAULT_MODE)
        notices = []
        normalised, cut = normalise_query(text or "")
        if cut:
            notices.append("query_cut")
        words = self.tokeniser.tokens(normalised, normalised=True)
        if not words:
            return Answer([], mode, (*notices, "empty_query"))
        with self._lock:
            if mode is not Mode.LEXICAL and not self.dense_ready:
                # An encoder that cannot run is worth saying; an index made without the shipped
                # texts and with too few of its own just yields to lexical ranking, which ``mode`` shows.
                if self.encoder is None:
                    notices.append("encoder_unavailable")
                mode = Mode.LEXICAL
            if not len(self._docs) or top <= 0:
                return Answer([], mode, tuple(notices))
            mask = self._mask(filters)
            boost = self._boost(boosts)
            lexical = self.lexical.scores(words) if mode is not Mode.DENSE else None
            dense = ranked_dense = None
            if mode is not Mode.LEXICAL:
                query = self.encoder.encode([normalised])[0]
                # Below the floor a similarity says nothing about fit (unrelated texts land there):
                # such a document is no result at all, rather than a "0 % alike" one.
                dense = self._similarities(query)
                ranked_dense = self._with_feedback(query, dense, mask)
                for similarities in {id(dense): dense, id(ranked_dense): ranked_dense}.values():
                    np.copyto(similarities, 0, where=similarities < self.weights.dense_floor)
            slots, scores = self._rank(mode, mask, boost, lexical, ranked_dense, top)
            asked = self._asked(words)
            asked_total = sum(asked.values()) or 1.0
            query_words = [t for t in asked if not t.startswith(CONCEPT_PREFIX)]  # once, not per hit
            words_of = (query_words, _whole(query_words))
            hits = []
            for slot, score, held in zip(slots, scores, self._held_by(slots, words), strict=True):
                evidence = {
                    "coverage": sum(asked[t] for t in held.intersection(asked)) / asked_total,
                    "similarity": max(0.0, float(dense[slot])) if dense is not None else 0.0,
                    "relative": float(score / scores[0]) if scores[0] > 0 else 0.0,
                }
                confidence = self.weights.confidence(evidence, dense=dense is not None)
                reasons = self._reasons(slot, words_of, held, filters, boosts, dense, ranked_dense)
                hits.append(
                    Hit(
                        self._docs[slot].id,
                        round(float(score), 6),
                        reasons,
                        round(confidence, 4),
                        self.weights.level(confidence),
                        {k: round(v, 4) for k, v in evidence.items()},
                    )
                )
        return Answer(hits, mode, tuple(notices))

    def _held_by(self, slots: np.ndarray, query_tokens: list[str]) -> list[frozenset[str]]:
        """For each document in ``slots``, the tokens it holds among those its evidence and reasons
        look at: the query's words and concepts, and the other terms of the query's concepts."""
        vocabulary = self.tokeniser.vocabulary
        wanted = set(query_tokens)
        for token in query_tokens:
            for concept in vocabulary.concepts_of.get(token, ()):
                wanted.update(vocabulary.terms_of[concept])
        return self.lexical.holding(wanted, [int(s) for s in slots])

    def _common(self, word: str) -> bool:
        """Held by more than one text in ten of those the dense model read (the shipped texts
        and the collection: the domain's common words; a small collection on one topic would
        call its topic common). Without a dense model, by more than an eighth of the collection
        (and more than a handful of documents, so that a small collection's every word is not)."""
        share = getattr(self.encoder, "share", None)
        general = share(word) if share is not None and self.dense_ready else None
        if general is not None:
            return general * COMMON_IN_DOMAIN > 1
        df = self.lexical.df(word)
        return df > COMMON_MIN_DOCS and df * COMMON_SHARE > self.lexical.size

    def _asked(self, words: list[str]) -> dict[str, float]:
        """What the query asks for: each distinct word or concept, weighted by its inverse document
        frequency (a rare word says more about the need than a common one)."""
        return {t: self.lexical.idf(t) for t in dict.fromkeys(words)}

    def _rank(self, mode, mask, boost, lexical, dense, top):
        if mode is Mode.HYBRID:
            # A convex combination of each ranker's scores over its best for this query: the share
            # is fitted on the development judgements (ranking.yaml), unlike rank fusion's fixed k.
            share = self.weights.lexical_share
            scores = _over_best(lexical, mask, share) + _over_best(dense, mask, 1 - share)
        else:
            scores = lexical if mode is Mode.LEXICAL else dense
        mask = mask & (scores > 0)
        if boost is not None:
            scores = scores * boost
        slots = _top(np.where(mask, scores, -np.inf), top)
        return slots, scores[slots]

    def _reasons(
        self, slot, words_of, held, filters: Filters, boosts: Boosts, dense, ranked_dense
    ) -> tuple[Reason, ...]:
        """``words_of``: the query's distinct words, concepts aside, in the order written, and those
        of them that are whole words (not 机器 of 机器狗, which every robot holds)."""
        query_words, whole_words = words_of
        doc = self._docs[slot]
        doc_words = {t for t in held if not t.startswith(CONCEPT_PREFIX)}
        shared = [w for w in whole_words if w in doc_words]
        # The most telling first (the rarest in the collection). Words common in the domain
        # ("数据", "智能") are named as such: a page says little of them, but they are shared all
        # the same (a subscription's keyword is answered by them).
        shared = sorted(shared, key=lambda w: -self.lexical.idf(w))[:6]
        reasons = []
        if shared:
            terms = {"terms": [_as_written(w, doc.text) for w in shared]}
            common = [written for w, written in zip(shared, terms["terms"], strict=True) if self._common(w)]
            reasons.append(Reason("terms", {**terms, "common": common} if common else terms))
        pairs = self._synonym_pairs(query_words, doc_words, set(shared))
        if pairs:
            reasons.append(Reason("synonyms", {"pairs": pairs}))
        if dense is not None and dense[slot] > 0:  # below the floor: no likeness worth stating
            reasons.append(Reason("semantic", {"similarity": round(float(dense[slot]), 3)}))
        elif not reasons and ranked_dense is not None and ranked_dense[slot] > 0:
            # No word and no likeness of its own: found through the documents like the query.
            reasons.append(Reason("neighbours"))
        for name, value in (("domain", filters.domain), ("district", filters.district)):
            if value:
                reasons.append(Reason("filter", {"name": name, "value": value}))
        if filters.min_trl is not None:
            reasons.append(Reason("filter", {"name": "min_trl", "value": f"{doc.trl} ≥ {filters.min_trl}"}))
        if filters.org_kinds:
            reasons.append(Reason("filter", {"name": "org_kind", "value": doc.org_kind}))
        if self.weights.domain_counts(boosts.domain) and boosts.domain in doc.domains:
            reasons.append(Reason("boost", {"name": "domain", "value": boosts.domain}))
        if boosts.district and boosts.district in doc.districts:
            reasons.append(Reason("boost", {"name": "district", "value": boosts.district}))
        return tuple(reasons)

    def answering(self, text: str, ids) -> set[str]:
        """Which of ``ids`` hold a whole word or concept of ``text``: not only a fragment the
        segmenter also cut (机器 of 机器狗, which every robot holds)."""
        words = self.tokeniser.tokens(normalise_query(text or "")[0], normalised=True)
        whole = _whole(list(dict.fromkeys(words)))
        with self._lock:
            slots = [self._slot[i] for i in ids if i in self]
            held = self.lexical.holding(whole, slots) if whole and slots else []
            return {self._docs[slot].id for slot, tokens in zip(slots, held, strict=True) if tokens}

    def _synonym_pairs(self, query_words, doc_words, shared) -> list[tuple[str, str]]:
        concepts_of = self.tokeniser.vocabulary.concepts_of
        by_concept: dict[str, list[str]] = {}
        for word in doc_words:
            for concept in concepts_of.get(word, ()):
                by_concept.setdefault(concept, []).append(word)
        pairs = []
        for word in query_words:
            for concept in concepts_of.get(word, ()):
                # The other side's most telling word: the longest that is not part of this one.
                others = sorted(
                    (w for w in by_concept.get(concept, ()) if w not in word and word not in w),
                    key=lambda w: (-len(w), w),
                )
                if others and word not in shared and (word, others[0]) not in pairs:
                    pairs.append((word, others[0]))
        return pairs[:5]

    # --- persistence

    def save(self, folder: Path | str, *, watermark: int | None = None) -> None:
        """Write the index to ``folder`` (compacted first). ``watermark`` is the caller's change
        sequence number the index is current to, kept for reload."""
        folder = Path(folder)
        with self._lock:
            self.compact()
            folder.mkdir(parents=True, exist_ok=True)
            self.lexical.save(folder / "lexical")
            with (folder / "documents.jsonl").open("w", encoding="utf-8") as out:
                for doc in self._docs:
                    out.write(json.dumps(asdict(doc), ensure_ascii=False) + "\n")
            if self.dense_ready:
                np.save(folder / "vectors.npy", self._vectors)
                self.encoder.save(folder)
            meta = {
                "format": FORMAT,
                "vocabulary": self.tokeniser.vocabulary.version,
                "encoder": self.encoder.spec if self.encoder else None,
                "documents": len(self._docs),
                "fields": self.weights.fields,
                "background": self.background_fingerprint,
                "watermark": watermark,
            }
            (folder / "meta.json").write_text(json.dumps(meta, indent=1))

    @classmethod
    def load(
        cls,
        folder: Path | str,
        *,
        encoder: str | None = DEFAULT_ENCODER,
        auto_compact: bool = True,
        weights: RankingWeights | None = None,
        background: bool = True,
    ) -> tuple[MatchIndex, dict]:
        """An index saved by :meth:`save`, and its metadata. Refuses a file of another format or
        vocabulary (rebuild instead: the tokens would not agree). A dense model fitted on other
        shipped texts than this release's is fitted again from the saved documents."""
        folder = Path(folder)
        meta = json.loads((folder / "meta.json").read_text())
        index = cls(encoder=encoder, auto_compact=auto_compact, weights=weights, background=background)
        if meta.get("format") != FORMAT or meta.get("vocabulary") != index.tokeniser.vocabulary.version:
            raise ValueError(f"{folder}: saved with another index format or vocabulary; rebuild it")
        if meta.get("fields") != index.weights.fields:
            raise ValueError(f"{folder}: saved with other field weights; rebuild it")
        with (folder / "documents.jsonl").open(encoding="utf-8") as lines:
            docs = [_document(json.loads(line)) for line in lines]
        for doc in docs:
            index._register(doc)
        index._alive = np.ones(len(docs), dtype=bool)
        index._trl = np.array([-1 if d.trl is None else d.trl for d in docs], dtype=np.int16)
        index.lexical = LexicalIndex.load(folder / "lexical")
        if (
            index.encoder is not None
            and meta.get("encoder") == index.encoder.spec
            and meta.get("background") == index.background_fingerprint
            and (folder / "vectors.npy").exists()
        ):
            index.encoder.load(folder)
            index._vectors = np.load(folder / "vectors.npy")
        elif index.encoder is not None:
            index._fit_dense(docs)
            index.refitted_on_load = True
        return index, meta


def _document(data: dict) -> Document:
    for key in ("tags", "domains", "districts"):
        data[key] = tuple(data.get(key) or ())
    return Document(**data)


def _as_written(word: str, text: str) -> str:
    """A Latin word as the document writes it (AMR, not the index's amr); others as they are."""
    if not word.isascii():
        return word
    found = re.search(re.escape(word), text, flags=re.IGNORECASE)
    return found.group(0) if found else word


def _whole(words: list[str]) -> list[str]:
    """``words`` less those that are part of a longer one among them (机器 of 机器狗), in order:
    each word's own parts looked up, not every pair compared."""
    known = set(words)
    parts = {
        word[i:j]
        for word in words
        for i in range(len(word))
        for j in range(i + 1, len(word) + 1)
        if j - i < len(word) and word[i:j] in known
    }
    return [w for w in words if w not in parts]


def _over_best(scores: np.ndarray, mask: np.ndarray, share: float) -> np.ndarray:
    """``share`` times the scores over the best of them within ``mask`` (zero when none is
    positive). Both rankers' scores are never negative here (BM25; similarities below the floor
    are zeroed), and what lies outside ``mask`` is dropped by the caller."""
    best = float((scores * mask).max()) if scores.size else 0.0  # a product: max(where=) is slower
    return scores * np.float32(share / best) if best > 0 else np.zeros_like(scores)


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k highest finite scores, best first (ties: lower slot first)."""
    finite = np.flatnonzero(np.isfinite(scores))
    if len(finite) > k:
        part = np.argpartition(-scores[finite], k - 1)[:k]
        finite = finite[part]
    order = np.lexsort((finite, -scores[finite]))
    return finite[order]
