"""Runs kept before results were compact: migrations 0003-0005 move every JSON record into blocks and
lose nothing (each reads back as it was, review decisions stay on their results), and back again."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from rainforest.core.policy.batch import frame_from_rows
from rainforest.core.policy.screen import screen
from rainforest.policy import selectors, services
from rainforest.policy.models import ReviewDecision, ScreeningRun
from rainforest.policy.rules import current_ruleset
from tests.conftest import SYSTEM
from tests.policy.conftest import city_rows, import_city

BEFORE = [("policy", "0002_run_readings")]
AFTER = [("policy", "0005_drop_result_json")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _old_runs(apps) -> dict[int, list[dict]]:
    """Runs as the synchronous screening wrote them: the full record and the verdicts per result."""
    Run, Result = apps.get_model("policy", "ScreeningRun"), apps.get_model("policy", "ScreeningResult")
    Decision = apps.get_model("policy", "ReviewDecision")
    ruleset = current_ruleset()
    frame = frame_from_rows(city_rows(60))
    kept = {}
    cases = [
        (dt.date(2026, 11, 28), list(ruleset.tiers), {}),
        (dt.date(2025, 11, 28), ["seed", "fund_target", "hnte", "tech_sme"], {}),  # rules not yet in force
        (dt.date(2026, 11, 28), ["seed"], {"RM-SEED-00": "national_only"}),
    ]
    for as_of, tiers, readings in cases:
        records = list(screen(ruleset, frame, as_of, tiers, readings))
        counts = {t: {} for t in tiers}
        for r in records:
            for t in tiers:
                counts[t][r["tiers"][t]["verdict"]] = counts[t].get(r["tiers"][t]["verdict"], 0) + 1
        run = Run.objects.create(created_by_label="olivia", ruleset=ruleset.id, ruleset_version=ruleset.version,
                                 as_of=as_of, source="registry", tiers=tiers, readings=readings, counts=counts,
                                 enterprises=len(records), seconds=1.5)  # fmt: skip
        Result.objects.bulk_create(
            Result(run=run, uscc=r["uscc"], name=r["name"], fiscal_year=r["fiscal_year"],
                   verdicts={t: v["verdict"] for t, v in r["tiers"].items()}, record=r)
            for r in records
        )  # fmt: skip
        kept[run.pk] = records
    empty = Run.objects.create(created_by_label="olivia", ruleset=ruleset.id, ruleset_version=ruleset.version,
                               as_of=dt.date(2026, 1, 1), source="upload", filename="empty.csv", tiers=["seed"],
                               counts={"seed": {}}, enterprises=0, seconds=0.1)  # fmt: skip
    kept[empty.pk] = []
    first = Result.objects.filter(run_id=min(kept)).order_by("uscc").first()
    Decision.objects.create(result=first, tier="seed", decision="eligible", reason="营收超出部分为一次性收入。",
                            decided_by_label="olivia")  # fmt: skip
    return kept


@pytest.mark.django_db(transaction=True)
def test_every_old_record_reads_back_as_it_was_and_back_again():
    apps = _migrate(BEFORE)
    try:
        kept = _old_runs(apps)
        results = apps.get_model("policy", "ScreeningResult").objects.all()
        old = {(r.run_id, r.uscc): (r.verdicts, r.record) for r in results}
    finally:
        _migrate(AFTER)
    for pk, records in kept.items():
        run = ScreeningRun.objects.get(pk=pk)
        assert (run.status, run.screened, run.enterprises) == ("done", len(records), len(records))
        assert list(selectors.run_records(run)) == records
        assert sum(run.combinations.values()) == len(records)
    decision = ReviewDecision.objects.get()
    assert selectors.explanation(decision.result) == kept[decision.result.run_id][0]
    # A run the worker screened after the upgrade goes back too.
    import_city(30)
    new = services.screening_run(actor=SYSTEM, as_of=dt.date(2026, 11, 28))
    new_records = {(new.pk, r["uscc"]): r for r in selectors.run_records(new)}
    # And back: the JSON records are written again from the blocks.
    apps = _migrate(BEFORE)
    try:
        Result = apps.get_model("policy", "ScreeningResult")
        again = {(r.run_id, r.uscc): (r.verdicts, r.record) for r in Result.objects.all()}
        assert {k: v for k, v in again.items() if k[0] != new.pk} == old
        assert {k: v[1] for k, v in again.items() if k[0] == new.pk} == new_records
        assert apps.get_model("policy", "ReviewDecision").objects.count() == 1
    finally:
        _migrate(AFTER)
