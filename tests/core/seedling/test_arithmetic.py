import datetime as dt
from decimal import Decimal

import pytest

from rainforest.core.seedling.interest import Loan, days_in, interest_subsidy
from rainforest.core.seedling.ladder import standing
from rainforest.core.seedling.money import round_fen, yuan
from rainforest.core.seedling.ranking import Entry, rank

D = Decimal
CAP, POINT = D("200000"), D("0.01")


def loan(principal, rate, start, end, ref="L1"):
    return Loan(ref, D(principal), D(rate), dt.date.fromisoformat(start), dt.date.fromisoformat(end))


def test_a_subsidy_by_hand():
    # 5,000,000 yuan at 3.85 % from 1 March to 1 September 2026: 184 days; subsidised at 1 point.
    # 5,000,000 × 0.01 × 184 / 365 = 25,205.479452... -> 25,205.48
    s = interest_subsidy([loan(5_000_000, "0.0385", "2026-03-01", "2026-09-01")], 2026, max_rate=POINT, cap=CAP)
    assert s.lines[0].days == 184 and s.lines[0].rate == POINT
    assert s.amount == D("25205.48") and not s.capped


def test_the_subsidised_rate_never_exceeds_the_loan_rate():
    s = interest_subsidy([loan(1_000_000, "0.006", "2026-01-01", "2027-01-01")], 2026, max_rate=POINT, cap=CAP)
    assert s.lines[0].rate == D("0.006") and s.amount == D("6000.00")


def test_a_leap_year_counts_366_days_over_365():
    s = interest_subsidy([loan(3_650_000, "0.04", "2028-01-01", "2029-01-01")], 2028, max_rate=POINT, cap=CAP)
    assert s.lines[0].days == 366 and s.amount == D("36600.00")


def test_only_the_days_inside_the_year_count():
    spanning = loan(1_000_000, "0.05", "2025-12-01", "2026-02-01")
    assert days_in(spanning, 2025) == 31 and days_in(spanning, 2026) == 31 and days_in(spanning, 2027) == 0


def test_the_cap_binds_across_loans_and_rounding_happens_once():
    loans = [
        loan(15_000_000, "0.04", "2026-01-01", "2027-01-01", "A"),
        loan(6_000_000, "0.04", "2026-01-01", "2027-01-01", "B"),
    ]
    s = interest_subsidy(loans, 2026, max_rate=POINT, cap=CAP)
    assert s.uncapped == D("210000.00") and s.amount == CAP and s.capped
    # three loans of a third of a fen each: summed exactly, then rounded (0.01), not rounded to 0 thrice
    tiny = [loan("0.365", "0.01", "2026-01-01", "2026-01-02", str(i)) for i in range(3)]
    assert interest_subsidy(tiny, 2026, max_rate=POINT, cap=CAP).amount == D("0.00")
    assert round_fen(D("0.005")) == D("0.01") and round_fen(D("0.0049")) == D("0.00")


def test_exactly_at_the_cap_is_not_capped():
    s = interest_subsidy([loan(20_000_000, "0.03", "2026-01-01", "2027-01-01")], 2026, max_rate=POINT, cap=CAP)
    assert s.amount == CAP and not s.capped


@pytest.mark.parametrize(
    "bad",
    [
        loan(0, "0.03", "2026-01-01", "2026-02-01"),
        loan(100, "-0.01", "2026-01-01", "2026-02-01"),
        loan(100, "0.03", "2026-02-01", "2026-02-01"),
    ],
)
def test_loans_that_do_not_add_up_are_refused(bad):
    with pytest.raises(ValueError, match="do not add up"):
        interest_subsidy([bad], 2026, max_rate=POINT, cap=CAP)


def test_money_is_never_a_float():
    with pytest.raises(TypeError):
        yuan(0.1)
    assert yuan("1,000.50") == D("1000.50")
    for bad in ("abc", "NaN", "Infinity"):
        with pytest.raises(ValueError):
            yuan(bad)


def test_the_ladder_reads_recognitions_and_the_seed_verdict():
    s = standing({"tech_sme"}, {"seed": "eligible", "good_seedling": "review"})
    assert s.current == "seed" and s.next == "good_seedling"
    assert standing(set(), {}).current is None and standing(set(), {}).next == "tech_sme"
    top = standing({"tech_leader"}, {})
    assert top.current == "tech_leader" and top.next is None
    # a seed verdict alone never makes a good seedling: that rung needs the recognition
    assert standing(set(), {"good_seedling": "eligible"}).current is None


def entry(key, scores, rd=None, minute=0, uscc=None):
    return Entry(
        key,
        uscc or f"U{key}",
        tuple(D(s) for s in scores),
        None if rd is None else D(rd),
        dt.datetime(2026, 5, 1, 9, minute),
    )


def test_ranking_ties_fall_to_rd_intensity_then_submission_then_code():
    entries = [
        entry(1, ["80", "90"]),  # mean 85 as well, R&D unknown, same minute as 5: the code decides
        entry(2, ["85"], rd="0.08", minute=5),
        entry(3, ["85"], rd="0.10", minute=9),
        entry(4, ["85"], rd="0.10", minute=1),
        entry(5, ["85"], minute=0),  # unknown R&D intensity ranks after known ones
        entry(6, []),  # not scored: not ranked
    ]
    ranked = rank(entries, quota=3)
    assert [r.key for r in ranked] == [4, 3, 2, 1, 5]  # 6 has no score and is not ranked
    assert [r.selected for r in ranked] == [True, True, True, False, False]


def test_the_quota_is_exact():
    ranked = rank([entry(i, ["70"], minute=i % 60) for i in range(10)], quota=10)
    assert sum(r.selected for r in ranked) == 10
    assert sum(r.selected for r in rank([entry(i, ["70"]) for i in range(11)], quota=10)) == 10
