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
    weak = years(*[{"conversions": 0, "ip_class1": 0, "ip_class2": 0, "net_assets": 1e6, "revenue": 1e7}] * 3)
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


def test_only_years_up_to_the_as_of_date_count():
    facts = years({"employees": 40}, {"employees": 300})  # 2024, 2025
    assert criterion(run("seed", facts, as_of=dt.date(2024, 12, 31)), "RM-SEED-02").result == "pass"
    assert criterion(run("seed", facts), "RM-SEED-02").result == "fail"


# ---------------------------------------------------------------- HT-05b: a three-year figure (issue 17, item 1)


def test_hnte_domestic_share_is_on_three_year_sums_at_60_percent_exactly():
    # R&D 1m a year, in China 0.7m, 0.7m, 0.4m: the latest year alone is 40%, the three years 1.8m / 3m = 60%
    facts = years(*({"rd_expense": 1_000_000, "rd_expense_domestic": d} for d in (700_000, 700_000, 400_000)))
    c = criterion(run("hnte", facts), "HT-05b")
    assert (c.result, c.value, c.threshold) == ("pass", 0.6, 0.6)
    facts[0]["rd_expense_domestic"] = 699_999
    assert criterion(run("hnte", facts), "HT-05b").result == "fail"


def test_hnte_domestic_share_of_the_latest_year_alone_does_not_pass():
    facts = years(*({"rd_expense": 1_000_000, "rd_expense_domestic": d} for d in (300_000, 300_000, 900_000)))
    c = criterion(run("hnte", facts), "HT-05b")
    assert (c.result, c.value) == ("fail", 0.5)


# ---------------------------------------------------------------- the actual period (issue 17, item 2)


@pytest.mark.parametrize(
    "founded, as_of, result",
    [
        (dt.date(2023, 11, 29), AS_OF, "pass"),  # one day short of three years: its actual period, 2024-2025
        (dt.date(2023, 11, 28), AS_OF, "unknown"),  # three years exactly: 2023 is needed
        (dt.date(2015, 6, 1), AS_OF, "unknown"),
        (dt.date(2024, 2, 29), dt.date(2027, 2, 27), "pass"),  # 29 February: the third anniversary is 28 February
        (dt.date(2024, 2, 29), dt.date(2027, 2, 28), "unknown"),
    ],
)
def test_the_actual_period_is_only_for_an_enterprise_under_three_years(founded, as_of, result):
    facts = years({}, {}) if as_of == AS_OF else [{**r, "fiscal_year": r["fiscal_year"] + 1} for r in years({}, {})]
    outcome = run("hnte", facts, founded_on=founded, as_of=as_of)
    for cid in ("HT-05", "HT-05b"):
        assert criterion(outcome, cid).result == result, cid
    if result == "unknown":
        first = as_of.year - 3 if as_of == AS_OF else 2024
        c = criterion(outcome, "HT-05")
        assert c.missing == [f"fiscal year {first}"] and "three years or more" in c.note
        assert outcome.verdict == "unknown"
    else:
        assert "actual period" in criterion(outcome, "HT-05").note


def test_an_older_enterprise_with_one_year_is_unknown_not_judged_on_it():
    outcome = run("hnte", rows(rd_expense=100_000), founded_on=dt.date(2012, 5, 1))  # 1% would fail the 5% band
    c = criterion(outcome, "HT-05")
    assert (c.result, c.missing) == ("unknown", ["fiscal year 2023", "fiscal year 2024"])
    assert outcome.verdict == "unknown"


def test_a_gap_in_a_young_enterprises_period_is_unknown():
    facts = [r for r in years({}, {}, {}) if r["fiscal_year"] != 2024]  # 2023 and 2025
    c = criterion(run("hnte", facts, founded_on=dt.date(2023, 12, 1)), "HT-05")
    assert (c.result, c.missing) == ("unknown", ["fiscal year 2024"])


def test_growth_that_cannot_be_computed_is_unknown_and_counts_from_0_to_its_maximum():
    from rainforest.core.policy.fields import Facts, value_of

    young = Facts("x", "x", dt.date(2025, 3, 1), rows(), AS_OF)  # one accounting year: nothing to measure
    assert (
        value_of(young, "sales_growth").unknown and "one accounting year" in value_of(young, "sales_growth").undefined
    )
    outcome = run("hnte", rows(), founded_on=dt.date(2025, 3, 1))
    assert outcome.score_parts["growth"] == [0, 20]  # never 0: the best case counts it at its maximum
    older = run("hnte", rows(), founded_on=dt.date(2015, 1, 1))
    assert older.score_parts["growth"] == [0, 20] and older.score_parts["conversion"] == [0, 30]
    three = years(*[{"net_assets": 1e6, "revenue": 1e7}] * 3)  # flat: growth is computed, 0 points
    assert run("hnte", three, founded_on=dt.date(2015, 1, 1)).score_parts["growth"] == 0


