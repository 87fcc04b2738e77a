"""How a value appears in a problem message of the cap-table readers (deal JSON, OCF packages)."""

from __future__ import annotations


def shown(value) -> str:
    """Scalars as written (cut short), containers by their type only: a deeply nested one must not
    be walked, a huge one not printed."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "…"
