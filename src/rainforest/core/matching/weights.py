"""The ranking weights (data/ranking.yaml, or a later version fitted from feedback) as one value.

Everything the engine weighs — field weights, the lexical share of the fusion, the preferences'
factors, the catch-all domains, the calibration and the level thresholds — lives here, versioned,
so a refit can be compared with the version in use and adopted or refused as a whole.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from importlib import resources

import yaml

from rainforest.core.matching.documents import Boosts

# The evidence a confidence is computed from: absolute, so that a query nothing fits gets low
# confidence everywhere. (A hit's score relative to the best of its query is reported as evidence
# too, but never calibrated: every query's best would look good, even where nothing fits.)
FEATURES = ("coverage", "similarity")
STRONG, POSSIBLE, WEAK = "strong", "possible", "weak"


@dataclass(frozen=True)
class RankingWeights:
    version: str
    source: str = ""
    fields: dict = field(default_factory=lambda: {"title": 3, "tags": 2, "body": 1})
    lexical_share: float = 0.5
    dense_floor: float = 0.05
    # Pseudo-relevance feedback on the dense side: the query moves toward its closest documents.
    feedback_documents: int = 0
    feedback_dense: float = 0.0
    domain_factor: float = 1.25
    district_factor: float = 1.10
    catch_all_domains: frozenset[str] = frozenset({"other"})
    intercept: float = -4.0
    # Without a dense model (lexical mode, or an encoder that cannot run) only coverage is known:
    # its own calibration, so levels keep their meaning there too.
    lexical_intercept: float = -3.0
    lexical_coverage: float = 6.0
    coefficients: dict = field(default_factory=lambda: {"coverage": 6.0, "similarity": 3.0})
    strong: float = 0.6
    possible: float = 0.3

    def boosts_for(self, domains=(), district: str = "") -> Boosts:
        """The soft preferences for a query of ``domains`` (the first that is not a catch-all)
        and ``district``."""
        domain = next((d for d in domains if d and d not in self.catch_all_domains), "")
        return Boosts(domain=domain, district=district)

    def domain_counts(self, domain: str) -> bool:
        return bool(domain) and domain not in self.catch_all_domains

    def confidence(self, features: dict[str, float], *, dense: bool = True) -> float:
        if dense:
            z = self.intercept + sum(self.coefficients.get(name, 0.0) * features.get(name, 0.0) for name in FEATURES)
        else:
            z = self.lexical_intercept + self.lexical_coverage * features.get("coverage", 0.0)
        return 1.0 / (1.0 + math.exp(-z))

    def level(self, confidence: float) -> str:
        if confidence >= self.strong:
            return STRONG
        return POSSIBLE if confidence >= self.possible else WEAK

    def as_data(self) -> dict:
        """The ranking.yaml layout (for saving a version and for printing one)."""
        data = asdict(self)
        return {
            "version": data["version"],
            "source": data["source"],
            "fields": dict(data["fields"]),
            "fusion": {"lexical": round(self.lexical_share, 4), "dense_floor": self.dense_floor},
            "feedback": {"documents": self.feedback_documents, "dense": self.feedback_dense},
            "boosts": {
                "domain": self.domain_factor,
                "district": self.district_factor,
                "catch_all_domains": sorted(self.catch_all_domains),
            },
            "calibration": {
                "intercept": round(self.intercept, 4),
                "coefficients": {k: round(float(v), 4) for k, v in self.coefficients.items()},
                "lexical": {
                    "intercept": round(self.lexical_intercept, 4),
                    "coverage": round(self.lexical_coverage, 4),
                },
            },
            "levels": {"strong": self.strong, "possible": self.possible},
        }

    def with_changes(self, **changes) -> RankingWeights:
        return replace(self, **changes)


def parse(data: dict) -> RankingWeights:
    """A weights value from the ranking.yaml layout; ValueError names what is wrong."""
    try:
        fields = {k: int(data["fields"][k]) for k in ("title", "tags", "body")}
        calibration = data["calibration"]
        weights = RankingWeights(
            version=str(data["version"]),
            source=str(data.get("source", "")),
            fields=fields,
            lexical_share=float(data["fusion"]["lexical"]),
            dense_floor=float(data["fusion"].get("dense_floor", 0.0)),
            # Versions stored before feedback existed ranked without it.
            feedback_documents=int((data.get("feedback") or {}).get("documents", 0)),
            feedback_dense=float((data.get("feedback") or {}).get("dense", 0.0)),
            domain_factor=float(data["boosts"]["domain"]),
            district_factor=float(data["boosts"]["district"]),
            catch_all_domains=frozenset(data["boosts"].get("catch_all_domains") or ()),
            intercept=float(calibration["intercept"]),
            lexical_intercept=float(calibration["lexical"]["intercept"]),
            lexical_coverage=float(calibration["lexical"]["coverage"]),
            coefficients={k: float(calibration["coefficients"].get(k, 0.0)) for k in FEATURES},
            strong=float(data["levels"]["strong"]),
            possible=float(data["levels"]["possible"]),
        )
    except (KeyError, TypeError, ValueError) as problem:
        raise ValueError(f"ranking weights: missing or malformed {problem}") from problem
    if not 0 <= weights.lexical_share <= 1:
        raise ValueError("ranking weights: fusion.lexical must lie between 0 and 1")
    if not 0 <= weights.dense_floor < 1:
        raise ValueError("ranking weights: fusion.dense_floor must lie between 0 and 1")
    if not (0 <= weights.feedback_documents <= 50 and 0 <= weights.feedback_dense <= 5):
        raise ValueError("ranking weights: feedback needs 0 to 50 documents and a dense share from 0 to 5")
    if any(v < 1 for v in fields.values()):
        raise ValueError("ranking weights: field weights are whole numbers from 1")
    if not 0 < weights.possible <= weights.strong < 1:
        raise ValueError("ranking weights: levels need 0 < possible <= strong < 1")
    return weights


@cache
def builtin_weights() -> RankingWeights:
    text = resources.files("rainforest.core.matching").joinpath("data/ranking.yaml").read_text("utf-8")
    return parse(yaml.safe_load(text))
