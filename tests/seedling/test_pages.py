"""The Seedling programme's page actions: one URL and one form per action, every status change
through a workflow table. A move the table does not name is a 404; objects the user may not see are
404, actions their role may not take 403; a bad value is a message in the user's language that
changes nothing, never a server error."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from rainforest.policy import labels
from rainforest.seedling.models import (
    Candidacy,
    Disbursement,
    Loan,
    MeasureApplication,
    Need,
    PanelMember,
    Score,
    SelectionRound,
    Visit,
)
from rainforest.seedling.services import measures, rounds, support
from rainforest.seedling.workflows import APPLICATION, CANDIDACY, NEED, ROUND
from tests.conftest import sign_in
from tests.seedling.conftest import THIS_YEAR, as_actor, recognise

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src" / "rainforest" / "seedling"
CJK = re.compile(r"[\u4e00-\u9fff]")


def browser(user):
    return sign_in(Client(), user)


def errors(response) -> list[str]:
    return re.findall(r'<p class="msg error"[^>]*>(.*?)</p>', response.content.decode(), re.S)


def in_chinese(response) -> bool:
    found = errors(response)
    return response.status_code == 200 and bool(found) and all(CJK.search(e) for e in found)


@pytest.fixture
def review_round(officer, enterprise_user, seedling_co, experts):
    """A round in expert review: alice's company a candidate, expert0 declared, expert1 not yet."""
    selection = rounds.round_open(actor=as_actor(officer), year=THIS_YEAR)
    rounds.candidacy_submit(actor=as_actor(enterprise_user), selection=selection, enterprise=seedling_co)
    for e in experts[:2]:
        rounds.panel_add(actor=as_actor(officer), selection=selection, expert=e)
    rounds.round_close(actor=as_actor(officer), selection=selection)
    rounds.panel_declare(actor=as_actor(experts[0]), selection=selection, declaration="无")
    selection.refresh_from_db()
    return selection


@pytest.fixture
def application(enterprise_user, seedling_co):
    recognise(seedling_co, "good_seedling", year=THIS_YEAR)
    return measures.measure_apply(
        actor=as_actor(enterprise_user), enterprise=seedling_co, measure_id="RM-M03a", year=THIS_YEAR
    )


# The shape


def test_the_programme_declares_its_tables_in_one_shape():
    assert {t.name for t in (ROUND, CANDIDACY, APPLICATION, NEED)} == {
        "seedling.round",
        "seedling.candidacy",
        "seedling.application",
        "seedling.need",
    }
    assert {m.action for m in CANDIDACY.moves if m.internal} == {"select", "not_select"}
    assert [m.action for m in ROUND.moves] == ["close", "approve", "publish"]


def test_no_status_is_set_by_hand_outside_a_table():
    by_hand = re.compile(r"\.status\s*=[^=]|update\([^)]*\bstatus\s*=")
    offenders = [
        f"{path.relative_to(SRC)}:{n}"
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if by_hand.search(line)
    ]
    assert offenders == []


def test_views_read_no_raw_input_and_switch_on_no_posted_action():
    views = (SRC / "views.py").read_text()
    assert "request.POST" not in views
    assert not re.search(r"request\.GET(\.get|\[)", views)
    templates = "".join(p.read_text() for p in (SRC / "templates").rglob("*.html"))
    assert 'name="action"' not in templates


# URLs, methods, 404 and 403


def test_a_move_the_table_does_not_name_is_a_404_and_moves_take_posts_only(client, officer, review_round):
    olivia = browser(officer)
    assert olivia.post(f"/seedling/rounds/{review_round.pk}/moves/reopen/").status_code == 404
    assert olivia.post("/seedling/rounds/999999/moves/approve/").status_code == 404
    assert olivia.get(f"/seedling/rounds/{review_round.pk}/moves/approve/").status_code == 405
    assert olivia.post("/seedling/rounds/", {"year": THIS_YEAR}).status_code == 405


