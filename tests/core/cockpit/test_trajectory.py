"""Is the pace enough: each kind of target at and around its boundaries."""

import datetime as dt
from decimal import Decimal as D

import pytest

from rainforest.core.cockpit.trajectory import Status, TargetKind, assess

TODAY = dt.date(2026, 12, 4)
END_2027 = dt.date(2027, 12, 31)


def level(history, target=100, date=END_2027, today=TODAY, direction="up"):
    return assess(
        {y: D(v) for y, v in history.items()}, kind=TargetKind.LEVEL, target=D(target), target_date=date,
        today=today, direction=direction,
    )  # fmt: skip


def test_on_track_when_the_recent_pace_is_at_least_the_pace_needed():
    # 40 at the end of 2026 and one year left: 60 a year needed; 2023 to 2026 brought 60 a year.
    t = level({2023: -140, 2024: -80, 2025: -20, 2026: 40})  # +60 a year, exactly what is needed
    assert t.status == Status.ON_TRACK and t.pace_needed == 60 and t.pace_now == 60


@pytest.mark.parametrize(
    ("start", "status"),
    [
        (D(40) - 3 * D(45), Status.AT_RISK),  # 45 a year: exactly three quarters of 60
        (D(40) - 3 * D("44.99"), Status.BEHIND),  # just under three quarters
        (D(40) - 3 * D("59.99"), Status.AT_RISK),  # just under the pace needed
    ],
)
def test_at_risk_from_three_quarters_of_the_pace_needed(start, status):
    assert level({2023: start, 2026: 40}).status == status


def test_reached_missed_and_behind():
    assert level({2026: 100}).status == Status.REACHED  # exactly the target
    assert level({2027: 99}, today=dt.date(2028, 1, 2)).status == Status.MISSED  # the date has passed
    assert level({2027: 99}, today=dt.date(2027, 12, 31)).status == Status.BEHIND  # the last day, not yet missed
    assert level({2026: 40}).status == Status.BEHIND  # one year of history: no pace to judge
    assert level({2025: 50, 2026: 40}).status == Status.BEHIND  # going the wrong way


def test_a_ceiling_turns_the_target_around():
    assert level({2025: 120, 2026: 90}, target=100, direction="down").status == Status.REACHED
    assert level({2024: 160, 2026: 120}, target=100, direction="down").status == Status.ON_TRACK


def test_a_yearly_target_is_judged_on_the_share_of_the_year_gone():
    def per_year(value, today):
        return assess({today.year: D(value)}, kind=TargetKind.PER_YEAR, target=D(200), target_date=None, today=today)

    mid = dt.date(2026, 7, 2)  # day 183 of 365: 50.1 % of the year
    expected = D(200) * D(183) / D(365)
    assert per_year(expected.to_integral_value(rounding="ROUND_CEILING"), mid).status == Status.ON_TRACK
    assert per_year(int(expected) - 1, mid).status == Status.AT_RISK
    assert per_year(int(expected * D("0.75")) - 1, mid).status == Status.BEHIND
    assert per_year(200, mid).status == Status.REACHED
    t = per_year(80, mid)
    assert t.pace_needed == 120 and t.share_of_year == D(183) / D(365)
    # A whole past year was met or missed.
    past = assess({2025: D(199)}, kind=TargetKind.PER_YEAR, target=D(200), target_date=None, today=TODAY)
    assert past.status == Status.MISSED


def test_exceeds_compares_the_same_year():
    mine, theirs = {2025: D("6.1")}, {2025: D("5.0"), 2024: D("9")}
    on = assess(mine, kind=TargetKind.EXCEEDS, target=None, target_date=None, today=TODAY, other=theirs)
    assert on.status == Status.ON_TRACK
    equal = assess(mine, kind=TargetKind.EXCEEDS, target=None, target_date=None, today=TODAY, other={2025: D("6.1")})
    assert equal.status == Status.BEHIND  # "outgrows" is strictly more
    missing = assess(mine, kind=TargetKind.EXCEEDS, target=None, target_date=None, today=TODAY, other={2024: D(1)})
    assert missing.status == Status.NO_DATA


def test_no_data_and_no_target():
    assert assess({}, kind=TargetKind.LEVEL, target=D(1), target_date=END_2027, today=TODAY).status == Status.NO_DATA
    t = assess({2025: D(3), 2026: D(5)}, kind=TargetKind.NONE, target=None, target_date=None, today=TODAY)
    assert t.status == Status.NO_TARGET and t.latest == 5 and t.pace_now == 2
