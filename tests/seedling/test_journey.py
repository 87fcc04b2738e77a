"""A start-up's journey through the pages, each role in its own browser: apply, selection, a grant
and a subsidy paid, its ladder moving."""

import datetime as dt

import pytest
from django.test import Client

from rainforest.registry.models import Recognition
from rainforest.seedling.models import Candidacy, MeasureApplication, SelectionRound
from tests.conftest import sign_in
from tests.seedling.conftest import THIS_YEAR, recognise

pytestmark = pytest.mark.django_db


def browser(user):
    return sign_in(Client(), user)


def test_a_start_up_from_self_check_to_subsidy(enterprise_user, officer, experts, seedling_co):
    alice, olivia, ethan = browser(enterprise_user), browser(officer), browser(experts[0])
    recognise(seedling_co, "tech_sme")
    page = alice.get("/seedling/mine/").content.decode()
    assert "好苗子" in page  # the next rung, with what it still needs

    olivia.post("/seedling/rounds/open/", {"year": THIS_YEAR, "quota": 10})
    selection = SelectionRound.objects.get()
    alice.post(f"/seedling/rounds/{selection.pk}/apply/", {"ground": "", "evidence": ""})
    assert Candidacy.objects.get().route == "applied"
    olivia.post(f"/seedling/rounds/{selection.pk}/panel/", {"expert": experts[0].pk})
    olivia.post(f"/seedling/rounds/{selection.pk}/moves/close/")
    assert seedling_co.organisation.name not in ethan.get(f"/seedling/rounds/{selection.pk}/").content.decode()
    ethan.post(f"/seedling/rounds/{selection.pk}/declare/", {"declaration": "无利益关系"})
    assert seedling_co.organisation.name in ethan.get(f"/seedling/rounds/{selection.pk}/").content.decode()
    candidacy = Candidacy.objects.get()
    ethan.post(f"/seedling/candidacies/{candidacy.pk}/score/", {"p0": 9, "p1": 8, "p2": 8, "p3": 7})
    olivia.post(f"/seedling/rounds/{selection.pk}/moves/approve/")
    olivia.post(f"/seedling/rounds/{selection.pk}/moves/publish/")
    assert Recognition.objects.filter(enterprise=seedling_co, kind="good_seedling", year=THIS_YEAR).exists()
    xlsx = olivia.get(f"/seedling/rounds/{selection.pk}/", {"format": "xlsx"})
    assert xlsx.content.startswith(b"PK")

    page = alice.get("/seedling/mine/").content.decode()
    assert "✔ 好苗子" in page  # the ladder moved

    alice.post("/seedling/measures/apply/", {"measure": "RM-M03a", "year": THIS_YEAR})
    alice.post(
        "/seedling/loans/",
        {
            "lender": "杭州银行",
            "reference": "L-1",
            "principal": "5000000",
            "rate": "0.0385",
            "start": f"{THIS_YEAR}-03-01",
            "end": f"{THIS_YEAR}-09-01",
        },
    )
    alice.post("/seedling/measures/apply/", {"measure": "RM-M03c", "year": THIS_YEAR})
    grant, subsidy = MeasureApplication.objects.order_by("pk")
    assert str(subsidy.amount_requested) == "25205.48"
    for application in (grant, subsidy):
        olivia.post(f"/seedling/applications/{application.pk}/approve/", {"reason": "符合条件"})
        olivia.post(
            f"/seedling/applications/{application.pk}/pay/",
            {"reference": f"PAY-{application.pk}", "paid_on": dt.date.today().isoformat()},
        )
    assert set(MeasureApplication.objects.values_list("status", flat=True)) == {"disbursed"}
    assert olivia.get("/seedling/applications/", {"status": "all", "format": "xlsx"}).content.startswith(b"PK")
    page = alice.get("/seedling/measures/").content.decode()
    assert "25,205.48 元" in page


