"""The single evaluator and the polars batch evaluator give the same answers."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rainforest.core.policy.batch import evaluate_frame, frame_from_rows
from rainforest.core.policy.evaluate import evaluate
from tests.core.policy.helpers import AS_OF, BASE, RULES, rows, years

RESULT = {True: "pass", False: "fail", None: "unknown"}

# Values near the published thresholds, zeros and blanks: where the two paths could disagree.
money = st.sampled_from(
    [None, 0, 1, 20_000_000, 20_000_001, 50_000_000, 50_000_001, 1e5, 3e5, 6e5, 1e6, 1e7, 2e8, 2.5e8]
)
count = st.sampled_from([None, 0, 1, 3, 4, 5, 10, 100, 101, 500, 501])
flag = st.sampled_from([None, True, False])


# Foundings on and next to the third anniversary of the as-of dates below (the actual period), on
# 29 February, and any date at all.
founding = st.one_of(
    st.sampled_from([
        dt.date(2023, 11, 28), dt.date(2023, 11, 29), dt.date(2022, 11, 29), dt.date(2022, 11, 30),
        dt.date(2022, 6, 30), dt.date(2022, 7, 1), dt.date(2024, 2, 29), dt.date(2020, 2, 29), dt.date(2024, 3, 1),
    ]),
    st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2026, 11, 28)),
)  # fmt: skip
# The rules' dates in force (seedling tiers 2025-11-29, the fund 2025-11-18) and the day before each.
AS_OF_DATES = [AS_OF, dt.date(2025, 6, 30), dt.date(2025, 11, 28), dt.date(2025, 11, 29), dt.date(2025, 11, 17),
               dt.date(2025, 11, 18), dt.date(2027, 2, 28)]  # fmt: skip


@st.composite
def enterprise(draw):
    n = draw(st.integers(min_value=1, max_value=4))
    founded = draw(founding)
    rows = []
    for i in range(n):
        employees = draw(count)
        row = {
            **BASE, "fiscal_year": 2026 - n + i, "employees": employees,
            "tech_staff": draw(count) if employees is None else draw(st.integers(0, employees)),
            "revenue": draw(money), "rd_expense": draw(money), "rd_expense_domestic": draw(money),
            "total_costs": draw(money), "net_assets": draw(money), "conversions": draw(count),
            "ip_class1": draw(count), "ip_class2": draw(count), "financing_total": draw(money),
            "valuation": draw(money), "tech_sme_registered": draw(flag), "provincial_tech_sme": draw(flag),
            "direct_confirmation": draw(flag), "clean_record": draw(flag),
            "stage": draw(st.sampled_from([None, "rd", "product"])),
            "industries": draw(st.sampled_from([None, "", "HZ296X.T.AI", "HZ296X.F.BRAIN;HZ296X.H.TEX"])),
        }  # fmt: skip
        row["rd_staff"] = None if row["tech_staff"] is None else draw(st.integers(0, row["tech_staff"]))
        rows.append(row)
    if n > 1 and draw(st.booleans()):  # a year missing inside the period
        del rows[draw(st.integers(0, n - 2))]
    return founded, rows


def both(enterprises, as_of):
    facts = []
    for i, (founded, own) in enumerate(enterprises):
        facts += [{**r, "uscc": f"E{i:04d}", "name": f"n{i}", "founded_on": founded} for r in own]
    frame = evaluate_frame(RULES, frame_from_rows(facts), as_of, details=True)
    batch = {row["uscc"]: row for row in frame.iter_rows(named=True)}
    for i, (founded, own) in enumerate(enterprises):
        single = evaluate(RULES, uscc=f"E{i:04d}", name="n", founded_on=founded, rows=own, as_of=as_of)
        yield single, batch[f"E{i:04d}"]


def assert_same(single, row):
    for tier, result in single.items():
        assert row[tier] == result.verdict, tier
        for c in result.criteria:
            assert RESULT[row[f"{tier}.{c.id}.result"]] == c.result, (tier, c.id)
        if f"{tier}.score_min" in row:  # every score is a range; an exact one has min == max
            assert (row[f"{tier}.score_min"], row[f"{tier}.score_max"]) == (result.score_range or (result.score,) * 2)
            if f"{tier}.score" in row:
                assert row[f"{tier}.score"] == result.score, tier


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(enterprise(), min_size=1, max_size=8), st.sampled_from(AS_OF_DATES))
def test_single_and_batch_agree_on_random_facts(enterprises, as_of):
    for single, row in both(enterprises, as_of):
        assert_same(single, row)


def _shift(facts, by):
    return [{**r, "fiscal_year": r["fiscal_year"] + by} for r in facts]


# The boundary cases of the second reading (issue 17), each through both evaluators.
READINGS = [
    # HT-05b over three years: 60% exactly on the sums while the latest year is 40%, and one yuan less
    (dt.date(2015, 1, 1), years(*({"rd_expense": 1e6, "rd_expense_domestic": d} for d in (7e5, 7e5, 4e5))), AS_OF),
    (dt.date(2015, 1, 1), years(*({"rd_expense": 1e6, "rd_expense_domestic": d} for d in (699_999, 7e5, 4e5))), AS_OF),
    # the actual period: a day short of three years and three years exactly, 29 February, a gap, one year
    (dt.date(2023, 11, 29), years({}, {}), AS_OF),
    (dt.date(2023, 11, 28), years({}, {}), AS_OF),
    (dt.date(2024, 2, 29), _shift(years({}, {}), 1), dt.date(2027, 2, 27)),
    (dt.date(2024, 2, 29), _shift(years({}, {}), 1), dt.date(2027, 2, 28)),
    (dt.date(2023, 12, 1), [r for r in years({}, {}, {}) if r["fiscal_year"] != 2024], AS_OF),
    (dt.date(2012, 5, 1), rows(), AS_OF),
    (dt.date(2025, 3, 1), rows(), AS_OF),
    (None, years({}, {}), AS_OF),
    # no revenue: decided above 60, decided below, undecided, the cost ratio in full
    (dt.date(2023, 3, 1), rows(revenue=0), AS_OF),
    (dt.date(2023, 3, 1), rows(revenue=0, tech_staff=4, rd_staff=4, ip_class1=0, ip_class2=0), AS_OF),
    (dt.date(2023, 3, 1), rows(revenue=0, ip_class1=0, ip_class2=0), AS_OF),
    (dt.date(2023, 3, 1), rows(revenue=0, rd_expense=3e6, ip_class1=0, ip_class2=0), AS_OF),
    (dt.date(2023, 3, 1), rows(tech_staff=None, rd_staff=None), AS_OF),
    # dates in force: the day before and the first day of the seedling tiers and of the fund
    (dt.date(2023, 3, 1), rows(fiscal_year=2024), dt.date(2025, 11, 28)),
    (dt.date(2023, 3, 1), rows(fiscal_year=2024), dt.date(2025, 11, 29)),
    (dt.date(2023, 3, 1), rows(fiscal_year=2024), dt.date(2025, 11, 17)),
    (dt.date(2023, 3, 1), rows(fiscal_year=2024), dt.date(2025, 11, 18)),
]  # fmt: skip


@pytest.mark.parametrize("founded, facts, as_of", READINGS)
def test_single_and_batch_agree_on_the_second_readings_boundaries(founded, facts, as_of):
    for single, row in both([(founded, facts)], as_of):
        assert_same(single, row)


def test_single_and_batch_agree_on_the_demo_city():
    from rainforest.demo.city import build_city

    city = build_city(seed=5, enterprises=300)
    enterprises = [(c.founded_on, c.rows) for c in city.companies]
    for single, row in both(enterprises, city.as_of):
        assert_same(single, row)
