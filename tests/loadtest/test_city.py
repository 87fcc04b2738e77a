"""`rainforest bench city`: the registry grown to scale, and the targets judged from the timings."""

import pytest

from rainforest.loadtest import city
from rainforest.loadtest.city_grow import grow
from rainforest.registry.models import Enterprise, YearlyFacts
from rainforest.seedling.models import Standing, StandingsBuild


@pytest.mark.django_db
def test_the_registry_grows_to_the_size_asked_with_five_years_each_and_standings_built():
    said = []
    grow(40, write=said.append)
    assert Enterprise.objects.count() == 40
    years = YearlyFacts.objects.values_list("fiscal_year", flat=True).distinct()
    assert len(set(years)) == 5
    assert StandingsBuild.objects.get().enterprises == 40
    assert Standing.objects.values("enterprise").distinct().count() == 40
    grow(40, write=said.append)  # already that size: nothing is added
    assert Enterprise.objects.count() == 40


def _figures(**medians):
    timings = {label: {"url": "/", "status": 200, "median_ms": ms, "queries": 4} for label, ms in medians.items()}
    return {"enterprises": 120_000, "facts_rows": 560_000, "timings": timings}


def test_every_target_met_reports_no_miss():
    figures = _figures(**{"floor: me": 10.0, "pyramid page": 499.0, "registry list, last page": 299.0})
    report, misses = city.lines(figures)
    assert misses == []
    assert any("120,000 enterprises" in line for line in report)
    assert any("49.9×" in line for line in report)  # the pyramid against the floor measured in the same run


def test_a_slow_page_and_an_error_are_both_misses():
    figures = _figures(**{"floor: me": 10.0, "pyramid API": 501.0, "fund deals API, first page": 301.0})
    figures["timings"]["scenarios API, last page"] = {"url": "/x", "status": 500, "median_ms": None}
    _report, misses = city.lines(figures)
    assert misses == ["pyramid API: 501 ms > 500 ms", "fund deals API, first page: 301 ms > 300 ms",
                      "scenarios API, last page: answered 500"]  # fmt: skip


def test_the_scratch_database_must_be_a_loadtest_one(tmp_path):
    with pytest.raises(ValueError, match="must start with 'rf_load'"):
        city.prepare(city.CityOptions(database="rainforest", folder=tmp_path), print)
