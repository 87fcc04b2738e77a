"""The policy engine in the platform: library, self-checks, bulk runs, review decisions."""

import pytest

from rainforest.accounts.permissions import Principal
from rainforest.audit.models import AuditEvent
from rainforest.policy import selectors, services
from rainforest.policy.models import ReviewDecision, ScreeningRun
from rainforest.policy.rules import current_ruleset
from tests.conftest import sign_in
from tests.jobs.helpers import run_jobs

FIGURES = {
    "founded_on": "2023-03-01", "fiscal_year": 2025, "employees": 40, "tech_staff": 16, "rd_staff": 8,
    "revenue": 10_000_000, "rd_expense": 200_000, "total_costs": 9_000_000, "total_assets": 5_000_000,
    "tech_sme_registered": "true", "clean_record": "true", "restricted_sector": "false",
    "industries": ["HZ296X.T.AI"], "stage": "rd", "last_round": "angel", "ip_class1": 0, "ip_class2": 2,
}  # fmt: skip


def officer_principal(user):
    return Principal(user=user, membership=user.memberships.first())


def test_the_library_is_public_and_lists_every_rule_with_its_source(client, db):
    page = client.get("/policy/").content.decode()
    for rule in ("RM-SEED-01", "HT-05", "TS-05", "XC-07", "TL-00", "RF-08", "RM-M03c"):
        assert rule in page
    assert "杭政办函〔2025〕40号" in page and current_ruleset().version in page


def test_anonymous_self_check_explains_and_advises(client, db):
    page = client.post("/policy/check/", FIGURES).content.decode()
    assert "种子企业" in page and "RM-SEED-04" in page
    # R&D is 2% of revenue; the seed tier needs 3%: 300,000 yuan, in the unit a Chinese reader expects
    assert "20 万元" in page and "30 万元" in page
    client.cookies["django_language"] = "en"
    english = client.post("/policy/check/", FIGURES).content.decode()
    assert "To pass: raise R&amp;D expense from CNY 200,000 to at least CNY 300,000." in english
    assert not ScreeningRun.objects.exists()  # nothing entered is stored


def test_self_check_refuses_impossible_figures(client, db):
    page = client.post("/policy/check/", {**FIGURES, "tech_staff": 41}).content.decode()
    assert "不能超过职工总数" in page


def test_enterprise_checks_itself_from_the_registry(client, enterprise_user, startup):
    sign_in(client, enterprise_user)
    page = client.get("/policy/check/mine/").content.decode()
    assert startup.name in page and "科技型中小企业" in page


def test_other_roles_have_no_own_check(client, officer):
    sign_in(client, officer)
    assert client.get("/policy/check/mine/").status_code == 403


def test_officer_runs_the_registry_and_keeps_the_run(client, officer, startup, other_startup):
    sign_in(client, officer)
    response = client.post("/policy/runs/", {"as_of": "2026-11-28"})
    assert response.status_code == 302
    assert ScreeningRun.objects.get().status == "queued"  # the worker screens it
    run_jobs()
    run = ScreeningRun.objects.get()
    assert run.status == "done" and run.enterprises == 2 and run.ruleset_version and set(run.counts) == set(run.tiers)
    assert sum(run.counts["seed"].values()) == 2
    assert AuditEvent.objects.filter(action="policy.screening.run", subject_id=str(run.pk)).exists()
    page = client.get(f"/policy/runs/{run.pk}/").content.decode()
    assert startup.name in page
    drill = client.get(f"/policy/runs/{run.pk}/{startup.uscc}/").content.decode()
    assert "RM-SEED-01" in drill
    csv = b"".join(client.get(f"/policy/runs/{run.pk}/download/?format=csv").streaming_content).decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("uscc,name,fiscal_year")
    jsonl = b"".join(client.get(f"/policy/runs/{run.pk}/download/?format=jsonl").streaming_content).decode()
    assert len(jsonl.splitlines()) == 2


