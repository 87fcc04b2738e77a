"""The screen's records written from columns (RecordText) are the records written a dict at a time
(records, to_jsonl, flat_row): the same bytes, including values polars alone would write otherwise."""

import datetime as dt
import io

import polars as pl
import pytest

from rainforest.core.facts.writer import defuse
from rainforest.core.policy.batch import SCHEMA, evaluate_frame
from rainforest.core.policy.screen import RecordText, flat_row, records, to_jsonl
from rainforest.core.policy.synthetic import synthetic_facts
from tests.core.policy.helpers import BASE, RULES


def odd_enterprises() -> pl.DataFrame:
    """Values at the edges of the writers: ratios below 1e-4, names JSON escapes, blanks everywhere."""
    rows = []
    for k, (name, changes) in enumerate([
        ('引号"与\\反斜杠', {"rd_expense": 1, "revenue": 9_999_999_999_999.99, "rd_expense_domestic": 1}),
        ("制表\t换行\n回车\r", {"employees": None, "tech_staff": None, "revenue": None, "total_income": None}),
        ("=公式样", {"rd_expense": 0, "revenue": 0, "net_assets": -0.0, "valuation": 0.1 + 0.2}),
        ("零增长", {"revenue": 3e-7, "total_income": 3e-7, "high_tech_income": 1e-7, "conversions": 0}),
    ]):  # fmt: skip
        for year in (2023, 2024, 2025):
            rows.append({**BASE, **changes, "uscc": f"91330106MA{k:07d}X", "name": name,
                         "founded_on": dt.date(2010 + k, 2, 28), "fiscal_year": year})  # fmt: skip
    return pl.DataFrame(rows, schema=SCHEMA)


@pytest.fixture(scope="module")
def facts():
    return pl.concat([synthetic_facts(3000, seed=7, last_year=2025), odd_enterprises()])


@pytest.mark.parametrize(
    "as_of,tiers",
    [(dt.date(2026, 11, 28), None), (dt.date(2025, 11, 28), None), (dt.date(2024, 6, 30), ["seed", "hnte"])],
    ids=["all in force", "some not yet in force", "years after the as-of date"],
)
def test_the_same_json_lines_and_spreadsheet_rows(facts, as_of, tiers):
    tiers = tiers or list(RULES.tiers)
    result = evaluate_frame(RULES, facts, as_of, tiers=tiers, details=True)
    text = RecordText(RULES, tiers, as_of)
    out = io.BytesIO()
    text.write_jsonl(result, out)
    items = list(records(RULES, result, tiers, as_of))
    assert out.getvalue() == "".join(to_jsonl(items)).encode()

    rows = [flat_row(item) for item in items]
    header = list(rows[0])
    expected = [header] + [[defuse(v) if isinstance(v, str) else v for v in (r.get(h) for h in header)] for r in rows]
    assert list(text.table([result])) == expected


def test_no_enterprise_has_the_short_header():
    empty = evaluate_frame(RULES, pl.DataFrame(schema=SCHEMA), dt.date(2026, 11, 28), details=True)
    text = RecordText(RULES, list(RULES.tiers), dt.date(2026, 11, 28))
    out = io.BytesIO()
    text.write_jsonl(empty, out)
    assert out.getvalue() == b""
    assert list(text.table([empty])) == list(text.table([])) == [["uscc", "name", "fiscal_year"]]
