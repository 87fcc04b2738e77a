"""How the cockpit writes its figures and statuses for people (pages, open data, the brief)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rainforest import formatting
from rainforest.core.cockpit.trajectory import Status
from rainforest.core.districts import district_name
from rainforest.core.facts.industries import cluster_name

# A word, an icon that does not rely on colour, and a colour class.
STATUS = {
    Status.REACHED: (_("Reached"), "✔", "ok"),
    Status.ON_TRACK: (_("On track"), "▲", "ok"),
    Status.AT_RISK: (_("At risk"), "◆", "warn"),
    Status.BEHIND: (_("Behind"), "▼", "bad"),
    Status.MISSED: (_("Missed"), "✖", "bad"),
    Status.NO_TARGET: (_("No target"), "—", "none"),
    Status.NO_DATA: (_("No data yet"), "？", "none"),
}

# The cockpit's sections, in order (a definition's ``group``).
GROUP_TITLES = {
    "seedling": _("Seedling programme"),
    "exchange": _("Scenario exchange"),
    "fund": _("Seedling fund"),
    "carriers": _("Carriers and support"),
    "city": _("City statistics"),
}

BREAKDOWN_TITLES = {
    "district": _("By district"),
    "cluster": _("By 296X cluster"),
    "domain": _("By domain"),
    "measure": _("By measure"),
}

BREAKDOWN_COLUMNS = {
    "district": _("District"),
    "cluster": _("Industry cluster"),
    "domain": _("Domain"),
    "measure": _("Measure"),
}

UNIT_HEADERS = {
    "count": pgettext_lazy("unit", "count"),
    "yuan": pgettext_lazy("unit", "10,000 yuan"),
    "percent": "%",
    "growth": "%",
}


def value_text(value: Decimal | None, unit: str) -> str:
    """One figure with its unit: counts whole, money in 万元 or 亿元, ratios and growth as percentages."""
    if value is None:
        return ""
    if unit == "count":
        return formatting.whole(value)
    if unit == "yuan":
        return formatting.yi(value) if abs(value) >= formatting.YI else formatting.wan(value)
    if unit == "percent":
        return formatting.percent(value, 2 if abs(value) < Decimal("0.1") else 1)
    return formatting.percent_points(value)


def cell_number(value: Decimal | None, unit: str) -> str:
    """A figure for a table whose header states the unit (``UNIT_HEADERS``)."""
    if value is None:
        return ""
    if unit == "yuan":
        return formatting.wan_number(value)
    if unit == "percent":
        return formatting.number(value * 100, 2)
    if unit == "growth":
        return formatting.number(value, 1)
    return formatting.whole(value)


def chart_number(value: Decimal | None, unit: str) -> float | None:
    """A figure in the unit the charts draw (万元 for money, percent for ratios)."""
    if value is None:
        return None
    if unit == "yuan":
        return float(value / formatting.WAN)
    if unit == "percent":
        return float(value * 100)
    return float(value)


def period_text(year: int, month: int) -> str:
    return formatting.year_cn(year) if not month else formatting.months_cn(year, 1, month)


def breakdown_label(by: str, key: str, language: str) -> str:
    if by == "district":
        return district_name(key, language) or str(_("(no district)"))
    if by == "cluster":
        return cluster_name(key, language)
    if by == "domain":
        from rainforest.exchange.choices import Domain

        return str(dict(Domain.choices).get(key, key))
    if by == "measure":
        from rainforest.seedling.catalogue import entry

        found = entry(key)
        if found is None:
            return key
        title = found.measure.title
        lang = "en" if language.startswith("en") else "zh-hans"
        return title.get(lang) or title.get("zh-hans") or key
    return key


def sparkline_points(values: list[Decimal], width: int = 120, height: int = 32) -> str:
    """The ``points`` of an SVG polyline drawing ``values`` left to right (a flat line when constant)."""
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or Decimal(1)
    step = Decimal(width - 4) / (len(values) - 1)
    return " ".join(
        f"{2 + step * i:.1f},{(height - 2) - (v - low) / span * (height - 4):.1f}" for i, v in enumerate(values)
    )


def pace_text(row) -> str:
    """What the pace says, in a sentence: needed against current (level), left this year (per year)."""
    from django.utils.translation import gettext

    from rainforest.core.cockpit.trajectory import Status, TargetKind

    d, t = row.definition, row.trajectory
    unit = d.unit
    if t.status in (Status.NO_DATA, Status.NO_TARGET) or t.pace_needed is None:
        return ""
    if d.target_kind == TargetKind.PER_YEAR:
        if t.status == Status.REACHED or t.share_of_year is None:
            return ""
        return gettext("%(left)s more needed this year; %(share)s of the year has passed.") % {
            "left": value_text(t.pace_needed, unit), "share": formatting.percent(t.share_of_year, 0),
        }  # fmt: skip
    if t.status == Status.REACHED:
        return ""
    needed = _signed(t.pace_needed, unit)
    if t.pace_now is None:
        return gettext("Needs %(needed)s a year to reach the target.") % {"needed": needed}
    return gettext("Needs %(needed)s a year; the last years brought %(now)s a year.") % {
        "needed": needed, "now": _signed(t.pace_now, unit),
    }  # fmt: skip


def _signed(value: Decimal, unit: str) -> str:
    """A yearly change: whole firms (rounded up when needed), percentage points for a share."""
    if unit == "count":
        value = value.to_integral_value(rounding="ROUND_CEILING") if value > 0 else value
    if unit in ("percent", "growth"):
        points = abs(value) * 100 if unit == "percent" else abs(value)
        text = _percentage_points(points)
    else:
        text = value_text(abs(value), unit)
    return ("+" if value >= 0 else "−") + text


def _percentage_points(points: Decimal) -> str:
    from django.utils.translation import gettext

    return gettext("%(n)s percentage points") % {"n": formatting.number(points, 2)}


def card(row, language: str) -> dict:
    """One indicator as the cockpit shows it: figure, period, target, status, pace, sparkline, link."""
    d, t = row.definition, row.trajectory
    word, icon, css = STATUS[t.status]
    latest = row.latest
    values = [p.value for p in row.points]
    return {
        "code": d.code,
        "name": d.name,
        "department": d.department,
        "latest": value_text(latest.value if latest else None, d.unit),
        "period": period_text(latest.year, latest.month) if latest else "",
        "target": target_text(d),
        "status": word,
        "icon": icon,
        "css": css,
        "pace": pace_text(row),
        "sparkline": sparkline_points(values),
        "history": [(period_text(p.year, p.month), value_text(p.value, d.unit)) for p in row.points],
        "kind": d.kind,
        "group": d.group,
        "public": d.public,
    }


def target_text(d) -> str:
    from django.utils.translation import gettext

    if d.target is None and d.target_ref:
        from rainforest.cockpit.definitions import definition

        other = definition(d.target_ref)
        return gettext("Above %(other)s") % {"other": other.name if other else d.target_ref}
    if d.target is None:
        return ""
    text = value_text(d.target, d.unit)
    if d.target_kind == "per_year":
        return gettext("%(target)s a year") % {"target": text}
    if d.target_date:
        return gettext("%(target)s by %(date)s") % {"target": text, "date": formatting.date_cn(d.target_date)}
    return gettext("%(target)s in all") % {"target": text}


def history_chart(row, language: str) -> dict:
    """The spec of the detail page's chart (static/rainforest/charts.js): the history, and the target."""
    d = row.definition
    unit = str(UNIT_HEADERS[d.unit])
    series = [{"name": d.name, "data": [chart_number(p.value, d.unit) for p in row.points]}]
    spec = {
        "kind": "bar" if d.target_kind == "per_year" or d.unit == "count" else "line",
        "categories": [period_text(p.year, p.month) for p in row.points],
        "series": series,
        "y_name": unit,
        "x_name": "",
    }
    if d.target is not None:
        spec["mark"] = {"value": chart_number(d.target, d.unit), "name": target_text(d)}
    return spec


def breakdown_chart(d, by: str, items: list[tuple[str, Decimal]], language: str) -> dict:
    """Ranked bars (no map: a published map of China needs map review approval)."""
    return {
        "kind": "bar",
        "horizontal": True,
        "categories": [label for label, _v in reversed(items)],
        "series": [{"name": d.name, "data": [chart_number(v, d.unit) for _l, v in reversed(items)]}],
        "x_name": str(UNIT_HEADERS[d.unit]),
        "height": max(220, 28 * len(items) + 60),
    }
