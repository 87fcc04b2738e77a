"""Each published threshold at, just below and just above its boundary."""

import datetime as dt

import pytest

from tests.core.policy.helpers import AS_OF, criterion, rows, run, years


@pytest.mark.parametrize(
    "founded, result",
    [
        (dt.date(2021, 11, 28), "pass"),  # exactly five years on the as-of date
        (dt.date(2021, 11, 27), "fail"),  # five years and one day
        (dt.date(2021, 11, 29), "pass"),
    ],
)
def test_seed_age_five_years_exactly(founded, result):
    assert criterion(run("seed", rows(), founded_on=founded), "RM-SEED-01").result == result


def test_age_from_29_february_counts_to_28_february():
    assert criterion(run("seed", rows(), founded_on=dt.date(2020, 2, 29), as_of=dt.date(2025, 2, 28)),
                     "RM-SEED-01").result == "pass"  # fmt: skip
    assert criterion(run("seed", rows(), founded_on=dt.date(2020, 2, 29), as_of=dt.date(2025, 3, 1)),
                     "RM-SEED-01").result == "fail"  # fmt: skip


@pytest.mark.parametrize("staff, result", [(99, "pass"), (100, "pass"), (101, "fail")])
def test_seed_staff_100_exactly(staff, result):
    facts = rows(employees=staff, tech_staff=10, rd_staff=10)
    assert criterion(run("seed", facts), "RM-SEED-02").result == result


@pytest.mark.parametrize("revenue, verdict", [(20_000_000, "eligible"), (20_000_001, "review")])
def test_seed_revenue_is_presumptive(revenue, verdict):
    result = run("seed", rows(revenue=revenue, rd_expense=revenue * 0.05))
    assert result.verdict == verdict


@pytest.mark.parametrize("rd, result", [(300_000, "pass"), (299_999, "fail"), (300_001, "pass")])
def test_seed_rd_three_percent(rd, result):
    assert criterion(run("seed", rows(revenue=10_000_000, rd_expense=rd)), "RM-SEED-04").result == result


def test_seed_needs_the_tech_sme_register_with_both_readings():
    provincial_only = rows(tech_sme_registered=False, provincial_tech_sme=True)
    assert run("seed", provincial_only).verdict == "eligible"
    national = run("seed", provincial_only, readings={"RM-SEED-00": "national_only"})
    assert national.verdict == "ineligible" and criterion(national, "RM-SEED-00").reading == "national_only"


@pytest.mark.parametrize(
    "financing, valuation, result",
    [
        (20_000_000, 900_000_000, "pass"),
        (20_000_001, 200_000_000, "pass"),
        (20_000_001, 200_000_001, "fail"),
    ],
)
def test_good_seedling_financing_or_valuation(financing, valuation, result):
    outcome = run("good_seedling", rows(financing_total=financing, valuation=valuation))
    assert criterion(outcome, "RM-HMZ-03").result == result
    if result == "fail":  # relaxable: an officer decides on the published grounds
        assert outcome.verdict == "review"
        assert "disruptive_technology" in criterion(outcome, "RM-HMZ-03").note


@pytest.mark.parametrize("rd_staff, result", [(4, "pass"), (3, "fail")])
def test_good_seedling_rd_staff_ten_percent(rd_staff, result):
    assert criterion(run("good_seedling", rows(rd_staff=rd_staff)), "RM-HMZ-01").result == result


@pytest.mark.parametrize(
    "latest_sales, threshold",
    [(50_000_000, 0.05), (50_000_001, 0.04), (200_000_000, 0.04), (200_000_001, 0.03)],
)
def test_hnte_rd_band_follows_the_latest_sales(latest_sales, threshold):
    outcome = run("hnte", years({"revenue": 40_000_000}, {"revenue": 45_000_000}, {"revenue": latest_sales}))
    assert criterion(outcome, "HT-05").threshold == threshold


def test_hnte_rd_ratio_is_on_three_year_sums():
    # years: R&D 1m, 1m, 4m on sales 40m, 40m, 40m -> 6m / 120m = 5% exactly: passes the 5% band
    facts = years(*({"revenue": 40_000_000, "rd_expense": rd, "total_income": 40_000_000,
                     "high_tech_income": 30_000_000, "rd_expense_domestic": rd} for rd in (1e6, 1e6, 4e6)))  # fmt: skip
    c = criterion(run("hnte", facts), "HT-05")
    assert (c.result, c.value, c.threshold) == ("pass", 0.05, 0.05)
    facts[0]["rd_expense"] = 999_999
    assert criterion(run("hnte", facts), "HT-05").result == "fail"


@pytest.mark.parametrize("tech, points", [(12, 20), (11, 16), (4, 4), (3, 0)])
def test_tech_sme_staff_bands(tech, points):
    assert run("tech_sme", rows(employees=40, tech_staff=tech, rd_staff=min(tech, 8))).score_parts["staff"] == points