def test_the_round_page_offers_the_moves_of_the_table(officer, enterprise_user, review_round):
    page = browser(officer).get(f"/seedling/rounds/{review_round.pk}/").content.decode()
    assert f"/seedling/rounds/{review_round.pk}/moves/approve/" in page
    assert "/moves/close/" not in page and "/moves/publish/" not in page
    assert "/moves/" not in browser(enterprise_user).get(f"/seedling/rounds/{review_round.pk}/").content.decode()


def test_round_moves_are_for_officers(enterprise_user, experts, publisher, review_round):
    for user, expected in ((enterprise_user, 403), (experts[0], 403), (publisher, 403)):
        assert browser(user).post(f"/seedling/rounds/{review_round.pk}/moves/approve/").status_code == expected
    assert SelectionRound.objects.get().status == "review"


def test_a_second_approval_is_told_in_words(officer, experts, review_round):
    candidacy = Candidacy.objects.get()
    rounds.score_submit(actor=as_actor(experts[0]), candidacy=candidacy, points=[8, 8, 8, 8])
    olivia = browser(officer)
    olivia.post(f"/seedling/rounds/{review_round.pk}/moves/approve/")
    again = olivia.post(f"/seedling/rounds/{review_round.pk}/moves/approve/", follow=True)
    assert in_chinese(again)
    assert Candidacy.objects.get().status == "selected"


def test_approving_before_any_score_is_refused_by_the_tables_guard(officer, review_round):
    response = browser(officer).post(f"/seedling/rounds/{review_round.pk}/moves/approve/", follow=True)
    assert in_chinese(response)
    assert SelectionRound.objects.get().status == "review"


def test_applying_nominating_and_the_panel_have_their_urls(officer, enterprise_user, outsider, experts, seedling_co):
    selection = rounds.round_open(actor=as_actor(officer), year=THIS_YEAR)
    olivia, alice = browser(officer), browser(enterprise_user)
    assert olivia.post(f"/seedling/rounds/{selection.pk}/apply/").status_code == 403  # officers nominate
    assert alice.post(f"/seedling/rounds/{selection.pk}/nominate/", {"uscc": "x"}).status_code == 403
    assert alice.post(f"/seedling/rounds/{selection.pk}/panel/", {"expert": experts[0].pk}).status_code == 403
    assert alice.post("/seedling/rounds/999999/apply/").status_code == 404
    alice.post(f"/seedling/rounds/{selection.pk}/apply/", {"ground": "", "evidence": ""})
    assert Candidacy.objects.get().route == "applied"
    unknown = olivia.post(f"/seedling/rounds/{selection.pk}/nominate/", {"uscc": "91330100MA00000000"}, follow=True)
    assert in_chinese(unknown)
    assert in_chinese(olivia.post(f"/seedling/rounds/{selection.pk}/nominate/", {"uscc": "9" * 19}, follow=True))
    bad_ground = olivia.post(
        f"/seedling/rounds/{selection.pk}/nominate/",
        {"uscc": seedling_co.organisation.uscc, "ground": "friendship"},
        follow=True,
    )
    assert in_chinese(bad_ground) and Candidacy.objects.count() == 1
    for bad in ("abc", str(enterprise_user.pk), "999999"):  # not a number, not an expert, nobody
        assert in_chinese(olivia.post(f"/seedling/rounds/{selection.pk}/panel/", {"expert": bad}, follow=True))
    assert not PanelMember.objects.exists()
    olivia.post(f"/seedling/rounds/{selection.pk}/panel/", {"expert": experts[0].pk})
    assert PanelMember.objects.count() == 1


def test_declarations_are_for_the_panels_experts(experts, officer, review_round):
    assert (
        browser(officer).post(f"/seedling/rounds/{review_round.pk}/declare/", {"declaration": "无"}).status_code == 403
    )
    assert (
        browser(experts[2]).post(f"/seedling/rounds/{review_round.pk}/declare/", {"declaration": "无"}).status_code
        == 403
    )
    ethan = browser(experts[1])
    assert in_chinese(
        ethan.post(f"/seedling/rounds/{review_round.pk}/declare/", {"declaration": "长" * 5001}, follow=True)
    )
    assert not PanelMember.objects.get(expert=experts[1]).declared_at
    ethan.post(f"/seedling/rounds/{review_round.pk}/declare/", {"declaration": "无利益关系"})
    assert PanelMember.objects.get(expert=experts[1]).declared_at