def test_officer_screens_an_uploaded_file_and_bad_files_are_refused(client, officer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rainforest.policy.models import ScreeningUpload

    sign_in(client, officer)
    bad = SimpleUploadedFile("bad.csv", b"uscc,name\n")
    response = client.post("/policy/runs/", {"as_of": "2026-11-28", "file": bad})
    refused = ScreeningRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/policy/runs/{refused.pk}/"
    run_jobs()
    refused.refresh_from_db()
    assert (refused.status, refused.failure, refused.problems["count"]) == ("failed", "file", 2)
    page = client.get(f"/policy/runs/{refused.pk}/").content.decode()
    assert "缺少此必填列" in page and not refused.results.exists() and not ScreeningUpload.objects.exists()
    good = SimpleUploadedFile(
        "ok.csv", "uscc,name,founded_on,fiscal_year,employees\n91350100M000100Y43,甲,2023-01-01,2025,10\n".encode()
    )
    assert client.post("/policy/runs/", {"as_of": "2026-11-28", "file": good, "tiers": ["seed"]}).status_code == 302
    run_jobs()
    run = ScreeningRun.objects.exclude(pk=refused.pk).get()
    assert (run.status, run.source, run.tiers, run.filename) == ("done", "upload", ["seed"], "ok.csv")
    assert not ScreeningUpload.objects.exists()  # the file was kept for its run only


@pytest.fixture
def review_case(officer, make_org):
    """An enterprise whose seed verdict is `review`: revenue above 20m yuan (presumptive)."""
    from tests.conftest import register

    org = make_org(name="杭州营收略高科技有限公司")
    register(org, years=((2025, 50, 20, 10, 25_000_000, 2_500_000),))
    from rainforest.registry.models import YearlyFacts

    YearlyFacts.objects.filter(enterprise__organisation=org).update(tech_sme_registered=True)
    run = services.screening_run(actor=officer_principal(officer), as_of=__import__("datetime").date(2026, 11, 28))
    return run, run.results.get(uscc=org.uscc)


def test_officer_settles_a_review_with_a_reason_and_it_is_audited(client, officer, review_case):
    run, result = review_case
    assert result.verdicts["seed"] == "review"
    sign_in(client, officer)
    url = f"/policy/runs/{run.pk}/{result.uscc}/"
    short = client.post(url, {"tier": "seed", "decision": "eligible", "reason": "ok"})
    assert short.status_code == 200 and not ReviewDecision.objects.exists()
    reason = "营收超出部分为一次性设备转售收入，主营收入低于2000万元。"
    assert client.post(url, {"tier": "seed", "decision": "eligible", "reason": reason}).status_code == 302
    decision = ReviewDecision.objects.get()
    assert (decision.tier, decision.decision, decision.decided_by_label) == ("seed", "eligible", "olivia")
    event = AuditEvent.objects.get(action="policy.review.settled")
    assert event.after["reason"] == reason and event.before == {"verdict": "review"}
    again = client.post(url, {"tier": "seed", "decision": "ineligible", "reason": reason})
    assert "该结论已经作出决定" in again.content.decode()
    assert ReviewDecision.objects.count() == 1


def test_only_review_verdicts_can_be_settled(officer, review_case):
    from django.core.exceptions import ValidationError

    _run, result = review_case
    with pytest.raises(ValidationError):
        services.review_settle(actor=officer_principal(officer), result=result, tier="hnte",
                               decision="eligible", reason="a long enough reason")  # fmt: skip


@pytest.mark.parametrize("persona", ["enterprise_user", "fund_manager", "expert", "sysadmin", "auditor"])
def test_other_roles_cannot_run_or_settle(client, request, persona, review_case):
    run, result = review_case
    sign_in(client, request.getfixturevalue(persona))
    assert client.get("/policy/runs/").status_code == 403
    assert client.get(f"/policy/runs/{run.pk}/").status_code == 403
    post = client.post(f"/policy/runs/{run.pk}/{result.uscc}/",
                       {"tier": "seed", "decision": "eligible", "reason": "a long enough reason"})  # fmt: skip
    assert post.status_code == 403 and not ReviewDecision.objects.exists()


def test_api_self_check_and_rules_are_public(client, db):
    rules = client.get("/api/v1/policy/rules").json()
    assert {t["id"] for t in rules["tiers"]} >= {"seed", "hnte"}
    body = {"founded_on": "2023-03-01", "rows": [{"fiscal_year": 2025, "employees": 101}]}
    result = client.post("/api/v1/policy/check", body, content_type="application/json").json()
    seed = result["seed"]
    assert seed["verdict"] == "ineligible"
    assert next(c for c in seed["criteria"] if c["id"] == "RM-SEED-02")["result"] == "fail"


def test_api_runs_need_an_officer_token(client, officer, enterprise_user, startup):
    from rainforest.accounts import services as accounts

    def token(user):
        return accounts.api_token_create(actor=officer_principal(user), name="t")[1]

    headers = {"HTTP_AUTHORIZATION": f"Bearer {token(officer)}"}
    created = client.post("/api/v1/policy/runs", {"as_of": "2026-11-28"}, content_type="application/json", **headers)
    assert created.status_code == 200 and created.json()["status"] == "queued"
    run_id = created.json()["id"]
    run_jobs()
    assert client.get(f"/api/v1/policy/runs/{run_id}", **headers).json()["status"] == "done"
    results = client.get(f"/api/v1/policy/runs/{run_id}/results", **headers).json()
    assert results["count"] == 1
    low = {"HTTP_AUTHORIZATION": f"Bearer {token(enterprise_user)}"}
    assert client.get("/api/v1/policy/runs", **low).status_code == 403
    assert client.post("/api/v1/policy/runs", {"as_of": "2026-11-28"}, content_type="application/json",
                       **low).status_code == 403  # fmt: skip


def test_officer_can_screen_with_an_alternative_reading(client, officer, make_org):
    from rainforest.registry.models import YearlyFacts
    from tests.conftest import register

    org = make_org(name="杭州省库企业科技有限公司")
    register(org, years=((2025, 20, 8, 6, 3_000_000, 300_000),))
    YearlyFacts.objects.filter(enterprise__organisation=org).update(tech_sme_registered=False, provincial_tech_sme=True)
    sign_in(client, officer)
    client.post("/policy/runs/", {"as_of": "2026-11-28", "tiers": ["seed"]})
    client.post("/policy/runs/", {"as_of": "2026-11-28", "tiers": ["seed"], "reading_RM-SEED-00": "national_only"})
    run_jobs()
    default, national = ScreeningRun.objects.order_by("pk")
    assert default.results.get().verdicts["seed"] == "eligible"
    assert national.readings == {"RM-SEED-00": "national_only"}
    assert national.results.get().verdicts["seed"] == "ineligible"


def test_an_unknown_reading_is_refused(officer):
    import datetime as dt

    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.screening_run(actor=officer_principal(officer), as_of=dt.date(2026, 11, 28),
                               readings={"RM-SEED-00": "city_only"})  # fmt: skip


def test_the_screening_date_is_offered_in_the_form_a_date_picker_reads(client, officer):
    """A date input shows nothing unless its value is ISO (2026-12-04), whatever the language."""
    import datetime as dt

    sign_in(client, officer)
    page = client.get("/policy/runs/").content.decode()
    assert f'value="{dt.date.today().isoformat()}"' in page


# ---------------------------------------------------------------- not_in_force on the pages and the API (issue 17)


def test_self_check_before_the_seedling_rules_says_from_when_they_apply(client, db):
    page = client.post("/policy/check/", {**FIGURES, "as_of": "2025-11-28"}).content.decode()
    assert 'class="tier verdict-not_in_force"' in page and "2025年11月29日" in page
    after = client.post("/policy/check/", {**FIGURES, "as_of": "2025-11-29"}).content.decode()
    assert "verdict-not_in_force" not in after


def test_self_check_takes_domestic_rd_for_the_years_before(client, db):
    """HT-05b sums three years, so the form asks for R&D in China in the two years before too."""
    from rainforest.policy.forms import SelfCheckForm

    form = SelfCheckForm({**FIGURES, "founded_on": "2015-01-01", "fiscal_year": 2025, "rd_expense_domestic": 200_000,
                          "revenue_1": 1, "rd_expense_1": 1, "rd_expense_domestic_1": 1, "revenue_2": 1,
                          "rd_expense_2": 1, "rd_expense_domestic_2": 1})  # fmt: skip
    assert form.is_valid(), form.errors
    assert [r["rd_expense_domestic"] for r in form.rows()] == [1, 1, 200_000]


def test_a_run_before_the_seedling_rules_counts_and_shows_not_in_force(client, officer, startup):
    import datetime as dt

    run = services.screening_run(actor=officer_principal(officer), as_of=dt.date(2025, 11, 28))
    assert run.counts["seed"] == {"not_in_force": 1} and "not_in_force" not in run.counts["tech_sme"]
    result = run.results.get()
    assert selectors.explanation(result)["tiers"]["seed"]["in_force_from"] == "2025-11-29"
    sign_in(client, officer)
    page = client.get(f"/policy/runs/{run.pk}/").content.decode()
    assert "?tier=seed&verdict=not_in_force" in page and 'class="v-not_in_force"' in page and "2025年11月29日" in page
    listed = client.get(f"/policy/runs/{run.pk}/?tier=seed&verdict=not_in_force").content.decode()
    assert startup.name in listed
    drill = client.get(f"/policy/runs/{run.pk}/{result.uscc}/").content.decode()
    assert "verdict-not_in_force" in drill and "2025年11月29日" in drill


def test_api_self_check_says_not_in_force_with_the_date(client, db):
    body = {"founded_on": "2023-03-01", "as_of": "2025-11-17", "rows": [{"fiscal_year": 2025, "employees": 10}]}
    result = client.post("/api/v1/policy/check", body, content_type="application/json").json()
    assert result["fund_target"]["verdict"] == "not_in_force" and result["fund_target"]["in_force_from"] == "2025-11-18"
    assert result["seed"]["in_force"] is False and result["seed"]["in_force_from"] == "2025-11-29"
    assert "in_force_from" not in result["tech_sme"] and "in_force" not in result["tech_sme"]


def test_api_lists_not_in_force_among_the_verdicts(client, officer, startup):
    from rainforest.accounts import services as accounts

    headers = {
        "HTTP_AUTHORIZATION": f"Bearer {accounts.api_token_create(actor=officer_principal(officer), name='t')[1]}"
    }
    created = client.post("/api/v1/policy/runs", {"as_of": "2025-11-28"}, content_type="application/json", **headers)
    run_id = created.json()["id"]
    run_jobs()
    assert client.get(f"/api/v1/policy/runs/{run_id}", **headers).json()["counts"]["seed"] == {"not_in_force": 1}
    url = f"/api/v1/policy/runs/{run_id}/results"
    listed = client.get(f"{url}?tier=seed&verdict=not_in_force", **headers).json()
    assert listed["count"] == 1 and listed["items"][0]["verdicts"]["seed"] == "not_in_force"
    assert client.get(f"{url}?tier=seed&verdict=maybe", **headers).status_code == 422
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "not_in_force" in str(schema["TierOut"]["properties"]["verdict"])
