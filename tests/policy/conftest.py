"""A registry to screen: the synthetic city of the benchmark (young and old enterprises, blanks, every
size), imported through the registry's own import, and the screening's knobs made small so that a
few dozen enterprises span several chunks and blocks."""

import datetime as dt
from decimal import Decimal

import pytest

from rainforest.core.facts.schema import COLUMNS, Kind
from rainforest.core.facts.writer import to_csv
from rainforest.core.policy.synthetic import synthetic_facts
from rainforest.policy import explain, screening_jobs
from rainforest.registry.services import facts_import
from tests.conftest import SYSTEM, new_uscc

AS_OF = dt.date(2026, 11, 28)
KINDS = {c.name: c.kind for c in COLUMNS}


def city_rows(facts_rows: int, *, seed: int = 7) -> list[dict]:
    """Facts rows of the synthetic generator with real codes and the types the import reads."""
    frame = synthetic_facts(facts_rows, seed=seed, last_year=2025)
    codes = {u: new_uscc() for u in frame["uscc"].unique(maintain_order=True)}
    rows = []
    for row in frame.iter_rows(named=True):
        row["uscc"] = codes[row["uscc"]]
        for name, value in row.items():
            if value is not None and KINDS[name] == Kind.INT:
                row[name] = int(value)
            elif value is not None and KINDS[name] == Kind.MONEY:
                row[name] = Decimal(str(value))
        rows.append(row)
    return rows


def import_city(facts_rows: int = 60, *, seed: int = 7) -> list[dict]:
    rows = city_rows(facts_rows, seed=seed)
    facts_import(actor=SYSTEM, data=to_csv(rows), filename="city.csv")
    return rows


@pytest.fixture
def city(db):
    """About 22 enterprises with up to three years each."""
    return import_city()


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 6 enterprises in blocks of 3: a 22-enterprise registry is 4 chunks and 8 blocks."""
    monkeypatch.setattr(explain, "BLOCK_SIZE", 3)
    monkeypatch.setattr(screening_jobs, "CHUNK", 6)


@pytest.fixture
def no_backoff(settings):
    settings.RAINFOREST_JOB_BACKOFF_SECONDS = 0
