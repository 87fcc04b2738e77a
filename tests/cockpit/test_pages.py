"""The cockpit's pages, public version, open data and API: who sees what, and the figures agree with
the pages they summarise."""

import csv
import datetime as dt
import io
import json
from decimal import Decimal as D

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from rainforest.accounts.permissions import Principal
from rainforest.cockpit import selectors
from rainforest.cockpit.observations import observations_import
from rainforest.registry.models import Recognition
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db
PRIVATE = "fund_survival"  # not published: officers and fund managers only


def actor_for(user):
    return Principal(user=user, membership=user.memberships.first())


@pytest.fixture
def figures(officer, startup, other_startup):
    from rainforest.registry.services import facts_import

    this_year = timezone.localdate().year
    facts = "uscc,name,founded_on,fiscal_year,employees,district,industries\n" + "\n".join(
        f"{org.uscc},{org.name},2022-03-01,{this_year - 1},30,{district},{clusters}"
        for org, district, clusters in (
            (startup, "滨江区", "HZ296X.T.AI"), (other_startup, "西湖区", "HZ296X.T.AI;HZ296X.H.IC")
        )
    )  # fmt: skip
    facts_import(actor=actor_for(officer), data=facts.encode(), filename="facts.csv")
    for org, kind in ((startup, "tech_sme"), (other_startup, "tech_sme"), (other_startup, "hnte")):
        Recognition.objects.create(
            enterprise=org.enterprise, kind=kind, year=this_year - 1, reference=f"{kind}-{org.pk}"
        )
    data = (
        "indicator,period,value,source_document,note\n"
        f"rd_intensity,{this_year - 2},3.86,统计公报,\n"
        f"rd_intensity,{this_year - 1},3.95,统计公报,\n"
        f"fiscal_st_growth,{this_year - 1},8.2,财政决算,\n"
        f"fiscal_revenue_growth,{this_year - 1},5.1,财政决算,\n"
    ).encode()
    observations_import(actor=actor_for(officer), data=data, filename="o.csv")


