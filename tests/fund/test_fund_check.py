"""`rainforest fund check` at and around every limit; exit 0 either way, non-zero for a bad file."""

import copy
import io
import json

import pytest
from django.core.management import CommandError, call_command

from rainforest.core.startup_bench import DEAL

COMPANY = DEAL["company"]


def deal(**over):
    """The startup benchmark's deal (two founders, a pool, the fund and a co-investor), changed by ``over``."""
    base = copy.deepcopy(DEAL)
    base.update(over)
    return base


def run(tmp_path, data):
    path = tmp_path / "deal.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("fund", "check", str(path), stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def by_id(report):
    return {c["id"]: c for c in report["criteria"]}


def test_t1_complies_and_reports_every_figure(tmp_path):
    report = run(tmp_path, deal())
    assert report["verdict"] == "eligible"
    assert (report["price_per_share"], report["post_money"], report["fund_stake"]) == (4.0, 50_000_000.0, 0.08)
    assert report["largest_other_holder"] == {"name": "Founder A", "stake": 0.48}
    ids = by_id(report)
    assert {"RF-07", "RF-08", "RF-09", "RF-10", "RF-10b", "FUND-TICKET", "FUND-STAKE", "FUND-NOT-LARGEST"} <= set(ids)
    assert all({"value", "threshold", "source", "result"} <= set(c) for c in report["criteria"])


def test_t7_twenty_percent_exactly_passes_and_one_yuan_more_fails(tmp_path):
    holders = [{"name": "Founder", "shares": 12_000_000}]
    at_limit = deal(
        holders=holders,
        pool_unallocated=0,
        round={
            "pre_money": 12_000_000,
            "investors": [
                {"name": "润苗基金", "amount": 4_000_000, "is_fund": True},
                {"name": "Co", "amount": 4_000_000},
            ],
        },
    )
    report = run(tmp_path, at_limit)
    assert report["fund_stake"] == 0.2 and by_id(report)["FUND-STAKE"]["result"] == "pass"
    over = deal(
        holders=holders,
        pool_unallocated=0,
        round={
            "pre_money": 12_000_000,
            "investors": [
                {"name": "润苗基金", "amount": 4_000_001, "is_fund": True},
                {"name": "Co", "amount": 4_000_000},
            ],
        },
    )
    report = run(tmp_path, over)
    assert by_id(report)["FUND-STAKE"]["result"] == "fail" and report["verdict"] == "ineligible"


def test_t8_twenty_percent_but_the_largest_holder(tmp_path):
    holders = [{"name": f"Founder {i}", "shares": 1_700_000} for i in range(5)]
    report = run(
        tmp_path,
        deal(
            holders=holders,
            pool_unallocated=1_500_000,
            round={"pre_money": 10_000_000, "investors": [{"name": "润苗基金", "amount": 2_500_000, "is_fund": True}]},
        ),
    )
    assert report["fund_stake"] == 0.2 and by_id(report)["FUND-STAKE"]["result"] == "pass"
    assert by_id(report)["FUND-NOT-LARGEST"]["result"] == "fail" and report["verdict"] == "ineligible"


def test_equal_to_the_largest_holder_is_not_strictly_below(tmp_path):
    report = run(
        tmp_path,
        deal(
            holders=[{"name": "A", "shares": 1_000_000}, {"name": "B", "shares": 3_000_000}],
            pool_unallocated=0,
            round={"pre_money": 4_000_000, "investors": [{"name": "润苗基金", "amount": 1_000_000, "is_fund": True}]},
        ),
    )
    assert by_id(report)["FUND-NOT-LARGEST"]["result"] == "pass"  # 1 M < 3 M
    report = run(
        tmp_path,
        deal(
            holders=[{"name": "A", "shares": 4_000_000}, {"name": "B", "shares": 4_000_000}],
            pool_unallocated=0,
            round={"pre_money": 8_000_000, "investors": [{"name": "润苗基金", "amount": 4_000_000, "is_fund": True}]},
        ),
    )
    assert by_id(report)["FUND-NOT-LARGEST"]["result"] == "fail"  # 4 M is not strictly below 4 M


@pytest.mark.parametrize("ticket, result, verdict", [(5_000_000, "pass", "eligible"), (5_000_001, "fail", "review")])
def test_the_ticket_in_principle_needs_the_committee_when_exceeded(tmp_path, ticket, result, verdict):
    report = run(
        tmp_path,
        deal(
            holders=[{"name": "Founder", "shares": 100_000_000}],
            pool_unallocated=0,
            round={"pre_money": 100_000_000, "investors": [{"name": "润苗基金", "amount": ticket, "is_fund": True}]},
        ),
    )
    assert by_id(report)["FUND-TICKET"]["result"] == result and report["verdict"] == verdict


@pytest.mark.parametrize("founded, result", [("2021-11-28", "pass"), ("2021-11-27", "fail")])
def test_five_years_exactly_at_closing(tmp_path, founded, result):
    report = run(tmp_path, deal(company={**COMPANY, "founded_on": founded}))
    assert by_id(report)["RF-07"]["result"] == result


