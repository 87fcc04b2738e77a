"""The pyramid's standings equal a full recount, whatever sequence of writes came before."""

import datetime as dt
import random

import pytest

from rainforest.core.seedling.ladder import LADDER
from rainforest.registry.models import Enterprise, Recognition, YearlyFacts
from rainforest.registry.services import enterprise_profile_update, facts_import, facts_save, recognitions_record
from rainforest.seedling import selectors, standings, tasks
from rainforest.seedling.models import Standing, StandingsBuild
from tests.conftest import SYSTEM
from tests.seedling.conftest import HEADER, THIS_YEAR, as_actor

DISTRICTS = ("滨江区", "西湖区", "余杭区")
CLUSTERS = ("HZ296X.H.ROBOT", "HZ296X.T.AI", "HZ296X.H.BIO")
KINDS = ("tech_sme", "good_seedling", "hnte", "young_eagle", "tech_leader")


def _row(org, rng, year, founded):
    """A year near a seed's boundaries (100 staff, 20 million revenue, 3% R&D): writes move firms across them."""
    employees = rng.choice([5, 40, 100, 101])
    revenue = rng.choice([1_000_000, 5_000_000, 20_000_000, 20_000_001, 0])
    rd = rng.choice([30_000, 600_000, 3_000_000, 0])
    clusters = ";".join(rng.sample(CLUSTERS, rng.randint(1, 2)))
    registered = rng.choice(["true", "true", "false", ""])
    return (f"{org.uscc},{org.name},{founded},{year},{rng.choice(DISTRICTS)},{clusters},{employees},"
            f"{employees // 4},{employees // 5},{revenue},{rd},1000000,20000000,{registered}")  # fmt: skip


def _import(rows):
    facts_import(actor=SYSTEM, data=(HEADER + "\n".join(rows)).encode(), filename="facts.csv")


def _any(rng, related):
    rows = list(related.order_by("pk"))
    return rng.choice(rows) if rows else None


def _write(rng, orgs):
    """One random write of the kinds the platform makes, through the services that make them."""
    org = rng.choice(orgs)
    enterprise = Enterprise.objects.filter(organisation=org).first()
    move = rng.choice(["import", "import", "edit", "founding", "title", "titles", "drop_title", "drop_year"])
    if enterprise is None or move == "import":
        founded = enterprise.founded_on if enterprise else dt.date(rng.randint(THIS_YEAR - 6, THIS_YEAR - 1), 2, 28)
        years = range(max(founded.year, THIS_YEAR - 5), THIS_YEAR)
        _import([_row(org, rng, y, founded) for y in rng.sample(years, min(len(years), rng.randint(1, 3)))])
    elif move == "edit" and (facts := _any(rng, enterprise.facts)):
        values = {"employees": rng.choice([10, 99, 100, 101]), "tech_staff": 5, "revenue": rng.choice([0, 5e6])}
        facts_save(actor=SYSTEM, enterprise=enterprise, fiscal_year=facts.fiscal_year, version=facts.version,
                   values=values)  # fmt: skip
    elif move == "founding":
        first = enterprise.facts.order_by("fiscal_year").values_list("fiscal_year", flat=True).first() or 2015
        founded = dt.date(rng.randint(2015, first), 1, 31)
        enterprise_profile_update(actor=SYSTEM, enterprise=enterprise, version=enterprise.version, name=org.name,
                                  district=org.district, founded_on=founded)  # fmt: skip
    elif move in ("title", "titles"):
        held = set(enterprise.recognitions.values_list("kind", "year"))
        year = rng.randint(THIS_YEAR - 4, THIS_YEAR)
        kinds = [k for k in rng.sample(KINDS, 2) if (k, year) not in held]
        until = rng.choice([None, dt.date(THIS_YEAR - 2, 12, 31), dt.date(THIS_YEAR - 1, 12, 30)])
        if move == "title" and kinds:
            Recognition.objects.create(enterprise=enterprise, kind=kinds[0], year=year, valid_until=until)
        elif kinds:
            items = [Recognition(enterprise=enterprise, kind=k, year=year) for k in kinds]
            recognitions_record(actor=SYSTEM, items=items)
    elif move == "drop_title" and (title := _any(rng, enterprise.recognitions)):
        title.delete()
    elif move == "drop_year" and (facts := _any(rng, enterprise.facts)):
        facts.delete()


