"""Grow the scratch installation's registry to city scale: ``python -m rainforest.loadtest.city_grow N``.

The demo city (2,400 enterprises, four fiscal years each, with its programmes, accounts and audit
trail) is built first by `rainforest demo`; this adds enterprises with five fiscal years each, from
the same generator, until the registry holds N, then builds the pyramid's standings. They are
written in bulk, without an audit event each: a benchmark's fixture, never a real import (which
goes through `registry.services.facts_import`, audited row by row)."""

from __future__ import annotations

import sys
import time

CHUNK = 10_000


def grow(target: int, write=print) -> None:
    from django.db import transaction

    from rainforest.accounts.choices import OrganisationKind
    from rainforest.accounts.models import Organisation
    from rainforest.demo.city import build_city
    from rainforest.registry.models import Enterprise, Recognition, YearlyFacts
    from rainforest.seedling import standings

    have = Enterprise.objects.count()
    if have < target:
        started = time.perf_counter()
        city = build_city(seed=target, enterprises=target - have, years_of_facts=5)
        taken = set(Organisation.objects.values_list("uscc", flat=True))
        companies = [c for c in city.companies if c.uscc not in taken]
        write(f"generated {len(companies):,} enterprises in {time.perf_counter() - started:.0f} s; writing…")
        for start in range(0, len(companies), CHUNK):
            chunk = companies[start : start + CHUNK]
            with transaction.atomic():
                orgs = Organisation.objects.bulk_create(
                    [Organisation(uscc=c.uscc, name=c.name, kind=OrganisationKind.ENTERPRISE, district=c.district)
                     for c in chunk], batch_size=2000)  # fmt: skip
                firms = Enterprise.objects.bulk_create(
                    [Enterprise(organisation=o, founded_on=c.founded_on) for o, c in zip(orgs, chunk, strict=True)],
                    batch_size=2000,
                )
                identity = {"uscc", "name", "founded_on"}
                YearlyFacts.objects.bulk_create(
                    [YearlyFacts(enterprise=e, **{k: v for k, v in row.items() if k not in identity})
                     for e, c in zip(firms, chunk, strict=True) for row in c.rows], batch_size=2000)  # fmt: skip
                Recognition.objects.bulk_create(
                    [Recognition(enterprise=e, kind=kind, year=year, valid_from=start_on, valid_until=until)
                     for e, c in zip(firms, chunk, strict=True) for kind, year, start_on, until in c.recognitions],
                    batch_size=2000, ignore_conflicts=True)  # fmt: skip
            write(f"  {have + start + len(chunk):,} enterprises")
    if standings.stale() or have < target:
        write("building the pyramid's standings…")
        build = standings.rebuild()
        write(f"standings: {build.enterprises:,} enterprises in {build.seconds:.1f} s")


def main(argv: list[str] | None = None) -> None:
    import django

    django.setup()
    grow(int((argv or sys.argv[1:])[0]))


if __name__ == "__main__":
    main()