def test_the_best_case_with_unknown_growth_can_reach_71_where_zero_growth_cannot():
    # IP 1..26, conversions 7..12, management 0..20: 58 at best with no growth, 78 with growth unknown
    weak = {"conversions": 2, "ip_class1": 0, "ip_class2": 1}
    known = run("hnte", years(*[{**weak, "net_assets": 1e6, "revenue": 1e7}] * 3), founded_on=dt.date(2015, 1, 1))
    assert known.score_range == (8, 58) and criterion(known, "HT-07").result == "fail"
    blank = years(*[{**weak, "net_assets": None, "revenue": None}] * 3)
    unknown = run("hnte", blank, founded_on=dt.date(2015, 1, 1))
    assert unknown.score_range == (8, 78) and criterion(unknown, "HT-07").result == "unknown"


# ---------------------------------------------------------------- undefined ratios and score ranges (item 3)


def test_tech_sme_without_revenue_is_decided_when_the_known_parts_reach_60():
    # staff 16/40 -> 20, IP class I -> 30, R&D / costs 1m / 9m = 11% -> 10: 60 whatever R&D / sales would give
    outcome = run("tech_sme", rows(revenue=0))
    assert outcome.score_range == (60, 100) and outcome.score is None
    assert criterion(outcome, "TS-05").result == "pass" and outcome.verdict == "eligible"


def test_tech_sme_without_revenue_fails_when_the_known_parts_cannot_reach_60():
    # staff 4/40 -> 4, no IP -> 0, R&D / costs 11% -> 10: even 50 for R&D gives 54
    outcome = run("tech_sme", rows(revenue=0, tech_staff=4, rd_staff=4, ip_class1=0, ip_class2=0))
    assert outcome.score_range == (14, 54)
    assert criterion(outcome, "TS-05").result == "fail" and outcome.verdict == "ineligible"


def test_tech_sme_without_revenue_is_unknown_when_the_known_parts_do_not_decide():
    outcome = run("tech_sme", rows(revenue=0, ip_class1=0, ip_class2=0))  # 20 + 10..50 + 0 = 30..70
    c = criterion(outcome, "TS-05")
    assert outcome.score_range == (30, 70) and c.result == "unknown" and outcome.verdict == "unknown"
    assert c.missing == ["revenue is 0"] and "30 to 70" in c.note


def test_tech_sme_without_revenue_takes_the_cost_ratio_alternative_in_full():
    # R&D / costs 3m / 9m = 33% -> 50: the better ratio is known, so the score is exact
    outcome = run("tech_sme", rows(revenue=0, rd_expense=3_000_000, ip_class1=0, ip_class2=0))
    assert (outcome.score, outcome.score_range) == (70, None) and outcome.verdict == "eligible"


@pytest.mark.parametrize("tech_staff, result", [(12, "pass"), (None, "unknown")])
def test_tech_sme_with_unknown_staff_still_needs_a_non_zero_staff_score(tech_staff, result):
    outcome = run("tech_sme", rows(tech_staff=tech_staff, rd_staff=min(tech_staff or 0, 8)))
    assert criterion(outcome, "TS-05").result == result  # 80..100 >= 60, but the staff part may be 0


# ---------------------------------------------------------------- dates in force (item 4)


@pytest.mark.parametrize(
    "tier, day_before, first_day",
    [
        ("seed", dt.date(2025, 11, 28), dt.date(2025, 11, 29)),
        ("good_seedling", dt.date(2025, 11, 28), dt.date(2025, 11, 29)),
        ("fund_target", dt.date(2025, 11, 17), dt.date(2025, 11, 18)),
        ("young_eagle", dt.date(2024, 10, 10), dt.date(2024, 10, 11)),
    ],
)
def test_a_tier_is_not_in_force_before_its_rules_took_effect(tier, day_before, first_day):
    facts = rows(fiscal_year=2024)
    before = run(tier, facts, as_of=day_before)
    assert before.verdict == "not_in_force" and before.window == {"in_force_from": first_day}
    assert before.as_dict()["in_force_from"] == first_day.isoformat() and before.criteria  # shown for information
    on = run(tier, facts, as_of=first_day)
    assert on.verdict != "not_in_force" and on.in_force and on.window == {}


def test_a_tier_whose_rules_ended_says_until_when():
    import dataclasses

    from rainforest.core.policy.evaluate import evaluate_tier
    from rainforest.core.policy.fields import Facts
    from tests.core.policy.helpers import RULES

    ended = dataclasses.replace(RULES.tiers["seed"], in_force_to=dt.date(2027, 12, 31))
    last_day = evaluate_tier(ended, Facts("x", "x", dt.date(2023, 3, 1), rows(), dt.date(2027, 12, 31)))
    after = evaluate_tier(ended, Facts("x", "x", dt.date(2023, 3, 1), rows(), dt.date(2028, 1, 1)))
    assert last_day.verdict == "eligible"
    assert after.verdict == "not_in_force" and after.window == {"in_force_to": dt.date(2027, 12, 31)}


def test_tiers_without_a_start_date_are_always_in_force():
    assert run("tech_sme", rows(fiscal_year=2010), as_of=dt.date(2010, 6, 30)).verdict != "not_in_force"