def test_scores_are_read_by_a_form_and_candidates_hidden_from_who_may_not_see_them(
    experts, enterprise_user, outsider, publisher, review_round
):
    candidacy = Candidacy.objects.get()
    url = f"/seedling/candidacies/{candidacy.pk}/score/"
    good = {"p0": 9, "p1": 8, "p2": 8, "p3": 7}
    assert browser(experts[1]).post(url, good).status_code == 404  # on the panel, not declared yet
    assert browser(experts[2]).post(url, good).status_code == 404  # not on the panel
    assert browser(outsider).post(url, good).status_code == 404  # another company's candidacy
    assert browser(enterprise_user).post(url, good).status_code == 403  # its own: but it does not score
    assert browser(publisher).post(url, good).status_code == 403
    ethan = browser(experts[0])
    assert ethan.post("/seedling/candidacies/999999/score/", good).status_code == 404
    for bad in (
        {**good, "p0": "x"},
        {**good, "p0": "11"},
        {**good, "p0": "-1"},
        {"p0": 9},
        {**good, "comment": "长" * 5001},
    ):
        assert in_chinese(ethan.post(url, bad, follow=True)), bad
    assert not Score.objects.exists()
    ethan.post(url, good)
    assert Score.objects.get().total == 82


# Measures, loans, decisions and payments


def test_bad_values_in_a_measure_application_are_messages(enterprise_user, seedling_co):
    recognise(seedling_co, "hnte", year=THIS_YEAR)
    alice = browser(enterprise_user)
    base = {"measure": "RM-M04a", "year": THIS_YEAR, "amount": "1000"}
    for bad in (
        {**base, "year": "abc"},
        {**base, "year": "1999"},
        {**base, "year": "2101"},
        {**base, "amount": "lots"},
        {**base, "amount": "0"},
        {**base, "amount": "1000000000000"},  # beyond what the column holds
        {**base, "amount": "10.001"},
        {**base, "months": "0"},
        {**base, "months": "x"},
        {**base, "evidence": "长" * 5001},
        {**base, "measure": "RM-" + "M" * 20},
    ):
        assert in_chinese(alice.post("/seedling/measures/apply/", bad, follow=True)), bad
    assert not MeasureApplication.objects.exists()
    alice.post("/seedling/measures/apply/", {**base, "amount": "1,000"})
    assert MeasureApplication.objects.get().amount_requested == 1000


def test_bad_values_in_a_loan_are_messages(enterprise_user, seedling_co):
    alice = browser(enterprise_user)
    base = {"lender": "杭州银行", "reference": "L-1", "principal": "5000000", "rate": "0.0385",
            "start": f"{THIS_YEAR}-03-01", "end": f"{THIS_YEAR}-09-01"}  # fmt: skip
    for bad in (
        {**base, "principal": "five million"},
        {**base, "principal": "-1"},
        {**base, "principal": "1" * 15},
        {**base, "rate": "3.85"},
        {**base, "rate": "x"},
        {**base, "start": "yesterday"},
        {**base, "end": f"{THIS_YEAR}-02-01"},  # before the drawdown: the service says so
        {**base, "lender": "长" * 201},
        {**base, "reference": "L" * 65},
    ):
        assert in_chinese(alice.post("/seedling/loans/", bad, follow=True)), bad
    assert not Loan.objects.exists()
    alice.post("/seedling/loans/", base)
    assert Loan.objects.get().annual_rate == Decimal("0.0385")


def test_only_the_enterprise_records_its_own_applications_and_loans(officer, publisher):
    for user in (officer, publisher):
        client = browser(user)
        assert client.post("/seedling/measures/apply/", {"measure": "RM-M03a", "year": THIS_YEAR}).status_code == 403
        assert client.post("/seedling/loans/", {}).status_code == 403
    assert client.post("/seedling/measures/", {}).status_code == 405