@pytest.mark.parametrize("who", ["officer", "fund_manager"])
def test_officers_and_fund_managers_read_the_cockpit(client, request, who, figures):
    sign_in(client, request.getfixturevalue(who))
    page = client.get("/cockpit/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "科技型中小企业" in text and "全社会研发投入强度" in text and "被投企业存续率" in text
    assert "3.95 %" in text  # the latest R&D intensity, as a percentage
    assert ("录入统计数据" in text) == (who == "officer")


@pytest.mark.parametrize("who", ["enterprise_user", "publisher", "expert", "sysadmin", "auditor"])
def test_other_roles_may_not_read_the_cockpit(client, request, who):
    sign_in(client, request.getfixturevalue(who))
    for url in ("/cockpit/", "/cockpit/i/tech_sme/", "/cockpit/briefs/", "/api/v1/cockpit/indicators"):
        assert client.get(url).status_code == 403, url
    assert client.get("/cockpit/observations/").status_code == 403


def test_a_fund_manager_reads_but_does_not_enter(client, fund_manager):
    sign_in(client, fund_manager)
    assert client.get("/cockpit/observations/").status_code == 403
    refused = client.post("/cockpit/observations/enter/", {"indicator": "rd_intensity", "year": 2024, "month": 0,
                                                           "value": "4", "source_document": "x"})  # fmt: skip
    assert refused.status_code == 403
    assert client.post("/cockpit/briefs/", {"year": 2026, "month": 11}).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in_for_the_cockpit(client):
    assert client.get("/cockpit/").status_code == 302


def test_the_public_version_shows_only_published_indicators(client, figures):
    page = client.get("/cockpit/public/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "科技型中小企业" in text and "被投企业存续率" not in text
    assert client.get(f"/cockpit/public/i/{PRIVATE}/").status_code == 404
    assert client.get("/cockpit/public/i/rd_intensity/").status_code == 200


def test_open_data_in_csv_xlsx_and_the_api_say_the_same(client, figures):
    rows = list(csv.DictReader(io.StringIO(client.get("/cockpit/public/indicators.csv").content.decode("utf-8-sig"))))
    book = load_workbook(io.BytesIO(client.get("/cockpit/public/indicators.xlsx").content))
    sheet = list(book.active.values)
    api = client.get("/api/v1/open/indicators").json()
    assert {r["indicator"] for r in rows} == {row[0] for row in sheet[1:]}
    assert PRIVATE not in {r["indicator"] for r in rows} | {i["code"] for i in api}
    rd = [r for r in rows if r["indicator"] == "rd_intensity"]
    assert [(r["year"], r["value"]) for r in rd][-1][1].startswith("0.0395")
    api_rd = next(i for i in api if i["code"] == "rd_intensity")
    assert api_rd["unit"] == "percent" and api_rd["name_en"] == "R&D expenditure intensity"
    assert D(str(api_rd["points"][-1]["value"])) == D("0.0395")
    assert "/api/v1/open/indicators" in client.get("/api/v1/openapi.json").json()["paths"]


def test_the_pyramid_figures_are_the_pyramid_pages_figures(officer, figures):
    from rainforest.seedling import selectors as seedling

    this_year = timezone.localdate().year
    rows = {r.definition.code: r for r in selectors.cockpit(actor=actor_for(officer))}
    pyramid = {r.tier: r for r in seedling.pyramid(actor=actor_for(officer), year=this_year - 1)}
    assert rows["tech_sme"].history[this_year - 1] == pyramid["tech_sme"].count == 2
    assert rows["hnte"].history[this_year - 1] == pyramid["hnte"].count == 1


def test_the_exchange_figures_are_the_targets_pages_figures(officer):
    from rainforest.exchange import selectors as exchange

    this_year = timezone.localdate().year
    rows = {r.definition.code: r for r in selectors.cockpit(actor=actor_for(officer))}
    targets = {r["key"]: r["count"] for r in exchange.targets(this_year)["rows"]}
    assert rows["exchange_scenarios"].history[this_year] == targets["scenarios"]
    assert rows["exchange_projects"].history[this_year] == targets["projects"]


def test_the_detail_page_has_definition_history_breakdown_and_versions(client, officer, figures):
    sign_in(client, officer)
    this_year = timezone.localdate().year
    page = client.get(f"/cockpit/i/tech_sme/?year={this_year - 1}")
    text = page.content.decode()
    assert page.status_code == 200
    assert "年末登记在册" in text and "市科技局" in text  # how it is counted, who owns it
    assert "按区县" in text and "滨江区" in text and "西湖区" in text  # the ranked district bars' table
    assert "人工智能" in text and "集成电路" in text  # and the clusters
    spec = json.loads(
        page.content.decode().split('id="chart-history" type="application/json">')[1].split("</script>")[0]
    )
    assert spec["kind"] == "bar" and spec["mark"]["value"] == 50000
    assert client.get("/cockpit/i/tech_sme/?year=abc").status_code == 400
    assert client.get("/cockpit/i/no_such_thing/").status_code == 404
    assert "杭政办函〔2025〕40号" in text  # the source named by its document
    entered = client.get("/cockpit/i/rd_intensity/").content.decode()
    assert "统计公报" in entered and "3.95 %" in entered
    assert "+0.09 个百分点" in entered  # 3.86 % to 3.95 %: a share's pace in percentage points


def test_fiscal_spending_must_outgrow_revenue(officer, figures):
    rows = {r.definition.code: r for r in selectors.cockpit(actor=actor_for(officer))}
    assert rows["fiscal_st_growth"].trajectory.status == "on_track"  # 8.2 % against 5.1 %


def test_the_cockpit_costs_a_fixed_number_of_queries(client, officer, figures, make_org, django_assert_max_num_queries):
    from tests.conftest import register

    sign_in(client, officer)
    client.get("/cockpit/")
    for n in range(5):
        register(make_org(name=f"杭州丙{n}科技有限公司"))
    with django_assert_max_num_queries(60):
        assert client.get("/cockpit/").status_code == 200


def test_the_form_enters_and_corrects_a_figure(client, officer):
    sign_in(client, officer)
    year = timezone.localdate().year - 1
    posted = client.post("/cockpit/observations/enter/", {"indicator": "rd_intensity", "year": year, "month": 0,
                                                          "value": "4.05", "source_document": "统计公报"})  # fmt: skip
    assert posted.status_code == 302 and posted["Location"].endswith("/cockpit/i/rd_intensity/")
    bad = client.post("/cockpit/observations/enter/", {"indicator": "tech_sme", "year": year, "month": 0,
                                                       "value": "4", "source_document": "x"}, follow=True)  # fmt: skip
    assert "不是" in bad.content.decode() or "选择" in bad.content.decode()  # refused: not an entered indicator
    from rainforest.cockpit.models import Observation

    assert list(Observation.objects.values_list("value", flat=True)) == [D("0.0405")]


def test_the_upload_page_lists_every_problem(client, officer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    sign_in(client, officer)
    upload = SimpleUploadedFile(
        "o.csv", b"indicator,period,value,source_document\nrd_intensity,1999,4,x\nzzz,2024,1,x\n"
    )
    page = client.post("/cockpit/observations/", {"file": upload})
    text = page.content.decode()
    assert page.status_code == 200 and "2 个问题" in text.replace("2个问题", "2 个问题") or "2" in text
    assert "zzz" in text


def test_first_working_day_and_the_brief_due(db):
    from rainforest.cockpit import brief

    assert brief.first_working_day(2026, 10) == dt.date(2026, 10, 8)  # after the National Day holiday
    assert brief.first_working_day(2026, 11) == dt.date(2026, 11, 2)  # the 1st is a Sunday
    assert brief.due(dt.date(2026, 11, 2)) == (2026, 10)
    assert brief.due(dt.date(2026, 11, 3)) is None


def test_the_brief_is_a_pdf_with_its_font_and_an_xlsx(officer, figures):
    from rainforest.audit.models import AuditEvent
    from rainforest.cockpit import brief

    made = brief.brief_make(actor=actor_for(officer), year=2026, month=11)
    pdf = bytes(made.pdf)
    assert pdf.startswith(b"%PDF") and b"/FontFile2" in pdf
    sheet = load_workbook(io.BytesIO(bytes(made.xlsx))).active
    assert "2026年11月" in sheet["A1"].value
    assert any(row[0] == "科技型中小企业" for row in sheet.iter_rows(values_only=True))
    assert AuditEvent.objects.filter(action="cockpit.brief.made").count() == 1
    # The next brief says what changed since this one.
    observations_import(
        actor=actor_for(officer), data=b"indicator,period,value,source_document\nrd_intensity,2026,4.2,x\n",
        filename="o.csv",
    )  # fmt: skip
    later = brief.brief_make(actor=actor_for(officer), year=2026, month=12)
    changes = load_workbook(io.BytesIO(bytes(later.xlsx)))["变化"]
    assert [row[0] for row in changes.iter_rows(min_row=2, values_only=True)] == ["全社会研发投入强度"]


def test_the_define_page_adds_an_indicator_and_refuses_a_catalogue_code(client, officer):
    sign_in(client, officer)
    form = {
        "code": "patents_per_10k", "name_zh_hans": "每万人高价值发明专利拥有量", "name_en": "High-value patents",
        "unit": "count", "target_kind": "none", "department_zh_hans": "市市场监管局", "department_en": "Market Bureau",
        "counting_zh_hans": "按年报。", "counting_en": "From the yearly report.",
    }  # fmt: skip
    added = client.post("/cockpit/define/", form)
    assert added.status_code == 302 and added["Location"].endswith("/cockpit/i/patents_per_10k/")
    assert "每万人高价值发明专利拥有量" in client.get("/cockpit/").content.decode()
    refused = client.post("/cockpit/define/", {**form, "code": "tech_sme"})
    assert refused.status_code == 200 and "发布的指标目录" in refused.content.decode()


def test_support_paid_by_measure_against_its_cap(client, officer, startup):
    from rainforest.seedling.models import Disbursement, MeasureApplication

    this_year = timezone.localdate().year
    application = MeasureApplication.objects.create(
        enterprise=startup.enterprise, measure="RM-M03a", ruleset_version="x", year=this_year, event="once",
        amount_requested=D(100000), amount_approved=D(100000), submitted_by=officer,
    )  # fmt: skip
    Disbursement.objects.create(
        application=application,
        amount=D(100000),
        paid_on=dt.date(this_year, 1, 2),
        reference="P-1",
        recorded_by=officer,
    )
    rows = {r.definition.code: r for r in selectors.cockpit(actor=actor_for(officer))}
    assert rows["support_paid"].history[this_year] == D(100000)
    sign_in(client, officer)
    text = client.get(f"/cockpit/i/support_paid/?year={this_year}").content.decode()
    assert "好苗子企业启动资金" in text  # the measure by its name, not RM-M03a
    assert "100,000.00" in text and "✔" in text  # paid at exactly its cap of 100,000 yuan


def test_cached_pyramid_counts_follow_every_committed_change(officer, startup, other_startup, settings,
                                                             django_capture_on_commit_callbacks):  # fmt: skip
    """With a shared cache (Redis) the pyramid's counts are cached under the standings' generation; a
    committed change moves it, so the next reading counts again. Without one nothing is cached."""
    from rainforest.registry.services import recognitions_record
    from rainforest.seedling import standings

    this_year = timezone.localdate().year
    with django_capture_on_commit_callbacks(execute=True):
        standings.rebuild()
    before = {r.definition.code: r for r in selectors.cockpit(actor=actor_for(officer))}["tech_sme"]
    with django_capture_on_commit_callbacks(execute=True):
        recognitions_record(actor=actor_for(officer), items=[
            Recognition(enterprise=startup.enterprise, kind="tech_sme", year=this_year, reference="T-1")
        ])  # fmt: skip
    after = {r.definition.code: r for r in selectors.cockpit(actor=actor_for(officer))}["tech_sme"]
    assert after.history[this_year] == before.history[this_year] + 1
    shared = "redis" in settings.CACHES["default"]["BACKEND"].lower()
    assert (standings.generation() is not None) == shared
