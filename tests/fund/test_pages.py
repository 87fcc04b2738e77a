"""The fund's pages as a fund manager and a committee member use them; others are refused."""

import datetime as dt

import pytest
from django.test import Client

from rainforest.fund.models import Ballot, Deal, Round
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_a_fund_manager_runs_a_deal_through_the_pages(fund_manager, company, committee):
    fiona = sign_in(Client(), fund_manager)
    fiona.post(
        "/fund/deals/new/",
        {"uscc": company.organisation.uscc, "source": "university", "referrer": "浙江大学", "unit": "shares"},
    )
    deal = Deal.objects.get()
    url = f"/fund/deals/{deal.pk}"
    fiona.post(f"{url}/events/", {"on": "2023-05-01", "kind": "issue", "holder": "创始人", "units": "9000000"})
    fiona.post(f"{url}/events/", {"on": "2024-01-01", "kind": "pool", "units": "1000000"})
    fiona.post(
        f"{url}/rounds/",
        {
            "name": "天使轮",
            "on": "2026-11-20",
            "pre_money": "40000000",
            "pool": "0",
            "amount0": "4000000",
            "name1": "VC",
            "amount1": "6000000",
        },
    )
    proposed = Round.objects.get()
    page = fiona.get(f"/fund/deals/{deal.pk}/").content.decode()
    assert "FUND-STAKE" in page and "创始人" in page
    fiona.post(f"/fund/rounds/{proposed.pk}/meeting/", {"held_on": "2026-11-21"})
    member = sign_in(Client(), committee[3])
    meeting_page = member.get("/fund/committee/").content.decode()
    assert str(company) in meeting_page
    member.post(f"/fund/committee/{proposed.meeting.pk}/ballot/", {"vote": "for", "conditions": "完成工商变更"})
    assert Ballot.objects.get(member__user=committee[3]).vote == "for"
    for user in committee[:4] + committee[4:6]:
        Ballot.objects.filter(meeting=proposed.meeting, member__user=user).update(vote="for")
    fiona.post(f"/fund/rounds/{proposed.pk}/decision/", {"minutes": "一致通过"})
    fiona.post(f"/fund/rounds/{proposed.pk}/record/", {})
    proposed.refresh_from_db()
    assert proposed.recorded
    Deal.objects.filter(pk=deal.pk).update(stage="portfolio")
    on = dt.date(2026, 12, 31).isoformat()
    assert fiona.get("/fund/portfolio/", {"on": on, "format": "xlsx"}).content.startswith(b"PK")
    assert fiona.get("/fund/portfolio/", {"on": on, "format": "pdf"}).content.startswith(b"%PDF")
    assert "1.00" in fiona.get("/fund/portfolio/", {"on": on}).content.decode()


def test_others_are_refused(officer, enterprise_user, expert):
    for user in (officer, enterprise_user, expert):
        client = sign_in(Client(), user)
        assert client.get("/fund/").status_code == 403
        assert client.get("/fund/portfolio/").status_code == 403
        if user is not expert:  # experts may sit on the committee; they see only meetings put to them
            assert client.get("/fund/committee/").status_code == 403


def test_the_api(fund_manager, company, officer):
    from tests.fund.test_fund_check import deal as deal_json

    fiona = sign_in(Client(), fund_manager)
    report = fiona.post("/api/v1/fund/check", deal_json(), content_type="application/json")
    assert report.status_code == 200, report.json()
    assert report.json()["fund_stake"] == 0.08
    bad = fiona.post(
        "/api/v1/fund/check", deal_json(holders=[{"name": "A", "shares": -1}]), content_type="application/json"
    )
    assert bad.status_code == 422 and "negative" in " ".join(bad.json()["detail"])
    fiona.post(
        "/fund/deals/new/", {"uscc": company.organisation.uscc, "source": "self", "unit": "registered_capital_cny"}
    )
    assert fiona.get("/api/v1/fund/deals").json()["items"][0]["stage"] == "sourced"
    assert fiona.get("/api/v1/fund/portfolio").json()["size"] == "2000000000"
    assert sign_in(Client(), officer).get("/api/v1/fund/deals").status_code == 403


def test_ocf_out_and_back_in_through_the_pages(fund_manager, company, make_org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rainforest.accounts.choices import OrganisationKind
    from tests.seedling.conftest import facts

    fiona = sign_in(Client(), fund_manager)
    fiona.post("/fund/deals/new/", {"uscc": company.organisation.uscc, "source": "self", "unit": "shares"})
    first = Deal.objects.get()
    url = f"/fund/deals/{first.pk}/events/"
    fiona.post(url, {"on": "2023-05-01", "kind": "issue", "holder": "创始人", "units": "9000000"})
    fiona.post(
        url,
        {
            "on": "2024-05-01",
            "kind": "transfer",
            "holder": "创始人",
            "units": "1000000",
            "to": "天使",
        },
    )
    package = fiona.get(f"/fund/deals/{first.pk}/ocf/").content
    other = facts(make_org("杭州另一家公司", OrganisationKind.ENTERPRISE, "西湖区"))
    fiona.post("/fund/deals/new/", {"uscc": other.organisation.uscc, "source": "self", "unit": "shares"})
    second = Deal.objects.exclude(pk=first.pk).get()
    fiona.post(f"/fund/deals/{second.pk}/ocf/import/", {"file": SimpleUploadedFile("t.ocf.zip", package)})
    from rainforest.fund.services import table_of

    assert table_of(second).at(dt.date(2025, 1, 1)) == {"创始人": 8_000_000, "天使": 1_000_000}
    response = fiona.post(
        f"/fund/deals/{second.pk}/ocf/import/", {"file": SimpleUploadedFile("t.ocf.zip", package)}, follow=True
    )
    assert second.table_events.count() == 2  # refused: the table already exists
    assert response.status_code == 200
