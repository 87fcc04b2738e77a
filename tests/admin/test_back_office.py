"""The back office (Django's admin at /admin/) reads in plain Chinese (issue 14): every list page and
every change page shows codes by their names, money in 元, times in Beijing time without offsets,
yes and no as words, and Chinese column names, for each role that reaches it."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from rainforest.accounts import services
from rainforest.accounts.choices import Role
from rainforest.accounts.permissions import Principal
from rainforest.registry.models import FinancingRound, Recognition
from rainforest.registry.services import financing_rounds_record, recognitions_record
from tests.conftest import SYSTEM, sign_in
from tests.plain_language.scan import LATIN_RUN, page_findings, read_page

pytestmark = pytest.mark.django_db
LANGUAGE = "zh-hans"

# list page -> (who reaches it, what it must name, the raw codes it must not show)
LISTS = {
    "/admin/accounts/organisation/": ("sysadmin", ["政府部门", 'alt="是"'], ["government", 'alt="True"']),
    "/admin/accounts/user/": (
        "sysadmin", ['alt="是"', 'alt="否"', "上次登录"], ['alt="True"', 'alt="False"', "+08:00"],
    ),
    "/admin/accounts/membership/": (
        "secadmin", ["系统管理员", "审计管理员", "用户", "机构"], ["system_admin", "audit_admin"],
    ),
    "/admin/accounts/securitypolicy/": ("secadmin", ["安全策略"], []),
    "/admin/audit/auditevent/": (
        "auditor",
        ["授予角色", "新建账号", "停用账号", "登记认定结果", "登记融资轮次", "系统管理员", "序号", "操作人"],
        ["accounts.role.granted", "accounts.user.deactivated", "registry.round.recorded", "system_admin", "Seq"],
    ),
    "/admin/registry/enterprise/": ("officer", ["杭州甲科技有限公司", "成立日期", "2022年3月1日"], ["2022-03-01"]),
    "/admin/registry/yearlyfacts/": ("officer", ["3,000,000.00 元"], ["3000000.00"]),
    "/admin/registry/recognition/": ("officer", ["高新技术企业证书", "2026年12月31日"], ["hnte", "2026-12-31"]),
    "/admin/registry/financinground/": ("officer", ["A 轮", "12,000,000.00 元", "2025年6月30日"], ["12000000.00"]),
}  # fmt: skip


@pytest.fixture
def back_office(sysadmin, secadmin, auditor, officer, startup, make_user):
    """Someone of each role that reaches the back office, an account the system administrator
    disabled (an event with a role), and one of each registry object."""
    leaver = make_user("leaver", Role.ENTERPRISE_USER, startup)
    admin = Principal(user=sysadmin, membership=sysadmin.memberships.select_related("organisation").first())
    services.user_set_active(actor=admin, user=leaver, active=False)
    enterprise = startup.enterprise
    recognitions_record(actor=SYSTEM, items=[Recognition(
        enterprise=enterprise, kind="hnte", year=2024, reference="GR202433001234",
        valid_from=dt.date(2024, 12, 1), valid_until=dt.date(2026, 12, 31),
    )])  # fmt: skip
    financing_rounds_record(actor=SYSTEM, items=[FinancingRound(
        enterprise=enterprise, round="a", closed_on=dt.date(2025, 6, 30), amount=Decimal("12000000.00"),
        post_money=Decimal("80000000.00"), lead_investor="杭州创新投资有限公司",
    )])  # fmt: skip
    return {"sysadmin": sysadmin, "secadmin": secadmin, "auditor": auditor, "officer": officer}


def _client(user) -> Client:
    client = Client()
    client.cookies["django_language"] = LANGUAGE
    return sign_in(client, user)


def _names() -> set[str]:
    """What people and authorities named themselves (accounts, certificate numbers): their words."""
    from rainforest.accounts.models import User

    names = set(User.objects.values_list("username", flat=True))
    for reference in Recognition.objects.values_list("reference", flat=True):
        names |= {m.group(0) for m in LATIN_RUN.finditer(reference)}
    return names


def _visible(html: str) -> str:
    return " ".join(text for _where, text in read_page(html)[0])


@pytest.mark.parametrize("url", list(LISTS))
def test_each_list_page_names_its_codes_for_the_role_that_reaches_it(back_office, url):
    persona, named, raw = LISTS[url]
    response = _client(back_office[persona]).get(url, HTTP_ACCEPT_LANGUAGE=LANGUAGE)
    assert response.status_code == 200
    html = response.content.decode()
    visible = _visible(html)
    for text in named:
        assert text in (html if text.startswith("alt=") else visible), f"{url} does not show {text!r}"
    for text in raw:
        assert text not in (html if text.startswith("alt=") else visible), f"{url} shows the raw {text!r}"
    assert page_findings(html, _names()) == []


def _change_links(html: str, url: str) -> list[str]:
    return sorted({href for href in read_page(html)[1] if re.fullmatch(rf"{re.escape(url)}\d+/change/", href)})


@pytest.mark.parametrize("url", list(LISTS))
def test_each_change_page_and_its_history_read_in_plain_chinese(back_office, url):
    persona, _named, _raw = LISTS[url]
    client = _client(back_office[persona])
    links = _change_links(client.get(url, HTTP_ACCEPT_LANGUAGE=LANGUAGE).content.decode(), url)
    assert links, f"{url} links to no object"
    for link in links[:25]:
        for page in (link, link.replace("/change/", "/history/")):
            response = client.get(page, HTTP_ACCEPT_LANGUAGE=LANGUAGE)
            assert response.status_code == 200, page
            html = response.content.decode()
            assert page_findings(html, _names()) == [], page
            assert "True" not in html.replace("true", ""), page  # no alt="True" icon, no Python boolean


def test_an_audit_event_shows_what_changed_by_name_and_its_chain_fields_as_literals(back_office):
    from rainforest.audit.models import AuditEvent

    event = AuditEvent.objects.filter(action="registry.round.recorded").get()
    html = _client(back_office["auditor"]).get(f"/admin/audit/auditevent/{event.pk}/change/").content.decode()
    visible = _visible(html)
    assert "登记融资轮次" in visible  # the action's name, in the title and the field
    assert "轮次：A 轮" in visible and "融资金额：12,000,000.00 元" in visible and "2025年6月30日" in visible
    assert "registry.round.recorded" not in visible
    assert f"<code>{event.content_mac}</code>" in html  # compared with an export, so shown as a literal


def test_the_action_filter_lists_names_not_codes(back_office):
    client = _client(back_office["auditor"])
    html = client.get("/admin/audit/auditevent/").content.decode()
    filters = html[html.index('id="changelist-filter"') :]
    assert "授予角色" in filters and "accounts.role.granted" not in _visible(filters)
    filtered = client.get("/admin/audit/auditevent/", {"action": "accounts.role.granted"})
    assert filtered.status_code == 200
    assert "登记融资轮次" not in _visible(filtered.content.decode().split('id="changelist-filter"')[0])


def test_an_officer_reads_an_organisation_without_the_form_behind_it(back_office, startup):
    html = _client(back_office["officer"]).get(f"/admin/accounts/organisation/{startup.pk}/change/").content.decode()
    assert "滨江区" in _visible(html)
    assert 'name="opened_version"' not in html and 'alt="是"' in html
    assert page_findings(html, _names()) == []


def test_a_system_administrator_still_edits_an_organisation_through_its_form(back_office, startup):
    client = _client(back_office["sysadmin"])
    html = client.get(f"/admin/accounts/organisation/{startup.pk}/change/").content.decode()
    assert 'name="opened_version"' in html and 'name="name"' in html
    assert page_findings(html, _names()) == []


def test_recorded_values_read_as_names_dates_and_numbers_and_an_unknown_object_type_as_other():
    from rainforest.admin_display import change_value, subject_type_name

    translation.activate(LANGUAGE)
    assert subject_type_name("facts") == "年度数据"
    assert "widget" not in subject_type_name("widget")
    assert change_value("22.400000", "value") == "22.4"
    assert change_value("0.038500", "rate") == "3.85 %"
    assert change_value(2025, "fiscal_year") == "2025"
    assert change_value(True) == "是"
    assert change_value("hnte", "kind") == "高新技术企业证书"
    assert change_value("2026-12-31", "valid_until") == "2026年12月31日"
    translation.deactivate()


def test_in_english_the_back_office_names_the_same_codes_in_english(back_office):
    client = _client(back_office["auditor"])
    client.cookies["django_language"] = "en"
    visible = _visible(client.get("/admin/audit/auditevent/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "Role granted" in visible and "System administrator" in visible
    assert "accounts.role.granted" not in visible and "system_admin" not in visible
