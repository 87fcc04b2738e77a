"""Text normalisation: one form for traditional and simplified, full- and half-width, case.

Traditional characters are folded to simplified with OpenCC's ``t2s`` table (phrase-aware), after
NFKC has turned full-width letters, digits and punctuation into their ASCII forms. Punctuation and
symbols become spaces, so they never reach the index.
"""

from __future__ import annotations

import unicodedata

import opencc

# A query longer than this is cut: a scenario's whole text fits, a pasted book does not.
QUERY_LIMIT = 4000

_T2S = opencc.OpenCC("t2s")


def _punctuation_table() -> dict[int, str]:
    keep = {"+", "#"}  # C++, C#: part of technology names
    table = {}
    for code in range(0x10000):  # the Basic Multilingual Plane holds every punctuation mark in use
        char = chr(code)
        if char in keep:
            continue
        if unicodedata.category(char)[0] in "PSZC" and char != " ":
            table[code] = " "
    return table


_PUNCTUATION = _punctuation_table()


def simplified(text: str) -> str:
    """``text`` in simplified characters, otherwise as written."""
    return _T2S.convert(text)


def normalise(text: str) -> str:
    """The searchable form of ``text``: simplified, half-width, lower case, punctuation as spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = _T2S.convert(text)
    text = text.lower().translate(_PUNCTUATION)
    return " ".join(text.split())


def normalise_query(text: str) -> tuple[str, bool]:
    """Like :func:`normalise` for a query; returns the text and whether it was cut to QUERY_LIMIT."""
    cut = len(text) > QUERY_LIMIT
    return normalise(text[:QUERY_LIMIT]), cut
