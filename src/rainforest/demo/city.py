"""A deterministic demo city: districts, departments, carriers and enterprises with facts.

Pure data generation (no database): the loader feeds these rows through the same import
service a bureau's spreadsheet goes through. Figures follow simple, documented relations so
that every row passes the facts schema's consistency rules.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from rainforest.core import uscc
from rainforest.core.districts import DISTRICTS
from rainforest.core.facts import industries

# Where tech firms cluster: Binjiang and Yuhang far above the rural counties.
DISTRICT_WEIGHTS = [8, 6, 12, 18, 9, 16, 4, 4, 5, 8, 1, 1, 1]
CITY_DIVISION = "330100"

DEPARTMENTS = (
    "杭州市科学技术局", "杭州市经济和信息化局", "杭州市发展和改革委员会", "杭州市财政局",
    "杭州市市场监督管理局", "杭州市数据资源管理局", "杭州市人力资源和社会保障局",
    "杭州市城市管理局", "杭州市卫生健康委员会", "杭州市文化广电旅游局",
)  # fmt: skip
# Departments and city companies whose remit the exchange's scenarios need (a scenario is published
# by the body that runs the place: the metro tunnels by the metro company, care homes by civil
# affairs). Their codes come from their own random stream, so the enterprises stay as they were.
MORE_DEPARTMENTS = (
    "杭州市交通运输局", "杭州市民政局", "杭州市商务局", "杭州市教育局", "杭州市城乡建设委员会",
    "杭州市应急管理局", "杭州市生态环境局", "杭州市林业水利局", "杭州市公安局", "杭州市医疗保障局",
    "杭州市体育局", "杭州西湖风景名胜区管理委员会", "杭州市残疾人联合会",
)  # fmt: skip
MORE_STATE_ENTERPRISES = (
    "国网杭州供电公司", "杭州市燃气集团有限公司", "杭州市水务集团有限公司", "杭州市交通投资集团有限公司",
)  # fmt: skip
# The pyramid's history: titles awarded from this year on (the programme's baseline year).
HISTORY_FROM = 2022
GOOD_SEEDLING_FROM = 2025  # 杭政办函〔2025〕40号 took effect on 2025-11-29

INDUSTRY_WEIGHTS = {
    "HZ296X.T.AI": 20, "HZ296X.T.VIS": 8, "HZ296X.H.ROBOT": 12, "HZ296X.H.IC": 8,
    "HZ296X.H.BIO": 12, "HZ296X.H.NET": 6, "HZ296X.H.ICV": 5, "HZ296X.H.NEE": 5,
    "HZ296X.H.MAT": 6, "HZ296X.H.GEN": 6, "HZ296X.H.TEX": 3, "HZ296X.F.SYNBIO": 3,
    "HZ296X.F.AERO": 1, "HZ296X.F.LOWALT": 2, "HZ296X.F.QUANT": 1, "HZ296X.F.PHOTON": 2,
    "HZ296X.F.BRAIN": 1,
}  # fmt: skip
HNTE_FIELD = {
    "HZ296X.T.AI": "F1", "HZ296X.T.VIS": "F1", "HZ296X.H.ROBOT": "F8", "HZ296X.H.IC": "F1",
    "HZ296X.H.BIO": "F2", "HZ296X.H.NET": "F1", "HZ296X.H.ICV": "F8", "HZ296X.H.NEE": "F6",
    "HZ296X.H.MAT": "F4", "HZ296X.H.GEN": "F8", "HZ296X.H.TEX": "F4", "HZ296X.F.SYNBIO": "F2",
    "HZ296X.F.AERO": "F3", "HZ296X.F.LOWALT": "F3", "HZ296X.F.QUANT": "F1",
    "HZ296X.F.PHOTON": "F1", "HZ296X.F.BRAIN": "F1",
}  # fmt: skip
NAME_TERMS = {
    "HZ296X.T.AI": ["智能", "智算", "数智", "认知"], "HZ296X.T.VIS": ["视觉", "影像", "光感"],
    "HZ296X.H.ROBOT": ["机器人", "智能装备", "具身"], "HZ296X.H.IC": ["芯片", "微电子", "半导体"],
    "HZ296X.H.BIO": ["生物", "医疗", "药业"], "HZ296X.H.NET": ["通信", "网络"],
    "HZ296X.H.ICV": ["智驾", "车联"], "HZ296X.H.NEE": ["新能源", "储能"],
    "HZ296X.H.MAT": ["新材料", "材料"], "HZ296X.H.GEN": ["精密机械", "装备"],
    "HZ296X.H.TEX": ["纺织", "服饰"], "HZ296X.F.SYNBIO": ["合成生物"],
    "HZ296X.F.AERO": ["航天"], "HZ296X.F.LOWALT": ["低空", "无人机"],
    "HZ296X.F.QUANT": ["量子"], "HZ296X.F.PHOTON": ["光电", "光子"],
    "HZ296X.F.BRAIN": ["脑科学", "类脑"],
}  # fmt: skip
BRAND = "云启明星辰澜湖远航聚恒睿思源创新锐达鼎盛合泰正和远景天元拓宇峰领智海凌越青禾晨曦弘毅"
ROUND_ORDER = ["none", "angel", "seed", "pre_a", "a", "b", "c", "later"]
ROUND_SIZE = {"angel": 2e6, "seed": 5e6, "pre_a": 15e6, "a": 40e6, "b": 120e6, "c": 300e6,
              "later": 800e6}  # fmt: skip


@dataclass
class Carrier:
    name: str
    kind: str  # poc_centre, pilot_base, government, state_enterprise, university, fund...
    district: str
    uscc: str


@dataclass
class Company:
    uscc: str
    name: str
    founded_on: dt.date
    district: str
    industries: list[str]
    is_leader: bool = False
    rows: list[dict] = field(default_factory=list)
    rounds: list[tuple[str, dt.date, int, int]] = field(default_factory=list)
    recognitions: list[tuple[str, int, dt.date | None, dt.date | None]] = field(default_factory=list)


@dataclass
class City:
    as_of: dt.date
    fiscal_years: list[int]
    departments: list[Carrier]
    carriers: list[Carrier]
    companies: list[Company]


class _Codes:
    """Unique, valid unified social credit codes."""

    def __init__(self, rng: random.Random):
        self.rng, self.used = rng, set()

    def new(self, authority: str, org_type: str, division: str) -> str:
        while True:
            body = "".join(self.rng.choice(uscc.ALPHABET) for _ in range(8))
            code = uscc.build(authority, org_type, division, body)
            if code not in self.used:
                self.used.add(code)
                return code


def _round_money(x: float) -> int:
    return int(round(x, -3)) if x >= 10_000 else int(round(x))


def build_city(
    seed: int = 2026, enterprises: int = 2400, as_of: dt.date | None = None, years_of_facts: int = 3
) -> City:
    """Three fiscal years per enterprise unless asked: the demo keeps four (loader.YEARS_OF_FACTS), the
    city-scale bench five."""
    rng = random.Random(seed)
    as_of = as_of or dt.date(2026, 11, 28)
    last_fy = as_of.year - 1
    years = list(range(last_fy - years_of_facts + 1, last_fy + 1))
    codes = _Codes(rng)
    districts = list(DISTRICTS)

    departments = [Carrier(n, "government", "", codes.new("1", "1", CITY_DIVISION)) for n in DEPARTMENTS]
    # Each district and county has its own science and technology bureau.
    departments += [
        Carrier(f"杭州市{d}科学技术局" if d.endswith("区") else f"{d}科学技术局", "government", d,
                codes.new("1", "1", division))
        for d, division in DISTRICTS.items()
    ]  # fmt: skip
    carriers: list[Carrier] = []
    for i in range(36):
        d = rng.choices(districts, DISTRICT_WEIGHTS)[0]
        carriers.append(Carrier(f"杭州{d[:2]}概念验证中心（第{i + 1}号）", "poc_centre", d,
                                codes.new("5", "2", DISTRICTS[d])))  # fmt: skip
    for i in range(28):
        d = rng.choices(districts, DISTRICT_WEIGHTS)[0]
        carriers.append(Carrier(f"杭州{d[:2]}中试基地（第{i + 1}号）", "pilot_base", d,
                                codes.new("5", "2", DISTRICTS[d])))  # fmt: skip
    extras = [
        ("之江实验室", "laboratory", "余杭区", "1", "2"),
        ("浙江大学", "university", "西湖区", "1", "2"),
        ("西湖大学", "university", "西湖区", "5", "2"),
        ("杭州市科创集团有限公司", "fund", "上城区", "9", "1"),
        ("杭州城市大脑有限公司", "state_enterprise", "上城区", "9", "1"),
        ("杭州市地铁集团有限责任公司", "state_enterprise", "上城区", "9", "1"),
        ("杭州未来科技城孵化器", "incubator", "余杭区", "5", "2"),
    ]
    for name, kind, d, auth, typ in extras:
        carriers.append(Carrier(name, kind, d, codes.new(auth, typ, DISTRICTS[d])))

    companies = []
    names: set[str] = set()
    for i in range(enterprises):
        companies.append(_company(rng, codes, names, as_of, years, leader=i < 12))
    more = _Codes(random.Random(f"{seed}:departments"))
    more.used = codes.used
    departments += [Carrier(n, "government", "", more.new("1", "1", CITY_DIVISION)) for n in MORE_DEPARTMENTS]
    seat = DISTRICTS["上城区"]  # the city companies' seat, as for the others above
    carriers += [Carrier(n, "state_enterprise", "上城区", more.new("9", "1", seat)) for n in MORE_STATE_ENTERPRISES]
    return City(as_of, years, departments, carriers, companies)


def _company(rng, codes, names, as_of, years, leader: bool) -> Company:
    district = rng.choices(list(DISTRICTS), DISTRICT_WEIGHTS)[0]
    industry_codes = list(INDUSTRY_WEIGHTS)
    main = rng.choices(industry_codes, list(INDUSTRY_WEIGHTS.values()))[0]
    inds = [main] + ([rng.choice(industry_codes)] if rng.random() < 0.3 else [])
    inds = list(dict.fromkeys(inds))
    assert all(industries.is_known(c) for c in inds)
    if leader:
        founded = dt.date(rng.randint(1995, 2010), rng.randint(1, 12), rng.randint(1, 28))
    elif rng.random() < 0.38:  # young start-ups: founded within the last five years
        start = as_of.replace(year=as_of.year - 5) + dt.timedelta(days=1)
        founded = start + dt.timedelta(days=rng.randint(0, (as_of - start).days - 400))
    else:
        founded = dt.date(rng.randint(2000, as_of.year - 6), rng.randint(1, 12), rng.randint(1, 28))
    for attempt in range(1_000_000):
        brand = "".join(rng.sample(BRAND, 2))
        if attempt >= 50:  # a city larger than the brands and terms can name (the city-scale bench)
            brand += rng.choice(BRAND)
        name = f"杭州{brand}{rng.choice(NAME_TERMS[main])}科技有限公司"
        if leader:
            name = f"{brand}{rng.choice(NAME_TERMS[main])}集团股份有限公司"
        if name not in names:
            names.add(name)
            break
    company = Company(codes.new("9", "1", DISTRICTS[district]), name, founded, district, inds,
                      is_leader=leader)  # fmt: skip
    _fill_years(rng, company, as_of, years)
    return company


def _fill_years(rng: random.Random, c: Company, as_of: dt.date, years: list[int]) -> None:
    age0 = max(0.5, years[-1] - c.founded_on.year + 0.5)
    # Scale grows with age; leaders sit far above everyone else.
    base_staff = 3000 * rng.uniform(1, 8) if c.is_leader else math.exp(rng.gauss(1.6, 0.7)) * (1 + age0**0.9)
    research = rng.uniform(0.03, 0.25)
    hnte = c.is_leader or (age0 > 2 and rng.random() < 0.3)
    hnte_year = rng.randint(max(c.founded_on.year + 1, years[-1] - 5), years[-1]) if hnte else None
    # Certificates are dated in October or November, when the province issues its batches.
    hnte_on = dt.date(hnte_year, min(11, rng.randint(10, 12)), rng.randint(1, 28)) if hnte_year else None
    rev_per_head = rng.uniform(2e5, 1.2e6) * (3 if c.is_leader else 1)
    growth = rng.uniform(-0.05, 0.45)
    round_idx = 7 if c.is_leader else min(7, max(0, int(rng.gauss(age0 / 3, 1.2))))
    if age0 < 5 and rng.random() < 0.45:
        round_idx = 0
    financing = 0.0
    last_round_year = c.founded_on.year
    for r in ROUND_ORDER[1 : round_idx + 1]:
        last_round_year = min(years[-1], last_round_year + rng.randint(0, 2))
        amount = _round_money(ROUND_SIZE[r] * rng.uniform(0.5, 1.6))
        closed = dt.date(last_round_year, rng.randint(1, 12), rng.randint(1, 28))
        if closed > as_of:
            closed = as_of
        valuation = _round_money(amount / rng.uniform(0.08, 0.2))
        c.rounds.append((r, closed, amount, valuation))
        financing += amount
    clean = rng.random() > 0.02
    # Years before the last three come from the company's own stream: asking for more history
    # leaves the rest of the city (names, codes, figures) as it was.
    history, main = random.Random(f"{c.uscc}:history"), rng
    for year in years:
        if year < c.founded_on.year:
            continue
        rng = main if year in years[-3:] else history
        k = years.index(year) - (len(years) - 1)  # 0 for the latest year, -1, -2 before
        staff = max(1, int(base_staff * (1 + growth) ** k))
        tech = max(0, min(staff, int(staff * rng.uniform(0.1, 0.6))))
        rd_staff = min(tech, int(tech * rng.uniform(0.4, 0.9)))
        age = year - c.founded_on.year
        revenue = (
            0
            if age == 0 and rng.random() < 0.3
            else _round_money(staff * rev_per_head * min(1.0, (age + 0.5) / 5) ** 1.5)
        )
        rd = _round_money(max(revenue * research, staff * 3e4 * research * 4))
        total_costs = _round_money(max(rd * 1.2, revenue * rng.uniform(0.75, 1.1)))
        total_income = _round_money(revenue * rng.uniform(1.0, 1.05))
        assets = _round_money(max(revenue * rng.uniform(0.6, 1.6), financing * 0.6 + 5e5))
        raised = sum(a for r, d, a, v in c.rounds if d.year <= year)
        last = max((ROUND_ORDER.index(r) for r, d, a, v in c.rounds if d.year <= year), default=0)
        valuation = next((v for r, d, a, v in reversed(c.rounds) if d.year <= year), None)
        stage = ("mature" if age > 12 else "growth" if age > 6 else "product" if age > 3
                 else "prototype" if age > 1 else "rd")  # fmt: skip
        certified = hnte_on if hnte_on and hnte_on.year <= year else None
        c.rows.append({
            "uscc": c.uscc, "name": c.name, "founded_on": c.founded_on, "fiscal_year": year,
            "district": c.district, "registered_in_hangzhou": True,
            "industries": ";".join(c.industries), "hnte_field": HNTE_FIELD[c.industries[0]],
            "stage": stage, "last_round": "listed" if c.is_leader else ROUND_ORDER[last],
            "employees": staff, "tech_staff": tech, "rd_staff": rd_staff,
            "revenue": revenue, "total_costs": total_costs, "rd_expense": rd,
            "rd_expense_domestic": _round_money(rd * rng.uniform(0.85, 1.0)),
            "high_tech_income": _round_money(total_income * rng.uniform(0.3, 0.95)),
            "total_income": total_income, "total_assets": assets,
            "net_assets": _round_money(assets * rng.uniform(-0.1, 0.7)),
            "financing_total": raised, "valuation": valuation,
            "ip_class1": int(rd_staff * rng.uniform(0, 0.3)),
            "ip_class2": int(rd_staff * rng.uniform(0.1, 1.0)),
            "conversions": int(rng.uniform(0, 3) + rd_staff * 0.05),
            "tech_sme_registered": staff <= 500 and revenue <= 2e8 and rng.random() < 0.8,
            "provincial_tech_sme": staff <= 500 and rng.random() < 0.7,
            "hnte_certified_on": certified, "direct_confirmation": certified is not None,
            "restricted_sector": False, "clean_record": clean,
        })  # fmt: skip
        if c.rows[-1]["tech_sme_registered"]:
            c.recognitions.append(("tech_sme", year, None, None))
    rng = main
    if hnte_on:
        # A certificate runs three years; a company that keeps its figures renews it.
        start = hnte_on
        while start <= as_of:
            until = start.replace(year=start.year + 3) - dt.timedelta(days=1)
            c.recognitions.append(("hnte", start.year, start, until))
            start = until + dt.timedelta(days=1)
    # Titles are awarded year after year since the programme's baseline, more each year, so the
    # pyramid grows from HISTORY_FROM (each from the year the company could first have had it, and
    # no title before the policy that created it).
    first = max(min(HISTORY_FROM, years[-1]), c.founded_on.year + 1)
    span = list(range(min(first, years[-1]), years[-1] + 1))
    awarded = history.choices(span, weights=[i + 2 for i in range(len(span))])[0]
    if c.is_leader:
        c.recognitions.append(("tech_leader", awarded, None, None))
    elif age0 < 6 and financing > 0 and rng.random() < 0.12:
        c.recognitions.append(("young_eagle", awarded, None, None))
    elif age0 < 5 and rng.random() < 0.06:  # the good-seedling title exists since late 2025 (RM policy)
        c.recognitions.append(("good_seedling", max(awarded, min(GOOD_SEEDLING_FROM, years[-1])), None, None))
