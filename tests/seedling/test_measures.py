"""Measures: eligibility from the registry, caps with headroom, never paid twice, money exact."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from rainforest.audit.models import AuditEvent
from rainforest.seedling.catalogue import catalogue
from rainforest.seedling.models import MeasureApplication
from rainforest.seedling.services import measures
from tests.conftest import sign_in
from tests.seedling.conftest import THIS_YEAR, as_actor, recognise

pytestmark = pytest.mark.django_db
Y = THIS_YEAR


@pytest.fixture
def seedling(seedling_co):
    recognise(seedling_co, "good_seedling", year=Y)
    return seedling_co


def apply(user, enterprise, measure, **kw):
    return measures.measure_apply(actor=as_actor(user), enterprise=enterprise, measure_id=measure, year=Y, **kw)


def test_the_catalogue_shows_unknown_measures_as_unknown():
    how = {e.measure.id: e.how for e in catalogue()}
    assert how["RM-M03a"] == "amount" and how["RM-M03c"] == "computed" and how["RM-M05b"] == "months"
    assert how["RM-M03b"] == "info" and how["RM-M06b"] == "unknown" and how["RM-M07"] == "unknown"


def test_the_start_up_grant_is_fixed_and_paid_once(enterprise_user, officer, seedling):
    with pytest.raises(ValidationError, match="fixed"):
        apply(enterprise_user, seedling, "RM-M03a", amount="90000")
    application = apply(enterprise_user, seedling, "RM-M03a")
    assert application.amount_requested == Decimal("100000") and application.event == "once"
    with pytest.raises(ValidationError, match="never paid twice"):
        measures.measure_apply(actor=as_actor(enterprise_user), enterprise=seedling, measure_id="RM-M03a", year=Y + 1)


def test_a_measure_needs_its_tier_in_the_registry(enterprise_user, seedling_co):
    with pytest.raises(ValidationError, match="no such recognition"):
        apply(enterprise_user, seedling_co, "RM-M03a")
    with pytest.raises(ValidationError, match="not published"):
        apply(enterprise_user, seedling_co, "RM-M07")
    with pytest.raises(ValidationError, match="service"):
        apply(enterprise_user, seedling_co, "RM-M03b")


def test_first_and_renewal_awards_follow_the_recognitions(enterprise_user, seedling_co):
    recognise(seedling_co, "hnte", year=Y - 3)
    with pytest.raises(ValidationError, match="re-recognition"):
        apply(enterprise_user, seedling_co, "RM-M04b", amount="100000")
    first = apply(enterprise_user, seedling_co, "RM-M04a", amount="200000")
    assert first.event == f"hnte:{Y - 3}"
    recognise(seedling_co, "hnte", year=Y)
    with pytest.raises(ValidationError, match="first recognition, which was in"):
        apply(enterprise_user, seedling_co, "RM-M04a", amount="1")
    renewal = apply(enterprise_user, seedling_co, "RM-M04b", amount="100000.00")
    assert renewal.event == f"hnte:{Y}"


def test_a_cap_refusal_states_the_headroom(enterprise_user, seedling_co):
    recognise(seedling_co, "hnte", year=Y)
    with pytest.raises(ValidationError, match="cap of CNY 200,000.00; CNY 200,000.00 of headroom"):
        apply(enterprise_user, seedling_co, "RM-M04a", amount="200000.01")
    assert apply(enterprise_user, seedling_co, "RM-M04a", amount="200000").amount_requested == Decimal("200000")


@pytest.mark.parametrize("bad", ["abc", "-5", "1.001", "", None])
def test_bad_amounts_are_refused_and_nothing_is_saved(enterprise_user, seedling_co, bad):
    recognise(seedling_co, "hnte", year=Y)
    with pytest.raises(ValidationError):
        apply(enterprise_user, seedling_co, "RM-M04a", amount=bad)
    assert not MeasureApplication.objects.exists()
    assert not AuditEvent.objects.filter(action="seedling.application.submitted").exists()


def test_the_interest_subsidy_is_computed_from_the_loans(enterprise_user, officer, seedling):
    with pytest.raises(ValidationError, match="record the loans"):
        apply(enterprise_user, seedling, "RM-M03c")
    measures.loan_record(
        actor=as_actor(enterprise_user),
        enterprise=seedling,
        lender="杭州银行",
        reference="HZ-001",
        principal="5000000",
        annual_rate="0.0385",
        start=dt.date(Y, 3, 1),
        end=dt.date(Y, 9, 1),
    )
    application = apply(enterprise_user, seedling, "RM-M03c")
    # by hand: 5,000,000 × 1 % × 184 / 365 = 25,205.48
    assert application.amount_computed == application.amount_requested == Decimal("25205.48")
    with pytest.raises(ValidationError, match="never paid twice"):
        apply(enterprise_user, seedling, "RM-M03c")


def test_loans_that_do_not_add_up_are_refused(enterprise_user, seedling):
    with pytest.raises(ValidationError) as problem:
        measures.loan_record(
            actor=as_actor(enterprise_user),
            enterprise=seedling,
            lender="",
            reference="",
            principal="0",
            annual_rate="3.85",
            start=dt.date(Y, 3, 1),
            end=dt.date(Y, 3, 1),
        )
    assert len(problem.value.messages) == 4


def test_rent_concessions_hold_five_years_across_applications(enterprise_user, seedling):
    apply(enterprise_user, seedling, "RM-M05b", months=36)
    with pytest.raises(ValidationError, match="24 months are left"):
        measures.measure_apply(
            actor=as_actor(enterprise_user), enterprise=seedling, measure_id="RM-M05b", year=Y + 1, months=25
        )


def test_officer_decides_with_a_reason_once_and_pays(enterprise_user, officer, officer2, seedling):
    application = apply(enterprise_user, seedling, "RM-M03a")
    with pytest.raises(ValidationError, match="reason"):
        measures.application_decide(actor=as_actor(officer), application=application, approve=True, reason=" ")
    with pytest.raises(ValidationError, match="never more"):
        measures.application_decide(
            actor=as_actor(officer), application=application, approve=True, reason="ok", amount="100000.01"
        )
    measures.application_decide(actor=as_actor(officer), application=application, approve=True, reason="符合条件")
    with pytest.raises(ValidationError, match="already been decided"):
        measures.application_decide(actor=as_actor(officer2), application=application, approve=False, reason="不")
    payment = measures.disbursement_record(
        actor=as_actor(officer), application=application, paid_on=dt.date(Y, 6, 1), reference="PAY-1"
    )
    assert payment.amount == Decimal("100000.00")
    application.refresh_from_db()
    assert application.status == "disbursed"
    with pytest.raises(ValidationError):
        measures.disbursement_record(
            actor=as_actor(officer), application=application, paid_on=dt.date(Y, 6, 2), reference="PAY-2"
        )


@pytest.mark.parametrize("who", ["publisher", "expert", "fund_manager", "outsider"])
def test_others_cannot_apply_or_decide(request, who, enterprise_user, seedling):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        apply(user, seedling, "RM-M03a")
    application = apply(enterprise_user, seedling, "RM-M03a")
    with pytest.raises(PermissionDenied):
        measures.application_decide(actor=as_actor(user), application=application, approve=True, reason="x")


def slow(monkeypatch, name):
    """Widen the window between a service's check and its write, so a missing lock shows."""
    import time

    original = getattr(measures, name)

    def slowed(*args, **kwargs):
        result = original(*args, **kwargs)
        time.sleep(0.5)
        return result

    monkeypatch.setattr(measures, name, slowed)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks between two connections")
