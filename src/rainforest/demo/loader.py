"""Load the demo city through the platform's own services, and create one account per role."""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass
from hashlib import sha256

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from rainforest.accounts import services as accounts
from rainforest.accounts.choices import PRIVILEGED_ROLES, Role
from rainforest.accounts.models import Organisation, User
from rainforest.accounts.permissions import Principal
from rainforest.core.facts import writer
from rainforest.demo import clock
from rainforest.demo.city import City, build_city
from rainforest.registry import services as registry
from rainforest.registry.models import Enterprise, FinancingRound, Recognition

DEMO_PASSWORD = "Rainforest#2026"
ACTOR = Principal.system("system:demo")


@dataclass
class DemoAccount:
    username: str
    role: str
    organisation: str
    totp_key: str = ""  # base32, for an authenticator app


def _accounts_plan(city: City) -> list[tuple[str, str, str, str]]:
    bureau = city.departments[0].name  # 杭州市科学技术局 runs the platform
    # A start-up a few years old, so its page shows several years of figures.
    young = next(c for c in city.companies if city.as_of.year - 4 <= c.founded_on.year <= city.as_of.year - 3)
    return [
        ("enterprise", "张三", Role.ENTERPRISE_USER, young.name),
        ("publisher", "李四", Role.SCENARIO_PUBLISHER, city.departments[1].name),
        ("officer", "王五", Role.PROGRAMME_OFFICER, bureau),
        ("expert", "赵六", Role.EXPERT, "浙江大学"),
        ("fundmanager", "钱七", Role.FUND_MANAGER, "杭州市科创集团有限公司"),
        ("sysadmin", "孙八", Role.SYSTEM_ADMIN, bureau),
        ("secadmin", "周九", Role.SECURITY_ADMIN, bureau),
        ("auditor", "吴十", Role.AUDIT_ADMIN, bureau),
    ]


def is_loaded() -> bool:
    return User.objects.filter(username="officer").exists()


# Fiscal years of facts per enterprise: 2022 to 2025, so the pyramid has its history from 2022.
YEARS_OF_FACTS = 4


def load(seed: int = 2026, enterprises: int = 2400) -> list[DemoAccount]:
    """The registry as of the city's snapshot date; the programmes' stories end on the day the demo
    is built (today), each step run on the day it happened (demo.clock)."""
    today = timezone.localdate()
    city = build_city(seed=seed, enterprises=enterprises, years_of_facts=YEARS_OF_FACTS)
    with transaction.atomic():
        with clock.on(min(clock.PLATFORM_START, today)):
            for carrier in [*city.departments, *city.carriers]:
                accounts.organisation_create(
                    actor=ACTOR, name=carrier.name, kind=carrier.kind, uscc=carrier.uscc,
                    district=carrier.district,
                )  # fmt: skip
        with clock.on(min(city.as_of, today)):  # the registry's latest snapshot
            rows = [row for company in city.companies for row in company.rows]
            registry.facts_import(actor=ACTOR, data=writer.to_csv(rows), filename="demo-city.csv", today=city.as_of)
            by_code = {e.organisation.uscc: e for e in Enterprise.objects.select_related("organisation")}
            registry.recognitions_record(actor=ACTOR, items=[
                Recognition(enterprise=by_code[c.uscc], kind=kind, year=year, valid_from=start,
                            valid_until=until)
                for c in city.companies for kind, year, start, until in c.recognitions
            ])  # fmt: skip
            registry.financing_rounds_record(actor=ACTOR, items=[
                FinancingRound(enterprise=by_code[c.uscc], round=r, closed_on=closed, amount=amount,
                               post_money=post)
                for c in city.companies for r, closed, amount, post in c.rounds
            ])  # fmt: skip
        with clock.on(min(clock.PLATFORM_START, today)):
            _create_accounts(city, seed)
        # The accounts date from the platform's start, but their shared password is handed out today:
        # otherwise every privileged demo account would be sent to change an expired password.
        User.objects.filter(username__in=[a[0] for a in _accounts_plan(city)]).update(
            password_changed_at=timezone.now()
        )
    # The pyramid's standings, built once here; from then on each write keeps them exact.
    from rainforest.seedling import standings

    standings.rebuild()
    # One screening of the whole registry, so officers find a run to drill into.
    from rainforest.policy.services import screening_run

    screening_run(actor=ACTOR, as_of=today)
    from rainforest.demo.exchange import load_exchange

    load_exchange(seed, today)
    from rainforest.demo.seedling import load_seedling

    load_seedling(seed, today)
    from rainforest.demo.fund import load_fund

    load_fund(seed, today)
    from rainforest.demo.cockpit import load_cockpit

    load_cockpit(today)
    return accounts_summary(seed)


def _create_accounts(city: City, seed: int) -> list[DemoAccount]:
    out = []
    for username, display, role, org_name in _accounts_plan(city):
        user = accounts.user_create(actor=ACTOR, username=username, password=DEMO_PASSWORD, display_name=display)
        organisation = Organisation.objects.get(name=org_name)
        accounts.membership_grant(actor=ACTOR, user=user, organisation=organisation, role=role)
        account = DemoAccount(username, role, org_name)
        if role in PRIVILEGED_ROLES:
            account.totp_key = demo_totp(user, seed)
        out.append(account)
    return out


def demo_totp(user, seed: int) -> str:
    """A fixed TOTP key per demo account, so the printout stays valid across reloads."""
    key = sha256(f"{seed}:{user.username}".encode()).digest()[:20]
    TOTPDevice.objects.create(user=user, name="demo", key=key.hex(), confirmed=True)
    return b32encode(key).decode()


def accounts_summary(seed: int = 2026) -> list[DemoAccount]:
    """The demo accounts as loaded, for printing again on later runs."""
    out = []
    for user in User.objects.filter(memberships__isnull=False).distinct().order_by("pk")[:20]:
        m = user.memberships.select_related("organisation").first()
        key = sha256(f"{seed}:{user.username}".encode()).digest()[:20]
        totp = b32encode(key).decode() if m.role in PRIVILEGED_ROLES else ""
        out.append(DemoAccount(user.username, m.role, m.organisation.name, totp))
    return out
