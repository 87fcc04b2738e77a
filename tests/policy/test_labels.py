"""Every code the policy engine's pages show has a name (issue 14, item 2): thresholds and readings in
words, values in the units a reader expects (元/万元/亿元, percentages, whole people), the engine's
notes and what is missing named, dates as 2026年12月4日. The engine itself keeps its codes and English
notes (the `rainforest screen` contract); they are turned into words only on the way to a page."""

import re

import pytest
from django.utils import translation

from rainforest.core.policy.advice import Advice
from rainforest.policy import labels
from rainforest.policy.rules import current_ruleset
from tests.policy.test_platform import FIGURES

# What the pages showed before: raw operators, readings, codes and field names.
RAW = ["within_100m", "below_100m", "any_in", "HZ296X", "pre_a", "tech_sme:", "&lt;=", "&gt;=", " in rd",
       "provincial_tech_sme", "(criteria not published)", "national_or_provincial"]  # fmt: skip


def visible(page: str) -> str:
    """The page without its scripts and tags: what a person reads."""
    page = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_the_library_names_every_code(client, db, language):
    client.cookies["django_language"] = language
    page = client.get("/policy/").content.decode()
    text = visible(page)
    for raw in RAW:
        assert raw not in text, raw
    assert "RF-08" in text and "RM-M04c" in text  # rule ids stay: they are how the documents cite them


def test_the_library_reads_rules_in_words():
    with translation.override("en"):
        tiers = current_ruleset().tiers
        fund = {c.id: c for c in tiers["fund_target"].criteria}
        assert labels.describe(fund["RF-08"].tests["within_100m"]) == (
            "any of: employees at most 100 people; latest post-money valuation at most CNY 100 million"
        )
        assert labels.describe(fund["RF-10"].test) == "stage one of: Research and development, Prototype"
        assert "Angel" in labels.describe(fund["RF-10b"].test) and "Pre-A" in labels.describe(fund["RF-10b"].test)
        assert labels.describe(fund["RF-09"].test) == (
            "industry clusters includes one of: any of Hangzhou's 296X advanced manufacturing clusters"
        )
        assert labels.reading_label("within_100m") == "valuation up to and including 100 million yuan"
        young = {c.id: c for c in tiers["young_eagle"].criteria}
        assert "Artificial intelligence" in labels.describe(young["XC-06"].test)
        assert labels.describe(young["XC-04"].test) == "R&D staff / employees at least 20.0 %"
        # an unpublished criterion says why, from the rule file, in the reader's language
        assert "not retrieved" in labels.describe(young["XC-07"].test)
    with translation.override("zh-hans"):
        assert "未能检索到" in labels.describe(young["XC-07"].test)


def test_values_are_written_in_the_units_a_reader_expects():
    with translation.override("zh-hans"):
        assert labels.value_text("revenue", 20_000_000) == "2,000 万元"
        assert labels.value_text("valuation", 200_000_000) == "2 亿元"
        assert labels.value_text("rd_to_revenue", 0.1471) == "14.7 %"
        assert labels.value_text("rd_to_revenue", "0.1471") == "14.7 %"  # a snapshot's number kept as text
        assert labels.value_text("district", "滨江区") == "滨江区"
        assert labels.value_text("stage", "rd") != "rd"
    with translation.override("en"):
        assert labels.value_text("employees", 45) == "45 people"
        assert labels.value_text("employees", 1) == "1 person"
        assert labels.value_text("is_tech_sme_any", True) == "Yes"
        assert labels.value_text("age_years", 4.73) == "4.7 years"
        assert labels.value_text("score_range", [32, 82]) == "32 to 82 points"
        assert labels.group_text({"employees": 45, "revenue": 5_000_000}) == (
            "employees: 45 people; operating revenue: CNY 5 million"
        )


def test_the_engines_notes_and_missing_facts_are_named():
    with translation.override("en"):
        assert labels.note_text("experts decide: the score can be 32 to 82") == (
            "experts decide: the score can be 32 to 82 points"
        )
        assert labels.note_text("may be relaxed on grounds: owns_independent_ip, fills_market_gap") == (
            "may be relaxed on one of these grounds: Owns independent intellectual property, Fills a gap in the market"
        )
        assert labels.note_text("employees is 0") == "employees is 0, so the ratio cannot be computed"
        assert labels.missing_text(["provincial_tech_sme", "fiscal year 2024", "rd_expense 2023"]) == (
            "Missing: on the provincial tech-SME register, the figures for 2024, R&D expense for 2023."
        )
        assert labels.missing_text(["(criteria not published)"]) == (
            "Missing: the criteria themselves, which are not published."
        )
        assert labels.note_text("a note the labels do not know") == "a note the labels do not know"


def test_advice_counts_people_in_whole_numbers():
    with translation.override("en"):
        raise_staff = Advice("XC-04", "rd_staff", 5.0, 6.8, "raise")
        assert labels.advice_text(raise_staff) == "To pass: raise R&D staff from 5 people to at least 7 people."
        lower_staff = Advice("RM-SEED-02", "employees", 120.0, 100.4, "lower")
        assert labels.advice_text(lower_staff) == "To pass: lower employees from 120 people to at most 100 people."
        money = Advice("RM-SEED-04", "rd_expense", 200_000.0, 300_000.0, "raise")
        assert labels.advice_text(money) == "To pass: raise R&D expense from CNY 200,000 to at least CNY 300,000."


def test_the_self_check_shows_no_raw_values(client, db):
    client.cookies["django_language"] = "en"
    page = visible(client.post("/policy/check/", FIGURES).content.decode())
    assert "0.02" not in page and "2.0 %" in page  # R&D / revenue as a percentage
    assert "HZ296X" not in page and "Artificial intelligence" in page
    assert "employees:" not in page.replace("employees: ", "")  # group values are named
    for raw in ("provincial_tech_sme", "tech_staff_ratio", "rd_to_revenue"):
        assert raw not in page


def test_the_2027_targets_are_named_with_their_units():
    with translation.override("en"):
        rows = {r["key"]: r for r in labels.targets(current_ruleset())}
    assert rows["tech_sme"]["label"] == "Tech SMEs" and rows["tech_sme"]["value"] == "50,000 enterprises"
    assert rows["exchange_notice_working_days"]["value"] == "5 working days"
    assert all(r["label"] != r["key"] for r in rows.values())  # every key has a name


def test_measures_are_named():
    with translation.override("zh-hans"):
        assert labels.measure_name("RM-M03a") == "好苗子企业启动资金"
        assert labels.tier_name("tech_leader") == "科技领军企业"
        assert labels.measure_name("RM-GONE") == "RM-GONE"  # a code the rule set no longer has stays a code


def test_an_unpublished_reason_is_told_whole_in_the_readers_language():
    reason = "The measures list further conditions that were not retrieved; an officer checks them."
    with translation.override("zh-hans"):
        assert labels.note_text(reason) == "管理办法列有未能检索到的其他条件，由工作人员核实。"
        assert labels.note_text(f"{reason}; employees is 0").startswith("管理办法列有")