def test_two_browsers_at_once_cannot_both_pass_a_cap(enterprise_user, seedling, monkeypatch):
    """Two rent-concession applications for different years racing for the 5-year limit: no
    constraint separates them (they are different events), only the enterprise row lock does."""
    slow(monkeypatch, "_event")
    outcomes = []
    barrier = threading.Barrier(2)

    def attempt(year):
        from django.db import connection as conn

        try:
            barrier.wait()
            measures.measure_apply(
                actor=as_actor(enterprise_user), enterprise=seedling, measure_id="RM-M05b", year=year, months=36
            )
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            conn.close()

    threads = [threading.Thread(target=attempt, args=(y,)) for y in (Y, Y + 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1
    assert MeasureApplication.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks between two connections")
def test_two_officers_deciding_at_once_leave_one_decision(enterprise_user, officer, officer2, seedling, monkeypatch):
    application = apply(enterprise_user, seedling, "RM-M03a")
    slow(monkeypatch, "_lock")
    outcomes = []
    barrier = threading.Barrier(2)

    def decide(user, approve):
        from django.db import connection as conn

        try:
            barrier.wait()
            measures.application_decide(actor=as_actor(user), application=application, approve=approve, reason="决定")
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            conn.close()

    threads = [threading.Thread(target=decide, args=a) for a in ((officer, True), (officer2, False))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # the second is told (in the platform's language: threads do not inherit the test's override)
    assert outcomes.count("ok") == 1 and len(outcomes) == 2
    assert (
        AuditEvent.objects.filter(action__in=["seedling.application.approved", "seedling.application.refused"]).count()
        == 1
    )


def test_a_refusal_names_the_tier_and_the_lists_name_the_measure(client, enterprise_user, seedling):
    """Issue 14: "tech_leader" in a refusal and bare measure codes in "my applications" read as names."""
    with pytest.raises(ValidationError) as refused:
        apply(enterprise_user, seedling, "RM-M04c", amount="100000")
    assert "Tech leader" in str(refused.value) and "tech_leader" not in str(refused.value)
    apply(enterprise_user, seedling, "RM-M03a")
    page = sign_in(client, enterprise_user).get("/seedling/measures/").content.decode()
    assert "<strong>RM-M03a</strong> 好苗子企业启动资金" in page and "100,000.00 元" in page