def test_decisions_and_payments_have_their_urls(officer, enterprise_user, outsider, publisher, application):
    approve, refuse = (
        f"/seedling/applications/{application.pk}/approve/",
        f"/seedling/applications/{application.pk}/refuse/",
    )
    pay = f"/seedling/applications/{application.pk}/pay/"
    assert browser(enterprise_user).post(approve, {"reason": "自己批"}).status_code == 403  # its own: not its decision
    assert browser(outsider).post(approve, {"reason": "x"}).status_code == 404
    assert browser(publisher).post(approve, {"reason": "x"}).status_code == 403
    olivia = browser(officer)
    assert olivia.post("/seedling/applications/999999/approve/", {"reason": "x"}).status_code == 404
    for bad in ({"reason": "ok", "amount": "abc"}, {"reason": "ok", "amount": "1" * 15}, {"reason": "长" * 2001},
                {"reason": " "}, {"reason": "ok", "amount": "100000.01"}):  # fmt: skip
        assert in_chinese(olivia.post(approve, bad, follow=True)), bad
    assert in_chinese(olivia.post(pay, {"reference": "PAY-1"}, follow=True))  # not approved yet: the table says so
    response = olivia.post(approve, {"reason": "符合条件", "amount": "80,000"})
    assert response.status_code == 302 and response["Location"].endswith("?status=submitted")
    application.refresh_from_db()
    assert (application.status, application.amount_approved) == ("approved", 80000)
    assert in_chinese(olivia.post(refuse, {"reason": "再议"}, follow=True))  # decided already
    for bad in ({"reference": "PAY-1", "paid_on": "soon"}, {"reference": "P" * 65}, {"reference": ""}):
        assert in_chinese(olivia.post(pay, bad, follow=True)), bad
    assert not Disbursement.objects.exists()
    olivia.post(pay, {"reference": "PAY-1"})  # paid today when no date is given
    application.refresh_from_db()
    assert application.status == "disbursed" and Disbursement.objects.get().amount == 80000


def test_a_refusal_has_its_own_url(officer, application):
    browser(officer).post(f"/seedling/applications/{application.pk}/refuse/", {"reason": "材料不全"})
    application.refresh_from_db()
    assert (application.status, application.reason) == ("refused", "材料不全")


# Companion support


def test_case_actions_have_their_urls(officer, enterprise_user, outsider, seedling_co):
    uscc = seedling_co.organisation.uscc
    recognise(seedling_co, "good_seedling")
    alice, charlie, olivia = browser(enterprise_user), browser(outsider), browser(officer)
    assert alice.post(f"/seedling/enterprises/{uscc}/case-officer/", {"officer": officer.pk}).status_code == 403
    assert alice.post(f"/seedling/enterprises/{uscc}/visits/", {"on": "2026-01-05", "notes": "x"}).status_code == 403
    assert (
        charlie.post(f"/seedling/enterprises/{uscc}/needs/", {"category": "融资", "description": "x"}).status_code
        == 404
    )
    assert (
        olivia.post("/seedling/enterprises/NOSUCHCODE/needs/", {"category": "a", "description": "b"}).status_code == 404
    )

    for bad in ("abc", str(enterprise_user.pk)):
        assert in_chinese(olivia.post(f"/seedling/enterprises/{uscc}/case-officer/", {"officer": bad}, follow=True))
    olivia.post(f"/seedling/enterprises/{uscc}/case-officer/", {"officer": officer.pk})
    assert seedling_co.case_officers.get().officer == officer

    for bad in (
        {"on": "", "notes": "走访"},
        {"on": "soon", "notes": "走访"},
        {"on": "2026-01-05", "notes": "长" * 5001},
    ):
        assert in_chinese(olivia.post(f"/seedling/enterprises/{uscc}/visits/", bad, follow=True)), bad
    assert not Visit.objects.exists()

    assert in_chinese(alice.post(f"/seedling/enterprises/{uscc}/needs/", {"category": "长" * 51, "description": "x"},
                                 follow=True))  # fmt: skip
    response = alice.post(f"/seedling/enterprises/{uscc}/needs/", {"category": "融资", "description": "对接银行"})
    assert response["Location"] == "/seedling/mine/"
    need = Need.objects.get()

    resolve = f"/seedling/needs/{need.pk}/resolve/"
    assert alice.post(resolve, {"resolution": "自己解决"}).status_code == 403
    assert charlie.post(resolve, {"resolution": "x"}).status_code == 404
    assert olivia.post("/seedling/needs/999999/resolve/", {"resolution": "x"}).status_code == 404
    assert in_chinese(olivia.post(resolve, {"resolution": "长" * 5001}, follow=True))
    olivia.post(resolve, {"resolution": "已对接杭州银行"})
    assert in_chinese(olivia.post(resolve, {"resolution": "再解决一次"}, follow=True))  # the table: resolved already
    need.refresh_from_db()
    assert (need.status, need.resolution) == ("resolved", "已对接杭州银行")


