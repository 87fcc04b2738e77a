import pytest

from rainforest.accounts.models import Membership, Organisation
from rainforest.audit import trail
from rainforest.core import uscc
from rainforest.core.facts.schema import NAMES
from rainforest.core.facts.validate import validate_rows
from rainforest.core.facts.writer import cell_text
from rainforest.demo import loader
from rainforest.demo.city import build_city


@pytest.fixture(scope="module")
def city():
    return build_city(seed=2026)


def test_the_same_seed_builds_the_same_city(city):
    again = build_city(seed=2026)
    assert [c.rows for c in again.companies[:50]] == [c.rows for c in city.companies[:50]]
    assert build_city(seed=7).companies[0].uscc != city.companies[0].uscc


def test_carriers_and_enterprises_as_the_city_has_them(city):
    kinds = [c.kind for c in city.carriers]
    assert kinds.count("poc_centre") == 36 and kinds.count("pilot_base") == 28
    assert len(city.companies) >= 2000
    young = [c for c in city.companies if c.founded_on > city.as_of.replace(year=city.as_of.year - 5)]
    assert 300 <= len(young) <= 1200
    hnte = [c for c in city.companies if any(r[0] == "hnte" for r in c.recognitions)]
    assert 0.1 <= len(hnte) / len(city.companies) <= 0.4
    leaders = [c for c in city.companies if c.is_leader]
    assert 5 <= len(leaders) <= 20
    assert min(c.rows[-1]["revenue"] for c in leaders) > 1e9


def test_every_code_is_valid_and_unique(city):
    codes = [c.uscc for c in city.companies] + [c.uscc for c in city.carriers + city.departments]
    assert len(set(codes)) == len(codes)
    assert all(uscc.is_valid(code) for code in codes)


def test_every_row_passes_the_import_rules(city):
    rows = [[cell_text(r[n]) for n in NAMES] for c in city.companies for r in c.rows]
    result = validate_rows(list(NAMES), rows, city.as_of)
    assert result.ok, result.problems[:5]
    assert sum(len(c.rows) for c in city.companies) >= 3 * 2000 * 0.9


def test_figures_are_internally_consistent(city):
    for company in city.companies:
        raised = [r["financing_total"] for r in company.rows]
        assert raised == sorted(raised)  # cumulative financing never shrinks
        for r in company.rows:
            assert r["rd_staff"] <= r["tech_staff"] <= r["employees"]
            assert r["net_assets"] <= r["total_assets"]
            assert r["fiscal_year"] >= company.founded_on.year


def test_a_small_demo_loads_through_the_services(db):
    accounts = loader.load(seed=11, enterprises=40)
    assert {a.role for a in accounts} == set(Membership.objects.values_list("role", flat=True))
    # one per role, two more experts for the exchange's panels, and the fund committee's other three seats
    assert len(accounts) == 13
    assert all(a.totp_key for a in accounts if a.role not in ("enterprise_user", "scenario_publisher"))
    assert Organisation.objects.filter(kind="poc_centre").count() == 36
    assert trail.verify().ok
    from rainforest.exchange.models import Call, PublishedList, Scenario

    assert Scenario.objects.filter(kind="typical").count() == 35
    assert Scenario.objects.filter(kind="cultivation").count() == 20
    assert set(Call.objects.values_list("status", flat=True)) == {"open", "review", "notice", "final"}
    assert PublishedList.objects.filter(kind="capabilities").exists()
    from rainforest.fund.models import CommitteeMember, Deal
    from rainforest.seedling.models import MeasureApplication, SelectionRound

    assert SelectionRound.objects.filter(status="review").exists() and MeasureApplication.objects.exists()
    assert CommitteeMember.objects.filter(until=None).count() == 7
    assert CommitteeMember.objects.filter(until=None, external=True).count() == 4
    assert Deal.objects.filter(stage="sourced").exists()
    assert loader.is_loaded()
    assert [a.username for a in loader.accounts_summary(11)] == [a.username for a in accounts]


def test_demo_advance_is_refused_outside_demo_mode(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="Only in demo mode"):
        call_command("demo_advance", "1")


def test_demo_advance_moves_a_deadline_and_a_notice(db, settings):
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from rainforest.demo import loader
    from rainforest.exchange.models import Call

    settings.DEMO = True
    loader.load(seed=3, enterprises=40)
    call = Call.objects.filter(status="open").first()
    call_command("demo_advance", str(call.pk))
    call.refresh_from_db()
    assert call.closes_at < timezone.now()
    noticed = Call.objects.filter(status="notice").first()
    call_command("demo_advance", str(noticed.pk))
    assert noticed.notices.get().ends_on == timezone.localdate() - dt.timedelta(days=1)
