"""The pyramid's XLSX is built in the background: the page asks, the worker builds the table the
page shows (its filters, the officer's rights and language), and the officer downloads it."""

import io

import openpyxl
import pytest
from django.test import Client
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from rainforest.audit.models import AuditEvent
from rainforest.registry.models import ExportJob
from rainforest.seedling import exports, selectors, tasks
from tests.conftest import sign_in
from tests.registry.test_export_jobs import run_jobs
from tests.seedling.conftest import THIS_YEAR, as_actor, recognise

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def city(seedling_co, second_co):
    """Two enterprises in two districts; one a tech SME, one a good seedling."""
    recognise(seedling_co, "tech_sme")
    recognise(second_co, "good_seedling", year=THIS_YEAR)


@pytest.fixture
def olivia(officer, city):
    return sign_in(Client(), officer)


def sheet(data: bytes) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return [tuple(row) for row in book.active.iter_rows(values_only=True)]


def ask(client, **values):
    return client.post("/seedling/pyramid/export/", {"year": THIS_YEAR, "district": "", "cluster": "", **values})


def test_the_page_asks_with_its_filters_by_post(olivia):
    page = olivia.get("/seedling/", {"year": THIS_YEAR, "district": "西湖区"}).content.decode()
    assert 'method="post" action="/seedling/pyramid/export/"' in page
    assert f'name="year" value="{THIS_YEAR}"' in page and 'name="district" value="西湖区"' in page
    assert "format=xlsx" not in page
    # The old link no longer builds the file inside the request: it is the page.
    old = olivia.get("/seedling/", {"year": THIS_YEAR, "format": "xlsx"})
    assert old.status_code == 200 and old["Content-Type"].startswith("text/html")


def test_asking_queues_a_job_and_goes_to_my_exports(olivia, officer):
    response = ask(olivia, district="西湖区", cluster="HZ296X.H.ROBOT")
    assert response.status_code == 302 and response["Location"] == "/registry/exports/"
    job = ExportJob.objects.get()
    assert (job.user, job.kind, job.format, job.status) == (officer, "seedling.pyramid", "xlsx", "queued")
    assert job.parameters == {"year": THIS_YEAR, "district": "西湖区", "cluster": "HZ296X.H.ROBOT"}
    assert job.filename == f"pyramid-{THIS_YEAR}.xlsx"
    assert DBTaskResult.objects.get(pk=job.task_id).task_path == "rainforest.seedling.tasks.pyramid_export_job"
    page = olivia.get("/registry/exports/").content.decode()
    assert f'id="export-{job.pk}"' in page and "西湖区" in page and 'hx-trigger="every 3s"' in page


@pytest.mark.parametrize("district", ["", "西湖区"])
def test_the_worker_builds_the_table_the_page_downloaded_before(olivia, officer, media, district):
    ask(olivia, district=district)
    run_jobs()
    job = ExportJob.objects.get()
    assert job.status == "ready"
    data = (media / job.path).read_bytes()
    # What the page's synchronous download returned for the same filters, in the same language.
    with translation.override("zh-hans"):
        rows = selectors.pyramid(actor=as_actor(officer), year=THIS_YEAR, district=district)
        old = exports.pyramid_xlsx(rows, THIS_YEAR)
    assert sheet(data) == sheet(old)
    assert sheet(data)[0][0] == "梯度"  # Tier, in the officer's language
    event = AuditEvent.objects.get(action="seedling.pyramid.exported")
    assert event.actor_label == "olivia" and event.after["sha256"] == job.sha256
    assert event.after["parameters"]["district"] == district
    download = olivia.get(f"/registry/exports/{job.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == data
    assert f"pyramid-{THIS_YEAR}.xlsx" in download["Content-Disposition"]


def test_the_file_is_written_in_the_language_the_officer_asked_in(olivia, media):
    olivia.post("/i18n/setlang/", {"language": "en"})
    ask(olivia)
    run_jobs()
    job = ExportJob.objects.get()
    assert job.language == "en"
    assert sheet((media / job.path).read_bytes())[0][:2] == ("Tier", "Count")


BAD = [{"year": "1999"}, {"year": "二〇二六"}, {"year": ""}, {"district": "不存在区"}, {"cluster": "HZ296X.NOPE"}]


@pytest.mark.parametrize("values", BAD)
def test_a_bad_value_is_refused_in_chinese_and_nothing_is_queued(olivia, values):
    response = ask(olivia, **values)
    assert response.status_code == 302 and response["Location"] == "/seedling/"
    page = olivia.get("/seedling/").content.decode()
    assert 'class="msg error"' in page
    assert not ExportJob.objects.exists() and not DBTaskResult.objects.exists()


@pytest.mark.parametrize("who", ["enterprise_user", "expert", "fund_manager"])
def test_only_officers_may_ask(request, who, city):
    client = sign_in(Client(), request.getfixturevalue(who))
    assert ask(client).status_code == 403
    assert not ExportJob.objects.exists()


def test_an_officer_who_lost_the_role_gets_a_failed_export(olivia, officer, secadmin, media):
    from rainforest.accounts.services import membership_revoke

    ask(olivia)
    membership_revoke(actor=as_actor(secadmin), membership=officer.memberships.get())
    run_jobs()
    job = ExportJob.objects.get()
    assert (job.status, job.failure, job.path) == ("failed", "permission", "")
    assert not AuditEvent.objects.filter(action="seedling.pyramid.exported").exists()


def test_a_direct_request_keeps_the_filters_it_was_given(officer, city):
    job = tasks.pyramid_export_request(actor=as_actor(officer), year=THIS_YEAR, district="滨江区")
    assert job.parameters == {"year": THIS_YEAR, "district": "滨江区", "cluster": ""}
    assert job.summary == f"{THIS_YEAR} · 滨江区"
