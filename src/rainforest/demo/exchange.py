"""The demo exchange: 35 typical and 20 cultivation robot scenarios across the five domains,
department scenarios in the three focus areas, about eighty capabilities (each text offered by one
company) and test facilities, calls in every state with reviews, and the projects that came out
of them. Everything goes through the services, each step on the day it happened (demo.clock):
scenarios written, approved and listed in batches over the past half year, each by the body whose
remit it is; applications inside their call's window; reviews after the deadline; a notice of five
working days; the contract after the notice; milestones after the contract."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from rainforest.accounts import services as accounts
from rainforest.accounts.choices import OrganisationKind, Role
from rainforest.accounts.models import Organisation, User
from rainforest.accounts.permissions import Principal
from rainforest.core.districts import DISTRICTS
from rainforest.core.matching.normalise import simplified
from rainforest.core.matching.quality import builtin_evalset
from rainforest.demo import clock
from rainforest.demo.exchange_data import CARRIER_OFFERS, DEPARTMENT_SCENARIOS, PUBLISHERS, ROBOT_SCENARIOS
from rainforest.exchange.models import Capability, Scenario
from rainforest.exchange.services import calls, notify, projects, reviews, scenarios
from rainforest.exchange.services.subscriptions import subscription_save

SYSTEM = Principal.system("system:demo")
RUBRIC = [
    ("技术方案先进性", 35, 10),
    ("场景适配与实施能力", 30, 10),
    ("经济性与可推广性", 20, 10),
    ("团队与保障", 15, 10),
]
PROBLEMS = {
    "industry": "人工作业强度大、一致性差，需提升良率与柔性。",
    "life": "服务需求分散、人手不足，需要可靠的自动化服务。",
    "tourism": "游客多语种、高峰拥堵，需提升接待体验与安全。",
    "patrol": "巡检范围大、环境危险，人工巡检频次与质量难以保证。",
    "care": "护理人员紧缺，需要减轻重复劳动并保障安全。",
    "other": "现有流程依赖人工，效率和覆盖面不足。",
}


def _as(org) -> Principal:
    return Principal.system_for(org, "system:demo")


def _user(username: str) -> Principal:
    user = User.objects.get(username=username)
    return Principal(user=user, membership=user.memberships.select_related("organisation").first())


def _scenarios(rng: random.Random, publishers: dict[str, Organisation], today: dt.date) -> list:
    """Each scenario by the body whose remit it is (exchange_data.PUBLISHERS), written a few weeks
    before the batch it was listed in."""
    made = []
    districts = list(DISTRICTS)
    robot = [(d, t) for d, titles in ROBOT_SCENARIOS.items() for t in titles]  # 55 in all
    for i, (domain, title) in enumerate(robot):
        kind = "typical" if i % 11 < 7 else "cultivation"  # 7 typical + 4 cultivation per domain (35 + 20)
        made.append(
            (domain, "industry" if domain == "industry" else rng.choice(["governance", "livelihood"]), kind, title)
        )
    for focus, titles in DEPARTMENT_SCENARIOS.items():
        made += [("other", focus, "opportunity", t) for t in titles]
    out = []
    for domain, focus, kind, title in made:
        publisher = publishers[PUBLISHERS[title]]
        low = rng.choice([20, 50, 100, 200]) * 10_000
        held_back = len(out) >= len(made) - HELD_BACK  # written lately, still in the workflow
        written = today - dt.timedelta(days=HELD_BACK_DAYS) if held_back else BATCHES[kind].written(today)
        # Drawn in the order the demo always drew them, so the rest of the city stays as it was; the
        # site lies in the scenario's own district (a first draw used to name another one).
        _earlier_site_district, site = rng.choice(districts), rng.choice(["示范点", "园区", "站点"])
        min_trl, factor, district = rng.randint(4, 8), rng.choice([2, 3, 5]), rng.choice(districts)
        with clock.on(written, hour=9 + len(out) % 8):
            scenario = scenarios.scenario_create(
                actor=_as(publisher),
                title=title,
                domain=domain,
                focus_area=focus,
                kind=kind,
                problem=f"{title}：{PROBLEMS[domain]}",
                site=f"{district}{site}",
                resources="开放场地、运行数据接口与配合人员。",
                constraints="须满足相关安全标准并通过现场测试。",
                min_trl=min_trl,
                budget_min=low,
                budget_max=low * factor,
                district=district,
                contact_name="项目联系人",
                contact_phone="0571-8888" + f"{len(out):04d}",
                contact_public=rng.random() < 0.5,
            )
        out.append(scenario)
    return out


@dataclass(frozen=True)
class Batch:
    """A list of scenarios: written, submitted, approved and published so many days before today."""

    number: int
    title: str
    published_days_ago: int

    def published(self, today: dt.date) -> dt.date:
        return clock.working_day_on_or_before(today - dt.timedelta(days=self.published_days_ago))

    def approved(self, today: dt.date) -> dt.date:
        return clock.working_day_on_or_before(self.published(today) - dt.timedelta(days=7))

    def submitted(self, today: dt.date) -> dt.date:
        return clock.working_day_on_or_before(self.approved(today) - dt.timedelta(days=10))

    def written(self, today: dt.date) -> dt.date:
        return clock.working_day_on_or_before(self.submitted(today) - dt.timedelta(days=12))


BATCHES = {
    "typical": Batch(1, "第1批 机器人典型应用场景", 180),
    "cultivation": Batch(2, "第2批 机器人培育（攻关）场景", 150),
    "opportunity": Batch(3, "第3批 城市治理、社会民生与产业升级场景机会", 120),
}
HELD_BACK, HELD_BACK_DAYS = 6, 20  # the last scenarios, still in the workflow, written 20 days ago


def _approve_and_list(scenario_list, today: dt.date) -> None:
    departmental = [s for s in scenario_list if s.kind == "opportunity"]
    held_back = departmental[-HELD_BACK:]  # left in earlier states so every page shows them
    listed = [s for s in scenario_list if s not in held_back]
    for kind, batch in BATCHES.items():
        items = [s for s in listed if s.kind == kind]
        with clock.on(batch.submitted(today)):
            for s in items:
                scenarios.scenario_move(actor=_as(s.publisher), scenario=s, action="submit")
        with clock.on(batch.approved(today)):
            for s in items:
                scenarios.scenario_move(actor=SYSTEM, scenario=s, action="approve")
        published = batch.published(today)
        with clock.on(published):
            scenarios.list_publish(
                actor=SYSTEM, kind="scenarios", year=published.year, number=batch.number,
                title=f"{published.year}年{batch.title}", ids=[s.pk for s in items],
            )  # fmt: skip
            # What the worker does minutes after a publication, done here so that each notice is
            # dated with its list; the queued job then finds every subscriber told already.
            notify.notify_published([s.pk for s in items])
    states = ["draft", "submitted", "returned", "approved", "withdrawn", "submitted"]
    for i, (s, state) in enumerate(zip(held_back, states, strict=True)):
        if state == "draft":
            continue
        submitted = clock.working_day_on_or_before(today - dt.timedelta(days=12 - i))
        with clock.on(submitted):
            scenarios.scenario_move(actor=_as(s.publisher), scenario=s, action="submit")
        with clock.on(clock.working_day_on_or_after(submitted + dt.timedelta(days=3)), hour=15):
            if state == "returned":
                scenarios.scenario_move(
                    actor=SYSTEM, scenario=s, action="return", reason="请补充场地条件与预算测算依据。"
                )
            elif state in ("approved",):
                scenarios.scenario_move(actor=SYSTEM, scenario=s, action="approve")
            elif state == "withdrawn":
                scenarios.scenario_move(
                    actor=_as(s.publisher), scenario=s, action="withdraw", reason="需求已由其他渠道解决。"
                )


def _capabilities(rng: random.Random, suppliers: list[Organisation], today: dt.date) -> list:
    """Enterprises offer the evaluation set's realistic capability texts (core/matching); proof-of-
    concept centres and pilot bases offer test facilities. Offered over the spring and summer,
    each approved within a week, and listed a month ago."""
    # The set's first 70 (C001-C070) were written for Rainforest; the later ones describe real, named
    # companies' products, which the demo's invented enterprises must not pass off as their own.
    texts = [
        c
        for c in builtin_evalset().capabilities
        if c.id.startswith("C") and "基地" not in c.title and "概念验证" not in c.title
    ]
    made = []
    carriers = offered_texts = 0
    listed_on = clock.working_day_on_or_before(today - dt.timedelta(days=30))
    # The demo enterprise offers first, so its own pages show an offer; each text is offered by one
    # enterprise only (the same words under four company names read as clones on "who could do
    # this"): the other enterprises have not put anything on the exchange yet.
    demo_company = _user("enterprise").organisation
    suppliers = sorted(suppliers, key=lambda org: org.pk != demo_company.pk)
    for i, org in enumerate(suppliers):
        if org.kind in (OrganisationKind.POC_CENTRE, OrganisationKind.PILOT_BASE):
            if carriers >= 2 * len(CARRIER_OFFERS):
                continue  # the others have not put their facilities on the exchange yet: no clones
            title, description, domains = CARRIER_OFFERS[carriers % len(CARRIER_OFFERS)]
            carriers += 1
            trl, cases = 9, "向初创企业开放预约"
        else:
            if offered_texts >= len(texts):
                continue
            text = texts[offered_texts]
            offered_texts += 1
            # Hangzhou's enterprises write in simplified characters; the set also tests traditional.
            title, description = simplified(text.title), simplified(text.body)
            domains = [text.domains[0] if text.domains else "other"]
            trl, cases = rng.randint(4, 9), "杭州市内试点项目2个" if rng.random() < 0.6 else ""
        offered = listed_on - dt.timedelta(days=90 - i % 80)
        with clock.on(offered, hour=9 + i % 8):
            capability = scenarios.capability_create(
                actor=_as(org),
                title=title,
                domains=domains,
                description=description,
                trl=trl,
                reference_cases=cases,
                certifications="ISO 9001",
                districts_served=[org.district] if org.district else rng.sample(list(DISTRICTS), 2),
            )
            if i % 10 != 9:  # one in ten stays a draft (never the demo enterprise's offer, the first)
                scenarios.capability_move(actor=_as(org), capability=capability, action="submit")
        if i % 10 != 9:
            with clock.on(clock.working_day_on_or_after(offered + dt.timedelta(days=3)), hour=16):
                scenarios.capability_move(actor=SYSTEM, capability=capability, action="approve")
        made.append(capability)
    approved = Capability.objects.filter(pk__in=[c.pk for c in made], status="approved").values_list("pk", flat=True)
    with clock.on(listed_on):
        scenarios.list_publish(
            actor=SYSTEM, kind="capabilities", year=listed_on.year, number=1,
            title=f"{listed_on.year}年第1批 能力清单", ids=list(approved),
        )  # fmt: skip
    return made


def _experts(seed: int) -> list[Principal]:
    from rainforest.demo.loader import demo_totp

    made = [_user("expert")]
    with clock.on(clock.PLATFORM_START):
        for username, name, org_name in (("expert2", "郑一", "西湖大学"), ("expert3", "冯二", "之江实验室")):
            user = accounts.user_create(actor=SYSTEM, username=username, password="Rainforest#2026", display_name=name)
            accounts.membership_grant(
                actor=SYSTEM, user=user, organisation=Organisation.objects.get(name=org_name), role=Role.EXPERT
            )
            demo_totp(user, seed)
            made.append(_user(username))
    return made


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.BEIJING)


@dataclass(frozen=True)
class Timeline:
    """One call's days, from opening to the project: each step after the one before it."""

    opens: dt.datetime
    closes: dt.datetime
    pick_on: dt.date | None = None  # the day the winner is picked, when the story needs that day

    @property
    def review_starts(self) -> dt.date:
        return clock.working_day_on_or_after(self.closes.date() + dt.timedelta(days=1))

    def scored(self, expert: int) -> dt.date:
        return clock.working_day_on_or_after(self.review_starts + dt.timedelta(days=2 + expert))

    @property
    def picked(self) -> dt.date:
        return self.pick_on or clock.working_day_on_or_after(self.scored(3) + dt.timedelta(days=3))


