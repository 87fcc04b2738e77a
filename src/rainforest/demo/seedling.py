"""The demo Seedling programme: this year's good-seedling round in expert review (the demo expert
has not declared yet, so a walk-through can), the demo company as a good seedling with a case
officer, a need, a visit, a loan, and measure applications in every state. Through the services."""

from __future__ import annotations

import datetime as dt
import random

from django.core.exceptions import ValidationError
from django.db import transaction

from rainforest.demo import clock
from rainforest.demo.exchange import _user
from rainforest.registry.models import Enterprise, Recognition
from rainforest.seedling.models import Candidacy
from rainforest.seedling.services import measures, rounds, support

CANDIDATES = 30


def _day(today: dt.date, days_ago: int) -> dt.date:
    return clock.working_day_on_or_before(today - dt.timedelta(days=days_ago))


@transaction.atomic
def load_seedling(seed: int, today: dt.date) -> None:
    """This year's round opened in the autumn, candidates nominated over three weeks, the round
    closed a month ago and two of the three experts have scored since; the demo company's support
    over the year: the grant applied for, decided and paid in spring, a visit three weeks ago."""
    rng = random.Random(seed + 11)
    year = today.year
    officer = _user("officer")
    with clock.on(_day(today, 75)):
        selection = rounds.round_open(actor=officer, year=year)
    demo_company = Enterprise.objects.get(organisation=_user("enterprise").organisation)
    pool = list(Enterprise.objects.exclude(pk=demo_company.pk).select_related("organisation").order_by("pk"))
    rng.shuffle(pool)
    for enterprise in pool:
        n = selection.candidacies.count()
        if n >= CANDIDATES:
            break
        with clock.on(_day(today, 70 - n * 20 // CANDIDATES), hour=9 + n % 8):
            try:
                rounds.candidacy_submit(actor=officer, selection=selection, enterprise=enterprise)
            except ValidationError:
                continue  # the engine's pre-check refuses it: as an officer would find out
    experts = [_user(name) for name in ("expert", "expert2", "expert3")]
    with clock.on(_day(today, 45)):
        for expert in experts:
            rounds.panel_add(actor=officer, selection=selection, expert=expert.user)
    with clock.on(_day(today, 35)):
        rounds.round_close(actor=officer, selection=selection)
    for k, expert in enumerate(experts[1:]):
        with clock.on(_day(today, 30 - k), hour=10):
            rounds.panel_declare(actor=expert, selection=selection, declaration="与本轮候选企业无利益关系。")
        with clock.on(_day(today, 20 - 8 * k), hour=14):
            for candidacy in Candidacy.objects.filter(round=selection):
                if rounds.conflict(expert.user, candidacy):
                    continue
                points = [rng.choice([6, 7, 8, 9]) for _ in selection.rubric]
                rounds.score_submit(actor=expert, candidacy=candidacy, points=points, comment="")

    # The demo company: a good seedling since last year, accompanied, with money applied for.
    # The loan was drawn in February; the grant for the title was applied for, decided and paid in
    # the spring (a February that is not yet sixty days past is last year's).
    drawn = dt.date(year if dt.date(year, 2, 1) <= today - dt.timedelta(days=60) else year - 1, 2, 1)
    Recognition.objects.get_or_create(enterprise=demo_company, kind="good_seedling", year=drawn.year - 1)
    company = _user("enterprise")
    with clock.on(_day(drawn, -7)):
        support.case_officer_assign(actor=officer, enterprise=demo_company, officer=officer.user)
        measures.loan_record(actor=company, enterprise=demo_company, lender="杭州银行科技支行",
                             reference=f"HZB-{drawn.year}-0418", principal="8000000", annual_rate="0.0345",
                             start=drawn, end=drawn.replace(year=drawn.year + 1))  # fmt: skip
        grant = measures.measure_apply(actor=company, enterprise=demo_company, measure_id="RM-M03a",
                                       year=drawn.year - 1, evidence="好苗子企业名单")  # fmt: skip
    with clock.on(clock.working_day_on_or_after(drawn + dt.timedelta(days=28)), hour=15):
        measures.application_decide(actor=officer, application=grant, approve=True, reason="入选好苗子名单，符合条件。")
    paid = clock.working_day_on_or_after(drawn + dt.timedelta(days=42))
    with clock.on(paid, hour=11):
        measures.disbursement_record(actor=officer, application=grant, paid_on=paid, reference=f"HZKJ-{paid.year}-031")
    visited = _day(today, 20)
    with clock.on(visited, hour=16):
        support.visit_record(actor=officer, enterprise=demo_company, on=visited,
                             notes="走访企业，了解到中试场地与银行贷款两项需求。")  # fmt: skip
        support.need_raise(
            actor=company, enterprise=demo_company, category="中试场地", description="需要约500平方米中试场地"
        )
    with clock.on(_day(today, 10), hour=10):
        measures.measure_apply(actor=company, enterprise=demo_company, measure_id="RM-M03c", year=drawn.year,
                               evidence="贷款合同与付息凭证")  # fmt: skip
    with clock.on(_day(today, 3), hour=10):
        measures.measure_apply(actor=company, enterprise=demo_company, measure_id="RM-M05b", year=year, months=24,
                               evidence="园区租赁意向书")  # fmt: skip
