"""The registry's facts as one polars frame in the engine's canonical schema, read columnarly.

`selectors.facts_export_rows` builds a dict per enterprise-year through the ORM, which is right for
files and wrong for the whole city: at 120,000 enterprises with five years each it is 600,000 model
instances. The readers that evaluate the whole registry at once (the pyramid's standings, bulk
screening) read the same columns here with one query per chunk, straight into a frame.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl
from django.db import connection

from rainforest.accounts.models import Organisation
from rainforest.core.policy.batch import SCHEMA
from rainforest.registry.models import Enterprise, YearlyFacts

FRAME_SCHEMA = {"enterprise_id": pl.Int64, **SCHEMA}
# Columns that are not the facts row's own: the enterprise's identity.
_IDENTITY = {"uscc": ("o", "uscc"), "name": ("o", "name"), "founded_on": ("e", "founded_on")}
CHUNK = 50_000


def _select_list() -> str:
    quote = connection.ops.quote_name
    float_type = "DOUBLE PRECISION" if connection.vendor == "postgresql" else "REAL"
    columns = [f"f.{quote(YearlyFacts._meta.get_field('enterprise').column)}"]
    for name, dtype in SCHEMA.items():
        alias, column = _IDENTITY[name] if name in _IDENTITY else ("f", YearlyFacts._meta.get_field(name).column)
        expression = f"{alias}.{quote(column)}"
        # Money is NUMERIC: the engine reads it as a float, correctly rounded by the database.
        columns.append(f"CAST({expression} AS {float_type})" if dtype == pl.Float64 else expression)
    return ", ".join(columns)


def _query(where: str) -> str:
    quote = connection.ops.quote_name
    facts, enterprises, organisations = (quote(m._meta.db_table) for m in (YearlyFacts, Enterprise, Organisation))
    return (
        f"SELECT {_select_list()} FROM {facts} f "
        f"JOIN {enterprises} e ON e.{quote('id')} = f.{quote('enterprise_id')} "
        f"JOIN {organisations} o ON o.{quote('id')} = e.{quote('organisation_id')} "
        f"{where} ORDER BY f.{quote('enterprise_id')}, f.{quote('fiscal_year')}"
    )


def facts_frame(enterprise_ids: Iterable[int] | None = None) -> pl.DataFrame:
    """Every enterprise-year (of ``enterprise_ids`` when given), ordered by enterprise and year."""
    frames = []
    with connection.cursor() as cursor:
        if enterprise_ids is None:
            cursor.execute(_query(""))
            frames += _fetch(cursor)
        else:
            ids = sorted(set(enterprise_ids))
            for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit, and short IN lists
                chunk = ids[start : start + 500]
                placeholders = ", ".join(["%s"] * len(chunk))
                cursor.execute(_query(f"WHERE f.{connection.ops.quote_name('enterprise_id')} IN ({placeholders})"),
                               chunk)  # fmt: skip
                frames += _fetch(cursor)
    if not frames:
        return pl.DataFrame(schema=FRAME_SCHEMA)
    return pl.concat(frames)


def _fetch(cursor) -> list[pl.DataFrame]:
    frames = []
    while rows := cursor.fetchmany(CHUNK):
        frames.append(pl.DataFrame(rows, schema=FRAME_SCHEMA, orient="row"))
    return frames
