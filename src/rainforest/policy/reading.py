"""The whole registry as the batch evaluator's frame, read as fast as the database allows.

On PostgreSQL the facts and the enterprises' identities leave the database as two ``COPY ... TO
STDOUT`` streams of CSV that polars parses in one go; money leaves as its NUMERIC text, which polars
rounds to the nearest float exactly as the database's own cast would. No row becomes a Python object.
Elsewhere (SQLite: tests, the demo) ``registry.frames.facts_frame`` reads the same columns through a
cursor. Both give the frame ``frame_from_rows(facts_export_rows(...))`` gives (tests/policy/test_reading.py).
"""

from __future__ import annotations

import io

import polars as pl
from django.db import connection

from rainforest.accounts.models import Organisation
from rainforest.core.policy.batch import SCHEMA
from rainforest.registry.frames import facts_frame
from rainforest.registry.models import Enterprise, YearlyFacts

IDENTITY = ("uscc", "name", "founded_on")
NULL = r"\N"  # what COPY writes for NULL, so that an empty text stays an empty text
# A text leaves the database behind this mark (NULL stays NULL), so that no text, not even one
# that reads \N, is taken for the NULL it is not; the parse takes the mark off again.
MARK = "v"


def registry_frame() -> pl.DataFrame:
    """Every enterprise-year of the registry in the engine's canonical schema (no visibility rule:
    callers screen the whole registry and check the permission that allows it)."""
    if connection.vendor == "postgresql":
        return _copied()
    return facts_frame().drop("enterprise_id")


def _copy(sql: str, schema: dict) -> pl.DataFrame:
    """The query's rows through COPY, parsed in one go (parsing pieces in a second thread while the
    rest arrives was measured slower: the receiving loop and the parser then contend)."""
    buffer = io.BytesIO()
    with connection.cursor() as cursor, cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv, NULL '{NULL}')") as copy:
        for row in copy:
            buffer.write(row)
    return _parse(buffer.getvalue(), schema)


def _column(alias: str, name: str, dtype) -> str:
    quoted = f"{alias}.{connection.ops.quote_name(name)}"
    return f"'{MARK}' || {quoted}" if dtype == pl.String else quoted


def _parse(data: bytes, schema: dict) -> pl.DataFrame:
    """CSV from COPY into ``schema``: booleans arrive as t/f, texts behind their mark, everything
    else as polars reads it."""
    raw = {n: pl.String if d == pl.Boolean else d for n, d in schema.items()}
    if not data:
        return pl.DataFrame(schema=schema)
    frame = pl.read_csv(
        data, has_header=False, new_columns=list(schema), schema=raw, null_values=NULL, empty_string_is_null=False,
        quote_char='"', infer_schema=False,
    )  # fmt: skip
    return frame.with_columns(
        *[pl.col(n) == "t" for n, d in schema.items() if d == pl.Boolean],
        *[pl.col(n).str.slice(len(MARK)) for n, d in schema.items() if d == pl.String],
    )


def _copied() -> pl.DataFrame:
    quote = connection.ops.quote_name
    fact_columns = [n for n in SCHEMA if n not in IDENTITY]
    facts_sql = "SELECT f.{}, {} FROM {} f".format(
        quote("enterprise_id"),
        ", ".join(_column("f", YearlyFacts._meta.get_field(n).column, SCHEMA[n]) for n in fact_columns),
        quote(YearlyFacts._meta.db_table),
    )
    identity_sql = "SELECT e.{}, {}, {}, {} FROM {} e JOIN {} o ON o.{} = e.{}".format(
        quote("id"), _column("o", "uscc", pl.String), _column("o", "name", pl.String),
        _column("e", "founded_on", pl.Date), quote(Enterprise._meta.db_table), quote(Organisation._meta.db_table),
        quote("id"), quote("organisation_id"),
    )  # fmt: skip
    facts = _copy(facts_sql, {"enterprise_id": pl.Int64, **{n: SCHEMA[n] for n in fact_columns}})
    identity = _copy(identity_sql, {"enterprise_id": pl.Int64, **{n: SCHEMA[n] for n in IDENTITY}})
    return facts.join(identity, on="enterprise_id", how="inner").select(list(SCHEMA))
