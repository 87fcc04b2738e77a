import datetime as dt

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
    # The shared password is handed out today: no privileged account is sent to change it.
    from django.test import Client
    from django.utils import timezone

    from rainforest.accounts.models import User
    from tests.conftest import current_code

    officer = User.objects.get(username="officer")
    assert timezone.now() - officer.password_changed_at < dt.timedelta(minutes=5)
    client = Client()
    client.post("/accounts/login/", {"username": "officer", "password": loader.DEMO_PASSWORD})
    signed = client.post("/accounts/otp/", {"token": current_code(officer)})
    assert signed.status_code == 302 and "password" not in signed["Location"]
    assert client.get("/cockpit/").status_code == 200


@pytest.mark.parametrize("command", [("demo_advance", "1"), ("demo_otp", "officer")])
def test_demo_commands_refuse_a_database_the_demo_did_not_create(db, settings, command):
    """Even in demo mode (the command line sets it for them), without the demo's mark in the
    database nothing moves and no code is printed."""
    from django.core.management import CommandError, call_command

    settings.DEMO = True
    with pytest.raises(CommandError, match="not created by `rainforest demo`"):
        call_command(*command)


def test_the_demo_refuses_to_fill_a_database_that_holds_real_data(db, settings, make_org):
    from django.core.management import CommandError, call_command

    from rainforest.accounts.models import User
    from rainforest.demo.models import DemoInstallation

    settings.DEMO = True
    make_org("杭州市某真实单位")
    with pytest.raises(CommandError, match="not created by `rainforest demo`"):
        call_command("demo", "--no-serve", "--enterprises", "40")
    assert not DemoInstallation.objects.exists() and not User.objects.filter(username="officer").exists()


def test_the_demo_marks_the_empty_database_it_fills_and_its_commands_then_work(db, settings, capsys, tmp_path):
    from django.core.management import call_command

    from rainforest.demo.models import DemoInstallation

    settings.DEMO = True
    settings.MATCH_INDEX_DIR = tmp_path  # the demo saves its indexes: never where other tests' engines load
    call_command("demo", "--no-serve", "--enterprises", "40", "--seed", "5")
    assert DemoInstallation.objects.get().seed == 5
    capsys.readouterr()
    call_command("demo_otp", "officer")
    assert capsys.readouterr().out.strip().isdigit()


def test_outside_demo_mode_the_demo_app_is_not_installed():
    import subprocess
    import sys

    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='rainforest.settings'; django.setup(); "
        "from django.conf import settings; print('rainforest.demo' in settings.INSTALLED_APPS)"
    )
    env = {"SECRET_KEY": "x" * 50, "RAINFOREST_AUDIT_KEY": "ab" * 32, "PATH": "/usr/bin:/bin",
           "RAINFOREST_VAR_DIR": "/tmp/rf-no-demo"}  # fmt: skip
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_demo_advance_moves_a_deadline_and_a_notice(db, settings):
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from rainforest.demo import guard, loader
    from rainforest.exchange.calendar import is_working_day
    from rainforest.exchange.models import Call

    settings.DEMO = True
    guard.mark(3)
    loader.load(seed=3, enterprises=40)
    call = Call.objects.filter(status="open").first()
    call_command("demo_advance", str(call.pk))
    call.refresh_from_db()
    assert call.closes_at < timezone.now()
    noticed = Call.objects.filter(status="notice").first()
    call_command("demo_advance", str(noticed.pk))
    notice = noticed.notices.get()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert notice.ends_on <= yesterday and not any(
        is_working_day(notice.ends_on + dt.timedelta(days=i)) for i in range(1, (yesterday - notice.ends_on).days + 1)
    )  # the last working day before today
    span = [notice.starts_on + dt.timedelta(days=i) for i in range((notice.ends_on - notice.starts_on).days + 1)]
    assert sum(map(is_working_day, span)) == 5  # still five real working days


def test_the_demo_writes_nothing_to_a_database_migrated_without_it(tmp_path):
    """A real installation is migrated without the demo app: `rainforest demo` refuses before it runs
    a migration there (it used to add its own table and migration row first, then refuse)."""
    import os
    import sqlite3
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAINFOREST_", "DATABASE_URL", "REDIS_URL"))}
    env |= {"RAINFOREST_VAR_DIR": str(tmp_path), "SECRET_KEY": "k" * 50, "RAINFOREST_AUDIT_KEY": "ab" * 32}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    rainforest = [sys.executable, "-m", "rainforest"]
    subprocess.run([*rainforest, "migrate", "-v", "0"], env=env, check=True, capture_output=True)
    refused = subprocess.run([*rainforest, "demo", "--no-serve"], env=env, capture_output=True, text=True)
    assert refused.returncode == 1 and "not created by `rainforest demo`" in refused.stderr
    with sqlite3.connect(tmp_path / "rainforest.sqlite3") as db:
        assert not db.execute("SELECT 1 FROM django_migrations WHERE app = 'demo'").fetchall()
        assert not db.execute("SELECT name FROM sqlite_master WHERE name LIKE 'demo_%'").fetchall()
