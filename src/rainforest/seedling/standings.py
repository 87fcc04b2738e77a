"""The pyramid's standings: each enterprise's place at the end of each year, kept exact as it changes.

Counting the pyramid live means evaluating the seed tier for every enterprise in every year shown
(188 s at 120,000 enterprises). Instead each enterprise has one `Standing` row per year from its first
year of facts to the build's last year, and the pyramid is one grouped count over them.

Exactness: every transaction that changes an input (a facts year, the founding date, a recognition)
recomputes that enterprise's rows before it commits — the model signals for single writes, the
registry's `standing_inputs_changed` for its bulk writes. A new rule set, or a year past the build's
last year, makes the standings stale; the pyramid then counts live until `standings.rebuild` (a
periodic job) has run. `tests/seedling/test_standings.py` compares them with a full recount after
random sequences of writes.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Iterable

import polars as pl
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from rainforest.core.policy.batch import evaluate_frame
from rainforest.core.seedling.ladder import LADDER, RECOGNISED
from rainforest.policy.rules import current_ruleset
from rainforest.registry.frames import facts_frame
from rainforest.registry.models import Enterprise, Recognition
from rainforest.seedling.models import Standing, StandingsBuild

TARGET_YEAR = 2027  # the programme's targets are for the end of 2027
# Counts read from the standings may be cached by readers (the cockpit) under this number, which
# changes after every committed change to the standings (see ``generation``).
GENERATION_KEY = "seedling:standings:generation"


def last_year(today: dt.date | None = None) -> int:
    """The latest year kept: the targets' year, or next year once that is later."""
    return max(TARGET_YEAR, (today or timezone.localdate()).year + 1)


def generation() -> int | None:
    """A number that changes after every committed change to the standings, for caches of what is
    counted from them; None where the cache is not shared between processes (nothing may be cached
    then: another process's change would not be seen). If the cache was unreachable when a change
    committed, the number did not move: readers bound what they cache by a short lifetime."""
    if not _shared_cache():
        return None
    value = cache.get(GENERATION_KEY)
    if value is None:
        # A random start: numbers from before the cache was emptied are never met again.
        cache.add(GENERATION_KEY, secrets.randbits(48), timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


def _shared_cache() -> bool:
    return not isinstance(caches["default"], LocMemCache)


def _changed() -> None:
    if _shared_cache():
        transaction.on_commit(_next_generation)


def _next_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # gone from the cache: any new number will do
        cache.add(GENERATION_KEY, secrets.randbits(48), timeout=None)


def current_build() -> StandingsBuild | None:
    """The build the pyramid may read, or None while the standings are stale or were never built."""
    build = StandingsBuild.objects.first()
    ruleset = current_ruleset()
    if build is None or (build.ruleset, build.ruleset_version) != (ruleset.id, ruleset.version):
        return None
    return build


def counts(years: list[int], district: str = "", cluster: str = "") -> dict[str, dict[int, int]]:
    """Per tier, per year: how many enterprises (of the district, of the cluster) stood there."""
    rows = Standing.objects.filter(year__in=years)
    if district:
        rows = rows.filter(district=district)
    if cluster:
        rows = rows.filter(clusters__contains=f";{cluster};")
    totals = rows.values("year").annotate(**{tier: Count("pk", filter=Q(**{tier: True})) for tier in LADDER})
    found = {row["year"]: row for row in totals}
    return {tier: {y: found.get(y, {}).get(tier, 0) for y in years} for tier in LADDER}


COLUMNS = ("enterprise_id", "year", "district", "clusters", "seed", *sorted(RECOGNISED))


def _rows(facts: pl.DataFrame, last: int) -> pl.DataFrame:
    """The standings of the enterprises in ``facts`` (every year of theirs), for each year up to ``last``."""
    if facts.is_empty():
        return pl.DataFrame(schema=dict.fromkeys(COLUMNS))
    ruleset = current_ruleset()
    titles = _titles(facts["enterprise_id"].unique().to_list())
    years = []
    for year in range(facts["fiscal_year"].min(), last + 1):
        end = dt.date(year, 12, 31)
        known = facts.filter(pl.col("fiscal_year") <= year)
        if known.is_empty():
            continue
        latest = known.group_by("enterprise_id").agg(pl.col("uscc", "district", "industries").last())
        seeds = evaluate_frame(ruleset, known.drop("enterprise_id"), end, tiers=["seed"]).select(
            "uscc", (pl.col("seed") == "eligible").alias("seed")
        )
        held = (
            titles.filter((pl.col("year") <= year) & (pl.col("valid_until").is_null() | (pl.col("valid_until") >= end)))
            .group_by("enterprise_id")
            .agg(*[(pl.col("kind") == kind).any().alias(kind) for kind in sorted(RECOGNISED)])
        )
        years.append(
            latest.join(seeds, on="uscc", how="left")
            .join(held, on="enterprise_id", how="left")
            .select(
                "enterprise_id",
                pl.lit(year).alias("year"),
                pl.col("district").fill_null(""),
                pl.when(pl.col("industries").is_null() | (pl.col("industries") == ""))
                .then(pl.lit(""))
                .otherwise(pl.format(";{};", "industries"))
                .alias("clusters"),
                *[pl.col(c).fill_null(False) for c in ("seed", *sorted(RECOGNISED))],
            )  # fmt: skip
        )
    return pl.concat(years)


def _titles(enterprise_ids: list[int]) -> pl.DataFrame:
    """The recognitions of a pyramid tier held by these enterprises: (enterprise_id, kind, year, valid_until)."""
    rows = Recognition.objects.filter(kind__in=RECOGNISED).values_list("enterprise_id", "kind", "year", "valid_until")
    if len(enterprise_ids) <= 500:
        rows = rows.filter(enterprise_id__in=enterprise_ids)
    schema = {"enterprise_id": pl.Int64, "kind": pl.String, "year": pl.Int32, "valid_until": pl.Date}
    return pl.DataFrame(list(rows.iterator(chunk_size=5000)), schema=schema, orient="row")


def _save(rows: pl.DataFrame) -> None:
    """COPY on PostgreSQL (800,000 rows in seconds); rows of the ORM elsewhere."""
    if rows.is_empty():
        return
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in COLUMNS)
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {quote(Standing._meta.db_table)} ({columns}) FROM STDIN") as copy:
                for row in rows.select(COLUMNS).iter_rows():
                    copy.write_row(row)
        return
    Standing.objects.bulk_create(
        [Standing(**row) for row in rows.select(COLUMNS).iter_rows(named=True)], batch_size=2000
    )


