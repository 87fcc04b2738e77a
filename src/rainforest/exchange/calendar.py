"""Working days in mainland China, public holidays and their make-up weekend days included
(the `holidays` package's China calendar)."""

from __future__ import annotations

import datetime as dt
from functools import cache

import holidays


@cache
def _calendar(year: int):
    return holidays.China(years=range(year - 1, year + 2))


def is_working_day(day: dt.date) -> bool:
    return _calendar(day.year).is_working_day(day)


def notice_window(start: dt.date, working_days: int) -> tuple[dt.date, dt.date]:
    """First and last day of a notice that runs ``working_days`` working days from ``start``."""
    first = start
    while not is_working_day(first):
        first += dt.timedelta(days=1)
    last, counted = first, 1
    while counted < working_days:
        last += dt.timedelta(days=1)
        counted += is_working_day(last)
    return first, last
