"""A bulk screening of the registry asked for on the officers' page: queued with its audit event,
run by the worker as the officer who asked, its progress on the page, done only when every result is
written, failed with a reason the officer reads (and nothing of it left), started again."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from rainforest.accounts import services as accounts
from rainforest.accounts.choices import Role
from rainforest.audit.models import AuditEvent
from rainforest.jobs import chain, periodic
from rainforest.policy import screening_jobs, selectors, services, tasks, views
from rainforest.policy.models import (
    ReviewDecision,
    ScreeningBlock,
    ScreeningResult,
    ScreeningRun,
    ScreeningUpload,
)
from tests.conftest import SYSTEM, sign_in
from tests.exchange.conftest import as_actor
from tests.jobs.helpers import run_jobs
from tests.policy.conftest import AS_OF

pytestmark = pytest.mark.django_db

TASK = "rainforest.policy.tasks.screening_job"


@pytest.fixture
def olivia(officer, city):
    return sign_in(Client(), officer)


def ask(client, **data):
    return client.post("/policy/runs/", {"as_of": AS_OF.isoformat(), **data})


def status_fragment(client, run) -> str:
    return client.get(f"/policy/runs/{run.pk}/", headers={"HX-Request": "true"}).content.decode()


def failure_text(reason) -> str:
    with translation.override("zh-hans"):
        return str(ScreeningRun.Failure(reason).label)


def zh(text: str, **params) -> str:
    """A message as the page shows it in Chinese (its translation where the catalogue has one)."""
    with translation.override("zh-hans"):
        return translation.gettext(text) % params if params else translation.gettext(text)


# Asking


def test_asking_queues_the_run_with_its_audit_event_and_goes_to_its_page(olivia, officer):
    response = ask(olivia, tiers=["seed", "tech_sme"])
    run = ScreeningRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/policy/runs/{run.pk}/"
    assert (run.status, run.source, run.tiers, run.as_of) == ("queued", "registry", ["seed", "tech_sme"], AS_OF)
    assert (run.created_by, run.membership, run.created_by_label) == (officer, officer.memberships.get(), "olivia")
    queued = DBTaskResult.objects.get(pk=run.task_id)
    assert queued.task_path == TASK and queued.args_kwargs == {"args": [run.pk], "kwargs": {}}
    event = AuditEvent.objects.get(action="policy.screening.requested")
    assert (event.actor_label, event.subject_id, event.after["tiers"]) == ("olivia", str(run.pk), ["seed", "tech_sme"])
    assert not run.results.exists()


def test_the_queued_run_says_so_and_polls_and_shows_no_results(olivia):
    ask(olivia)
    run = ScreeningRun.objects.get()
    page = olivia.get(f"/policy/runs/{run.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page and f'hx-get="/policy/runs/{run.pk}/"' in page
    assert "等待开始" in page  # Waiting to start
    assert "/download/" not in page and 'class="v-' not in page
    fragment = status_fragment(olivia, run)
    assert fragment.lstrip().startswith('<div id="run-status"') and "<html" not in fragment


def test_the_worker_screens_it_and_the_page_then_shows_counts_and_results(olivia, officer, city):
    ask(olivia)
    run_jobs()
    run = ScreeningRun.objects.get()
    enterprises = len({r["uscc"] for r in city})
    assert (run.status, run.attempts, run.enterprises, run.screened) == ("done", 1, enterprises, enterprises)
    assert all(sum(c.values()) == enterprises for c in run.counts.values()) and set(run.counts) == set(run.tiers)
    assert run.results.count() == enterprises and run.finished_at and run.seconds > 0
    event = AuditEvent.objects.get(action="policy.screening.run")
    assert (event.actor_label, event.after["enterprises"], event.after["counts"]) == ("olivia", enterprises, run.counts)
    # The page asked again and is told to reload; reloaded, it shows the run and stops asking.
    refresh = olivia.get(f"/policy/runs/{run.pk}/", headers={"HX-Request": "true"})
    assert refresh.headers.get("HX-Refresh") == "true"
    page = olivia.get(f"/policy/runs/{run.pk}/").content.decode()
    assert "hx-trigger" not in page and "/download/" in page
    assert page.count('<td class="opt">') == enterprises  # one row per enterprise, on one page


def test_progress_moves_chunk_by_chunk_and_nothing_shows_before_the_end(olivia, monkeypatch, small_chunks, city):
    """Between chunks the page reads "screened k of n" and no result of the run can be read."""
    ask(olivia)
    run = ScreeningRun.objects.get()
    seen = []
    write = screening_jobs._write_chunk

    def watched(run_, prepared):
        write(run_, prepared)
        current = ScreeningRun.objects.get(pk=run.pk)
        fragment = status_fragment(olivia, current)
        some = current.results.order_by("uscc").first()
        seen.append((current.status, current.screened, current.enterprises, fragment))
        assert not selectors.result_list(actor=as_actor(current.created_by), run=current).exists()
        assert olivia.get(f"/policy/runs/{run.pk}/{some.uscc}/").status_code == 404
        assert olivia.get(f"/policy/runs/{run.pk}/download/").status_code == 404

    monkeypatch.setattr(screening_jobs, "_write_chunk", watched)
    run_jobs()
    total = len({r["uscc"] for r in city})
    assert [s[:3] for s in seen] == [("running", min(6 * k, total), total) for k in range(1, len(seen) + 1)]
    assert len(seen) == -(-total // 6) >= 3
    assert zh("Screened %(done)s of %(total)s enterprises", done=6, total=total) in seen[0][3]
    assert 'hx-trigger="every 2s"' in seen[0][3]
    assert ScreeningRun.objects.get().status == "done"


# Failing


@pytest.mark.parametrize("loss", ["role revoked", "account deactivated"])
def test_a_requester_who_lost_the_right_gets_a_failed_run_with_the_reason(olivia, officer, secadmin, sysadmin, loss):
    ask(olivia)
    if loss == "role revoked":
        accounts.membership_revoke(actor=as_actor(secadmin), membership=officer.memberships.get())
    else:
        accounts.user_set_active(actor=as_actor(sysadmin), user=officer, active=False)
    run_jobs()
    run = ScreeningRun.objects.get()
    assert (run.status, run.failure, run.attempts) == ("failed", "permission", 1)
    assert not run.results.exists() and not run.blocks.exists()
    assert AuditEvent.objects.get(action="policy.screening.failed").after == {"reason": "permission"}
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"  # a refusal is an answer, not an error to retry


def test_a_run_the_rules_no_longer_fit_fails_at_once_with_the_reason(olivia):
    """The platform was upgraded between the request and the run: a tier it asked for is gone."""
    ask(olivia, tiers=["seed"])
    ScreeningRun.objects.update(tiers=["seed", "gold_medal"])
    run_jobs()
    run = ScreeningRun.objects.get()
    assert (run.status, run.failure, run.attempts) == ("failed", "rules", 1)
    page = olivia.get(f"/policy/runs/{run.pk}/").content.decode()
    assert failure_text("rules") in page and "hx-trigger" not in page


def _explode_on_second_chunk(monkeypatch):
    calls = []
    insert = screening_jobs._insert_results

    def insert_then_fail(run_id, results):
        calls.append(1)
        if len(calls) % 2 == 0:  # every attempt dies after its first chunk is committed
            raise RuntimeError("disk full")
        insert(run_id, results)

    monkeypatch.setattr(screening_jobs, "_insert_results", insert_then_fail)


def test_a_failing_run_is_retried_then_fails_with_nothing_left_and_can_be_started_again(
    olivia, monkeypatch, small_chunks, no_backoff, city
):
    ask(olivia)
    _explode_on_second_chunk(monkeypatch)
    run_jobs()
    run = ScreeningRun.objects.get()
    assert (run.status, run.failure, run.attempts) == ("failed", "error", screening_jobs.ATTEMPTS)
    assert not ScreeningResult.objects.exists() and not ScreeningBlock.objects.exists()  # the first chunks went too
    attempts = DBTaskResult.objects.filter(task_path=TASK)
    assert [a.status for a in attempts] == ["FAILED"] * screening_jobs.ATTEMPTS  # the administrators see them
    assert AuditEvent.objects.filter(action="policy.screening.failed").count() == 1
    assert not AuditEvent.objects.filter(action="policy.screening.run").exists()
    page = olivia.get(f"/policy/runs/{run.pk}/").content.decode()
    assert failure_text("error") in page and zh("Start again") in page
    assert olivia.get(f"/policy/runs/{run.pk}/download/").status_code == 404
    monkeypatch.undo()
    again = olivia.post(f"/policy/runs/{run.pk}/again/")
    second = ScreeningRun.objects.exclude(pk=run.pk).get()
    assert again.status_code == 302 and again["Location"] == f"/policy/runs/{second.pk}/"
    assert (second.status, second.as_of, second.tiers) == ("queued", run.as_of, run.tiers)
    assert second.readings == run.readings
    run_jobs()
    second.refresh_from_db()
    assert second.status == "done" and second.results.count() == len({r["uscc"] for r in city})


def test_a_run_that_fails_once_is_done_after_the_retry_with_every_result_once(
    olivia, monkeypatch, small_chunks, no_backoff, city
):
    calls = []
    insert = screening_jobs._insert_results

    def flaky(run_id, results):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("connection reset")
        insert(run_id, results)

    monkeypatch.setattr(screening_jobs, "_insert_results", flaky)
    ask(olivia)
    run_jobs()
    run = ScreeningRun.objects.get()
    total = len({r["uscc"] for r in city})
    assert (run.status, run.attempts, run.screened, run.failure) == ("done", 2, total, "")
    assert run.results.count() == total and run.results.values("uscc").distinct().count() == total
    assert sorted(run.blocks.values_list("seq", flat=True)) == list(range(-(-total // 3)))


def test_an_administrators_retry_of_the_last_attempt_screens_it(olivia, monkeypatch, small_chunks, no_backoff):
    ask(olivia)
    _explode_on_second_chunk(monkeypatch)
    run_jobs()
    monkeypatch.undo()
    last = DBTaskResult.objects.filter(status="FAILED").order_by("-enqueued_at").first()
    chain.retry_now(last.pk)
    run_jobs()
    assert ScreeningRun.objects.get().status == "done"


def test_a_run_refused_for_rights_stays_refused(olivia, officer, secadmin):
    ask(olivia)
    accounts.membership_revoke(actor=as_actor(secadmin), membership=officer.memberships.get())
    run_jobs()
    run = ScreeningRun.objects.get()
    tasks.screening_job.call(run.pk)  # delivered again: nothing runs
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("failed", 1)


def test_a_repeated_delivery_of_a_done_run_changes_nothing(olivia):
    ask(olivia)
    run_jobs()
    run = ScreeningRun.objects.get()
    results = list(run.results.values_list("pk", flat=True))
    tasks.screening_job.call(run.pk)
    run.refresh_from_db()
    assert run.attempts == 1 and list(run.results.values_list("pk", flat=True)) == results
    assert AuditEvent.objects.filter(action="policy.screening.run").count() == 1


def test_a_second_delivery_after_a_worker_died_mid_run_starts_over(olivia, monkeypatch, small_chunks, city):
    """The worker wrote two chunks and died; the recovered job removes them and screens everything once.
    The dead attempt, were it only paused, could write nothing more."""
    ask(olivia)
    run = ScreeningRun.objects.get()
    stale = {}
    write = screening_jobs._write_chunk

    def die_after_two(run_, prepared):
        write(run_, prepared)
        stale.setdefault("chunks", []).append((run_, prepared))
        if len(stale["chunks"]) == 2:
            raise SystemExit  # nothing below the worker catches it: as good as a kill

    monkeypatch.setattr(screening_jobs, "_write_chunk", die_after_two)
    with pytest.raises(SystemExit):
        screening_jobs.execute(run.pk)
    monkeypatch.undo()
    run.refresh_from_db()
    assert (run.status, run.screened) == ("running", 12) and run.results.count() == 12
    tasks.screening_job.call(run.pk)  # what recovery re-queues
    run.refresh_from_db()
    total = len({r["uscc"] for r in city})
    assert (run.status, run.attempts, run.results.count()) == ("done", 2, total)
    paused_run, paused_chunk = stale["chunks"][0]
    with pytest.raises(screening_jobs.Superseded):
        screening_jobs._write_chunk(paused_run, paused_chunk)
    assert run.results.count() == total


def test_runs_no_worker_finished_are_failed_by_the_periodic_job(olivia, officer):
    ask(olivia)
    lost = ScreeningRun.objects.get()
    ScreeningRun.objects.filter(pk=lost.pk).update(
        status="running", active_at=timezone.now() - screening_jobs.GIVE_UP_AFTER - dt.timedelta(seconds=1)
    )
    ScreeningResult.objects.create(run=lost, uscc="91330108MA0000000X", name="半途", codes="E" * 7)
    fresh = services.screening_request(actor=as_actor(officer), as_of=AS_OF)
    DBTaskResult.objects.all().delete()  # their queue rows went with a dead worker
    run_jobs(periodic_jobs={"policy.screenings_give_up": periodic.PERIODIC["policy.screenings_give_up"]})
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert (lost.status, lost.failure) == ("failed", "lost") and not lost.results.exists()
    assert fresh.status == "queued"
    event = AuditEvent.objects.get(action="policy.screening.failed")
    assert (event.actor_label, event.after) == ("system:screening", {"reason": "lost"})


# Who may


OTHERS = ["enterprise_user", "publisher", "fund_manager", "expert", "sysadmin", "secadmin", "auditor"]


@pytest.mark.parametrize("persona", OTHERS)
def test_only_programme_officers_start_see_restart_download_or_settle(request, persona, officer, city):
    services.screening_run(actor=as_actor(officer), as_of=AS_OF)
    done = ScreeningRun.objects.get()
    failed = services.screening_request(actor=as_actor(officer), as_of=AS_OF)
    ScreeningRun.objects.filter(pk=failed.pk).update(status="failed", failure="error")
    result = done.results.first()
    client = sign_in(Client(), request.getfixturevalue(persona))
    before = (ScreeningRun.objects.count(), DBTaskResult.objects.count())
    assert ask(client).status_code == 403
    assert client.get("/policy/runs/").status_code == 403
    assert client.get(f"/policy/runs/{done.pk}/").status_code == 403
    assert client.get(f"/policy/runs/{done.pk}/", headers={"HX-Request": "true"}).status_code == 403
    assert client.get(f"/policy/runs/{done.pk}/download/").status_code == 403
    assert client.get(f"/policy/runs/{done.pk}/{result.uscc}/").status_code == 403
    assert client.post(f"/policy/runs/{failed.pk}/again/").status_code == 403
    settle = {"tier": "seed", "decision": "eligible", "reason": "一个足够长的理由说明"}
    assert client.post(f"/policy/runs/{done.pk}/{result.uscc}/", settle).status_code == 403
    assert (ScreeningRun.objects.count(), DBTaskResult.objects.count()) == before
    assert not ReviewDecision.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(officer, city):
    run = services.screening_run(actor=as_actor(officer), as_of=AS_OF)
    for url in ("/policy/runs/", f"/policy/runs/{run.pk}/", f"/policy/runs/{run.pk}/download/"):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert Client().post(f"/policy/runs/{run.pk}/again/").status_code == 302


@pytest.mark.parametrize("persona", OTHERS)
def test_the_service_refuses_every_other_role(request, persona, city):
    with pytest.raises(PermissionDenied):
        services.screening_request(actor=as_actor(request.getfixturevalue(persona)), as_of=AS_OF)
    assert not ScreeningRun.objects.exists() and not DBTaskResult.objects.exists()


def test_the_system_cannot_ask_for_a_background_run():
    with pytest.raises(PermissionDenied):
        services.screening_request(actor=SYSTEM, as_of=AS_OF)


def test_another_officer_sees_the_run_and_may_settle_its_reviews(olivia, make_user, bureau):
    ask(olivia)
    run_jobs()
    run = ScreeningRun.objects.get()
    colleague = sign_in(Client(), make_user("oscar", Role.PROGRAMME_OFFICER, bureau))
    assert colleague.get(f"/policy/runs/{run.pk}/").status_code == 200


# Bad input


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"as_of": "2026-13-45"}, "请输入有效的日期"),
        ({"as_of": ""}, "此项必填"),
        ({"as_of": "9999-12-31"}, "日期须在 2000-01-01 到"),
        ({"as_of": "2026-11-28", "tiers": ["gold_medal"]}, "选择一个有效的选项"),
        ({"as_of": "2026-11-28", "reading_RM-SEED-00": "city_only"}, "选择一个有效的选项"),
    ],
)
def test_bad_input_on_the_page_is_said_in_chinese_and_creates_nothing(olivia, data, message):
    response = olivia.post("/policy/runs/", data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not ScreeningRun.objects.exists() and not DBTaskResult.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="policy.screening").exists()


@pytest.mark.parametrize(
    "parameters",
    [
        {"as_of": dt.date(1999, 12, 31)},
        {"as_of": AS_OF, "tiers": ["seed", "gold_medal"]},
        {"as_of": AS_OF, "readings": {"RM-SEED-00": "city_only"}},
        {"as_of": AS_OF, "readings": {"XX-99": "national_only"}},
    ],
)
def test_the_service_refuses_bad_parameters_and_creates_nothing(officer, parameters):
    with pytest.raises(ValidationError):
        services.screening_request(actor=as_actor(officer), **parameters)
    assert not ScreeningRun.objects.exists() and not DBTaskResult.objects.exists()


def test_the_api_refuses_an_unknown_tier_with_a_reason(client, officer, city):
    token = accounts.api_token_create(actor=as_actor(officer), name="t")[1]
    response = client.post("/api/v1/policy/runs", {"as_of": "2026-11-28", "tiers": ["gold_medal"]},
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")  # fmt: skip
    assert response.status_code in (400, 422) and "gold_medal" in response.content.decode()
    assert not ScreeningRun.objects.exists()


def test_starting_again_is_only_for_a_failed_run(olivia):
    ask(olivia)
    run = ScreeningRun.objects.get()
    assert olivia.post(f"/policy/runs/{run.pk}/again/").status_code == 404  # queued
    assert olivia.post(f"/policy/runs/{run.pk + 1}/again/").status_code == 404
    assert olivia.get(f"/policy/runs/{run.pk}/again/").status_code == 405
    assert ScreeningRun.objects.count() == 1


# Uploaded files


def upload(client, data: bytes, name="facts.csv"):
    return client.post("/policy/runs/", {"as_of": AS_OF.isoformat(), "file": SimpleUploadedFile(name, data)})


def test_a_file_over_the_cap_is_refused_on_the_form_and_creates_nothing(olivia, monkeypatch):
    monkeypatch.setattr(views, "MAX_BYTES", 64)
    monkeypatch.setattr(services, "MAX_BYTES", 64)
    response = upload(olivia, b"uscc,name,founded_on,fiscal_year\n" + b"x" * 100)
    assert response.status_code == 200 and 'class="msg error"' in response.content.decode()
    assert not ScreeningRun.objects.exists() and not ScreeningUpload.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_a_file_is_kept_until_its_run_ends_and_its_page_says_it_is_being_checked(olivia):
    upload(olivia, "uscc,name,founded_on,fiscal_year,employees\n91350100M000100Y43,甲,2023-01-01,2025,10\n".encode())
    run = ScreeningRun.objects.get()
    assert (run.status, run.source) == ("queued", "upload") and ScreeningUpload.objects.filter(run=run).exists()
    ScreeningRun.objects.filter(pk=run.pk).update(status="running")
    assert zh("Checking the uploaded file…") in status_fragment(olivia, run)
    ScreeningRun.objects.filter(pk=run.pk).update(status="queued")
    run_jobs()
    run.refresh_from_db()
    assert run.status == "done" and run.results.count() == 1 and not ScreeningUpload.objects.exists()


def test_a_file_with_problems_fails_its_run_with_them_listed_and_no_way_but_a_new_upload(olivia):
    upload(olivia, b"uscc,name,founded_on,fiscal_year\n91350100M000100Y43,,2023-02-30,1890\n")
    run_jobs()
    run = ScreeningRun.objects.get()
    assert (run.status, run.failure, run.attempts) == ("failed", "file", 1)
    assert run.problems["count"] == len(run.problems["items"]) >= 3 and not ScreeningUpload.objects.exists()
    assert AuditEvent.objects.get(action="policy.screening.failed").after["reason"] == "file"
    page = olivia.get(f"/policy/runs/{run.pk}/").content.decode()
    assert failure_text("file") in page and zh("Upload a corrected file") in page and "/again/" not in page
    assert page.count("<tr><td>2</td>") == run.problems["count"]  # each problem on the file's row 2
    assert olivia.post(f"/policy/runs/{run.pk}/again/").status_code == 404


def test_only_the_first_problems_of_a_file_are_kept_but_all_are_counted(olivia, monkeypatch):
    monkeypatch.setattr(screening_jobs, "PROBLEMS_KEPT", 2)
    lines = "".join(f"91350100M000100Y43,甲,2023-01-01,{1800 + i}\n" for i in range(5))
    upload(olivia, ("uscc,name,founded_on,fiscal_year\n" + lines).encode())
    run_jobs()
    run = ScreeningRun.objects.get()
    assert run.problems["count"] >= 5 and len(run.problems["items"]) == 2