def _window(closes: dt.date, pick_on: dt.date | None = None) -> Timeline:
    """A month-long call, opening and closing on working days."""
    opens = clock.working_day_on_or_after(closes - dt.timedelta(days=30))
    return Timeline(_at(opens, 9), _at(closes, 17), pick_on)


def _timeline(stage: str, j: int, today: dt.date) -> Timeline:
    """Open calls opened in the last fortnight; calls in review closed a week or so ago; calls on
    notice were picked on the last working days (the notice runs now); final ones closed two to four
    months ago. Calls open and close on working days."""
    earlier = clock.working_day_on_or_before
    if stage == "open":
        opens = earlier(today - dt.timedelta(days=3 + 4 * j))
        closes = clock.working_day_on_or_after(today + dt.timedelta(days=8 + 5 * j))
        return Timeline(_at(opens, 9), _at(closes, 17))
    if stage == "review":  # two of the three experts have scored by yesterday, whatever the holidays
        closes = earlier(today - dt.timedelta(days=6 + 3 * j))
        while _window(closes).scored(1) >= today:
            closes = earlier(closes - dt.timedelta(days=1))
        return _window(closes)
    if stage == "notice":  # picked on the last working days, so the notice runs now
        picked = earlier(today - dt.timedelta(days=1 + j))
        closes = earlier(picked - dt.timedelta(days=14))
        while _window(closes).picked > picked:
            closes = earlier(closes - dt.timedelta(days=1))
        return _window(closes, picked)
    return _window(earlier(today - dt.timedelta(days=60 + 12 * j)))


