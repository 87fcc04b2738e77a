"""The demo exchange: 35 typical and 20 cultivation robot scenarios across the five domains,
department scenarios in the three focus areas, a few hundred capabilities, calls in every
state with reviews, and the projects that came out of them. Everything goes through the
services; only the clock is moved, to give the city a past (calls that closed weeks ago)."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from rainforest.accounts import services as accounts
from rainforest.accounts.choices import OrganisationKind, Role
from rainforest.accounts.models import Organisation, User
from rainforest.accounts.permissions import Principal
from rainforest.core.districts import DISTRICTS
from rainforest.core.matching.quality import builtin_evalset
from rainforest.demo.exchange_data import CARRIER_OFFERS, DEPARTMENT_SCENARIOS, ROBOT_SCENARIOS
from rainforest.exchange.models import Call, Capability, PublicNotice, Scenario
from rainforest.exchange.services import calls, projects, reviews, scenarios
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


def _scenarios(rng: random.Random, departments: list[Organisation]) -> list:
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
        publisher = rng.choice(departments)
        low = rng.choice([20, 50, 100, 200]) * 10_000
        scenario = scenarios.scenario_create(
            actor=_as(publisher),
            title=title,
            domain=domain,
            focus_area=focus,
            kind=kind,
            problem=f"{title}：{PROBLEMS[domain]}",
            site=f"{rng.choice(districts)}{rng.choice(['示范点', '园区', '站点'])}",
            resources="开放场地、运行数据接口与配合人员。",
            constraints="须满足相关安全标准并通过现场测试。",
            min_trl=rng.randint(4, 8),
            budget_min=low,
            budget_max=low * rng.choice([2, 3, 5]),
            district=rng.choice(districts),
            contact_name="项目联系人",
            contact_phone="0571-8888" + f"{len(out):04d}",
            contact_public=rng.random() < 0.5,
        )
        out.append(scenario)
    return out


def _approve_and_list(scenario_list, year: int) -> None:
    robot_typical = [s for s in scenario_list if s.kind == "typical"]
    robot_cultivation = [s for s in scenario_list if s.kind == "cultivation"]
    departmental = [s for s in scenario_list if s.kind == "opportunity"]
    held_back = departmental[-6:]  # left in earlier states so every page shows them
    for s in scenario_list:
        if s in held_back:
            continue
        scenarios.scenario_move(actor=_as(s.publisher), scenario=s, action="submit")
        scenarios.scenario_move(actor=SYSTEM, scenario=s, action="approve")
    batches = [
        (1, "2026年第1批 机器人典型应用场景", robot_typical),
        (2, "2026年第2批 机器人培育（攻关）场景", robot_cultivation),
        (3, "2026年第3批 城市治理、社会民生与产业升级场景机会", departmental[:-6]),
    ]
    for number, title, items in batches:
        scenarios.list_publish(
            actor=SYSTEM, kind="scenarios", year=year, number=number, title=title, ids=[s.pk for s in items]
        )
    states = ["draft", "submitted", "returned", "approved", "withdrawn", "submitted"]
    for s, state in zip(held_back, states, strict=True):
        if state == "draft":
            continue
        scenarios.scenario_move(actor=_as(s.publisher), scenario=s, action="submit")
        if state == "returned":
            scenarios.scenario_move(actor=SYSTEM, scenario=s, action="return", reason="请补充场地条件与预算测算依据。")
        elif state in ("approved",):
            scenarios.scenario_move(actor=SYSTEM, scenario=s, action="approve")
        elif state == "withdrawn":
            scenarios.scenario_move(
                actor=_as(s.publisher), scenario=s, action="withdraw", reason="需求已由其他渠道解决。"
            )


def _capabilities(rng: random.Random, suppliers: list[Organisation], year: int) -> list:
    """Enterprises offer the evaluation set's realistic capability texts (core/matching); proof-of-
    concept centres and pilot bases offer test facilities."""
    texts = [c for c in builtin_evalset().capabilities if "基地" not in c.title and "概念验证" not in c.title]
    made = []
    carriers = 0
    for i, org in enumerate(suppliers):
        if org.kind in (OrganisationKind.POC_CENTRE, OrganisationKind.PILOT_BASE):
            title, description, domains = CARRIER_OFFERS[carriers % len(CARRIER_OFFERS)]
            carriers += 1
            trl, cases = 9, "向初创企业开放预约"
        else:
            text = texts[i % len(texts)]
            title, description = text.title, text.body
            domains = [text.domains[0] if text.domains else "other"]
            trl, cases = rng.randint(4, 9), "杭州市内试点项目2个" if rng.random() < 0.6 else ""
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
        if i % 10 != 0:  # one in ten stays a draft or waiting for review
            scenarios.capability_move(actor=_as(org), capability=capability, action="submit")
            scenarios.capability_move(actor=SYSTEM, capability=capability, action="approve")
        made.append(capability)
    approved = Capability.objects.filter(pk__in=[c.pk for c in made], status="approved").values_list("pk", flat=True)
    scenarios.list_publish(
        actor=SYSTEM, kind="capabilities", year=year, number=1, title="2026年第1批 能力清单", ids=list(approved)
    )
    return made


def _shift(call: Call, closed_days_ago: int) -> Call:
    """Give a demo call a past: it opened and closed before today."""
    now = timezone.now()
    Call.objects.filter(pk=call.pk).update(
        opens_at=now - dt.timedelta(days=closed_days_ago + 30), closes_at=now - dt.timedelta(days=closed_days_ago)
    )
    call.refresh_from_db()
    return call


def _experts(seed: int) -> list[Principal]:
    from rainforest.demo.loader import demo_totp

    made = [_user("expert")]
    for username, org_name in (("expert2", "西湖大学"), ("expert3", "之江实验室")):
        user = accounts.user_create(actor=SYSTEM, username=username, password="Rainforest#2026", display_name=username)
        accounts.membership_grant(
            actor=SYSTEM, user=user, organisation=Organisation.objects.get(name=org_name), role=Role.EXPERT
        )
        demo_totp(user, seed)
        made.append(_user(username))
    return made


def _run_call(rng, scenario, applicants, experts, stage: str) -> None:
    now = timezone.now()
    call = calls.call_open(
        actor=_as(scenario.publisher),
        scenario=scenario,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=rng.randint(5, 20)),
        rubric=RUBRIC,
        max_winners=1,
        blind_review=rng.random() < 0.3,
    )
    apps = [
        calls.application_submit(
            actor=_as(org),
            call=call,
            approach=f"{org.name}的{scenario.title}整体方案",
            plan="试点三个月，验证后推广。",
            budget=int(scenario.budget_min or 500_000) + rng.randint(0, 5) * 100_000,
            team=f"{rng.randint(5, 30)} 人研发与实施团队",
        )
        for org in applicants
    ]
    if stage == "open":
        return
    _shift(call, 40 if stage == "final" else 10)
    calls.call_start_review(actor=SYSTEM, call=call)
    for expert in experts:
        assignment = reviews.panel_assign(actor=SYSTEM, call=call, expert=expert.user)
        reviews.panel_declare(actor=expert, assignment=assignment, conflicted=[])
        if stage == "review" and expert is experts[-1]:
            continue  # one expert still scoring
        for app in apps:
            marks = {str(c.pk): rng.randint(5, 10) for c in call.rubric.all()}
            reviews.review_submit(actor=expert, assignment=assignment, application=app, scores=marks)
    if stage == "review":
        return
    best = reviews.ranking(call)[0][0]
    notice = reviews.award_pick(
        actor=_as(scenario.publisher),
        call=call,
        picks=[(best, "综合得分第一，方案成熟度高。")],
        channel="changjing@hangzhou.example",
    )
    if stage == "notice":
        return
    today = timezone.localdate()
    PublicNotice.objects.filter(pk=notice.pk).update(
        starts_on=today - dt.timedelta(days=20), ends_on=today - dt.timedelta(days=12)
    )
    (project,) = reviews.notice_finalise(actor=SYSTEM, call=call)
    publisher, enterprise = _as(scenario.publisher), _as(project.enterprise)
    first = projects.milestone_add(
        actor=enterprise, project=project, title="方案深化与设备进场", due_on=today - dt.timedelta(days=5)
    )
    projects.milestone_add(
        actor=enterprise, project=project, title="试点运行与数据复盘", due_on=today + dt.timedelta(days=40)
    )
    projects.project_move(actor=publisher, project=project, action="start_trial")
    if rng.random() < 0.5:
        projects.milestone_done(
            actor=enterprise,
            milestone=first,
            done_on=today - dt.timedelta(days=6),
            evidence="设备进场单与现场照片已归档。",
        )


def _landed_project(rng, scenario, org) -> None:
    """A project that landed and is in use: the full arc after a call, compressed."""
    from rainforest.exchange.models import Project

    project = Project.objects.create(
        scenario=scenario,
        publisher=scenario.publisher,
        enterprise=org,
        contract_value=1_500_000,
        agreed_on=timezone.localdate() - dt.timedelta(days=200),
    )
    publisher, enterprise = _as(scenario.publisher), _as(org)
    milestone = projects.milestone_add(
        actor=enterprise, project=project, title="试点部署", due_on=timezone.localdate() - dt.timedelta(days=120)
    )
    projects.milestone_done(
        actor=enterprise,
        milestone=milestone,
        done_on=timezone.localdate() - dt.timedelta(days=121),
        evidence="试点验收报告",
    )
    projects.project_move(actor=publisher, project=project, action="confirm_landing", note="试点达标，正式落地。")
    projects.project_move(actor=publisher, project=project, action="accept", grade="优秀")
    projects.project_followup(
        actor=publisher,
        project=project,
        in_use=True,
        in_use_since=timezone.localdate() - dt.timedelta(days=100),
        further_contracts=1,
        further_value=800_000,
    )


@transaction.atomic
def load_exchange(seed: int, year: int) -> None:
    rng = random.Random(seed + 7)
    departments = list(Organisation.objects.filter(kind=OrganisationKind.GOVERNMENT).order_by("pk")[:10])
    departments += list(Organisation.objects.filter(kind=OrganisationKind.STATE_ENTERPRISE))
    made = _scenarios(rng, departments)
    _approve_and_list(made, year)
    suppliers = list(Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE).order_by("pk")[:260])
    suppliers += list(Organisation.objects.filter(kind__in=[OrganisationKind.POC_CENTRE, OrganisationKind.PILOT_BASE]))
    _capabilities(rng, suppliers, year)
    experts = _experts(seed)
    published = list(Scenario.objects.filter(pk__in=[s.pk for s in made], status="published").order_by("pk"))
    enterprises = suppliers[:200]
    demo_company = _user("enterprise").organisation
    stages = [
        "open",
        "open",
        "open",
        "review",
        "review",
        "notice",
        "notice",
        "final",
        "final",
        "final",
        "final",
        "final",
    ]
    for i, stage in enumerate(stages):
        scenario = published[i * 4]
        applicants = rng.sample([e for e in enterprises if e != demo_company], rng.randint(2, 4))
        _run_call(rng, scenario, applicants, experts, stage)
    for scenario in published[60:63]:
        _landed_project(rng, scenario, rng.choice(enterprises))
    subscription_save(actor=_user("enterprise"), domains=["patrol", "industry"], districts=[], keywords=["机器人"])
