"""Exports built in the background: asked for on a page, built by the worker as the person who
asked, downloaded only by them, failed with a reason they can read, deleted when they expire."""

import datetime as dt
import hashlib
import io
import os

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from rainforest.accounts import services as accounts
from rainforest.accounts.choices import OrganisationKind, Role
from rainforest.audit.models import AuditEvent
from rainforest.jobs import chain, periodic
from rainforest.registry import export_jobs, services, tasks
from rainforest.registry.choices import ExportFailure, ExportStatus
from rainforest.registry.models import ExportJob
from tests.conftest import SYSTEM, sign_in
from tests.exchange.conftest import as_actor
from tests.jobs.helpers import run_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def registry(startup, other_startup):
    """Two enterprises, three enterprise-years on the registry."""


@pytest.fixture
def olivia(officer, registry):
    return sign_in(Client(), officer)


def sheet(data: bytes) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return [tuple(row) for row in book.active.iter_rows(values_only=True)]


def ask(client, fmt="xlsx"):
    return client.post("/registry/export/request/", {"format": fmt})


def built(officer, fmt="xlsx") -> ExportJob:
    job = tasks.facts_export_request(actor=as_actor(officer), fmt=fmt)
    run_jobs()
    job.refresh_from_db()
    return job


# Asking


def test_asking_for_the_xlsx_queues_a_job_and_goes_to_my_exports(olivia, officer):
    response = ask(olivia)
    assert response.status_code == 302 and response["Location"] == "/registry/exports/"
    job = ExportJob.objects.get()
    membership = officer.memberships.get()
    assert (job.user, job.membership, job.organisation, job.role) == (
        officer, membership, membership.organisation, Role.PROGRAMME_OFFICER,
    )  # fmt: skip
    assert (job.kind, job.format, job.status, job.language) == ("registry.facts", "xlsx", "queued", "zh-hans")
    queued = DBTaskResult.objects.get(pk=job.task_id)
    assert queued.task_path == "rainforest.registry.tasks.facts_export_job"
    assert queued.args_kwargs == {"args": [job.pk], "kwargs": {}}
    event = AuditEvent.objects.get(action="registry.export.requested")
    assert (event.actor_label, event.subject_id, event.after["format"]) == ("olivia", str(job.pk), "xlsx")


def test_the_registry_page_posts_the_xlsx_request_and_keeps_the_csv_link(olivia):
    page = olivia.get("/registry/").content.decode()
    assert 'action="/registry/export/request/"' in page and 'value="xlsx"' in page
    assert 'href="/registry/export/?format=csv"' in page
    assert "?format=xlsx" not in page
    assert 'href="/registry/exports/"' in page


