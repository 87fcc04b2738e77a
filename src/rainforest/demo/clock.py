"""The demo's clock: the city gets a past by running each step through the services on the day it
happened, so every timestamp a service or a model writes (receipts, reviews, notices, decisions,
the audit trail) tells the same story as the dates the demo chooses.

Only the demo loader uses this, in one thread, before the server starts. ``timezone.now`` is the
one clock the platform reads (`localdate`, `auto_now` and the services all go through it)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.utils import timezone

from rainforest.exchange.calendar import is_working_day

BEIJING = ZoneInfo("Asia/Shanghai")
# The platform went live (organisations and people on it) before the fund's launch on 2025-11-18.
PLATFORM_START = dt.date(2025, 9, 1)


@contextmanager
def on(moment: dt.date | dt.datetime, hour: int = 10) -> Iterator[dt.datetime]:
    """Run the block as if it were ``moment`` (a date means ``hour`` o'clock in Beijing). The clock
    keeps ticking from there, so steps inside the block keep their order."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time(hour), tzinfo=BEIJING)
    previous = timezone.now
    # A step dated today has already happened: never later than the real clock.
    moment = min(moment, previous() - dt.timedelta(minutes=1))
    started = time.monotonic()

    def now() -> dt.datetime:
        return moment + dt.timedelta(seconds=time.monotonic() - started)

    timezone.now = now
    try:
        yield moment
    finally:
        timezone.now = previous


def working_day_on_or_before(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def working_day_on_or_after(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day
