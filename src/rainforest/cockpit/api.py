"""Cockpit endpoints of /api/v1/: the published indicators as open data (no sign-in), and every
indicator for those who may read the cockpit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import translation
from ninja import Router, Schema

from rainforest.cockpit import selectors
from rainforest.cockpit.selectors import Row

router = Router(tags=["cockpit"])


class PointOut(Schema):
    year: int
    month: int  # 0: the whole year; m: January to month m
    value: Decimal


class IndicatorOut(Schema):
    code: str
    name_zh_hans: str
    name_zh_hant: str
    name_en: str
    unit: str  # count, yuan, percent (a ratio: 0.045 is 4.5 %), growth (a percentage: 26.3)
    kind: str  # computed or entered
    target: Decimal | None
    target_kind: str  # level, per_year, exceeds, none
    target_date: dt.date | None
    target_ref: str
    status: str  # reached, on_track, at_risk, behind, missed, no_target, no_data
    pace_needed: Decimal | None
    pace_now: Decimal | None
    definition_version: int
    sources: list[str]
    points: list[PointOut]


def _out(row: Row) -> dict:
    d, t = row.definition, row.trajectory
    names = {}
    for language in ("zh-hans", "zh-hant", "en"):
        with translation.override(language):
            names[language] = d.name
    return {
        "code": d.code, "name_zh_hans": names["zh-hans"], "name_zh_hant": names["zh-hant"], "name_en": names["en"],
        "unit": d.unit, "kind": d.kind, "target": d.target, "target_kind": str(d.target_kind),
        "target_date": d.target_date, "target_ref": d.target_ref, "status": str(t.status),
        "pace_needed": t.pace_needed, "pace_now": t.pace_now, "definition_version": d.version,
        "sources": d.sources, "points": [{"year": p.year, "month": p.month, "value": p.value} for p in row.points],
    }  # fmt: skip


@router.get("/open/indicators", response=list[IndicatorOut], auth=None)
def open_indicators(request):
    """The indicators the city publishes, with their history and definition (open data)."""
    return [_out(row) for row in selectors.cockpit(actor=None, public_only=True)]


@router.get("/cockpit/indicators", response=list[IndicatorOut])
def cockpit_indicators(request):
    """Every indicator of the cockpit (officers and fund managers)."""
    return [_out(row) for row in selectors.cockpit(actor=request.principal)]
