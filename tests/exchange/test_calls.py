import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rainforest.exchange.models import Application, Attachment
from rainforest.exchange.services import calls
from rainforest.exchange.services.calls import accepting
from tests.exchange.conftest import PROPOSAL, RUBRIC, as_actor, close_now


def test_rubric_weights_must_add_up_to_100(published, publisher):
    now = timezone.now()
    with pytest.raises(ValidationError, match="100"):
        calls.call_open(
            actor=as_actor(publisher),
            scenario=published,
            opens_at=now,
            closes_at=now + dt.timedelta(days=1),
            rubric=[("a", 50, 10), ("b", 40, 10)],
        )


def test_a_call_cannot_close_in_the_past_or_before_it_opens(published, publisher):
    now = timezone.now()
    with pytest.raises(ValidationError):
        calls.call_open(
            actor=as_actor(publisher),
            scenario=published,
            opens_at=now - dt.timedelta(days=2),
            closes_at=now - dt.timedelta(days=1),
            rubric=RUBRIC,
        )
    with pytest.raises(ValidationError):
        calls.call_open(
            actor=as_actor(publisher),
            scenario=published,
            opens_at=now + dt.timedelta(days=2),
            closes_at=now + dt.timedelta(days=1),
            rubric=RUBRIC,
        )


def test_only_a_published_scenario_takes_a_call(publisher):
    from rainforest.exchange.services import scenarios
    from tests.exchange.conftest import SCENARIO

    draft = scenarios.scenario_create(actor=as_actor(publisher), **SCENARIO)
    now = timezone.now()
    with pytest.raises(ValidationError):
        calls.call_open(
            actor=as_actor(publisher), scenario=draft, opens_at=now, closes_at=now + dt.timedelta(days=1), rubric=RUBRIC
        )


def test_submission_gets_a_receipt_with_a_digest(open_call, enterprise_user):
    application = calls.application_submit(actor=as_actor(enterprise_user), call=open_call, **PROPOSAL)
    assert application.receipt_no.startswith(f"RF{open_call.pk}-") and len(application.digest) == 64
    assert application.submitted_at.microsecond == application.submitted_at.microsecond  # stored as received


def test_duplicate_submission_is_refused(open_call, enterprise_user):
    calls.application_submit(actor=as_actor(enterprise_user), call=open_call, **PROPOSAL)
    with pytest.raises(ValidationError, match="already applied"):
        calls.application_submit(actor=as_actor(enterprise_user), call=open_call, **PROPOSAL)
    assert Application.objects.count() == 1


def test_edit_before_the_deadline_is_a_new_receipt(open_call, enterprise_user):
    first = calls.application_submit(actor=as_actor(enterprise_user), call=open_call, **PROPOSAL)
    old_receipt, old_digest = first.receipt_no, first.digest
    edited = calls.application_update(actor=as_actor(enterprise_user), application=first, version=1, budget=1100000)
    assert edited.receipt_no != old_receipt and edited.digest != old_digest
    with pytest.raises(ValidationError, match="Someone else"):
        calls.application_update(actor=as_actor(enterprise_user), application=first, version=1, budget=1000000)


def test_late_submission_edit_and_withdrawal_are_refused(open_call, enterprise_user, outsider):
    mine = calls.application_submit(actor=as_actor(enterprise_user), call=open_call, **PROPOSAL)
    close_now(open_call)
    with pytest.raises(ValidationError, match="closed at"):
        calls.application_submit(actor=as_actor(outsider), call=open_call, **PROPOSAL)
    with pytest.raises(ValidationError, match="closed at"):
        calls.application_update(actor=as_actor(enterprise_user), application=mine, version=1, budget=1)
    with pytest.raises(ValidationError, match="closed at"):
        calls.application_withdraw(actor=as_actor(enterprise_user), application=mine)
    assert Application.objects.count() == 1


def test_the_closing_second_is_in_time_the_next_is_not(open_call):
    closes = open_call.closes_at
    assert accepting(open_call, closes)
    assert accepting(open_call, closes + dt.timedelta(microseconds=999_999))
    assert not accepting(open_call, closes + dt.timedelta(seconds=1))
    assert not accepting(open_call, open_call.opens_at - dt.timedelta(seconds=1))


def test_withdraw_then_apply_again(open_call, enterprise_user):
    first = calls.application_submit(actor=as_actor(enterprise_user), call=open_call, **PROPOSAL)
    calls.application_withdraw(actor=as_actor(enterprise_user), application=first)
    again = calls.application_submit(actor=as_actor(enterprise_user), call=open_call, **PROPOSAL)
    assert again.pk != first.pk


def test_others_cannot_touch_an_application(open_call, enterprise_user, outsider, publisher):
    mine = calls.application_submit(actor=as_actor(enterprise_user), call=open_call, **PROPOSAL)
    with pytest.raises(PermissionDenied):
        calls.application_withdraw(actor=as_actor(outsider), application=mine)
    with pytest.raises(PermissionDenied):
        calls.application_submit(actor=as_actor(publisher), call=open_call, **PROPOSAL)


def test_attachments_are_checked_and_stored_under_generated_names(open_call, enterprise_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError, match="not a PDF"):
        calls.application_submit(
            actor=as_actor(enterprise_user), call=open_call, files=[("evil.pdf", b"MZ\x90\x00 not a pdf")], **PROPOSAL
        )
    assert not Application.objects.exists()  # refused whole: nothing half-saved
    settings.ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="larger"):
        calls.application_submit(
            actor=as_actor(enterprise_user), call=open_call, files=[("big.pdf", b"%PDF-" + b"x" * 200)], **PROPOSAL
        )
    settings.ATTACHMENT_MAX_BYTES = 10_000
    application = calls.application_submit(
        actor=as_actor(enterprise_user), call=open_call, files=[("方案.pdf", b"%PDF-1.7 test")], **PROPOSAL
    )
    attachment = Attachment.objects.get(owner_id=application.pk)
    assert attachment.original_name == "方案.pdf" and "方案" not in attachment.file.name
    assert attachment.content_type == "application/pdf"


def test_apply_page_and_receipt(client, open_call, enterprise_user):
    from tests.conftest import sign_in

    sign_in(client, enterprise_user)
    response = client.post(f"/exchange/calls/{open_call.pk}/apply/", PROPOSAL)
    assert response.status_code == 302
    application = Application.objects.get()
    page = client.get(response.url).content.decode()
    assert application.receipt_no in page and application.digest in page
    again = client.post(f"/exchange/calls/{open_call.pk}/apply/", {**PROPOSAL, "version": 1, "budget": 1000})
    assert again.status_code == 302
    application.refresh_from_db()
    assert application.budget == 1000
