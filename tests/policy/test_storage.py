"""What a run keeps: a narrow row per enterprise and compressed blocks, from which every record reads
back exactly as `rainforest screen` writes it for the same registry, whichever way it was screened."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rainforest.core.facts.reader import read_table
from rainforest.core.facts.validate import validate_rows
from rainforest.core.facts.writer import to_csv
from rainforest.core.policy.batch import frame_from_rows
from rainforest.core.policy.screen import screen
from rainforest.policy import explain, selectors, services
from rainforest.policy.models import ReviewDecision, ScreeningResult, ScreeningRun
from rainforest.policy.rules import current_ruleset
from rainforest.registry.selectors import facts_export_rows
from tests.conftest import SYSTEM, register, sign_in
from tests.exchange.conftest import as_actor
from tests.jobs.helpers import run_jobs
from tests.policy.conftest import AS_OF, city_rows

pytestmark = pytest.mark.django_db


def screened_now(as_of, tiers=None, readings=None) -> list[dict]:
    """What `rainforest screen` gives for the registry as it stands: the reference."""
    ruleset = current_ruleset()
    frame = frame_from_rows(list(facts_export_rows(actor=SYSTEM)))
    return list(screen(ruleset, frame, as_of, tiers or list(ruleset.tiers), readings or {}))


CASES = [
    pytest.param(AS_OF, None, None, id="every tier"),
    pytest.param(dt.date(2025, 11, 28), ["seed", "fund_target", "hnte"], None, id="rules not yet in force"),
    pytest.param(AS_OF, ["seed", "tech_sme"], {"RM-SEED-00": "national_only"}, id="another reading"),
    pytest.param(dt.date(2024, 6, 30), None, None, id="an earlier year"),
]


@pytest.mark.parametrize(("as_of", "tiers", "readings"), CASES)
def test_the_worker_keeps_what_screen_gives_record_for_record(officer, city, small_chunks, as_of, tiers, readings):
    run = services.screening_request(actor=as_actor(officer), as_of=as_of, tiers=tiers, readings=readings)
    run_jobs()
    run.refresh_from_db()
    expected = screened_now(as_of, tiers, readings)
    assert run.status == "done" and run.blocks.count() == -(-len(expected) // 3) > 1
    assert list(selectors.run_records(run)) == expected
    by_code = {r["uscc"]: r for r in expected}
    for result in run.results.all():  # the result page's reading of one enterprise
        assert selectors.explanation(result) == by_code[result.uscc]
        assert result.verdicts == {t: v["verdict"] for t, v in by_code[result.uscc]["tiers"].items()}
    counts = {t: {} for t in run.tiers}
    for record in expected:
        for t, tier in record["tiers"].items():
            counts[t][tier["verdict"]] = counts[t].get(tier["verdict"], 0) + 1
    assert run.counts == counts


def test_an_uploaded_file_is_kept_as_screen_gives_it(client, officer, small_chunks):
    rows = city_rows(40, seed=11)
    data = to_csv(rows)
    sign_in(client, officer)
    response = client.post("/policy/runs/", {"as_of": AS_OF.isoformat(),
                                             "file": SimpleUploadedFile("city.csv", data)})  # fmt: skip
    assert response.status_code == 302
    run_jobs()
    run = ScreeningRun.objects.get()
    assert (run.status, run.source, run.filename) == ("done", "upload", "city.csv")
    sheet = read_table(data, "city.csv")
    frame = frame_from_rows(validate_rows(sheet.header, sheet.rows, AS_OF).rows)
    assert list(selectors.run_records(run)) == list(screen(current_ruleset(), frame, AS_OF))


def test_each_result_is_a_narrow_row_and_the_explanations_are_compressed_blocks(officer, city):
    run = services.screening_run(actor=as_actor(officer), as_of=AS_OF)
    fields = {f.name: f.get_internal_type() for f in ScreeningResult._meta.concrete_fields}
    assert "JSONField" not in fields.values() and "BinaryField" not in fields.values()
    result = run.results.first()
    assert len(result.codes) == len(run.tiers) and set(result.codes) <= set("EIRUN")
    block = run.blocks.get()
    assert bytes(block.data[:4]) == b"PAR1" and block.enterprises == run.enterprises
    assert set(explain.decode(block.data).columns) == set(explain.block_columns(run.layout))


def test_an_empty_registry_gives_a_done_run_with_nothing_in_it(client, officer):
    run = services.screening_run(actor=as_actor(officer), as_of=AS_OF)
    assert (run.status, run.enterprises, run.results.count(), run.blocks.count()) == ("done", 0, 0, 0)
    assert run.counts == {t: {} for t in run.tiers} and run.layout["tiers"]
    sign_in(client, officer)
    assert client.get(f"/policy/runs/{run.pk}/").status_code == 200
    assert b"".join(client.get(f"/policy/runs/{run.pk}/download/").streaming_content).startswith(b"\xef\xbb\xbf")


def test_the_result_page_explains_from_the_blocks(client, officer, city):
    run = services.screening_run(actor=as_actor(officer), as_of=AS_OF)
    result = run.results.order_by("uscc").last()
    record = selectors.explanation(result)
    sign_in(client, officer)
    page = client.get(f"/policy/runs/{run.pk}/{result.uscc}/").content.decode()
    for tier in record["tiers"].values():
        for c in tier["criteria"]:
            assert f"<td><strong>{c['id']}</strong>" in page  # each criterion, with its title beside the id
    assert result.name in page


@pytest.fixture
def review_case(officer, make_org):
    """An enterprise whose seed verdict is `review`: revenue above 20m yuan (presumptive)."""
    from rainforest.registry.models import YearlyFacts

    org = make_org(name="杭州营收略高科技有限公司")
    register(org, years=((2025, 50, 20, 10, 25_000_000, 2_500_000),))
    YearlyFacts.objects.filter(enterprise__organisation=org).update(tech_sme_registered=True)
    run = services.screening_request(actor=as_actor(officer), as_of=AS_OF)
    run_jobs()
    return run, ScreeningResult.objects.get(run=run, uscc=org.uscc)


def test_a_review_verdict_of_a_background_run_is_settled_and_audited(officer, review_case):
    run, result = review_case
    assert result.verdict("seed") == "review"
    reason = "营收超出部分为一次性设备转售收入，主营收入低于2000万元。"
    services.review_settle(actor=as_actor(officer), result=result, tier="seed", decision="eligible", reason=reason)
    assert ReviewDecision.objects.get().result == result
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):  # not a review verdict
        services.review_settle(actor=as_actor(officer), result=result, tier="tech_leader", decision="eligible",
                               reason=reason)  # fmt: skip


def test_a_result_of_a_run_not_done_cannot_be_settled(officer, review_case):
    from django.core.exceptions import ValidationError

    run, result = review_case
    ScreeningRun.objects.filter(pk=run.pk).update(status="running")
    with pytest.raises(ValidationError):
        services.review_settle(actor=as_actor(officer), result=result, tier="seed", decision="eligible",
                               reason="一个足够长的理由说明问题")  # fmt: skip
    assert not ReviewDecision.objects.exists()


def test_an_old_run_reads_with_its_own_layout_after_the_rules_change(officer, city, monkeypatch):
    """A rule set change later never rewrites a past run's explanations: its layout was kept with it."""
    run = services.screening_run(actor=as_actor(officer), as_of=AS_OF, tiers=["seed"])
    before = list(selectors.run_records(run))
    run.layout["tiers"][0]["criteria"][0]["source"]  # noqa: B018 - it is there, copied from the rule file
    monkeypatch.setattr(explain, "layout", lambda *a, **k: pytest.fail("the layout is read, never rebuilt"))
    run.refresh_from_db()
    assert list(selectors.run_records(run)) == before


def test_a_name_that_reads_like_a_null_stays_a_name(officer, make_org):
    org = make_org(name=r"\N")
    register(org)
    run = services.screening_run(actor=as_actor(officer), as_of=AS_OF)
    assert run.results.get().name == r"\N"
    assert next(selectors.run_records(run))["name"] == r"\N"


def test_client_sees_the_same_counts_as_the_run(client, officer, city):
    run = services.screening_run(actor=as_actor(officer), as_of=AS_OF)
    sign_in(client, officer)
    page = Client.get(client, f"/policy/runs/{run.pk}/").content.decode()
    for verdict, n in run.counts["seed"].items():
        assert f'href="?tier=seed&verdict={verdict}">{n}</a>' in page
