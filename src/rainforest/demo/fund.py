"""The demo Seedling fund, a year after its launch on 2025-11-18 (policy-spec RF-03): a seven-member
committee (four external), about thirty deals in every stage, ten companies invested in at angel
and seed valuations, cap tables with the founders and an option pool, two SAFEs converting in a
later round by others, a follow-on beside an A round led by another city fund, one small exit, one
write-down and one write-off. Every step through the services on the day it happened (demo.clock),
so the figures read like a young early-stage fund's: value near cost, a little distributed."""

from __future__ import annotations

import datetime as dt
import random

from django.core.exceptions import ValidationError
from django.db import transaction

from rainforest.accounts import services as accounts
from rainforest.accounts.choices import Role
from rainforest.accounts.models import Organisation
from rainforest.demo import clock
from rainforest.demo.exchange import SYSTEM, _user
from rainforest.fund import services
from rainforest.fund.choices import FlowKind, Source
from rainforest.fund.models import Deal, Round
from rainforest.registry.models import Enterprise
from rainforest.seedling.eligibility import tier_results

LAUNCH = dt.date(2025, 11, 18)
# Stages of the deals not (yet) invested in, and how many.
PIPELINE = ["sourced"] * 5 + ["screening"] * 4 + ["diligence"] * 4 + ["committee"] * 3
PIPELINE += ["term_sheet"] * 2 + ["closing"] * 2
CAME_IN = {"sourced": 5, "screening": 50, "diligence": 60, "committee": 75, "term_sheet": 100, "closing": 100}
# The invested companies, earliest closing first, and what happened to each since.
INVESTED = ["a_round", "safe", "safe", "exited", "held", "written_off", "written_down", "held", "held", "held"]
TICKETS = [3_000_000, 2_000_000, 3_000_000, 2_000_000, 4_000_000, 2_000_000, 3_000_000, 5_000_000, 3_000_000, 2_000_000]
PRE_MONEY_MULTIPLE = [8, 7, 8, 7, 6, 8, 7, 6, 8, 7]  # the founders' pre-money is 6-8 times the fund's ticket
ROUND_NAMES = ["天使轮", "种子轮", "Pre-A轮"]


def _day(day: dt.date) -> dt.date:
    return clock.working_day_on_or_before(day)


def _members(seed: int) -> list:
    from rainforest.demo.loader import demo_totp

    fund_org = Organisation.objects.get(name="杭州市科创集团有限公司")
    made = [_user("fundmanager")]
    with clock.on(clock.PLATFORM_START):
        for username, name, role, org in (
            ("fundmanager2", "陈三", Role.FUND_MANAGER, fund_org),
            ("fundmanager3", "褚四", Role.FUND_MANAGER, fund_org),
            ("expert4", "卫五", Role.EXPERT, Organisation.objects.get(name="之江实验室")),
        ):
            user = accounts.user_create(actor=SYSTEM, username=username, password="Rainforest#2026", display_name=name)
            accounts.membership_grant(actor=SYSTEM, user=user, organisation=org, role=role)
            demo_totp(user, seed)
            made.append(_user(username))
    manager = made[0]
    with clock.on(_day(LAUNCH - dt.timedelta(days=10))):  # the committee sits before the launch
        for principal in made[:3]:
            services.committee_seat(actor=manager, user=principal.user, external=False)
        for name in ("expert", "expert2", "expert3", "expert4"):
            services.committee_seat(actor=manager, user=_user(name).user, external=True)
    return [made[0], made[1], made[2], *(_user(n) for n in ("expert", "expert2", "expert3", "expert4"))]


def _table(fm, deal, founded: dt.date) -> None:
    services.table_event_add(actor=fm, deal=deal, on=founded, kind="issue", holder="创始人甲", units=6_000_000)
    services.table_event_add(actor=fm, deal=deal, on=founded, kind="issue", holder="创始人乙", units=3_000_000)
    services.table_event_add(actor=fm, deal=deal, on=founded + dt.timedelta(days=200), kind="pool", units=1_000_000)
    services.table_event_add(actor=fm, deal=deal, on=founded + dt.timedelta(days=260), kind="grant", units=400_000)


