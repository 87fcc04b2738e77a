"""What goes into an index and what comes out of a query."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Mode(StrEnum):
    LEXICAL = "lexical"
    DENSE = "dense"
    HYBRID = "hybrid"


@dataclass(frozen=True)
class Document:
    """One capability (or scenario, or carrier offer). ``tags`` are short keywords; the title
    weighs most, then tags, then the body (the ranking weights' ``fields``)."""

    id: str
    title: str
    body: str = ""
    tags: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    trl: int | None = None
    org_kind: str = ""

    @property
    def text(self) -> str:
        return " ".join((self.title, " ".join(self.tags), self.body))


@dataclass(frozen=True)
class Filters:
    """Hard filters: a document that fails one is never returned. Empty means no filter.
    A document with no TRL fails a TRL filter; one that lists no district fails a district filter."""

    domain: str = ""
    district: str = ""
    min_trl: int | None = None
    org_kinds: frozenset[str] = frozenset()

    @property
    def active(self) -> bool:
        return bool(self.domain or self.district or self.min_trl is not None or self.org_kinds)


@dataclass(frozen=True)
class Boosts:
    """Soft preferences: a matching document's score is multiplied (by the ranking weights'
    factors), nothing is excluded. A catch-all domain such as ``other`` is no preference."""

    domain: str = ""
    district: str = ""


@dataclass(frozen=True)
class Reason:
    """Why a result came back, as a code with parameters (the caller words it).

    Codes: ``terms`` (shared words, the rarest first; ``common`` lists those common in the
    domain), ``synonyms`` (shared concepts: query word ≈ document word),
    ``semantic`` (dense similarity), ``neighbours`` (no likeness to the query itself, but to the
    documents most like it), ``filter`` (a hard filter it passed), ``boost`` (a preference
    it met)."""

    code: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        p = self.params
        match self.code:
            case "terms":
                return "terms: " + ", ".join(p["terms"])
            case "synonyms":
                return "synonyms: " + ", ".join(f"{a}≈{b}" for a, b in p["pairs"])
            case "semantic":
                return f"semantic similarity: {p['similarity']:.2f}"
            case "neighbours":
                return "like the closest matches"
            case "filter" | "boost":
                return f"{self.code} {p['name']}: {p['value']}"
        return self.code


@dataclass(frozen=True)
class Hit:
    """One result. ``score`` orders the results of one query only; ``confidence`` is the calibrated
    chance that the result is relevant, and ``level`` its word (strong / possible / weak), which
    mean the same from one query to the next."""

    id: str
    score: float
    reasons: tuple[Reason, ...]
    confidence: float = 0.0
    level: str = ""
    evidence: dict = field(default_factory=dict)  # what the confidence was computed from


@dataclass(frozen=True)
class Answer:
    """Results plus what the engine wants the user to know (``notices``: codes such as
    ``empty_query``, ``query_cut``, ``encoder_unavailable``) and the mode actually used."""

    hits: list[Hit]
    mode: Mode
    notices: tuple[str, ...] = ()

    @property
    def good(self) -> list[Hit]:
        """The hits at least possibly relevant: none means there is no good match yet."""
        return [h for h in self.hits if h.level in ("strong", "possible")]
