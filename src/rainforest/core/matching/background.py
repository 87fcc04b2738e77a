"""Texts the dense model learns from besides the ones it indexes.

An LSA learns which words keep company only from the texts it is fitted on, and the texts at hand
are often few: the two files of one `rainforest match` run, or a new platform's first offers. So
every fit also reads the evaluation set's scenarios and capabilities (data/evalset, about 600
in-domain texts shipped with the package; their judgements are never read here). Measured on
held-out scenarios ranking a random 50 of the capabilities, fitted on those files alone against
files plus these texts: dense nDCG@10 up by 0.04 to 0.07, hybrid by 0.02 in two draws of three
(README, "Matching").
"""

from __future__ import annotations

import hashlib
import unicodedata
from functools import cache
from importlib import resources

from rainforest.core.matching.items import read_items
from rainforest.core.matching.normalise import simplified

KEY_RULE = "title|first line, NFKC, simplified, casefold, no spaces"  # part of the fingerprint: change it with the rule


def same_text_key(document) -> str:
    """What makes two documents the same text for this purpose: the title and the first line of
    the description, width, script (traditional or simplified), case and spacing aside. The
    platform words a capability with its domain labels around it and its reference cases after the
    description, so whole texts would not compare; a title alone would not either (a product is
    offered in more than one setting)."""
    opening = document.body.split("\n", 1)[0]
    return _spacing_aside(f"{document.title}|{opening}")


@cache
def _shipped() -> tuple[tuple[str, str, str], ...]:
    """(same-text key, text, text with spacing and width aside) of each shipped scenario and
    capability, each text once (worked out once per process: every dense fit reads them)."""
    folder = resources.files("rainforest.core.matching").joinpath("data/evalset")
    with resources.as_file(folder) as path:
        documents = read_items(path / "scenarios.csv") + read_items(path / "capabilities.csv")
    return tuple({d.text: (same_text_key(d), d.text, _spacing_aside(d.text)) for d in documents}.values())


def background_texts() -> tuple[str, ...]:
    return tuple(text for _key, text, _plain in _shipped())


@cache
def fingerprint() -> str:
    """Names the shipped texts a saved dense model was fitted with (a release that ships other
    texts must fit it again)."""
    read = "\n\x00".join((KEY_RULE, *background_texts()))
    return hashlib.sha256(read.encode()).hexdigest()[:16]


def background_for(documents, extra) -> list[str]:
    """The background texts that are not already among ``documents`` or the ``extra`` texts (a
    text read twice would count twice in the model's document frequencies; see
    :func:`same_text_key`). An extra text is a whole text, compared width, case and spacing aside."""
    indexed = {same_text_key(d) for d in documents}
    read = {_spacing_aside(t) for t in extra}
    return [text for key, text, plain in _shipped() if key not in indexed and plain not in read]


def _spacing_aside(text: str) -> str:
    return "".join(simplified(unicodedata.normalize("NFKC", text)).casefold().split())
