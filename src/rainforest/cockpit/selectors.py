"""What the cockpit shows: every indicator in force with its history, latest figure, target and pace."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from rainforest.accounts.permissions import COCKPIT_VIEW, Principal
from rainforest.cockpit.computations import BREAKDOWNS, SERIES
from rainforest.cockpit.definitions import Definition, current_definitions, definition
from rainforest.cockpit.models import Observation
from rainforest.core.cockpit.trajectory import Trajectory, assess

HISTORY_YEARS = 5


@dataclass
class Point:
    year: int
    month: int  # 0: the whole year; m: January to month m
    value: Decimal


@dataclass
class Row:
    definition: Definition
    points: list[Point]  # one per year, oldest first
    trajectory: Trajectory
    observations: list[Observation] = field(default_factory=list)  # entered: every version, for the detail

    @property
    def history(self) -> dict[int, Decimal]:
        return {p.year: p.value for p in self.points}

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None


def years_shown(today: dt.date) -> list[int]:
    return list(range(today.year - HISTORY_YEARS + 1, today.year + 1))


def _entered_points(codes: list[str], years: list[int]) -> dict[str, list[Point]]:
    """The current observation of each year: the whole year where there is one, else the latest month."""
    best: dict[tuple[str, int], Observation] = {}
    rows = Observation.objects.filter(indicator__code__in=codes, current=True, year__in=years).select_related(
        "indicator"
    )
    for obs in rows:
        key = (obs.indicator.code, obs.year)
        held = best.get(key)
        if held is None or _period_rank(obs) > _period_rank(held):
            best[key] = obs
    out: dict[str, list[Point]] = {code: [] for code in codes}
    for (code, year), obs in sorted(best.items(), key=lambda item: item[0][1]):
        out[code].append(Point(year, obs.month, obs.value))
    return out


def _period_rank(obs: Observation) -> int:
    return 13 if obs.month == 0 else obs.month


def cockpit(
    *, actor: Principal | None, today: dt.date | None = None, public_only: bool = False, codes: set[str] | None = None
) -> list[Row]:
    """Every indicator in force (only the published ones for the public page and open data; only
    ``codes`` when given)."""
    if not public_only:
        _require(actor)
    today = today or timezone.localdate()
    years = years_shown(today)
    definitions = [
        d for d in current_definitions() if (d.public or not public_only) and (codes is None or d.code in codes)
    ]
    entered = _entered_points([d.code for d in definitions if d.kind == "entered"], years)
    points: dict[str, list[Point]] = {}
    memo: dict = {}
    for d in definitions:
        if d.kind == "computed":
            series = SERIES[d.computation](years, memo)
            points[d.code] = [Point(y, 0, series[y]) for y in years if series.get(y) is not None]
        else:
            points[d.code] = entered.get(d.code, [])
    rows = []
    for d in definitions:
        other = {p.year: p.value for p in points.get(d.target_ref, [])} if d.target_ref else None
        if d.target_ref and d.target_ref not in points:  # the benchmark is not published: read it anyway
            other = {p.year: p.value for p in _entered_points([d.target_ref], years)[d.target_ref]}
        trajectory = assess(
            {p.year: p.value for p in points[d.code]}, kind=d.target_kind, target=d.target,
            target_date=d.target_date, today=today, direction=d.direction, other=other,
        )  # fmt: skip
        rows.append(Row(d, points[d.code], trajectory))
    return rows


@dataclass
class Detail:
    row: Row
    year: int
    breakdowns: dict[str, dict[str, Decimal]]  # by -> key -> value, for ``year``
    observations: list[Observation]  # entered: every version of every period, newest first
    benchmark: Row | None


def indicator_detail(*, actor: Principal | None, code: str, year: int | None = None, public_only: bool = False):
    """One indicator: its history, its breakdowns for a year, and (entered) every observation's versions."""
    d = definition(code)
    if d is None or (public_only and not d.public):
        return None
    wanted = {code, d.target_ref} - {""}
    rows = {r.definition.code: r for r in cockpit(actor=actor, public_only=public_only, codes=wanted)}
    row = rows.get(code)
    if row is None:
        return None
    year = year or (row.latest.year if row.latest else timezone.localdate().year)
    breakdowns = {}
    if d.kind == "computed" and d.computation in BREAKDOWNS:
        breakdowns = {by: BREAKDOWNS[d.computation](year, by) for by in d.breakdowns}
    observations = []
    if d.kind == "entered":
        observations = list(
            Observation.objects.filter(indicator__code=code)
            .select_related("entered_by")
            .order_by("-year", "-month", "-version")
        )
    return Detail(row, year, breakdowns, observations, rows.get(d.target_ref) if d.target_ref else None)


def _require(actor: Principal | None) -> None:
    if actor is None:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    actor.require(COCKPIT_VIEW)
