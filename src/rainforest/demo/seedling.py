"""The demo Seedling programme: this year's good-seedling round in expert review (the demo expert
has not declared yet, so a walk-through can), the demo company as a good seedling with a case
officer, a need, a visit, a loan, and measure applications in every state. Through the services."""

from __future__ import annotations

import datetime as dt
import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rainforest.demo.exchange import _user
from rainforest.registry.models import Enterprise, Recognition
from rainforest.seedling.models import Candidacy
from rainforest.seedling.services import measures, rounds, support

CANDIDATES = 30


@transaction.atomic
def load_seedling(seed: int, year: int) -> None:
    rng = random.Random(seed + 11)
    officer = _user("officer")
    selection = rounds.round_open(actor=officer, year=year)
    demo_company = Enterprise.objects.get(organisation=_user("enterprise").organisation)
    pool = list(Enterprise.objects.exclude(pk=demo_company.pk).select_related("organisation").order_by("pk"))
    rng.shuffle(pool)
    for enterprise in pool:
        if selection.candidacies.count() >= CANDIDATES:
            break
        try:
            rounds.candidacy_submit(actor=officer, selection=selection, enterprise=enterprise)
        except ValidationError:
            continue  # the engine's pre-check refuses it: as an officer would find out
    experts = [_user(name) for name in ("expert", "expert2", "expert3")]
    for expert in experts:
        rounds.panel_add(actor=officer, selection=selection, expert=expert.user)
    rounds.round_close(actor=officer, selection=selection)
    for expert in experts[1:]:
        rounds.panel_declare(actor=expert, selection=selection, declaration="与本轮候选企业无利益关系。")
        for candidacy in Candidacy.objects.filter(round=selection):
            if rounds.conflict(expert.user, candidacy):
                continue
            points = [rng.choice([6, 7, 8, 9]) for _ in selection.rubric]
            rounds.score_submit(actor=expert, candidacy=candidacy, points=points, comment="")

    # The demo company: a good seedling since last year, accompanied, with money applied for.
    Recognition.objects.get_or_create(enterprise=demo_company, kind="good_seedling", year=year - 1)
    support.case_officer_assign(actor=officer, enterprise=demo_company, officer=officer.user)
    support.visit_record(actor=officer, enterprise=demo_company, on=timezone.localdate() - dt.timedelta(days=20),
                         notes="走访企业，了解到中试场地与银行贷款两项需求。")  # fmt: skip
    company = _user("enterprise")
    support.need_raise(
        actor=company, enterprise=demo_company, category="中试场地", description="需要约500平方米中试场地"
    )
    measures.loan_record(actor=company, enterprise=demo_company, lender="杭州银行科技支行", reference="HZB-2026-0418",
                         principal="8000000", annual_rate="0.0345", start=dt.date(year, 2, 1),
                         end=dt.date(year + 1, 2, 1))  # fmt: skip
    grant = measures.measure_apply(actor=company, enterprise=demo_company, measure_id="RM-M03a", year=year - 1,
                                   evidence="好苗子企业名单")  # fmt: skip
    measures.application_decide(actor=officer, application=grant, approve=True, reason="入选好苗子名单，符合条件。")
    measures.disbursement_record(
        actor=officer, application=grant, paid_on=dt.date(year, 3, 15), reference="HZKJ-2026-031"
    )
    measures.measure_apply(actor=company, enterprise=demo_company, measure_id="RM-M03c", year=year,
                           evidence="贷款合同与付息凭证")  # fmt: skip
    measures.measure_apply(actor=company, enterprise=demo_company, measure_id="RM-M05b", year=year, months=24,
                           evidence="园区租赁意向书")  # fmt: skip