def _open_deal(fm, enterprise, rng, created: dt.date) -> Deal:
    with clock.on(created, hour=10):
        deal = services.deal_create(
            actor=fm,
            enterprise=enterprise,
            source=rng.choice(list(Source.values)),
            referrer=rng.choice(["浙江大学", "杭州市经信局", "某孵化器", "杭创E站", ""]),
        )
        _table(fm, deal, enterprise.founded_on)
    return deal


def _move(fm, deal, action: str, on: dt.date, reason: str = "") -> Deal:
    with clock.on(on, hour=15):
        if action == "committee":
            for item in list(deal.checklist):
                services.checklist_set(actor=fm, deal=deal, item=item, done=True, note="已完成")
        return services.deal_move(actor=fm, deal=deal, action=action, reason=reason)


def _to_committee(fm, deal, committee_on: dt.date) -> None:
    """Screening, then due diligence, then the committee: each a few weeks after the one before."""
    _move(fm, deal, "screen", _day(committee_on - dt.timedelta(days=45)))
    _move(fm, deal, "diligence", _day(committee_on - dt.timedelta(days=30)), reason="初筛通过，进入尽调")
    _move(fm, deal, "committee", _day(committee_on))


def _fund_round(fm, deal, k: int, on: dt.date, proposed_on: dt.date) -> Round:
    ticket = TICKETS[k % len(TICKETS)]
    with clock.on(proposed_on, hour=11):
        return services.round_propose(
            actor=fm,
            deal=deal,
            name=ROUND_NAMES[k % len(ROUND_NAMES)],
            on=on,
            pre_money=str(ticket * PRE_MONEY_MULTIPLE[k % len(PRE_MONEY_MULTIPLE)]),
            investors=[
                {"name": "润苗基金", "amount": str(ticket), "is_fund": True},
                {"name": ["某天使投资人", "某创投基金"][k % 2], "amount": str(ticket // 2)},
            ],
        )


def _meeting(fm, members, proposed: Round, held_on: dt.date, *, voters: int = 7, decide: bool = True):
    """The committee meets on a working day: ballots in the morning, the decision that afternoon."""
    with clock.on(held_on, hour=9):
        meeting = services.meeting_open(actor=fm, round=proposed, held_on=held_on)
    with clock.on(held_on, hour=10):
        for i, member in enumerate(members[:voters]):
            services.ballot_cast(
                actor=member,
                meeting=meeting,
                vote="abstain" if i == 6 and proposed.pk % 3 == 0 else "for",
                conditions="交割前完成知识产权转让" if i == 3 else "",
            )
    if decide:
        with clock.on(held_on, hour=16):
            services.meeting_decide(actor=fm, meeting=meeting, minutes="投委会审议合规报告，表决通过。")
    return meeting


def _invest(fm, members, deal, k: int, closing: dt.date) -> None:
    """Sourced about two and a half months before closing; the committee two weeks before."""
    committee_on = _day(closing - dt.timedelta(days=20))
    _to_committee(fm, deal, committee_on)
    proposed = _fund_round(fm, deal, k, closing, committee_on + dt.timedelta(days=1))
    _meeting(fm, members, proposed, _day(closing - dt.timedelta(days=12)))
    _move(fm, deal, "term_sheet", _day(closing - dt.timedelta(days=10)))
    _move(fm, deal, "closing", _day(closing - dt.timedelta(days=5)))
    with clock.on(closing, hour=17):
        services.round_record(actor=fm, round=proposed)
        services.deal_move(actor=fm, deal=deal, action="portfolio")


def _cost(deal: Deal) -> int:
    return int(sum(f.amount for f in deal.flows.all()))


def _after(fm, members, deal, what: str, closing: dt.date, today: dt.date) -> None:
    """What happened to an invested company since its closing."""
    post = Round.objects.filter(deal=deal, recorded=True).get().report["post_money"]
    post = int(float(post))
    if what == "a_round":  # an A round led by another city fund at twice the seed post-money; pro rata
        on = _day(min(today - dt.timedelta(days=30), closing + dt.timedelta(days=270)))
        with clock.on(on - dt.timedelta(days=12), hour=11):
            proposed = services.round_propose(
                actor=fm,
                deal=deal,
                name="A轮",
                on=on,
                pre_money=str(post * 2),
                investors=[
                    {"name": "润苗基金", "amount": "1500000", "is_fund": True},
                    {"name": "杭州科创基金", "amount": "12000000", "city_fund": True},
                ],
            )
        meeting = _meeting(fm, members, proposed, _day(on - dt.timedelta(days=7)), decide=False)
        with clock.on(meeting.held_on, hour=16):
            services.meeting_decide(actor=fm, meeting=meeting, minutes="同意跟投，保持持股比例。")
        with clock.on(on, hour=17):
            services.round_record(actor=fm, round=proposed)
    elif what == "safe":  # a SAFE bought a month after the seed round, converting at a Pre-A by others
        bought = _day(closing + dt.timedelta(days=30))
        with clock.on(bought, hour=15):
            services.flow_record(actor=fm, deal=deal, on=bought, amount="1000000", kind=FlowKind.FOLLOW_ON)
        on = _day(min(today - dt.timedelta(days=20), closing + dt.timedelta(days=200)))
        with clock.on(on, hour=11):
            proposed = services.round_propose(
                actor=fm,
                deal=deal,
                name="Pre-A轮",
                on=on,
                pre_money=str(post * 3 // 2),
                investors=[{"name": "某创投基金", "amount": str(post // 3)}],
                convertibles=[{"holder": "润苗基金", "amount": "1000000", "cap": str(post * 2), "discount": "0.2"}],
            )
            services.round_record(
                actor=fm, round=proposed, acknowledge="SAFE 转股，已知悉" if proposed.verdict != "eligible" else ""
            )
    elif what == "exited":  # bought back by an industrial acquirer at a quarter over cost
        on = _day(min(today - dt.timedelta(days=45), closing + dt.timedelta(days=180)))
        with clock.on(on, hour=15):
            services.flow_record(actor=fm, deal=deal, on=on, amount=str(_cost(deal) * 5 // 4))
            services.deal_move(actor=fm, deal=deal, action="exit", reason="产业方收购全部股份，按约定溢价退出。")
    elif what == "written_off":
        on = _day(min(today - dt.timedelta(days=40), closing + dt.timedelta(days=240)))
        _move(fm, deal, "write_off", on, reason="核心团队解散，公司停止经营，进入清算。")
    elif what == "written_down":
        on = _day(today - dt.timedelta(days=25))
        with clock.on(on, hour=15):
            services.mark_write_down(
                actor=fm,
                deal=deal,
                on=on,
                value=str(_cost(deal) // 2),
                reason="收入不及预期，下一轮融资推迟，估值下调五成。",
            )


def _pipeline(fm, members, deal, stage: str, n: int, today: dt.date) -> None:
    """A deal not invested in (yet): the later its stage, the earlier it came in."""
    if stage == "sourced":
        return
    if stage in ("screening", "diligence"):
        _move(fm, deal, "screen", _day(today - dt.timedelta(days=40 - 3 * n)))
        if stage == "diligence":
            _move(fm, deal, "diligence", _day(today - dt.timedelta(days=20 - 2 * n)), reason="初筛通过，进入尽调")
        return
    if stage == "committee":
        # Today's meeting, four of seven ballots in (the demo's own members have not voted yet);
        # next week's, its papers out; and one waiting for the company's revised terms.
        committee_on = _day(today - dt.timedelta(days=12 + 2 * n))
        _to_committee(fm, deal, committee_on)
        if n == 2:
            return
        papers_out = _day(today - dt.timedelta(days=7))
        closing = clock.working_day_on_or_after(today + dt.timedelta(days=30 + 7 * n))
        proposed = _fund_round(fm, deal, n + 3, closing, papers_out)
        # Today's meeting (the next working day's when the demo is built on a day off), or next week's.
        held = clock.working_day_on_or_after(today + dt.timedelta(days=6 * n))
        with clock.on(papers_out, hour=15):
            meeting = services.meeting_open(actor=fm, round=proposed, held_on=held)
        if held == today:
            with clock.on(today, hour=10):
                for member in members[1:3] + members[4:6]:
                    services.ballot_cast(actor=member, meeting=meeting, vote="for")
        return
    # Approved by the committee; the term sheet signed; closing in the next weeks (those already
    # closing went to the committee a fortnight earlier and close sooner).
    ahead = 14 if stage == "closing" else 0
    closing = clock.working_day_on_or_after(today + dt.timedelta(days=10 + 5 * n - ahead // 2))
    committee_on = _day(today - dt.timedelta(days=30 + 4 * n + ahead))
    _to_committee(fm, deal, committee_on)
    proposed = _fund_round(fm, deal, n + 5, closing, committee_on + dt.timedelta(days=1))
    held = _day(committee_on + dt.timedelta(days=8))
    _meeting(fm, members, proposed, held)
    _move(fm, deal, "term_sheet", _day(held + dt.timedelta(days=4)))
    if stage == "closing":
        _move(fm, deal, "closing", _day(today - dt.timedelta(days=2)))


def _closings(today: dt.date) -> list[dt.date]:
    """The invested companies' closing days: the first two weeks after the launch, the last one and
    a half months ago, evenly between."""
    first, last = LAUNCH + dt.timedelta(days=14), today - dt.timedelta(days=45)
    step = (last - first) / (len(INVESTED) - 1)
    return [clock.working_day_on_or_after(first + step * i) for i in range(len(INVESTED))]


@transaction.atomic
def load_fund(seed: int, today: dt.date) -> None:
    rng = random.Random(seed + 13)
    members = _members(seed)
    fm = members[0]
    year = today.year
    young = Enterprise.objects.filter(founded_on__gt=dt.date(year - 5, 1, 1), founded_on__lt=dt.date(year - 1, 1, 1))
    # Companies the fund may back now; one the rules refused on its closing day drops out (take).
    pool = [
        e
        for e in young.select_related("organisation").order_by("pk")[:400]
        if tier_results(e, today)["fund_target"].verdict != "ineligible"
    ]
    rng.shuffle(pool)

    def take(make) -> object | None:
        """The next company in the pool the step succeeds for; one the rules refuse drops out."""
        while pool:
            enterprise = pool.pop()
            try:
                with transaction.atomic():
                    return make(enterprise)
            except ValidationError:
                continue
        return None

    def pipeline(stage: str, n: int):
        def make(enterprise):
            deal = _open_deal(fm, enterprise, rng, _day(today - dt.timedelta(days=CAME_IN[stage] + 5 * n)))
            _pipeline(fm, members, deal, stage, n, today)
            return deal

        return make

    def invest(k: int, closing: dt.date):
        def make(enterprise):
            deal = _open_deal(fm, enterprise, rng, _day(closing - dt.timedelta(days=75)))
            _invest(fm, members, deal, k, closing)
            return deal

        return make

    def invested(k: int, what: str, closing: dt.date) -> None:
        deal = take(invest(k, closing))
        if deal is not None:
            try:
                with transaction.atomic():
                    _after(fm, members, deal, what, closing, today)
            except ValidationError:
                pass  # the later round breaks a rule for this company: it is simply held

    # One deal of each stage and each kind of history first, then the second of each, and so on:
    # a small demo city (the tests' 120 enterprises) runs out of candidates with every stage shown.
    jobs = [(PIPELINE[:i].count(stage), i, stage) for i, stage in enumerate(PIPELINE)]
    jobs += [(INVESTED[:k].count(what), len(PIPELINE) + k, what) for k, what in enumerate(INVESTED)]
    closings = _closings(today)
    for n, i, stage in sorted(jobs):
        if i < len(PIPELINE):
            take(pipeline(stage, n))
        else:
            invested(i - len(PIPELINE), stage, closings[i - len(PIPELINE)])