def _run_call(rng, scenario, applicants, experts, stage: str, when: Timeline, today: dt.date) -> None:
    with clock.on(when.opens - dt.timedelta(hours=1)):
        call = calls.call_open(
            actor=_as(scenario.publisher),
            scenario=scenario,
            opens_at=when.opens,
            closes_at=when.closes,
            rubric=RUBRIC,
            max_winners=1,
            blind_review=rng.random() < 0.3,
        )
    # Applications come in over the window, the last ones near the deadline, none after today.
    last = min(when.closes, timezone.now()) - dt.timedelta(hours=1)
    apps = []
    for k, org in enumerate(applicants):
        share = (k + 1) / (len(applicants) + 1)
        with clock.on(when.opens + (last - when.opens) * share):
            apps.append(
                calls.application_submit(
                    actor=_as(org),
                    call=call,
                    approach=f"{org.name}的{scenario.title}整体方案",
                    plan="试点三个月，验证后推广。",
                    budget=int(scenario.budget_min or 500_000) + rng.randint(0, 5) * 100_000,
                    team=f"{rng.randint(5, 30)} 人研发与实施团队",
                )
            )
    if stage == "open":
        return
    with clock.on(when.review_starts, hour=9):
        calls.call_start_review(actor=SYSTEM, call=call)
        assignments = [reviews.panel_assign(actor=SYSTEM, call=call, expert=e.user) for e in experts]
    for n, (expert, assignment) in enumerate(zip(experts, assignments, strict=True)):
        with clock.on(clock.working_day_on_or_after(when.review_starts + dt.timedelta(days=1)), hour=10 + n):
            reviews.panel_declare(actor=expert, assignment=assignment, conflicted=[])
        if stage == "review" and expert is experts[-1]:
            continue  # one expert still scoring
        with clock.on(when.scored(n), hour=14 + n):
            for app in apps:
                marks = {str(c.pk): rng.randint(5, 10) for c in call.rubric.all()}
                reviews.review_submit(actor=expert, assignment=assignment, application=app, scores=marks)
    if stage == "review":
        return
    best = reviews.ranking(call)[0][0]
    with clock.on(when.picked, hour=11):
        notice = reviews.award_pick(
            actor=_as(scenario.publisher),
            call=call,
            picks=[(best, "综合得分第一，方案成熟度高。")],
            channel="changjing@hangzhou.example",
        )
    if stage == "notice":
        return
    # Final the first working day after the notice; the contract is signed that day (agreed_on).
    signed = clock.working_day_on_or_after(notice.ends_on + dt.timedelta(days=1))
    with clock.on(signed, hour=10):
        (project,) = reviews.notice_finalise(actor=SYSTEM, call=call)
    publisher, enterprise = _as(scenario.publisher), _as(project.enterprise)
    with clock.on(clock.working_day_on_or_after(signed + dt.timedelta(days=3)), hour=10):
        first = projects.milestone_add(
            actor=enterprise, project=project, title="方案深化与设备进场", due_on=signed + dt.timedelta(days=30)
        )
        projects.milestone_add(
            actor=enterprise, project=project, title="试点运行与数据复盘", due_on=signed + dt.timedelta(days=100)
        )
    with clock.on(clock.working_day_on_or_after(signed + dt.timedelta(days=10)), hour=10):
        projects.project_move(actor=publisher, project=project, action="start_trial")
    done_on = signed + dt.timedelta(days=rng.randint(24, 33))
    if done_on < today:
        with clock.on(done_on, hour=17):
            projects.milestone_done(
                actor=enterprise, milestone=first, done_on=done_on, evidence="设备进场单与现场照片已归档。"
            )


