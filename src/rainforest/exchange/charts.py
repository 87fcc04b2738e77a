"""The yearly targets page as charts and the tables beneath them: one shape for both, so the chart
(static/rainforest/charts.js draws it with ECharts) and the table a screen reader or a spreadsheet
reads state the same figures."""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from rainforest import formatting
from rainforest.core.districts import DISTRICTS
from rainforest.exchange.choices import Domain
from rainforest.place_names import district_label

MEASURES = ("scenarios", "projects", "landings")


def measure_names() -> dict[str, str]:
    return {
        "scenarios": _("Scenarios opened"),
        "projects": _("Cooperation projects"),
        "landings": _("Landing opportunities"),
    }


def _month_names(year: int) -> list[str]:
    return [date_format(dt.date(year, month, 1), "M") for month in range(1, 13)]


def by_month(data: dict) -> dict:
    """How far each figure has come towards its target, month by month: the chart draws the share
    of the target reached (so three targets of different sizes share one axis), the table gives the
    month's new items, the running total and that share."""
    names = measure_names()
    months = _month_names(data["year"])
    rows = {row["key"]: row for row in data["rows"]}
    series = []
    for key in MEASURES:
        row = rows[key]
        points = []
        for total in row["cumulative"]:
            if total is None:
                points.append(None)
                continue
            share = total / row["target"] if row["target"] else 0
            points.append(
                {
                    "value": round(share * 100, 1),
                    "text": _("%(total)s of %(target)s (%(share)s)")
                    % {
                        "total": formatting.whole(total),
                        "target": formatting.whole(row["target"]),
                        "share": formatting.percent(share),
                    },
                }
            )
        series.append({"name": names[key], "data": points})
    table = []
    for i, month in enumerate(months):
        if i >= data["last_month"]:
            break
        cells = []
        for key in MEASURES:
            row = rows[key]
            total = row["cumulative"][i]
            cells.append(
                {
                    "new": row["by_month"][i],
                    "total": total,
                    "share": total / row["target"] if row["target"] else None,
                }
            )
        table.append({"month": month, "cells": cells})
    spec = {
        "kind": "line",
        "categories": months,
        "series": series,
        # The months name themselves; the value axis says what its percentages are of.
        "x_name": "",
        "y_name": _("Of the target"),
        "suffix": "%",
    }
    # The target as a line of its own: the axis then reaches 100 %, so the distance left is seen.
    series.append({"name": _("Yearly target"), "kind": "line", "data": [100] * 12})
    return {"spec": spec, "table": table, "measures": [names[k] for k in MEASURES]}


def _split(data: dict, field: str, keys: list[str], labels: list[str], horizontal: bool) -> dict:
    names = measure_names()
    rows = {row["key"]: row for row in data["rows"]}
    counts = {key: [rows[key][field].get(k, 0) for k in keys] for key in MEASURES}
    # A horizontal chart's categories run upwards: reversed, the first one is drawn at the top.
    order = slice(None, None, -1) if horizontal else slice(None)
    spec = {
        "kind": "bar",
        "categories": labels[order],
        "series": [{"name": names[key], "data": counts[key][order]} for key in MEASURES],
        # The vertical value axis carries its name above it; a horizontal one's would be cut off
        # at the right edge, and its caption says what is counted.
        "x_name": "",
        "y_name": "" if horizontal else pgettext("count", "Number"),
        "horizontal": horizontal,
        "height": max(320, 34 * len(labels) + 90) if horizontal else 340,
    }
    table = [
        {"label": label, "counts": [counts[key][i] for key in MEASURES]}
        for i, label in enumerate(labels)
        if any(counts[key][i] for key in MEASURES)
    ]
    return {"spec": spec, "table": table, "measures": [names[k] for k in MEASURES]}


def by_domain(data: dict) -> dict:
    keys = [value for value, _label in Domain.choices]
    return _split(data, "by_domain", keys, [str(label) for _v, label in Domain.choices], horizontal=False)


def by_district(data: dict) -> dict:
    """Hangzhou's districts in their usual order; items with no district come last, said so."""
    keys = list(DISTRICTS)
    labels = [district_label(d) for d in keys]
    if any(row["by_district"].get("") or row["by_district"].get(None) for row in data["rows"]):
        for row in data["rows"]:
            row["by_district"][""] = (row["by_district"].get("") or 0) + (row["by_district"].get(None) or 0)
        keys.append("")
        labels.append(_("No district given"))
    return _split(data, "by_district", keys, labels, horizontal=True)
