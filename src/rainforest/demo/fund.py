"""The demo Seedling fund: a seven-member committee (four external), about thirty deals in every
stage, cap tables with an angel round before the fund's, two SAFEs, a follow-on beside a relay
round by another city fund, one exit and one write-off. Through the services; the fund launched
on 2025-11-18 (policy-spec RF-03), so every closing falls after it."""

from __future__ import annotations

import datetime as dt
import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rainforest.accounts import services as accounts
from rainforest.accounts.choices import Role
from rainforest.accounts.models import Organisation
from rainforest.demo.exchange import SYSTEM, _user
from rainforest.fund import services
from rainforest.fund.choices import FlowKind, Source
from rainforest.registry.models import Enterprise
from rainforest.seedling.eligibility import tier_results

LAUNCH = dt.date(2025, 11, 18)
PLAN = (
    ["sourced"] * 5
    + ["screening"] * 4
    + ["diligence"] * 4
    + ["committee"] * 3
    + ["term_sheet"] * 2
    + ["closing"] * 2
    + ["portfolio"] * 8
    + ["exited"]
    + ["written_off"]
)


def _members(seed: int) -> list:
    from rainforest.demo.loader import demo_totp

    fund_org = Organisation.objects.get(name="杭州市科创集团有限公司")
    made = [_user("fundmanager")]
    for username, role, org in (
        ("fundmanager2", Role.FUND_MANAGER, fund_org),
        ("fundmanager3", Role.FUND_MANAGER, fund_org),
        ("expert4", Role.EXPERT, Organisation.objects.get(name="之江实验室")),
    ):
        user = accounts.user_create(actor=SYSTEM, username=username, password="Rainforest#2026", display_name=username)
        accounts.membership_grant(actor=SYSTEM, user=user, organisation=org, role=role)
        demo_totp(user, seed)
        made.append(_user(username))
    manager = made[0]
    for principal in made[:3]:
        services.committee_seat(actor=manager, user=principal.user, external=False)
    for name in ("expert", "expert2", "expert3", "expert4"):
        services.committee_seat(actor=manager, user=_user(name).user, external=True)
    return [made[0], made[1], made[2], *(_user(n) for n in ("expert", "expert2", "expert3", "expert4"))]


def _to(fm, deal, stage: str) -> None:
    order = ["screen", "diligence", "committee", "term_sheet", "closing", "portfolio"]
    target = {"screening": 1, "diligence": 2, "committee": 3, "term_sheet": 4, "closing": 5, "portfolio": 6}[stage]
    for action in order[:target]:
        if action == "committee":
            for item in list(deal.checklist):
                services.checklist_set(actor=fm, deal=deal, item=item, done=True, note="已完成")
        services.deal_move(actor=fm, deal=deal, action=action, reason="演示：推进")
        deal.refresh_from_db()


def _table(fm, deal, founded: dt.date, rng) -> None:
    services.table_event_add(actor=fm, deal=deal, on=founded, kind="issue", holder="创始人甲", units=6_000_000)
    services.table_event_add(actor=fm, deal=deal, on=founded, kind="issue", holder="创始人乙", units=3_000_000)
    services.table_event_add(actor=fm, deal=deal, on=founded + dt.timedelta(days=200), kind="pool", units=1_000_000)
    services.table_event_add(actor=fm, deal=deal, on=founded + dt.timedelta(days=260), kind="grant", units=400_000)


