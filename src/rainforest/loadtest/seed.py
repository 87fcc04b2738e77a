"""The load's people and its call, made through the platform's own services in a child process
pointed at the scratch database (`python -m rainforest.loadtest.seed`), which writes the manifest
the locustfile reads.

Each enterprise is its own organisation with one enterprise user; officers (with a TOTP device) sit
in the bureau, publishers in the department that publishes the call's scenario. Accounts already
there (a kept database) are reused; every run opens a new call on a new scenario closing
``--minutes-left`` from now, so one run's submissions never mix with another's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
from pathlib import Path

LABEL = "system:loadtest"
RUBRIC = [("技术方案先进性", 40, 10), ("实施能力", 35, 10), ("经济性", 25, 10)]


def _principals():
    from rainforest.accounts.permissions import Principal

    return Principal.system(LABEL), lambda org: Principal.system_for(org, LABEL)


def _organisation_of(role: str):
    from rainforest.accounts.models import Membership

    membership = Membership.objects.filter(role=role).select_related("organisation").order_by("pk").first()
    if membership is None:
        raise SystemExit(f"the scratch database has no {role}: build the demo city first")
    return membership.organisation


def _user(username: str, password: str, role: str, organisation):
    """The account, made once; None when it already existed (a kept database)."""
    from django.db import transaction

    from rainforest.accounts import services as accounts
    from rainforest.accounts.models import User

    if User.objects.filter(username=username).exists():
        return None
    system, _as = _principals()
    with transaction.atomic():
        user = accounts.user_create(actor=system, username=username, password=password, display_name=username)
        accounts.membership_grant(actor=system, user=user, organisation=organisation, role=role)
    return user


def _enterprise(number: int, password: str) -> dict:
    from django.db import transaction

    from rainforest.accounts import services as accounts
    from rainforest.accounts.choices import OrganisationKind, Role
    from rainforest.accounts.models import Organisation
    from rainforest.core import uscc
    from rainforest.core.districts import DISTRICTS

    username = f"load-ent-{number:03d}"
    name = f"负载测试企业{number:03d}科技有限公司"
    organisation = Organisation.objects.filter(name=name).first()
    if organisation is None:
        system, _as = _principals()
        code = uscc.build("9", "1", "330108", f"L{number:07d}")
        with transaction.atomic():
            organisation = accounts.organisation_create(
                actor=system, name=name, kind=OrganisationKind.ENTERPRISE, uscc=code,
                district=list(DISTRICTS)[number % len(DISTRICTS)],
            )  # fmt: skip
    _user(username, password, Role.ENTERPRISE_USER, organisation)
    return {"username": username, "password": password, "organisation": name, "organisation_id": organisation.pk}


def _officer(number: int, password: str) -> dict:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from rainforest.accounts.choices import Role

    username = f"load-officer-{number}"
    user = _user(username, password, Role.PROGRAMME_OFFICER, _organisation_of(Role.PROGRAMME_OFFICER))
    if user is not None:
        TOTPDevice.objects.create(user=user, name="loadtest", confirmed=True)  # a random key
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    return {"username": username, "password": password, "totp_key": device.key}


def _publisher(number: int, password: str, organisation) -> dict:
    from rainforest.accounts.choices import Role

    username = f"load-publisher-{number}"
    _user(username, password, Role.SCENARIO_PUBLISHER, organisation)
    return {"username": username, "password": password, "totp_key": ""}


def _open_call(publisher, minutes_left: int):
    """A new published scenario of the publisher's, and its call closing ``minutes_left`` from now."""
    from django.db import transaction
    from django.utils import timezone

    from rainforest.exchange.models import Scenario
    from rainforest.exchange.services import calls, scenarios

    system, _as = _principals()
    now = timezone.now()
    with transaction.atomic():
        scenario = scenarios.scenario_create(
            actor=_as(publisher),
            title=f"截止日负载测试：智能巡检机器人应用场景（{timezone.localtime(now):%Y-%m-%d %H:%M:%S}）",
            domain="patrol", focus_area="governance", kind="typical",
            problem="管网与变电设施巡检范围大、环境危险，需要机器人替代人工完成日常巡检。",
            site="滨江区示范点", resources="开放场地与运行数据接口。", constraints="须通过现场安全测试。",
            min_trl=5, budget_min=500_000, budget_max=3_000_000, district="滨江区",
            contact_name="项目联系人", contact_phone="0571-88880000", contact_public=False,
        )  # fmt: skip
        scenarios.scenario_move(actor=_as(publisher), scenario=scenario, action="submit")
        scenarios.scenario_move(actor=system, scenario=scenario, action="approve")
        year = timezone.localdate().year
        scenarios.list_publish(
            actor=system, kind="scenarios", year=year, number=scenarios.next_batch_number("scenarios", year),
            title=f"{year}年 截止日负载测试批次", ids=[scenario.pk],
        )  # fmt: skip
        call = calls.call_open(
            actor=_as(publisher), scenario=Scenario.objects.get(pk=scenario.pk),
            opens_at=now - dt.timedelta(minutes=5), closes_at=now + dt.timedelta(minutes=minutes_left),
            rubric=RUBRIC,
        )  # fmt: skip
    return scenario, call


def seed(*, enterprises: int, officers: int, publishers: int, password: str, minutes_left: int) -> dict:
    """Accounts (made or found) and a new open call, as the manifest the locustfile reads."""
    from rainforest.accounts.choices import Role
    from rainforest.exchange.choices import Domain
    from rainforest.exchange.models import Scenario
    from rainforest.exchange.selectors import PUBLIC_STATES

    publisher_org = _organisation_of(Role.SCENARIO_PUBLISHER)
    manifest = {
        "enterprises": [_enterprise(n, password) for n in range(1, enterprises + 1)],
        "officers": [_officer(n, password) for n in range(1, officers + 1)],
        "publishers": [_publisher(n, password, publisher_org) for n in range(1, publishers + 1)],
    }
    scenario, call = _open_call(publisher_org, minutes_left)
    public = Scenario.objects.filter(status__in=PUBLIC_STATES).order_by("pk").values_list("pk", flat=True)
    return manifest | {
        "call_id": call.pk,
        "scenario_id": scenario.pk,
        "closes_at": call.closes_at.isoformat(),
        "scenario_ids": list(public),
        "domains": list(Domain.values),
        "password": password,
    }


def new_password() -> str:
    """One per scratch database: four character classes, as the security policy asks."""
    return f"Load#{secrets.token_hex(8)}Q7"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("manifest", type=Path)
    parser.add_argument("--enterprises", type=int, required=True)
    parser.add_argument("--officers", type=int, default=2)
    parser.add_argument("--publishers", type=int, default=1)
    parser.add_argument("--password", default="")
    parser.add_argument("--minutes-left", type=int, default=60)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rainforest.settings")
    import django

    django.setup()
    manifest = seed(
        enterprises=args.enterprises,
        officers=args.officers,
        publishers=args.publishers,
        password=args.password or new_password(),
        minutes_left=args.minutes_left,
    )
    args.manifest.write_text(json.dumps(manifest, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