def _landed_project(rng, scenario, org, agreed_on: dt.date, today: dt.date) -> None:
    """A project agreed directly after the scenario was listed (no call), that landed and is in use."""
    from rainforest.exchange.models import Project

    with clock.on(agreed_on, hour=10):
        project = Project.objects.create(
            scenario=scenario,
            publisher=scenario.publisher,
            enterprise=org,
            contract_value=1_500_000,
            agreed_on=agreed_on,
        )
        publisher, enterprise = _as(scenario.publisher), _as(org)
        milestone = projects.milestone_add(
            actor=enterprise, project=project, title="试点部署", due_on=agreed_on + dt.timedelta(days=60)
        )
    deployed = agreed_on + dt.timedelta(days=58)
    with clock.on(deployed, hour=17):
        projects.milestone_done(actor=enterprise, milestone=milestone, done_on=deployed, evidence="试点验收报告")
    landed = clock.working_day_on_or_after(agreed_on + dt.timedelta(days=80))
    with clock.on(landed, hour=10):
        projects.project_move(actor=publisher, project=project, action="confirm_landing", note="试点达标，正式落地。")
    with clock.on(clock.working_day_on_or_after(landed + dt.timedelta(days=10)), hour=10):
        projects.project_move(actor=publisher, project=project, action="accept", grade="优秀")
    with clock.on(clock.working_day_on_or_before(today - dt.timedelta(days=10)), hour=10):
        projects.project_followup(
            actor=publisher,
            project=project,
            in_use=True,
            in_use_since=landed + dt.timedelta(days=14),
            further_contracts=1,
            further_value=800_000,
        )


