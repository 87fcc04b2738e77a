"""The single evaluator and the polars batch evaluator give the same answers."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rainforest.core.policy.batch import evaluate_frame, frame_from_rows
from rainforest.core.policy.evaluate import evaluate
from tests.core.policy.helpers import AS_OF, BASE, RULES

RESULT = {True: "pass", False: "fail", None: "unknown"}

# Values near the published thresholds, zeros and blanks: where the two paths could disagree.
money = st.sampled_from([None, 0, 1, 20_000_000, 20_000_001, 50_000_000, 50_000_001, 1e5, 3e5, 1e7, 2e8, 2.5e8])
count = st.sampled_from([None, 0, 1, 3, 4, 5, 10, 100, 101, 500, 501])
flag = st.sampled_from([None, True, False])


@st.composite
def enterprise(draw):
    n = draw(st.integers(min_value=1, max_value=4))
    founded = draw(st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2026, 11, 28)))
    rows = []
    for i in range(n):
        employees = draw(count)
        row = {
            **BASE, "fiscal_year": 2026 - n + i, "employees": employees,
            "tech_staff": draw(count) if employees is None else draw(st.integers(0, employees)),
            "revenue": draw(money), "rd_expense": draw(money), "total_costs": draw(money),
            "net_assets": draw(money), "conversions": draw(count), "ip_class1": draw(count),
            "ip_class2": draw(count), "financing_total": draw(money), "valuation": draw(money),
            "tech_sme_registered": draw(flag), "provincial_tech_sme": draw(flag), "direct_confirmation": draw(flag),
            "clean_record": draw(flag), "stage": draw(st.sampled_from([None, "rd", "product"])),
            "industries": draw(st.sampled_from([None, "", "HZ296X.T.AI", "HZ296X.F.BRAIN;HZ296X.H.TEX"])),
        }  # fmt: skip
        row["rd_staff"] = None if row["tech_staff"] is None else draw(st.integers(0, row["tech_staff"]))
        rows.append(row)
    return founded, rows


def both(enterprises, as_of):
    facts = []
    for i, (founded, rows) in enumerate(enterprises):
        facts += [{**r, "uscc": f"E{i:04d}", "name": f"n{i}", "founded_on": founded} for r in rows]
    frame = evaluate_frame(RULES, frame_from_rows(facts), as_of, details=True)
    batch = {row["uscc"]: row for row in frame.iter_rows(named=True)}
    for i, (founded, rows) in enumerate(enterprises):
        single = evaluate(RULES, uscc=f"E{i:04d}", name="n", founded_on=founded, rows=rows, as_of=as_of)
        yield single, batch[f"E{i:04d}"]


def assert_same(single, row):
    for tier, result in single.items():
        assert row[tier] == result.verdict, tier
        for c in result.criteria:
            assert RESULT[row[f"{tier}.{c.id}.result"]] == c.result, (tier, c.id)
        if result.score_range is not None:
            assert (row[f"{tier}.score_min"], row[f"{tier}.score_max"]) == result.score_range
        elif f"{tier}.score" in row:
            assert row[f"{tier}.score"] == result.score


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(enterprise(), min_size=1, max_size=8), st.sampled_from([AS_OF, dt.date(2025, 6, 30)]))
def test_single_and_batch_agree_on_random_facts(enterprises, as_of):
    for single, row in both(enterprises, as_of):
        assert_same(single, row)


def test_single_and_batch_agree_on_the_demo_city():
    from rainforest.demo.city import build_city

    city = build_city(seed=5, enterprises=300)
    enterprises = [(c.founded_on, c.rows) for c in city.companies]
    for single, row in both(enterprises, city.as_of):
        assert_same(single, row)