FILTERS = [("", ""), ("西湖区", ""), ("", "HZ296X.T.AI"), ("滨江区", "HZ296X.H.ROBOT")]


def _assert_equal_to_recount(officer, filters=FILTERS):
    years = list(range(THIS_YEAR - 4, THIS_YEAR + 1))
    for district, cluster in filters:
        recount = selectors.pyramid_recount(actor=officer, years=years, district=district, cluster=cluster)
        assert standings.counts(years, district, cluster) == recount, (district, cluster)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_after_any_sequence_of_writes_the_standings_equal_a_full_recount(officer, make_org, seed):
    rng = random.Random(seed)
    orgs = [make_org(f"企业{seed}-{i}", district=rng.choice(DISTRICTS)) for i in range(8)]
    for org in orgs[:3]:
        _write(rng, [org])
    standings.rebuild()
    for _ in range(30):
        _write(rng, orgs)
        _assert_equal_to_recount(as_actor(officer), FILTERS[:1])
    _assert_equal_to_recount(as_actor(officer))
    counted = standings.counts(list(range(THIS_YEAR - 4, THIS_YEAR + 1)))
    assert sum(counted["seed"].values()) > 0 and sum(sum(counted[t].values()) for t in LADDER if t != "seed") > 0


def test_the_pyramid_reads_the_standings_once_built(officer, seedling_co, django_assert_max_num_queries):
    actor = as_actor(officer)
    Recognition.objects.create(enterprise=seedling_co, kind="tech_sme", year=THIS_YEAR - 1)
    live = selectors.pyramid(actor=actor, year=THIS_YEAR)
    standings.rebuild()
    with django_assert_max_num_queries(6):
        built = selectors.pyramid(actor=actor, year=THIS_YEAR)
    assert built == live
    assert {r.tier: r.count for r in built}["tech_sme"] == 1


def test_the_query_count_does_not_grow_with_the_registry(officer, make_org, django_assert_max_num_queries):
    rng = random.Random(7)
    _import([_row(make_org(f"企业{i}"), rng, THIS_YEAR - 1, "2022-06-01") for i in range(40)])
    standings.rebuild()
    with django_assert_max_num_queries(6):
        selectors.pyramid(actor=as_actor(officer), year=THIS_YEAR, district="西湖区", cluster="HZ296X.T.AI")


def test_a_new_rule_set_sends_the_pyramid_back_to_counting_live_until_rebuilt(officer, seedling_co):
    standings.rebuild()
    StandingsBuild.objects.update(ruleset_version="2000.1.1")  # built under an earlier release
    Standing.objects.all().delete()  # what the old rules said no longer counts
    assert standings.stale() and standings.current_build() is None
    rows = {r.tier: r.count for r in selectors.pyramid(actor=as_actor(officer), year=THIS_YEAR)}
    assert rows["seed"] == 1  # counted live
    assert tasks.standings_rebuild.call() == {"rebuilt": True, "enterprises": 1, "seconds": pytest.approx(0, abs=60)}
    assert not standings.stale() and Standing.objects.filter(enterprise=seedling_co).exists()
    assert tasks.standings_rebuild.call() == {"rebuilt": False}


def test_a_year_past_the_build_is_counted_live(officer, seedling_co):
    standings.rebuild(today=dt.date(THIS_YEAR, 1, 1))
    last = StandingsBuild.objects.get().last_year
    assert not Standing.objects.filter(year__gt=last).exists()
    rows = {r.tier: r.by_year for r in selectors.pyramid(actor=as_actor(officer), year=last + 1)}
    assert rows["seed"][last + 1] == 0  # too old by then to be a seed, counted live all the same
    assert standings.stale(today=dt.date(last, 1, 1))


def test_before_any_build_writes_keep_no_standings(seedling_co):
    assert not StandingsBuild.objects.exists()
    Recognition.objects.create(enterprise=seedling_co, kind="hnte", year=THIS_YEAR - 1)
    assert not Standing.objects.exists()


def test_an_enterprise_that_goes_takes_its_standings(seedling_co):
    standings.rebuild()
    YearlyFacts.objects.filter(enterprise=seedling_co).delete()
    assert not Standing.objects.filter(enterprise=seedling_co).exists()