def _fund_round(fm, members, deal, on: dt.date, rng, *, approve: bool = True, record: bool = True):
    amount = rng.choice([1_000_000, 2_000_000, 3_000_000, 4_000_000, 5_000_000])
    pre = amount * rng.choice([6, 8, 10])
    proposed = services.round_propose(
        actor=fm,
        deal=deal,
        name=rng.choice(["天使轮", "种子轮", "Pre-A轮"]),
        on=on,
        pre_money=str(pre),
        investors=[
            {"name": "润苗基金", "amount": str(amount), "is_fund": True},
            {"name": rng.choice(["某天使投资人", "某创投基金"]), "amount": str(amount // 2)},
        ],
    )
    meeting = services.meeting_open(actor=fm, round=proposed, held_on=on - dt.timedelta(days=14))
    if not approve:
        return proposed
    for i, member in enumerate(members):
        services.ballot_cast(
            actor=member,
            meeting=meeting,
            vote="abstain" if i == 6 and rng.random() < 0.3 else "for",
            conditions="交割前完成知识产权转让" if i == 3 else "",
        )
    services.meeting_decide(actor=fm, meeting=meeting, minutes="投委会审议合规报告，表决通过。")
    if record:
        services.round_record(actor=fm, round=proposed)
    return proposed


@transaction.atomic
def load_fund(seed: int, year: int) -> None:
    rng = random.Random(seed + 13)
    members = _members(seed)
    fm = members[0]
    today = timezone.localdate()
    young = Enterprise.objects.filter(founded_on__gt=dt.date(year - 5, 1, 1), founded_on__lt=dt.date(year - 1, 1, 1))
    pool = [
        e
        for e in young.select_related("organisation").order_by("pk")[:400]
        if tier_results(e, today)["fund_target"].verdict != "ineligible"
    ]
    rng.shuffle(pool)
    sources = list(Source.values)
    portfolio = []
    for stage, enterprise in zip(PLAN, pool, strict=False):
        deal = services.deal_create(
            actor=fm,
            enterprise=enterprise,
            source=rng.choice(sources),
            referrer=rng.choice(["浙江大学", "杭州市经信局", "某孵化器", "杭创E站", ""]),
        )
        _table(fm, deal, enterprise.founded_on, rng)
        if stage in ("sourced",):
            continue
        if stage in ("screening", "diligence"):
            _to(fm, deal, stage)
            continue
        closing = LAUNCH + dt.timedelta(days=rng.randint(20, max(21, (today - LAUNCH).days - 30)))
        _to(fm, deal, "committee")
        try:
            if stage == "committee":
                _fund_round(fm, members, deal, min(today, closing), rng, approve=False)
                continue
            _fund_round(
                fm, members, deal, closing, rng, record=stage not in ("term_sheet", "closing") or stage == "closing"
            )
        except ValidationError:
            continue  # the committee cannot approve what fails the rules: the deal waits at committee
        deal.refresh_from_db()
        if stage == "term_sheet":
            services.deal_move(actor=fm, deal=deal, action="term_sheet")
            continue
        services.deal_move(actor=fm, deal=deal, action="term_sheet")
        services.deal_move(actor=fm, deal=deal, action="closing")
        if stage == "closing":
            continue
        services.deal_move(actor=fm, deal=deal, action="portfolio")
        deal.refresh_from_db()
        portfolio.append((deal, closing, stage))

    for i, (deal, closing, stage) in enumerate(portfolio):
        later = min(today, closing + dt.timedelta(days=rng.randint(60, 200)))
        if i == 0:  # a relay round led by another city fund, with the fund's pro-rata follow-on
            proposed = services.round_propose(
                actor=fm,
                deal=deal,
                name="A轮",
                on=later,
                pre_money="150000000",
                investors=[
                    {"name": "润苗基金", "amount": "1500000", "is_fund": True},
                    {"name": "杭州科创基金", "amount": "20000000", "city_fund": True},
                ],
            )
            meeting = services.meeting_open(actor=fm, round=proposed, held_on=later - dt.timedelta(days=7))
            for member in members:
                services.ballot_cast(actor=member, meeting=meeting, vote="for")
            services.meeting_decide(actor=fm, meeting=meeting, minutes="同意跟投，保持持股比例。")
            services.round_record(actor=fm, round=proposed)
        elif i in (1, 2):  # a SAFE bought after the fund's round, converting in a later round by others
            services.flow_record(
                actor=fm, deal=deal, on=closing + dt.timedelta(days=30), amount="1000000", kind=FlowKind.FOLLOW_ON
            )
            proposed = services.round_propose(
                actor=fm,
                deal=deal,
                name="Pre-A轮",
                on=later,
                pre_money="80000000",
                investors=[{"name": "某创投基金", "amount": "10000000"}],
                convertibles=[{"holder": "润苗基金", "amount": "1000000", "cap": "40000000", "discount": "0.2"}],
            )
            services.round_record(
                actor=fm, round=proposed, acknowledge="SAFE 转股，已知悉" if proposed.verdict != "eligible" else ""
            )
        if stage == "exited":
            services.flow_record(actor=fm, deal=deal, on=later, amount="9000000")
            services.deal_move(actor=fm, deal=deal, action="exit", reason="被产业方并购，全部退出。")
        if stage == "written_off":
            services.deal_move(actor=fm, deal=deal, action="write_off", reason="公司停止经营，进入清算。")
