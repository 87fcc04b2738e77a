"""shared/fund-reference.md §3.9 test vectors, recomputed by the engine."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction as F

import pytest

from rainforest.core.captable.conversion import Convertible
from rainforest.core.captable.metrics import Multiples, irr
from rainforest.core.captable.round import POOL, Investor, RoundError, priced_round
from rainforest.core.captable.table import CapTable, Event, TableError

ON = dt.date(2026, 11, 28)


def test_t1_priced_round_with_the_fund():
    r = priced_round(
        holders={"A": 6_000_000, "B": 3_000_000},
        pool_unallocated=1_000_000,
        pre_money=F(40_000_000),
        investors=[Investor("fund", F(4_000_000), True), Investor("VC", F(6_000_000))],
        on=ON,
    )
    assert r.price_per_share == 4 and r.fd_post == 12_500_000 and r.post_money == 50_000_000
    assert {k: r.stake(k) for k in ("A", "B", POOL, "fund", "VC")} == {
        "A": F(48, 100),
        "B": F(24, 100),
        POOL: F(8, 100),
        "fund": F(8, 100),
        "VC": F(12, 100),
    }


def test_t2_option_pool_shuffle():
    r = priced_round(
        holders={"founders": 6_500_000},
        pool_unallocated=1_000_000,
        pre_money=F(40_000_000),
        investors=[Investor("I", F(10_000_000))],
        pool_top_up_post_pct=F(15, 100),
        on=ON,
    )
    assert (r.price_per_share, r.pool_top_up, r.new_shares["I"], r.fd_post) == (5, 500_000, 2_000_000, 10_000_000)
    assert r.stake("founders") == F(65, 100)
    assert r.price_per_share * (6_500_000 + 1_000_000 + 500_000) == 40_000_000
    plain = priced_round(
        holders={"founders": 6_500_000},
        pool_unallocated=1_000_000,
        pre_money=F(40_000_000),
        investors=[Investor("I", F(10_000_000))],
        on=ON,
    )
    assert plain.price_per_share == F(16, 3) and plain.new_shares["I"] == 1_875_000 and plain.fd_post == 9_375_000


def test_a_pool_already_big_enough_gets_no_top_up():
    r = priced_round(
        holders={"f": 8_000_000},
        pool_unallocated=2_000_000,
        pre_money=F(10_000_000),
        investors=[Investor("I", F(1_000_000))],
        pool_top_up_post_pct=F(5, 100),
        on=ON,
    )
    assert r.pool_top_up == 0 and r.price_per_share == 1


def test_t3_post_money_safe_converts_at_its_cap():
    r = priced_round(
        holders={"founders": 8_000_000},
        pool_unallocated=1_000_000,
        pre_money=F(50_000_000),
        investors=[Investor("new", F(12_500_000))],
        convertibles=[Convertible("fund", F(2_000_000), cap=F(20_000_000), discount=F(2, 10))],
        on=ON,
    )
    assert r.price_per_share == 5 and r.conversions == {"fund": 1_000_000} and r.new_shares == {"new": 2_500_000}
    assert r.fd_post == 12_500_000 and r.stake("fund") == F(8, 100) and r.stake("founders") == F(64, 100)
    assert Multiples(Decimal(2_000_000), Decimal(0), Decimal(1_000_000 * 5)).moic == Decimal("2.5")


def test_t4_discount_only_safe_is_solved_with_the_price():
    r = priced_round(
        holders={"founders": 8_000_000},
        pool_unallocated=1_000_000,
        pre_money=F(47_500_000),
        investors=[Investor("new", F(10_000_000))],
        convertibles=[Convertible("fund", F(2_000_000), discount=F(2, 10))],
        on=ON,
    )
    assert r.price_per_share == 5 and r.conversions == {"fund": 500_000}


def test_t5_note_interest_actual_365():
    note = Convertible("n", F(1_000_000), interest_rate=F(8, 100), issued_on=dt.date(2025, 1, 1), kind="note")
    assert note.converting_amount(dt.date(2026, 1, 1)) == 1_080_000
    r = priced_round(
        holders={"f": 9_000_000},
        pre_money=F(36_000_000),
        investors=[Investor("I", F(1_000_000))],
        convertibles=[
            Convertible(
                "n",
                F(1_000_000),
                cap=F(36_000_000),
                cap_basis="pre",
                interest_rate=F(8, 100),
                issued_on=dt.date(2025, 1, 1),
                kind="note",
            )
        ],
        on=dt.date(2026, 1, 1),
    )
    assert r.conversions == {"n": 270_000}  # cap price 36 M / 9 M = 4.00


def test_t6_pro_rata_keeps_the_stake():
    r = priced_round(
        holders={"others": 11_500_000, "fund": 1_000_000},
        pre_money=F(150_000_000),
        investors=[Investor("fund", F(2_400_000), True), Investor("relay", F(27_600_000))],
        on=ON,
    )
    assert r.price_per_share == 12 and r.fd_post == 15_000_000 and r.stake("fund") == F(8, 100)


def test_shares_are_floored():
    r = priced_round(holders={"f": 3}, pre_money=F(10), investors=[Investor("I", F(1))], on=ON)
    assert r.new_shares["I"] == 0  # 0.3 of a share is not issued


@pytest.mark.parametrize(
    "holders, pre, investors, reason",
    [
        ({"f": -1}, 10, [Investor("I", F(1))], "zero or more"),
        ({"f": 1.5}, 10, [Investor("I", F(1))], "whole number"),
        ({"f": 10}, 0, [Investor("I", F(1))], "pre-money"),
        ({"f": 10}, -5, [Investor("I", F(1))], "pre-money"),
        ({"f": 10}, 10, [Investor("I", F(-1))], "more than zero"),
        ({"f": 10}, 10, [], "no investor"),
    ],
)
def test_rounds_that_do_not_add_up_are_refused(holders, pre, investors, reason):
    with pytest.raises(RoundError, match=reason):
        priced_round(holders=holders, pre_money=F(pre), investors=investors, on=ON)


def test_t10_fund_metrics():
    m = Multiples(paid_in=Decimal(150_000_000), distributed=Decimal(30_000_000), residual=Decimal(180_000_000))
    assert (m.dpi, m.rvpi, m.tvpi) == (Decimal("0.2"), Decimal("1.2"), Decimal("1.4"))
    flows = [
        (dt.date(2025, 1, 1), Decimal(-100_000_000)),
        (dt.date(2026, 1, 1), Decimal(-50_000_000)),
        (dt.date(2027, 1, 1), Decimal(30_000_000)),
    ]
    assert irr(flows, residual=Decimal(180_000_000), on=dt.date(2028, 1, 1)).quantize(Decimal("0.000001")) == Decimal(
        "0.142245"
    )


def test_t11_microsoft_xirr_example():
    flows = [
        (dt.date(2008, 1, 1), Decimal(-10_000)),
        (dt.date(2008, 3, 1), Decimal(2_750)),
        (dt.date(2008, 10, 30), Decimal(4_250)),
        (dt.date(2009, 2, 15), Decimal(3_250)),
        (dt.date(2009, 4, 1), Decimal(2_750)),
    ]
    assert irr(flows).quantize(Decimal("0.000001")) == Decimal("0.373363")


def test_t12_leap_year_is_not_20_percent():
    r = irr([(dt.date(2020, 1, 1), Decimal(-1000)), (dt.date(2021, 1, 1), Decimal(1200))])
    assert r.quantize(Decimal("0.000001")) == Decimal("0.199402")


def test_t13_deal_irr_and_t14_write_off():
    flows = [
        (dt.date(2025, 3, 1), Decimal(-4_000_000)),
        (dt.date(2026, 3, 1), Decimal(-1_000_000)),
        (dt.date(2030, 3, 1), Decimal(15_000_000)),
    ]
    assert irr(flows).quantize(Decimal("0.000001")) == Decimal("0.255986")
    assert irr([(dt.date(2025, 6, 30), Decimal(-3_000_000)), (dt.date(2027, 6, 30), Decimal(0))]) is None
    assert Multiples(Decimal(3_000_000), Decimal(0), Decimal(0)).tvpi == Decimal(0)


def test_the_table_at_any_date_and_refused_transfers():
    table = CapTable(unit="registered_capital_cny")
    table.apply(Event(dt.date(2023, 1, 1), "issue", "founder", 1_000_000))
    table.apply(Event(dt.date(2024, 1, 1), "pool", units=100_000))
    table.apply(Event(dt.date(2024, 6, 1), "transfer", "founder", 200_000, to="angel"))
    table.apply(Event(dt.date(2024, 7, 1), "grant", units=40_000))
    assert table.at(dt.date(2023, 12, 31)) == {"founder": 1_000_000}
    assert table.at(dt.date(2024, 12, 31)) == {
        "founder": 800_000,
        "angel": 200_000,
        POOL: 60_000,
        "(options outstanding)": 40_000,
    }
    with pytest.raises(TableError, match="holds 200000"):
        table.apply(Event(dt.date(2025, 1, 1), "transfer", "angel", 200_001, to="x"))
    with pytest.raises(TableError, match="holds 0"):  # a transfer back-dated before the angel bought in
        table.apply(Event(dt.date(2024, 5, 1), "transfer", "angel", 1, to="x"))
    with pytest.raises(TableError, match="more than zero"):
        table.apply(Event(dt.date(2025, 1, 1), "issue", "x", -5))
    assert len(table.events) == 4  # nothing of a refused event is kept