def test_pages_refuse_the_wrong_roles(enterprise_user, expert, publisher, seedling_co):
    for user in (enterprise_user, expert, publisher):
        client = browser(user)
        assert client.get("/seedling/").status_code == 403
        assert client.get("/seedling/applications/").status_code == 403
        assert client.get(f"/seedling/enterprises/{seedling_co.organisation.uscc}/").status_code == 403
    assert Client().get("/seedling/").status_code == 302


def test_the_pyramid_page_and_its_export(officer, seedling_co):
    recognise(seedling_co, "tech_sme")
    olivia = browser(officer)
    page = olivia.get("/seedling/").content.decode()
    assert "50,000" in page and "6,000" in page  # the 2027 targets, grouped as a reader expects
    asked = olivia.post("/seedling/pyramid/export/", {"year": THIS_YEAR, "district": "", "cluster": ""})
    assert asked.status_code == 302 and asked["Location"] == "/registry/exports/"


def test_a_refused_application_shows_the_headroom(enterprise_user, seedling_co):
    recognise(seedling_co, "hnte", year=THIS_YEAR)
    alice = browser(enterprise_user)
    response = alice.post(
        "/seedling/measures/apply/", {"measure": "RM-M04a", "year": THIS_YEAR, "amount": "250000"}, follow=True
    )
    assert "200,000.00 元" in response.content.decode()
    assert not MeasureApplication.objects.exists()


def test_the_api_for_the_same(enterprise_user, officer, seedling_co, outsider):
    recognise(seedling_co, "good_seedling", year=THIS_YEAR)
    alice = browser(enterprise_user)
    created = alice.post(
        "/api/v1/seedling/applications", {"measure": "RM-M03a", "year": THIS_YEAR}, content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["amount_requested"] == "100000.00"
    again = alice.post(
        "/api/v1/seedling/applications", {"measure": "RM-M03a", "year": THIS_YEAR}, content_type="application/json"
    )
    assert again.status_code == 422 and "不重复支付" in " ".join(again.json()["detail"])
    ladder = alice.get(f"/api/v1/seedling/enterprises/{seedling_co.organisation.uscc}/ladder").json()
    assert ladder["current"] == "good_seedling"
    assert (
        browser(outsider).get(f"/api/v1/seedling/enterprises/{seedling_co.organisation.uscc}/ladder").status_code == 404
    )
    assert alice.get("/api/v1/seedling/pyramid", {"year": THIS_YEAR}).status_code == 403
    rows = browser(officer).get("/api/v1/seedling/pyramid", {"year": THIS_YEAR}).json()
    assert {r["tier"] for r in rows} >= {"tech_sme", "seed", "good_seedling"}


def test_officers_see_every_need_with_late_ones_marked(officer, enterprise_user, seedling_co):
    from rainforest.seedling.models import Need

    alice = browser(enterprise_user)
    alice.post(
        f"/seedling/enterprises/{seedling_co.organisation.uscc}/needs/",
        {"category": "融资", "description": "对接银行"},
    )
    Need.objects.update(due_on=dt.date.today() - dt.timedelta(days=1))
    olivia = browser(officer)
    page = olivia.get("/seedling/needs/").content.decode()
    assert "对接银行" in page and 'class="late"' in page
    assert olivia.get("/seedling/needs/", {"format": "xlsx"}).content.startswith(b"PK")
    assert alice.get("/seedling/needs/").status_code == 403


def test_needs_through_the_api(officer, enterprise_user, seedling_co):
    from rainforest.seedling.services import support
    from tests.seedling.conftest import as_actor

    support.need_raise(actor=as_actor(enterprise_user), enterprise=seedling_co, category="场地", description="中试场地")
    rows = browser(officer).get("/api/v1/seedling/needs").json()
    assert rows[0]["category"] == "场地" and rows[0]["status"] == "open"
    assert browser(enterprise_user).get("/api/v1/seedling/needs").status_code == 403