def test_tech_sme_zero_staff_score_fails_even_with_a_high_total():
    outcome = run("tech_sme", rows(employees=40, tech_staff=3, rd_staff=3, ip_class1=2))
    assert outcome.score == 80  # 0 + 50 + 30
    assert outcome.verdict == "ineligible" and criterion(outcome, "TS-05").result == "fail"


def test_tech_sme_direct_confirmation_bypasses_the_score():
    outcome = run("tech_sme", rows(tech_staff=0, rd_staff=0, ip_class1=0, ip_class2=0, direct_confirmation=True))
    assert outcome.score < 60 and outcome.verdict == "eligible"


def test_tech_sme_takes_the_better_rd_ratio():
    # R&D / sales 1% (0 points) but R&D / costs 30% (50 points)
    outcome = run("tech_sme", rows(revenue=100_000_000, rd_expense=1_000_000, total_costs=3_333_333))
    assert outcome.score_parts["rd"] == 50


@pytest.mark.parametrize("staff, result", [(500, "pass"), (501, "fail")])
def test_tech_sme_size_caps(staff, result):
    outcome = run("tech_sme", rows(employees=staff, tech_staff=200, rd_staff=100))
    assert criterion(outcome, "TS-02").result == result


def test_hnte_growth_with_a_zero_first_year_uses_the_last_two():
    facts = years({"net_assets": 0}, {"net_assets": 100}, {"net_assets": 150})
    from rainforest.core.policy.fields import Facts, value_of

    known = value_of(Facts("x", "x", dt.date(2020, 1, 1), facts, AS_OF), "net_asset_growth")
    assert known.value == 0.5 and "last two years" in known.note
    assert run("hnte", facts).score_parts["growth"][0] >= 9


def test_hnte_growth_with_a_zero_second_year_scores_nothing():
    from rainforest.core.policy.fields import Facts, value_of

    facts = Facts("x", "x", dt.date(2020, 1, 1), years({"revenue": 100}, {"revenue": 0}, {"revenue": 500}), AS_OF)
    known = value_of(facts, "sales_growth")
    assert known.value == 0.0 and "second year is 0" in known.note


def test_hnte_score_is_a_range_decided_against_71():
    strong = years(*({"conversions": 6, "net_assets": na, "revenue": rev, "rd_expense": rev * 0.1,
                      "rd_expense_domestic": rev * 0.1, "total_income": rev, "high_tech_income": rev * 0.9}
                     for na, rev in ((1e6, 1e7), (2e6, 2e7), (4e6, 4e7))))  # fmt: skip
    outcome = run("hnte", strong)
    low, high = outcome.score_range
    assert low < 71 <= high and criterion(outcome, "HT-07").result == "unknown"
    assert outcome.verdict == "review"
    weak = years({"conversions": 0, "ip_class1": 0, "ip_class2": 0, "net_assets": 1e6, "revenue": 1e7})
    assert criterion(run("hnte", weak), "HT-07").result == "fail"


def test_zero_denominator_is_explained_not_a_crash():
    outcome = run("seed", rows(revenue=0, rd_expense=100_000))
    c = criterion(outcome, "RM-SEED-04")
    assert c.result == "unknown" and "revenue is 0" in c.note
    assert outcome.verdict == "unknown"


def test_missing_column_is_unknown_never_zero():
    outcome = run("seed", rows(employees=None))
    c = criterion(outcome, "RM-SEED-02")
    assert (c.result, c.missing) == ("unknown", ["employees"])
    assert outcome.verdict == "unknown"


def test_tech_leader_says_its_criteria_are_unpublished():
    outcome = run("tech_leader", rows())
    assert outcome.verdict == "unknown"
    assert "No published thresholds" in outcome.criteria[0].note


def test_young_eagle_can_at_best_be_reviewed():
    facts = rows(rd_staff=10, rd_expense=1_500_000)
    outcome = run("young_eagle", facts)
    assert outcome.verdict == "review" and criterion(outcome, "XC-07").result == "unknown"


@pytest.mark.parametrize("reading, result", [(None, "pass"), ("below_100m", "fail")])
def test_fund_valuation_boundary_keeps_both_readings(reading, result):
    facts = rows(employees=150, tech_staff=20, rd_staff=10, valuation=100_000_000)
    outcome = run("fund_target", facts, readings={"RF-08": reading} if reading else None)
    assert criterion(outcome, "RF-08").result == result


def test_fund_industries_must_be_296x():
    assert criterion(run("fund_target", rows(industries="HZ296X.H.BIO")), "RF-09").result == "pass"
    assert criterion(run("fund_target", rows(industries="")), "RF-09").result == "fail"


def test_a_tier_outside_its_dates_says_so():
    assert run("seed", rows(fiscal_year=2024), as_of=dt.date(2025, 6, 1)).in_force is False
    assert run("seed", rows()).in_force is True


def test_only_years_up_to_the_as_of_date_count():
    facts = years({"employees": 40}, {"employees": 300})  # 2024, 2025
    assert criterion(run("seed", facts, as_of=dt.date(2024, 12, 31)), "RM-SEED-02").result == "pass"
    assert criterion(run("seed", facts), "RM-SEED-02").result == "fail"
