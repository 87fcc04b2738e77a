"""The computed indicators: each a yearly series counted from the platform's own records, and where a
definition lists them, its breakdowns for one year (by district, 296X cluster, domain or measure).

Every series answers in a fixed number of grouped queries whatever the registry's size: the pyramid
reads the seedling programme's standings (one row per enterprise and year), never the facts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from rainforest.accounts.choices import OrganisationKind
from rainforest.accounts.models import Organisation
from rainforest.core.facts.industries import HZ296X
from rainforest.core.seedling.ladder import LADDER, RECOGNISED
from rainforest.exchange.models import Capability, Project, Scenario
from rainforest.fund.choices import FlowKind, Stage
from rainforest.fund.models import CashFlow, Deal
from rainforest.registry.models import Recognition, YearlyFacts
from rainforest.seedling import standings
from rainforest.seedling.models import Disbursement, Standing

# A series answers for a list of years; ``memo`` is shared by the series of one cockpit reading, so
# the six rungs of the pyramid cost one grouped count between them.
Series = Callable[[list[int], dict], dict[int, Decimal]]
Breakdown = Callable[[int, str], dict[str, Decimal]]


def _decimal_counts(counts: dict[int, int], years: list[int]) -> dict[int, Decimal]:
    return {y: Decimal(counts.get(y, 0)) for y in years}


# ---------------------------------------------------------------- the pyramid


# Counts over the standings (hundreds of thousands of rows at city scale) are kept in the shared cache
# under the standings' generation, which moves with every committed change: exact, and bounded by
# this lifetime should the cache have missed a change while it was unreachable.
CACHE_SECONDS = 60


def _cached(parts: tuple, compute):
    generation = standings.generation()
    if generation is None:
        return compute()
    key = "cockpit:" + ":".join(str(p) for p in (generation, *parts))
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def _pyramid(tier: str) -> Series:
    def series(years: list[int], memo: dict) -> dict[int, Decimal]:
        key = ("pyramid", tuple(years))
        if key not in memo:
            build = standings.current_build()
            fresh = build is not None and max(years) <= build.last_year
            memo[key] = _cached((build.pk if build else 0, *years), lambda: standings.counts(years)) if fresh else None
        counts = memo[key]
        if counts is None:
            # Stale standings (a new rule set, a new year): the recognitions alone, until the hourly
            # rebuild; the seed pool has no such fallback and is unknown meanwhile.
            return _recognised_live(tier, years) if tier in RECOGNISED else {}
        return {y: Decimal(counts[tier][y]) for y in years}

    return series


def _recognised_live(tier: str, years: list[int]) -> dict[int, Decimal]:
    out = {}
    for year in years:
        end = dt.date(year, 12, 31)
        out[year] = Decimal(
            Recognition.objects.filter(kind=tier, year__lte=year)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=end))
            .values("enterprise_id")
            .distinct()
            .count()
        )
    return out


def _pyramid_breakdown(tier: str) -> Breakdown:
    def breakdown(year: int, by: str) -> dict[str, Decimal]:
        build = standings.current_build()
        if build is None or year > build.last_year:
            if tier not in RECOGNISED:
                return {}
            end = dt.date(year, 12, 31)
            held = (
                Recognition.objects.filter(kind=tier, year__lte=year)
                .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=end))
                .values_list("enterprise_id", flat=True)
                .distinct()
            )
            return _latest_split(set(held), year, by)
        return _cached((build.pk, tier, year, by), lambda: _standings_split(tier, year, by))

    return breakdown


def _latest_split(enterprise_ids: set[int], year: int, by: str) -> dict[str, Decimal]:
    """Enterprises split by the district or clusters of their latest facts up to ``year`` (the
    definition the standings keep; read directly only while they are being rebuilt)."""
    latest: dict[int, tuple[str, str]] = {}
    rows = YearlyFacts.objects.filter(enterprise_id__in=enterprise_ids, fiscal_year__lte=year).order_by(
        "enterprise_id", "fiscal_year"
    )
    for enterprise_id, district, industries in rows.values_list("enterprise_id", "district", "industries"):
        latest[enterprise_id] = (district or "", industries or "")
    counted: Counter = Counter()
    for district, industries in latest.values():
        if by == "district":
            counted[district] += 1
        elif by == "cluster":
            counted.update(code for code in industries.split(";") if code in HZ296X)
    return {key: Decimal(n) for key, n in counted.items()}


def _standings_split(tier: str, year: int, by: str) -> dict[str, Decimal]:
    rows = Standing.objects.filter(year=year, **{tier: True})
    if by == "district":
        return {
            r["district"] or "": Decimal(r["n"]) for r in rows.values("district").annotate(n=Count("pk")).order_by()
        }
    if by == "cluster" and connection.vendor == "postgresql":
        # One pass over the year's rows, each split into its clusters (seventeen LIKE counts would
        # read them seventeen times).
        quote = connection.ops.quote_name
        sql = (
            f"SELECT c, count(*) FROM {quote(Standing._meta.db_table)} s, "
            "unnest(string_to_array(trim(both ';' from s.clusters), ';')) c "
            f"WHERE s.year = %s AND s.{quote(tier)} GROUP BY c"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [year])
            return {code: Decimal(n) for code, n in cursor.fetchall() if code in HZ296X}
    if by == "cluster":
        counted = rows.aggregate(**{code: Count("pk", filter=Q(clusters__contains=f";{code};")) for code in HZ296X})
        return {code: Decimal(n) for code, n in counted.items() if n}
    return {}


# ---------------------------------------------------------------- recognitions in a year


def _good_seedlings_per_year(years: list[int], memo: dict) -> dict[int, Decimal]:
    rows = (
        Recognition.objects.filter(kind="good_seedling", year__in=years)
        .values("year")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return _decimal_counts({r["year"]: r["n"] for r in rows}, years)


def _good_seedlings_breakdown(year: int, by: str) -> dict[str, Decimal]:
    chosen = Recognition.objects.filter(kind="good_seedling", year=year).values_list("enterprise_id", flat=True)
    return _latest_split(set(chosen), year, by)  # at most the year's quota of 1,000 enterprises


# ---------------------------------------------------------------- the scenario exchange


def _year_bounds(years: list[int]) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    return dt.datetime(min(years), 1, 1, tzinfo=zone), dt.datetime(max(years) + 1, 1, 1, tzinfo=zone)


def _scenarios(years: list[int], memo: dict) -> dict[int, Decimal]:
    start, end = _year_bounds(years)
    moments = Scenario.objects.filter(published_at__gte=start, published_at__lt=end).values_list(
        "published_at", flat=True
    )
    zone = timezone.get_current_timezone()
    return _decimal_counts(Counter(m.astimezone(zone).year for m in moments), years)


def _projects(field: str) -> Series:
    def series(years: list[int], memo: dict) -> dict[int, Decimal]:
        rows = Project.objects.filter(**{f"{field}__year__in": years}).values_list(field, flat=True)
        return _decimal_counts(Counter(d.year for d in rows), years)

    return series


def _exchange_breakdown(kind: str) -> Breakdown:
    def breakdown(year: int, by: str) -> dict[str, Decimal]:
        if kind == "scenarios":
            start, end = _year_bounds([year])
            rows, prefix = Scenario.objects.filter(published_at__gte=start, published_at__lt=end), ""
        else:
            rows, prefix = Project.objects.filter(**{f"{kind}__year": year}), "scenario__"
        if by not in ("district", "domain"):
            return {}
        field = prefix + by
        return {r[field] or "": Decimal(r["n"]) for r in rows.values(field).annotate(n=Count("pk")).order_by()}

    return breakdown


# ---------------------------------------------------------------- the seedling fund

PAID_IN = (FlowKind.INVESTMENT, FlowKind.FOLLOW_ON)


def _fund_deployed(years: list[int], memo: dict) -> dict[int, Decimal]:
    rows = (
        CashFlow.objects.filter(kind__in=PAID_IN, on__year__lte=max(years))
        .values("on__year")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    by_year = {r["on__year"]: r["total"] or Decimal(0) for r in rows}
    out, running = {}, sum((v for y, v in by_year.items() if y < min(years)), Decimal(0))
    for year in sorted(years):
        running += by_year.get(year, Decimal(0))
        out[year] = running
    return out


def _first_payments(memo: dict) -> dict[int, dt.date]:
    if "first_payments" not in memo:
        rows = CashFlow.objects.filter(kind__in=PAID_IN).values("deal_id").annotate(first=Min("on")).order_by()
        memo["first_payments"] = {r["deal_id"]: r["first"] for r in rows}
    return memo["first_payments"]


def _fund_deals(years: list[int], memo: dict) -> dict[int, Decimal]:
    return _decimal_counts(Counter(first.year for first in _first_payments(memo).values()), years)


def _fund_survival(years: list[int], memo: dict) -> dict[int, Decimal]:
    firsts = _first_payments(memo)
    written_off = dict(Deal.objects.filter(pk__in=firsts).values_list("pk", "stage"))
    out = {}
    for year in years:
        invested = [d for d, first in firsts.items() if first.year <= year]
        if invested:
            alive = sum(1 for d in invested if written_off.get(d) != Stage.WRITTEN_OFF)
            out[year] = Decimal(alive) / Decimal(len(invested))
    return out


def _fund_moved_up(years: list[int], memo: dict) -> dict[int, Decimal]:
    firsts = _first_payments(memo)
    enterprises = dict(Deal.objects.filter(pk__in=firsts).values_list("pk", "enterprise_id"))
    since = {enterprises[d]: first.year for d, first in firsts.items()}
    recognised = Recognition.objects.filter(enterprise_id__in=list(since), kind__in=RECOGNISED).values_list(
        "enterprise_id", "year"
    )
    moved: dict[int, int] = {}  # enterprise -> the first year it was recognised after investment
    for enterprise, year in recognised:
        if year >= since[enterprise] and (enterprise not in moved or year < moved[enterprise]):
            moved[enterprise] = year
    return {y: Decimal(sum(1 for first in moved.values() if first <= y)) for y in years}


# ---------------------------------------------------------------- carriers


def _carriers(kind: str) -> Series:
    def series(years: list[int], memo: dict) -> dict[int, Decimal]:
        joined = Organisation.objects.filter(kind=kind).values_list("created_at", flat=True)
        zone = timezone.get_current_timezone()
        by_year = Counter(c.astimezone(zone).year for c in joined)
        return {y: Decimal(sum(n for year, n in by_year.items() if year <= y)) for y in years}

    return series


def _carriers_breakdown(kind: str) -> Breakdown:
    def breakdown(year: int, by: str) -> dict[str, Decimal]:
        if by != "district":
            return {}
        rows = Organisation.objects.filter(kind=kind, created_at__year__lte=year).values("district")
        return {r["district"] or "": Decimal(r["n"]) for r in rows.annotate(n=Count("pk")).order_by()}

    return breakdown


def carrier_activity(kind: str) -> list[dict]:
    """Each carrier of ``kind`` with its offers (capabilities) and the projects it took on."""
    carriers = Organisation.objects.filter(kind=kind).order_by("name")
    offers = dict(
        Capability.objects.filter(organisation__kind=kind)
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("organisation_id", "n")
    )
    projects = dict(
        Project.objects.filter(enterprise__kind=kind)
        .values("enterprise_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("enterprise_id", "n")
    )
    return [
        {"name": c.name, "district": c.district, "offers": offers.get(c.pk, 0), "projects": projects.get(c.pk, 0)}
        for c in carriers
    ]


# ---------------------------------------------------------------- support paid


def _support_paid(years: list[int], memo: dict) -> dict[int, Decimal]:
    rows = (
        Disbursement.objects.filter(paid_on__year__in=years)
        .values("paid_on__year")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    by_year = {r["paid_on__year"]: r["total"] for r in rows}
    return {y: by_year.get(y) or Decimal(0) for y in years}


def _support_breakdown(year: int, by: str) -> dict[str, Decimal]:
    rows = Disbursement.objects.filter(paid_on__year=year)
    field = {"measure": "application__measure", "district": "application__enterprise__organisation__district"}.get(by)
    if field is None:
        return {}
    return {r[field] or "": r["total"] for r in rows.values(field).annotate(total=Sum("amount")).order_by()}


SERIES: dict[str, Series] = {
    **{f"pyramid.{tier}": _pyramid(tier) for tier in LADDER},
    "recognitions.good_seedling_per_year": _good_seedlings_per_year,
    "exchange.scenarios": _scenarios,
    "exchange.projects": _projects("agreed_on"),
    "exchange.landings": _projects("landed_on"),
    "fund.deployed": _fund_deployed,
    "fund.deals_per_year": _fund_deals,
    "fund.survival": _fund_survival,
    "fund.moved_up": _fund_moved_up,
    "carriers.poc_centre": _carriers(OrganisationKind.POC_CENTRE),
    "carriers.pilot_base": _carriers(OrganisationKind.PILOT_BASE),
    "support.paid": _support_paid,
}

BREAKDOWNS: dict[str, Breakdown] = {
    **{f"pyramid.{tier}": _pyramid_breakdown(tier) for tier in LADDER},
    "recognitions.good_seedling_per_year": _good_seedlings_breakdown,
    "exchange.scenarios": _exchange_breakdown("scenarios"),
    "exchange.projects": _exchange_breakdown("agreed_on"),
    "exchange.landings": _exchange_breakdown("landed_on"),
    "carriers.poc_centre": _carriers_breakdown(OrganisationKind.POC_CENTRE),
    "carriers.pilot_base": _carriers_breakdown(OrganisationKind.PILOT_BASE),
    "support.paid": _support_breakdown,
}


def support_by_measure(year: int) -> list[dict]:
    """Each measure's payments in ``year`` against its published cap per payment: count, total, the
    largest single payment. One grouped query."""
    from django.db.models import Max

    from rainforest.seedling.catalogue import entry

    rows = (
        Disbursement.objects.filter(paid_on__year=year)
        .values("application__measure")
        .annotate(n=Count("pk"), total=Sum("amount"), largest=Max("amount"))
        .order_by("application__measure")
    )
    out = []
    for r in rows:
        found = entry(r["application__measure"])
        out.append({
            "measure": r["application__measure"], "payments": r["n"], "total": r["total"], "largest": r["largest"],
            "cap": found.cap if found else None,
        })  # fmt: skip
    return out
