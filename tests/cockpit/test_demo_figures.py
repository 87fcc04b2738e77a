"""The demo's entered statistics: five years, marked as demo figures except the brief's own."""

import datetime as dt

import pytest

from rainforest.cockpit import selectors
from rainforest.cockpit.models import Observation
from rainforest.demo.cockpit import load_cockpit

pytestmark = pytest.mark.django_db


def test_the_demo_statistics_are_marked_and_tell_a_story():
    rows = load_cockpit(dt.date(2026, 12, 4))
    assert rows == Observation.objects.count() == 28
    brief = Observation.objects.filter(demo=False)
    assert sorted((o.indicator.code, o.year, o.month, str(o.value)) for o in brief) == [
        ("ai_core_output_growth", 2025, 10, "22.400000"),
        ("ai_core_revenue_growth", 2025, 10, "26.300000"),
    ]
    today = dt.date(2026, 12, 4)
    cockpit = {r.definition.code: r for r in selectors.cockpit(actor=selectors_reader(), today=today)}
    assert cockpit["fiscal_st_growth"].trajectory.status == "on_track"  # 9.1 % against 5.3 % in 2025
    assert [p.year for p in cockpit["rd_intensity"].points] == [2022, 2023, 2024, 2025]  # the last five years shown
    assert cockpit["rd_intensity"].trajectory.status == "on_track"  # 4.10 % in 2025, 4.5 % by 2030
    assert cockpit["ai_core_revenue_growth"].latest.month == 10


def test_a_year_not_over_yet_is_not_loaded():
    load_cockpit(dt.date(2025, 6, 1))
    assert not Observation.objects.filter(year=2025).exists()


def selectors_reader():
    from rainforest.accounts.permissions import Principal

    return Principal.system("test")
