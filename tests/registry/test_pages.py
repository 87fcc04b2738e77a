import pytest

from rainforest.audit.models import AuditEvent
from rainforest.registry.models import YearlyFacts
from tests.conftest import sign_in

FACTS = {"employees": 30, "tech_staff": 12, "rd_staff": 9, "revenue": "3500000", "rd_expense": "400000"}


def test_enterprise_user_edits_own_year_and_it_is_audited(client, enterprise_user, startup):
    sign_in(client, enterprise_user)
    facts = YearlyFacts.objects.get(enterprise__organisation=startup, fiscal_year=2024)
    response = client.post(f"/registry/{startup.uscc}/facts/2024/", {**FACTS, "version": facts.version})
    assert response.status_code == 302
    facts.refresh_from_db()
    assert (facts.employees, facts.version) == (30, 2)
    event = AuditEvent.objects.get(action="registry.facts.updated")
    assert event.actor_label == "alice" and event.before["employees"] == 20


def test_an_edit_over_someone_elses_newer_save_is_refused(client, enterprise_user, startup):
    sign_in(client, enterprise_user)
    facts = YearlyFacts.objects.get(enterprise__organisation=startup, fiscal_year=2024)
    opened = facts.version
    client.post(f"/registry/{startup.uscc}/facts/2024/", {**FACTS, "version": opened})
    stale = client.post(f"/registry/{startup.uscc}/facts/2024/", {**FACTS, "employees": 99, "version": opened})
    assert stale.status_code == 200
    assert "他人已保存" in stale.content.decode()
    facts.refresh_from_db()
    assert facts.employees == 30


@pytest.mark.parametrize(
    "change, message",
    [
        ({"tech_staff": 31}, "科技人员数不能超过职工总数"),
        ({"employees": -1}, "大于或等于"),
        ({"district": "=HYPERLINK(1)"}, "公式"),
        ({"hnte_certified_on": "2099-01-01"}, "晚于今天"),
        ({"industries": "HZ296X.T.NOPE"}, "未知的产业集群代码"),
    ],
)
def test_bad_figures_are_refused_with_a_reason(client, enterprise_user, startup, change, message):
    sign_in(client, enterprise_user)
    response = client.post(f"/registry/{startup.uscc}/facts/2024/", {**FACTS, **change, "version": 1})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert YearlyFacts.objects.get(enterprise__organisation=startup, fiscal_year=2024).version == 1


def test_new_year_before_founding_is_refused(client, enterprise_user, startup):
    sign_in(client, enterprise_user)
    response = client.post(f"/registry/{startup.uscc}/facts/new/", {**FACTS, "fiscal_year": 2020})
    assert "早于企业成立年度" in response.content.decode()
    ok = client.post(f"/registry/{startup.uscc}/facts/new/", {**FACTS, "fiscal_year": 2025})
    assert ok.status_code == 302


def test_profile_edit_is_versioned(client, enterprise_user, startup):
    sign_in(client, enterprise_user)
    data = {"name": "杭州甲智能科技有限公司", "district": "滨江区", "founded_on": "2022-03-01", "version": 1}
    assert client.post(f"/registry/{startup.uscc}/profile/", data).status_code == 302
    stale = client.post(f"/registry/{startup.uscc}/profile/", {**data, "name": "别的名字"})
    assert "他人已修改" in stale.content.decode()


def test_officer_searches_and_filters(client, officer, startup, other_startup):
    sign_in(client, officer)
    page = client.get("/registry/", {"q": "乙"}).content.decode()
    assert "杭州乙科技有限公司" in page and "杭州甲科技有限公司" not in page
    by_code = client.get("/registry/", {"q": startup.uscc}).content.decode()
    assert "杭州甲科技有限公司" in by_code
    fragment = client.get("/registry/", {"q": "乙"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'id="results"' in fragment


def test_officer_imports_a_malformed_file_and_sees_every_reason(client, officer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    sign_in(client, officer)
    bad = SimpleUploadedFile("bad.csv", b"uscc,name,founded_on,fiscal_year,revenu\n")
    page = client.post("/registry/import/", {"file": bad}).content.decode()
    assert "该列不在企业数据规范中" in page and "未导入任何数据" in page


def test_registry_list_query_count_is_bounded(client, officer, startup, other_startup, django_assert_max_num_queries):
    sign_in(client, officer)
    with django_assert_max_num_queries(12):
        client.get("/registry/")
