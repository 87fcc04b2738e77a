"""The public lists' search box. The exchange filters; the ranking comes from an engine above it
(the matching app registers one when it starts), so the exchange never imports the matching."""

from __future__ import annotations

from collections.abc import Callable

# (collection, query) -> (ids best first, notices)
Ranker = Callable[[str, str], tuple[list[int], list[str]]]
_ranker: Ranker | None = None


def register_ranker(ranker: Ranker) -> None:
    global _ranker
    _ranker = ranker


def ranked_ids(collection: str, q: str) -> list[int] | None:
    """Ids best first from the registered ranker, or None when no ranker is installed."""
    return None if _ranker is None else _ranker(collection, q)[0]
