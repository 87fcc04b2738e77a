"""Is the current pace enough to reach a target on its date?

Three kinds of target (``TargetKind``):

- ``level``: a figure to reach by a date (50,000 tech SMEs at the end of 2027; R&D intensity 4.5 % by
  2030). The pace needed is the gap over the years left; the current pace is the average yearly change
  over the last three years of history (fewer when there are fewer). On track when the current pace is
  at least the pace needed, at risk from three quarters of it, behind below that.
- ``per_year``: a figure to reach again every year (200 scenarios opened a year). A past year was met
  or missed; the current year is judged against the share of the year gone: at least that share of the
  target is on track, three quarters of it at risk, less behind; the pace needed is what is left over
  the months left.
- ``exceeds``: a figure that must stay above another each year (fiscal S&T spending growth above regular
  fiscal revenue growth): on track when the latest period's figure is above the other's.

A direction of ``down`` turns a level target around (a figure to bring below a ceiling).
An indicator without a target has a status of ``no_target``; one with no observation ``no_data``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

AT_RISK_SHARE = Decimal("0.75")  # below the pace needed, but within a quarter of it
TREND_YEARS = 3


class TargetKind(StrEnum):
    LEVEL = "level"
    PER_YEAR = "per_year"
    EXCEEDS = "exceeds"
    NONE = "none"


class Status(StrEnum):
    REACHED = "reached"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BEHIND = "behind"
    MISSED = "missed"
    NO_TARGET = "no_target"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class Trajectory:
    status: Status
    latest: Decimal | None  # the latest observed figure
    latest_year: int | None
    pace_needed: Decimal | None  # per year (level) or for the rest of the year (per_year)
    pace_now: Decimal | None  # per year, over the recent history (level only)
    share_of_year: Decimal | None = None  # per_year, current year: how much of the year has passed


def assess(
    history: dict[int, Decimal],
    *,
    kind: TargetKind,
    target: Decimal | None,
    target_date: dt.date | None,
    today: dt.date,
    direction: str = "up",
    other: dict[int, Decimal] | None = None,
) -> Trajectory:
    """``history`` maps a year to its figure (the year's end, or the year so far for the current one)."""
    known = {y: Decimal(v) for y, v in history.items() if v is not None}
    if not known:
        return Trajectory(Status.NO_DATA, None, None, None, None)
    year = max(known)
    latest = known[year]
    if kind == TargetKind.NONE or (target is None and kind != TargetKind.EXCEEDS):
        return Trajectory(Status.NO_TARGET, latest, year, None, _pace(known))
    if kind == TargetKind.PER_YEAR:
        return _per_year(latest, year, Decimal(target), today)
    if kind == TargetKind.EXCEEDS:
        theirs = (other or {}).get(year)
        if theirs is None:
            return Trajectory(Status.NO_DATA, latest, year, None, None)
        return Trajectory(Status.ON_TRACK if latest > Decimal(theirs) else Status.BEHIND, latest, year, None, None)
    return _level(known, latest, year, Decimal(target), target_date, today, direction)


def _pace(known: dict[int, Decimal]) -> Decimal | None:
    years = sorted(known)[-(TREND_YEARS + 1) :]
    if len(years) < 2:
        return None
    return (known[years[-1]] - known[years[0]]) / (years[-1] - years[0])


def _level(known, latest, year, target, target_date, today, direction) -> Trajectory:
    sign = Decimal(1) if direction == "up" else Decimal(-1)
    pace_now = _pace(known)
    if (latest - target) * sign >= 0:
        return Trajectory(Status.REACHED, latest, year, Decimal(0), pace_now)
    end_year = target_date.year if target_date else None
    if end_year is None:
        return Trajectory(Status.NO_TARGET, latest, year, None, pace_now)
    years_left = end_year - year
    gap = target - latest
    if years_left <= 0:
        status = Status.MISSED if today > target_date else Status.BEHIND
        return Trajectory(status, latest, year, gap, pace_now)
    needed = gap / years_left
    if pace_now is None or pace_now * sign <= 0:
        status = Status.BEHIND
    elif pace_now * sign >= needed * sign:
        status = Status.ON_TRACK
    elif pace_now * sign >= needed * sign * AT_RISK_SHARE:
        status = Status.AT_RISK
    else:
        status = Status.BEHIND
    return Trajectory(status, latest, year, needed, pace_now)


def _per_year(latest, year, target, today) -> Trajectory:
    if year < today.year:  # the latest figure is a whole past year
        return Trajectory(Status.REACHED if latest >= target else Status.MISSED, latest, year, None, None)
    start = dt.date(year, 1, 1)
    days = (dt.date(year + 1, 1, 1) - start).days
    share = Decimal((today - start).days + 1) / days
    if latest >= target:
        return Trajectory(Status.REACHED, latest, year, Decimal(0), None, share)
    expected = target * share
    if latest >= expected:
        status = Status.ON_TRACK
    elif latest >= expected * AT_RISK_SHARE:
        status = Status.AT_RISK
    else:
        status = Status.BEHIND
    return Trajectory(status, latest, year, target - latest, None, share)