def refresh(enterprise_ids: Iterable[int]) -> None:
    """Recompute these enterprises' standings inside the caller's transaction.

    Each enterprise row is locked first: two transactions changing one enterprise's inputs then
    recompute one after the other, the second from what the first committed."""
    ids = sorted(set(enterprise_ids))
    if not ids:
        return
    with transaction.atomic():
        build = StandingsBuild.objects.first()
        if build is None:
            return  # never built: the pyramid counts live, and the first build reads everything
        _lock_standings()
        locked = Enterprise.objects.select_for_update().filter(pk__in=ids).order_by("pk")
        ids = list(locked.values_list("pk", flat=True))
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            Standing.objects.filter(enterprise_id__in=chunk).delete()
            _save(_rows(facts_frame(chunk), build.last_year))
        _changed()


def _lock_standings(mode: str = "ROW EXCLUSIVE") -> None:
    """A rebuild holds the table exclusively; a refresh waits for it (and it for refreshes under way),
    so a rebuild never reads facts older than a refresh that commits before it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(Standing._meta.db_table)} IN {mode} MODE")


def rebuild(today: dt.date | None = None) -> StandingsBuild:
    """Every enterprise's standings from the registry as it is, for the current rule set."""
    started = time.perf_counter()
    ruleset = current_ruleset()
    last = last_year(today)
    with transaction.atomic():
        _lock_standings("EXCLUSIVE")
        facts = facts_frame()
        rows = _rows(facts, last)
        Standing.objects.all().delete()
        _save(rows)
        if connection.vendor == "postgresql":  # fresh statistics: the planner saw an empty table before
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(Standing._meta.db_table)}")
        StandingsBuild.objects.all().delete()
        _changed()
        return StandingsBuild.objects.create(
            ruleset=ruleset.id, ruleset_version=ruleset.version,
            first_year=int(facts["fiscal_year"].min()) if facts.height else last, last_year=last,
            built_at=timezone.now(), enterprises=facts["enterprise_id"].n_unique(),
            seconds=time.perf_counter() - started,
        )  # fmt: skip


def stale(today: dt.date | None = None) -> bool:
    build = current_build()
    return build is None or build.last_year < last_year(today)