def test_a_later_round_is_not_before_series_a(tmp_path):
    report = run(tmp_path, deal(company={**COMPANY, "last_round": "a"}))
    assert by_id(report)["RF-10b"]["result"] == "fail" and report["verdict"] == "ineligible"


def test_the_city_funds_together_are_flagged(tmp_path):
    report = run(
        tmp_path,
        deal(
            holders=[{"name": "A", "shares": 3_000_000}, {"name": "科创基金", "shares": 2_500_000, "city_fund": True}],
            pool_unallocated=0,
            round={"pre_money": 5_500_000, "investors": [{"name": "润苗基金", "amount": 1_000_000, "is_fund": True}]},
        ),
    )
    assert by_id(report)["FUND-NOT-LARGEST"]["result"] == "pass"
    assert by_id(report)["FUND-CITY-FUNDS"]["result"] == "fail" and report["verdict"] == "review"


def test_a_follow_on_counts_what_the_fund_already_holds(tmp_path):
    report = run(
        tmp_path,
        deal(
            holders=[{"name": "Founder", "shares": 10_000_000}, {"name": "润苗基金", "shares": 1_900_000}],
            pool_unallocated=0,
            round={"pre_money": 11_900_000, "investors": [{"name": "润苗基金", "amount": 1_000_000, "is_fund": True}]},
        ),
    )
    assert report["fund_stake"] == pytest.approx(2_900_000 / 12_900_000, abs=1e-9)


def test_pool_top_up_as_a_percentage_or_a_fraction(tmp_path):
    a = run(
        tmp_path,
        deal(
            holders=[{"name": "F", "shares": 6_500_000}],
            pool_top_up_post_pct=15,
            round={"pre_money": 40_000_000, "investors": [{"name": "润苗基金", "amount": 10_000_000, "is_fund": True}]},
        ),
    )
    b = run(
        tmp_path,
        deal(
            holders=[{"name": "F", "shares": 6_500_000}],
            pool_top_up_post_pct=0.15,
            round={"pre_money": 40_000_000, "investors": [{"name": "润苗基金", "amount": 10_000_000, "is_fund": True}]},
        ),
    )
    assert a["price_per_share"] == b["price_per_share"] == 5.0 and a["fund_stake"] == 0.2


@pytest.mark.parametrize(
    "bad, reason",
    [
        ({"holders": [{"name": "A", "shares": -5}]}, "negative"),
        ({"holders": [{"name": "A", "shares": 1.5}]}, "whole number"),
        ({"round": {"pre_money": -1, "investors": [{"name": "润苗基金", "amount": 1, "is_fund": True}]}}, "pre_money"),
        ({"round": {"pre_money": 10, "investors": [{"name": "VC", "amount": 1}]}}, "is_fund"),
        (
            {"round": {"pre_money": 10, "investors": [{"name": "润苗基金", "amount": "abc", "is_fund": True}]}},
            "not a number",
        ),
        ({"as_of": "yesterday"}, "as_of"),
        ({"company": {**COMPANY, "uscc": "91330106MA2KXXXX0X"}}, "company.uscc"),
    ],
)
def test_bad_files_exit_non_zero_with_the_reason(tmp_path, bad, reason):
    path = tmp_path / "deal.json"
    path.write_text(json.dumps(deal(**bad), ensure_ascii=False), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("fund", "check", str(path), stdout=io.StringIO(), stderr=err)
    assert reason in err.getvalue()


def test_not_json_at_all(tmp_path):
    (tmp_path / "x.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not a JSON file"):
        call_command("fund", "check", str(tmp_path / "x.json"))


def test_the_startup_benchmark_runs_fund_check_as_a_user_would():
    """`rainforest bench startup` measures fund check in its own processes; the figure is the
    benchmark's business, this only checks that it runs and reports against its target."""
    out = io.StringIO()
    call_command("bench", "startup", "--runs", "2", "--target", "30", stdout=out)
    assert "rainforest fund check, one deal, 2 runs: median" in out.getvalue()


@pytest.mark.parametrize("as_of, verdict", [("2025-11-17", "ineligible"), ("2025-11-18", "eligible")])
def test_a_deal_before_the_funds_launch_is_not_compliant(tmp_path, as_of, verdict):
    """Before 2025-11-18 (RF-03) the fund's criteria are not in force: never reported as met."""
    report = run(tmp_path, deal(as_of=as_of))
    assert report["verdict"] == verdict
    launch = by_id(report).get("RF-03")
    if verdict == "ineligible":
        assert (launch["result"], launch["strictness"], launch["value"]) == ("fail", "hard", "2025-11-17")
        assert "2025-11-18" in launch["threshold"] and "not_in_force" in launch["note"]
        assert {"RF-07", "RF-08"} <= set(by_id(report))  # the company's criteria still follow, for information
    else:
        assert launch is None