def test_the_services_keep_their_signatures(officer, enterprise_user, seedling_co):
    """What the API and the demo call: keyword arguments as before, amounts as strings accepted."""
    loan = measures.loan_record(
        actor=as_actor(enterprise_user), enterprise=seedling_co, lender="杭州银行", reference="L-9",
        principal="1000000", annual_rate="0.04", start=dt.date(THIS_YEAR, 1, 1), end=dt.date(THIS_YEAR, 12, 1),
    )  # fmt: skip
    assert loan.principal == 1000000
    need = support.need_raise(
        actor=as_actor(enterprise_user), enterprise=seedling_co, category="人才", description="招聘"
    )
    assert support.need_resolve(actor=as_actor(officer), need=need, resolution="已推荐").status == "resolved"


# Filters of the lists


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/seedling/applications/", {"status": "bogus"}),
        ("/seedling/needs/", {"status": "bogus"}),
        ("/seedling/", {"district": "不存在区"}),
        ("/seedling/", {"cluster": "HZ296X.NOPE"}),
        ("/seedling/needs/", {"format": "pdf"}),
    ],
)
def test_a_bad_filter_is_a_message_on_the_list(officer, path, query):
    response = browser(officer).get(path, query)
    assert in_chinese(response)


def test_the_lists_filter_and_download(officer, application):
    olivia = browser(officer)
    page = olivia.get("/seedling/applications/").content.decode()  # submitted, by default
    assert "RM-M03a" in page
    assert f'action="/seedling/applications/{application.pk}/approve/"' in page
    assert f'formaction="/seedling/applications/{application.pk}/refuse/"' in page
    assert "RM-M03a" not in olivia.get("/seedling/applications/", {"status": "approved"}).content.decode()
    assert olivia.get("/seedling/applications/", {"status": "all", "format": "xlsx"}).content.startswith(b"PK")


def test_the_pages_post_to_the_action_urls(officer, enterprise_user, seedling_co, application):
    uscc = seedling_co.organisation.uscc
    support.need_raise(actor=as_actor(enterprise_user), enterprise=seedling_co, category="融资", description="贷款")
    need = Need.objects.get()
    page = browser(officer).get(f"/seedling/enterprises/{uscc}/").content.decode()
    for url in (f"/seedling/enterprises/{uscc}/case-officer/", f"/seedling/enterprises/{uscc}/visits/",
                f"/seedling/enterprises/{uscc}/needs/", f"/seedling/needs/{need.pk}/resolve/"):  # fmt: skip
        assert f'action="{url}"' in page, url
    alice = browser(enterprise_user)
    page = alice.get("/seedling/measures/").content.decode()
    assert 'action="/seedling/measures/apply/"' in page and 'action="/seedling/loans/"' in page
    assert "/resolve/" not in alice.get("/seedling/mine/").content.decode()  # officers resolve


def test_an_application_has_its_own_page_for_its_enterprise_and_the_officers(
    officer, enterprise_user, outsider, publisher, application
):
    """The enterprise reads its own application (not the officer's forms); an officer decides and
    pays from it and comes back to it; another enterprise gets 404 and a publisher 403."""
    page = f"/seedling/applications/{application.pk}/"
    own = browser(enterprise_user).get(page)
    body = own.content.decode()
    assert own.status_code == 200 and "RM-M03a" in body and "已提交" in body
    assert "/approve/" not in body and "/seedling/measures/#application-" in body
    assert browser(outsider).get(page).status_code == 404
    assert browser(publisher).get(page).status_code == 403
    olivia = browser(officer)
    body = olivia.get(page).content.decode()
    assert f'action="/seedling/applications/{application.pk}/approve/?back=application"' in body
    response = olivia.post(f"{page}approve/?back=application", {"reason": "符合条件"})
    assert response.status_code == 302 and response["Location"] == page
    pay = f'action="/seedling/applications/{application.pk}/pay/?back=application"'
    assert pay in olivia.get(page).content.decode()
    olivia.post(f"{page}pay/?back=application", {"reference": "PAY-7"})
    body = browser(enterprise_user).get(page).content.decode()
    assert "PAY-7" in body and "/pay/" not in body
    assert olivia.post(f"{page}", {}).status_code == 405


