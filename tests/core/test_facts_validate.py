import datetime as dt
from decimal import Decimal

from rainforest.core.facts.validate import validate_rows

TODAY = dt.date(2026, 11, 28)
HEADER = ["uscc", "name", "founded_on", "fiscal_year", "employees", "tech_staff", "revenue", "district"]
GOOD = ["91350100M000100Y43", "杭州甲科技有限公司", "2022-03-01", "2025", "100", "30", "1000000.50", "滨江区"]


def codes(result):
    return [(p.row, p.column, p.code) for p in result.problems]


def row(**changes):
    values = dict(zip(HEADER, GOOD, strict=True))
    values.update(changes)
    return [values[h] for h in HEADER]


def test_a_good_row_is_typed():
    result = validate_rows(HEADER, [GOOD], TODAY)
    assert result.ok
    parsed = result.rows[0]
    assert parsed["fiscal_year"] == 2025
    assert parsed["revenue"] == Decimal("1000000.50")
    assert parsed["founded_on"] == dt.date(2022, 3, 1)


def test_blank_optional_cell_is_unknown_not_zero():
    result = validate_rows(HEADER, [row(employees="", tech_staff="")], TODAY)
    assert result.rows[0]["employees"] is None


def test_missing_optional_column_is_unknown():
    result = validate_rows(HEADER[:4], [GOOD[:4]], TODAY)
    assert result.ok and result.rows[0]["rd_expense"] is None


def test_unknown_and_missing_columns_are_refused():
    result = validate_rows(["uscc", "name", "fiscal_year", "revenu"], [], TODAY)
    assert (1, "revenu", "unknown_column") in codes(result)
    assert (1, "founded_on", "missing_column") in codes(result)


def test_all_problems_are_reported_at_once_and_no_row_is_returned():
    rows = [
        row(uscc="91350100M000100Y44"),
        row(uscc="91330106MA2B2Y6X2A", employees="-3"),
        row(uscc="913301080Q3A863C77", tech_staff="101", employees="100"),
        row(uscc="91330108TB89TGTE52", founded_on="2027-01-01"),
        row(uscc="91330108E0ER5G2E07", name="=1+1"),
        GOOD,
        GOOD,
    ]
    result = validate_rows(HEADER, rows, TODAY)
    found = codes(result)
    assert (2, "uscc", "uscc_check") in found
    assert (3, "employees", "negative") in found
    assert (4, "tech_staff", "tech_staff_above_employees") in found
    assert (5, "founded_on", "date_future") in found
    assert (6, "name", "formula") in found
    assert (8, "uscc", "duplicate") in found
    assert result.rows == []


def test_check_character_problem_names_the_expected_character():
    result = validate_rows(HEADER, [row(uscc="91350100M000100Y44")], TODAY)
    assert result.problems[0].params == {"expected": "3"}


def test_tech_staff_equal_to_employees_is_allowed():
    assert validate_rows(HEADER, [row(tech_staff="100", employees="100")], TODAY).ok


def test_founded_today_is_allowed_tomorrow_is_not():
    assert validate_rows(HEADER, [row(founded_on="2026-11-28", fiscal_year="2026")], TODAY).ok
    result = validate_rows(HEADER, [row(founded_on="2026-11-29", fiscal_year="2026")], TODAY)
    assert ("founded_on", "date_future") in [(p.column, p.code) for p in result.problems]


def test_fiscal_year_after_this_year_is_refused():
    result = validate_rows(HEADER, [row(fiscal_year="2027")], TODAY)
    assert [p.code for p in result.problems] == ["year_future"]


def test_fiscal_year_before_founding_is_refused():
    result = validate_rows(HEADER, [row(fiscal_year="2021")], TODAY)
    assert [p.code for p in result.problems] == ["year_before_founding"]


def test_money_with_thousands_separator_or_three_decimals_is_refused():
    for bad in ("1,000,000", "10.123", "abc", "NaN"):
        result = validate_rows(HEADER, [row(revenue=bad)], TODAY)
        assert [p.code for p in result.problems] == ["money_format"], bad


def test_negative_net_assets_are_allowed_but_negative_revenue_is_not():
    header = [*HEADER, "net_assets"]
    assert validate_rows(header, [[*row(), "-500"]], TODAY).ok
    assert not validate_rows(HEADER, [row(revenue="-1")], TODAY).ok


def test_same_code_with_another_name_is_refused():
    result = validate_rows(HEADER, [GOOD, row(name="另一家公司", fiscal_year="2024")], TODAY)
    assert [p.code for p in result.problems] == ["conflicting_identity"]


def test_choices_and_industry_codes_are_checked():
    header = [*HEADER, "stage", "industries"]
    ok = validate_rows(header, [[*row(), "rd", "HZ296X.T.AI;HZ296X.X.SPACE"]], TODAY)
    assert ok.ok
    bad = validate_rows(header, [[*row(), "startup", "HZ296X.T.FOO"]], TODAY)
    assert sorted(p.code for p in bad.problems) == ["choice", "industry_code"]
