"""Personas by role, each a real account made through the services, and sign-in helpers."""

from __future__ import annotations

import itertools

import pytest
from django.core.cache import cache
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from rainforest.accounts import services
from rainforest.accounts.choices import PRIVILEGED_ROLES, OrganisationKind, Role
from rainforest.accounts.permissions import Principal
from rainforest.core import uscc

SYSTEM = Principal.system("system:tests")
PASSWORD = "Seedling#2027x"
_codes = itertools.count(10_000_000)


def new_uscc(division: str = "330108", authority: str = "9", kind: str = "1") -> str:
    body = f"{next(_codes):08d}"
    return uscc.build(authority, kind, division, body)


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_match_engine():
    """Each test's database starts over, so each test's workers must index it afresh."""
    from rainforest.matching.engine import reset_engine

    reset_engine()
    yield
    reset_engine()


@pytest.fixture(scope="session")
def _audit_checkpoint_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("audit-checkpoints")


_checkpoint_files = itertools.count(1)


@pytest.fixture(autouse=True)
def _own_audit_checkpoints(settings, monkeypatch, _audit_checkpoint_dir):
    """Each test's database starts over, so its audit checkpoints must too (and a command a test
    starts in another process writes the same file)."""
    path = _audit_checkpoint_dir / f"{next(_checkpoint_files)}.jsonl"
    settings.AUDIT_CHECKPOINTS = path
    monkeypatch.setenv("RAINFOREST_AUDIT_CHECKPOINTS", str(path))
    return path


@pytest.fixture
def make_org(db):
    def make(name="测试机构", kind=OrganisationKind.ENTERPRISE, district="滨江区"):
        return services.organisation_create(actor=SYSTEM, name=name, kind=kind, uscc=new_uscc(), district=district)

    return make


@pytest.fixture
def make_user(db, make_org):
    def make(username, role=None, organisation=None):
        user = services.user_create(actor=SYSTEM, username=username, password=PASSWORD)
        if role:
            org = organisation or make_org(name=f"{username}的机构")
            services.membership_grant(actor=SYSTEM, user=user, organisation=org, role=role)
            if role in PRIVILEGED_ROLES:
                TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        return user

    return make


def current_code(user) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def sign_in(client, user, password=PASSWORD):
    """The whole sign-in a person does: password, then the TOTP code where the role needs it."""
    response = client.post("/accounts/login/", {"username": user.username, "password": password})
    assert response.status_code == 302, response.content
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        response = client.post("/accounts/otp/", {"token": current_code(user)})
        assert response.status_code == 302, response.content
    return client


@pytest.fixture
def bureau(make_org):
    return make_org(name="杭州市科学技术局", kind=OrganisationKind.GOVERNMENT, district="")


FACTS_HEADER = "uscc,name,founded_on,fiscal_year,employees,tech_staff,rd_staff,revenue,rd_expense\n"


def register(org, founded_on="2022-03-01", years=((2024, 20, 8, 6, 3000000, 300000),)):
    """Put an enterprise organisation on the registry with some years, through the import."""
    from rainforest.registry.services import facts_import

    lines = [f"{org.uscc},{org.name},{founded_on},{y},{e},{t},{r},{rev},{rd}" for y, e, t, r, rev, rd in years]
    facts_import(actor=SYSTEM, data=(FACTS_HEADER + "\n".join(lines)).encode(), filename="fixture.csv")
    return org.enterprise


@pytest.fixture
def startup(make_org):
    org = make_org(name="杭州甲科技有限公司")
    register(org)
    return org


@pytest.fixture
def other_startup(make_org):
    org = make_org(name="杭州乙科技有限公司")
    register(org, years=((2024, 50, 20, 10, 9000000, 900000), (2025, 60, 25, 12, 12000000, 1000000)))
    return org


@pytest.fixture
def enterprise_user(make_user, startup):
    return make_user("alice", Role.ENTERPRISE_USER, startup)


@pytest.fixture
def outsider(make_user, other_startup):
    """An enterprise user of another company: must never see alice's company."""
    return make_user("charlie", Role.ENTERPRISE_USER, other_startup)


@pytest.fixture
def officer(make_user, bureau):
    return make_user("olivia", Role.PROGRAMME_OFFICER, bureau)


@pytest.fixture
def expert(make_user):
    return make_user("ethan", Role.EXPERT)


@pytest.fixture
def fund_manager(make_user):
    return make_user("fiona", Role.FUND_MANAGER)


@pytest.fixture
def publisher(make_user, bureau):
    return make_user("paul", Role.SCENARIO_PUBLISHER, bureau)


@pytest.fixture
def sysadmin(make_user, bureau):
    return make_user("sam", Role.SYSTEM_ADMIN, bureau)


@pytest.fixture
def secadmin(make_user, bureau):
    return make_user("sec", Role.SECURITY_ADMIN, bureau)


@pytest.fixture
def auditor(make_user, bureau):
    return make_user("audra", Role.AUDIT_ADMIN, bureau)