def test_the_workbenches_link_to_the_application_itself(officer, enterprise_user, application):
    for user in (officer, enterprise_user):
        assert f"/seedling/applications/{application.pk}/" in browser(user).get("/").content.decode()


def test_recent_work_names_the_measure_not_only_its_code(officer, application):
    olivia = browser(officer)
    olivia.post(f"/seedling/applications/{application.pk}/approve/", {"reason": "符合条件"})
    page = olivia.get("/").content.decode()
    with translation.override("zh-hans"):
        name = labels.measure_name("RM-M03a")
    assert f"{name}（RM-M03a）" in page


def test_a_rent_concession_is_granted_and_recorded_in_months_never_as_zero_yuan(officer, enterprise_user, seedling_co):
    """A concession asks for months: the officer approves it without an amount, every page reads
    24 months where an amount would stand, and its last step records the concession in force."""
    recognise(seedling_co, "good_seedling", year=THIS_YEAR)
    concession = measures.measure_apply(
        actor=as_actor(enterprise_user), enterprise=seedling_co, measure_id="RM-M05b", year=THIS_YEAR, months=24
    )
    page = f"/seedling/applications/{concession.pk}/"
    olivia = browser(officer)
    body = olivia.get(page).content.decode()
    assert 'name="amount"' not in body and "24 个月" in body
    assert olivia.post(f"{page}approve/?back=application", {"reason": "符合条件"}).status_code == 302
    body = olivia.get(page).content.decode()
    assert "0.00 元" not in body and "登记 24 个月租金优惠已落实" in body
    olivia.post(f"{page}pay/?back=application", {"reference": "租赁补充协议-7"})
    concession.refresh_from_db()
    assert concession.status == "disbursed"
    own = browser(enterprise_user).get("/seedling/measures/").content.decode()
    row = own.split(f'id="application-{concession.pk}"')[1].split("</tr>")[0]
    assert row.count("24 个月") == 2 and "元" not in row


def test_a_refused_application_comes_back_as_typed_with_one_reason_per_problem(enterprise_user, seedling_co):
    recognise(seedling_co, "hnte", year=THIS_YEAR)
    alice = browser(enterprise_user)
    evidence = "高新技术企业证书编号 GR2026330001，" * 10
    response = alice.post(
        "/seedling/measures/apply/",
        {"measure": "RM-M04a", "year": THIS_YEAR, "amount": "1" * 15, "evidence": evidence},
    )
    page = response.content.decode()
    assert response.status_code == 200 and not MeasureApplication.objects.exists()
    assert page.count("金额过大") == 1 and "999,999,999,999.99 元" in page and "总位数" not in page
    assert evidence in page and '<option value="RM-M04a" selected>' in page
    refused = alice.post("/seedling/loans/", {"lender": "杭州银行", "reference": "HZB-1", "principal": "x"})
    assert 'value="杭州银行"' in refused.content.decode() and 'value="HZB-1"' in refused.content.decode()
    assert "杭州银行" not in alice.get("/seedling/measures/").content.decode()  # a fresh page is empty again


def test_the_case_page_links_each_application_to_its_own_page(officer, enterprise_user, application, seedling_co):
    own = browser(enterprise_user).get("/seedling/mine/").content.decode()
    assert f'href="/seedling/applications/{application.pk}/"' in own
    case = browser(officer).get(f"/seedling/enterprises/{seedling_co.organisation.uscc}/").content.decode()
    assert f'href="/seedling/applications/{application.pk}/"' in case
