"""The domain dictionary and synonym sets (data/vocabulary.yaml), loaded and normalised."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from rainforest.core.matching.normalise import normalise

CONCEPT_PREFIX = "~"  # concept tokens cannot collide with words: normalise() turns "~" into a space


@dataclass(frozen=True)
class Vocabulary:
    version: str
    terms: frozenset[str]  # every term, normalised: added to the segmenter as one word
    concepts_of: dict[str, tuple[str, ...]]  # term -> concept names
    label: dict[str, str]  # concept name -> its first term, for reasons
    terms_of: dict[str, tuple[str, ...]]  # concept name -> its terms, normalised


def parse(document: dict) -> Vocabulary:
    concepts = document.get("concepts")
    if not isinstance(concepts, dict) or not concepts:
        raise ValueError("vocabulary: 'concepts' must be a non-empty mapping")
    concepts_of: dict[str, list[str]] = {}
    label = {}
    terms_of = {}
    for name, terms in concepts.items():
        if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
            raise ValueError(f"vocabulary: concept {name!r} must list non-empty terms")
        normalised = [normalise(t) for t in terms]
        label[name] = normalised[0]
        terms_of[name] = tuple(dict.fromkeys(normalised))
        for term in normalised:
            concepts_of.setdefault(term, []).append(name)
    return Vocabulary(
        version=str(document.get("version", "")),
        terms=frozenset(concepts_of),
        concepts_of={term: tuple(names) for term, names in concepts_of.items()},
        label=label,
        terms_of=terms_of,
    )


@cache
def default_vocabulary() -> Vocabulary:
    text = resources.files("rainforest.core.matching").joinpath("data/vocabulary.yaml").read_text("utf-8")
    return parse(yaml.safe_load(text))