def test_the_csv_stays_synchronous_and_audited(olivia):
    response = olivia.get("/registry/export/", {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert AuditEvent.objects.filter(action="registry.exported", after__format="csv").exists()
    assert not ExportJob.objects.exists()


def test_the_old_xlsx_link_says_where_the_export_went(olivia):
    response = olivia.get("/registry/export/", {"format": "xlsx"})
    assert response.status_code == 400
    assert not ExportJob.objects.exists() and not DBTaskResult.objects.exists()


def test_a_bad_format_is_refused_in_chinese_and_nothing_is_queued(olivia):
    response = ask(olivia, "pdf")
    assert response.status_code == 302 and response["Location"] == "/registry/"
    page = olivia.get("/registry/").content.decode()
    assert "选择一个有效的选项" in page  # Django's own choice error, in the user's language
    assert not ExportJob.objects.exists() and not DBTaskResult.objects.exists()


@pytest.mark.parametrize("who", ["enterprise_user", "fund_manager", "expert", "auditor"])
def test_only_those_who_may_export_may_ask(request, who, registry):
    client = sign_in(Client(), request.getfixturevalue(who))
    assert ask(client).status_code == 403
    assert not ExportJob.objects.exists()


def test_the_system_cannot_ask_for_a_background_export():
    with pytest.raises(PermissionDenied):
        tasks.facts_export_request(actor=SYSTEM, fmt="xlsx")


# Building


def test_the_worker_builds_the_file_the_synchronous_export_made(olivia, officer, media):
    ask(olivia)
    run_jobs()
    job = ExportJob.objects.get()
    assert (job.status, job.attempts, job.failure) == ("ready", 1, "")
    path = media / job.path
    data = path.read_bytes()
    assert job.path.startswith("exports/") and path.parent == media / "exports"
    assert (job.size, job.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert job.expires_at == job.finished_at + dt.timedelta(days=7)
    old = services.facts_export(actor=as_actor(officer), fmt="xlsx")
    assert sheet(data) == sheet(old) and len(sheet(data)) == 1 + 3
    event = AuditEvent.objects.filter(action="registry.exported", subject_id=str(job.pk)).get()
    assert event.actor_label == "olivia" and event.after == {"rows": 3, "format": "xlsx", "sha256": job.sha256}
    assert not [p for p in (media / "exports").iterdir() if p.name.endswith(".tmp")]


def test_a_repeated_delivery_changes_nothing(officer, registry, media):
    job = built(officer)
    tasks.facts_export_job.call(job.pk)
    job.refresh_from_db()
    assert job.attempts == 1 and len(list((media / "exports").iterdir())) == 1
    assert AuditEvent.objects.filter(action="registry.exported").count() == 1


@pytest.mark.parametrize("loss", ["role revoked", "account deactivated"])
def test_a_requester_who_lost_the_right_gets_a_failed_export_with_the_reason(olivia, officer, secadmin, sysadmin,
                                                                             loss, media):  # fmt: skip
    ask(olivia)
    if loss == "role revoked":
        accounts.membership_revoke(actor=as_actor(secadmin), membership=officer.memberships.get())
    else:
        accounts.user_set_active(actor=as_actor(sysadmin), user=officer, active=False)
    run_jobs()
    job = ExportJob.objects.get()
    assert (job.status, job.failure, job.path, job.attempts) == ("failed", "permission", "", 1)
    assert job.organisation_id and job.role == Role.PROGRAMME_OFFICER  # who it was asked as, kept
    assert not (media / "exports").exists() or not list((media / "exports").iterdir())
    assert AuditEvent.objects.get(action="registry.export.failed").after == {"reason": "permission"}
    assert not AuditEvent.objects.filter(action="registry.exported").exists()
    # The queue row succeeded: a refusal is an answer, not an error to retry.
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def _boom(actor, parameters, fmt):
    raise RuntimeError("disk full")


@pytest.fixture
def no_backoff(settings):
    settings.RAINFOREST_JOB_BACKOFF_SECONDS = 0


@pytest.mark.parametrize("failure", ["the build raises", "the file cannot be written"])
def test_a_failing_build_is_retried_then_fails_with_a_message(olivia, monkeypatch, no_backoff, settings, tmp_path,
                                                              failure):  # fmt: skip
    if failure == "the build raises":
        monkeypatch.setattr(tasks, "_facts", _boom)
    else:
        settings.MEDIA_ROOT = tmp_path / "not-a-folder"
        settings.MEDIA_ROOT.write_bytes(b"")
    ask(olivia)
    run_jobs()
    job = ExportJob.objects.get()
    assert (job.status, job.failure, job.attempts) == ("failed", "error", export_jobs.EXPORT_ATTEMPTS)
    attempts = DBTaskResult.objects.filter(task_path="rainforest.registry.tasks.facts_export_job")
    assert [a.status for a in attempts] == ["FAILED"] * export_jobs.EXPORT_ATTEMPTS  # visible to administrators
    assert AuditEvent.objects.filter(action="registry.export.failed").count() == 1
    page = olivia.get("/registry/exports/").content.decode()
    with translation.override("zh-hans"):
        assert str(ExportFailure.ERROR.label) in page


def test_an_administrators_retry_of_the_last_attempt_builds_it(olivia, monkeypatch, no_backoff):
    monkeypatch.setattr(tasks, "_facts", _boom)
    ask(olivia)
    run_jobs()
    monkeypatch.undo()
    last = DBTaskResult.objects.filter(status="FAILED").order_by("-enqueued_at").first()
    chain.retry_now(last.pk)
    run_jobs()
    job = ExportJob.objects.get()
    assert (job.status, job.failure, job.attempts) == ("ready", "", export_jobs.EXPORT_ATTEMPTS + 1)


def test_an_export_refused_for_rights_stays_refused(olivia, officer, secadmin):
    ask(olivia)
    accounts.membership_revoke(actor=as_actor(secadmin), membership=officer.memberships.get())
    run_jobs()
    job = ExportJob.objects.get()
    tasks.facts_export_job.call(job.pk)  # delivered again: nothing runs
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("failed", 1)


def test_a_build_that_fails_once_is_ready_after_the_retry(olivia, monkeypatch, no_backoff):
    calls = []

    def flaky(actor, parameters, fmt):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        data, rows = services.facts_export_file(actor=actor, fmt=fmt)
        return export_jobs.Built(data, rows)

    monkeypatch.setattr(tasks, "_facts", flaky)
    ask(olivia)
    run_jobs()
    job = ExportJob.objects.get()
    assert (job.status, job.attempts, job.failure) == ("ready", 2, "")


# Downloading


def test_the_requester_downloads_the_file_and_the_download_is_audited(olivia, officer, media):
    ask(olivia)
    run_jobs()
    job = ExportJob.objects.get()
    response = olivia.get(f"/registry/exports/{job.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (media / job.path).read_bytes()
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert job.filename in response["Content-Disposition"] and "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert AuditEvent.objects.filter(action="registry.export.downloaded", subject_id=str(job.pk)).exists()


def test_no_one_else_downloads_it(olivia, officer, make_user, make_org, bureau, outsider):
    ask(olivia)
    run_jobs()
    url = f"/registry/exports/{ExportJob.objects.get().pk}/download/"
    colleague = make_user("oscar", Role.PROGRAMME_OFFICER, bureau)  # same organisation, same role
    elsewhere = make_user("otto", Role.PROGRAMME_OFFICER,
                          make_org("萧山区科技局", OrganisationKind.GOVERNMENT, "萧山区"))  # fmt: skip
    for user in (colleague, elsewhere, outsider):
        assert sign_in(Client(), user).get(url).status_code == 404, user
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert not AuditEvent.objects.filter(action="registry.export.downloaded").exists()


def test_a_file_built_for_a_role_goes_with_the_role(olivia, officer, secadmin, make_org):
    ask(olivia)
    run_jobs()
    job = ExportJob.objects.get()
    # Still an officer elsewhere, so still signed in; the membership the file was built in is gone.
    accounts.membership_grant(actor=SYSTEM, user=officer, role=Role.PROGRAMME_OFFICER,
                              organisation=make_org("余杭区科技局", OrganisationKind.GOVERNMENT, "余杭区"))  # fmt: skip
    accounts.membership_revoke(actor=as_actor(secadmin), membership=job.membership)
    assert olivia.get(f"/registry/exports/{job.pk}/download/").status_code == 404


def test_pending_and_missing_exports_are_not_found(olivia):
    ask(olivia)
    job = ExportJob.objects.get()
    assert olivia.get(f"/registry/exports/{job.pk}/download/").status_code == 404  # not built yet
    assert olivia.get(f"/registry/exports/{job.pk + 1}/download/").status_code == 404


# The exports page


def test_my_exports_lists_only_my_own_and_polls_while_one_is_pending(olivia, officer, make_user, bureau):
    colleague = make_user("oscar", Role.PROGRAMME_OFFICER, bureau)
    tasks.facts_export_request(actor=as_actor(colleague), fmt="csv")
    ask(olivia)
    mine = ExportJob.objects.get(user=officer)
    page = olivia.get("/registry/exports/").content.decode()
    assert f'id="export-{mine.pk}"' in page and page.count('<tr id="export-') == 1
    assert 'hx-trigger="every 3s"' in page and 'hx-get="/registry/exports/"' in page
    fragment = olivia.get("/registry/exports/", headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="jobs"') and "<html" not in fragment
    run_jobs()
    page = olivia.get("/registry/exports/").content.decode()
    assert "hx-trigger" not in page  # nothing pending: the page stops asking
    assert f'href="/registry/exports/{mine.pk}/download/"' in page
    assert f'href="/registry/exports/{ExportJob.objects.get(user=colleague).pk}/download/"' not in page


def test_my_exports_is_in_the_users_language(olivia):
    ask(olivia)
    run_jobs()
    page = olivia.get("/registry/exports/").content.decode()
    assert '<html lang="zh-hans">' in page and "下载" in page  # Download
    with translation.override("zh-hans"):
        for text in (ExportStatus.READY.label, "My exports", "Enterprise registry facts"):
            assert translation.gettext(str(text)) in page


def test_an_empty_exports_page_for_anyone_signed_in(auditor):
    response = sign_in(Client(), auditor).get("/registry/exports/")
    assert response.status_code == 200 and 'id="export-' not in response.content.decode()


# Expiry


def _expire_now():
    jobs = {"registry.exports_expire": periodic.PERIODIC["registry.exports_expire"]}
    run_jobs(periodic_jobs=jobs)


def test_expired_files_are_deleted_by_the_periodic_job(olivia, officer, media):
    old, fresh = built(officer), built(officer)
    ExportJob.objects.filter(pk=old.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    _expire_now()
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, old.path) == ("expired", "")
    assert [p.name for p in (media / "exports").iterdir()] == [fresh.path.removeprefix("exports/")]
    assert fresh.status == "ready"
    event = AuditEvent.objects.get(action="registry.export.expired")
    assert (event.actor_label, event.subject_id) == ("system:exports", str(old.pk))
    assert olivia.get(f"/registry/exports/{old.pk}/download/").status_code == 404


def test_the_expiry_gives_up_on_lost_exports_and_removes_stray_files(officer, registry, media):
    lost = tasks.facts_export_request(actor=as_actor(officer), fmt="xlsx")
    DBTaskResult.objects.all().delete()  # its queue rows went with a dead worker's last attempt
    ExportJob.objects.filter(pk=lost.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    stray = media / "exports" / "999-leftover.xlsx"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"PK")
    recent = media / "exports" / "1000-being-written.xlsx"
    recent.write_bytes(b"PK")
    day_ago = (timezone.now() - dt.timedelta(days=2)).timestamp()
    os.utime(stray, (day_ago, day_ago))
    assert export_jobs.exports_expire() == 0
    lost.refresh_from_db()
    assert (lost.status, lost.failure) == ("failed", "error")
    assert not stray.exists() and recent.exists()