STAGES = ["open", "open", "open", "review", "review", "notice", "notice", "final", "final", "final", "final", "final"]


@transaction.atomic
def load_exchange(seed: int, today: dt.date) -> None:
    rng = random.Random(seed + 7)
    names = set(PUBLISHERS.values())
    publishers = {o.name: o for o in Organisation.objects.filter(name__in=names)}
    made = _scenarios(rng, publishers, today)
    # The demo enterprise follows its fields from before the first list, so it hears of each list
    # the day it comes out.
    with clock.on(BATCHES["typical"].published(today) - dt.timedelta(days=14)):
        subscription_save(actor=_user("enterprise"), domains=["patrol", "industry"], districts=[], keywords=["机器人"])
    _approve_and_list(made, today)
    suppliers = list(Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE).order_by("pk")[:260])
    suppliers += list(Organisation.objects.filter(kind__in=[OrganisationKind.POC_CENTRE, OrganisationKind.PILOT_BASE]))
    _capabilities(rng, suppliers, today)
    experts = _experts(seed)
    published = list(Scenario.objects.filter(pk__in=[s.pk for s in made], status="published").order_by("pk"))
    enterprises = suppliers[:200]
    demo_company = _user("enterprise").organisation
    # The demo publisher's own calls first, one in each state, so its pages show the whole arc.
    own = [s for s in published if s.publisher_id == _user("publisher").organisation.pk]
    others = [s for s in published[::4] if s not in own]
    chosen, seen = [], set()
    for stage in STAGES:
        pick = own.pop(0) if stage not in seen and own else others.pop(0)
        seen.add(stage)
        chosen.append(pick)
    index = dict.fromkeys(STAGES, 0)
    for stage, scenario in zip(STAGES, chosen, strict=True):
        applicants = rng.sample([e for e in enterprises if e != demo_company], rng.randint(2, 4))
        _run_call(rng, scenario, applicants, experts, stage, _timeline(stage, index[stage], today), today)
        index[stage] += 1
    # Three projects agreed directly a few weeks after the first batch was listed.
    first_batch = BATCHES["typical"].published(today)
    spare = [s for s in published if s.kind == "typical" and s not in chosen][-3:]
    for k, scenario in enumerate(spare):
        agreed = clock.working_day_on_or_after(first_batch + dt.timedelta(days=20 + 7 * k))
        _landed_project(rng, scenario, rng.choice(enterprises), agreed, today)
