"""One page per call: what each role may see and do there."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rainforest.accounts.permissions import EXCHANGE_MANAGE, EXCHANGE_SUPPLY
from rainforest.exchange import selectors
from rainforest.exchange.forms import (
    ApplicationForm,
    ConfirmForm,
    ObjectionForm,
    PanelForm,
)
from rainforest.exchange.models import Application, Attachment
from rainforest.exchange.services import calls, reviews
from rainforest.exchange.services.calls import accepting
from rainforest.exchange.workflows import OFFICER, PUBLISHER, capacities
from rainforest.page_actions import add_form_errors, run_form


def call_view(request, pk: int):
    call = selectors.call_get(pk=pk)
    principal = getattr(request, "principal", None)
    mine = capacities(principal, call.scenario) if principal else set()
    notice = call.notices.filter(void=False).first()
    context = {
        "call": call,
        "scenario": call.scenario,
        "now": timezone.now(),
        "accepting": accepting(call, timezone.now()),
        "rubric": call.rubric.all(),
        "notice": notice,
        "awards": notice.awards.select_related("application__applicant") if notice else [],
        "can_apply": bool(principal and principal.can(EXCHANGE_SUPPLY)),
        "own": selectors.own_application(actor=principal, call=call) if principal else None,
        "manage": principal is not None and principal.can(EXCHANGE_MANAGE),
        "can_pick": bool(mine & {PUBLISHER, OFFICER}),
        "deadline_over": timezone.now() > call.closes_at,
        "notice_over": bool(notice and timezone.localdate() > notice.ends_on),
        # Officers follow the call as it runs; the publisher reads proposals after the deadline.
        "proposals_readable": OFFICER in mine or selectors.deadline_passed(call),
    }
    if context["can_pick"]:
        context["ranking"] = reviews.ranking(call)
        if context["proposals_readable"]:
            files = selectors.application_files([app for app, _score, _n in context["ranking"]])
            context["ranking"] = [(app, score, n, files[app.pk]) for app, score, n in context["ranking"]]
        context["panel"] = call.panel.select_related("expert")
        context["panel_form"] = PanelForm()
        context["objections"] = notice.objections.all() if notice else []
    if notice and principal:
        context["objection_form"] = ObjectionForm()
    return render(request, "exchange/call.html", context)


@login_required
def apply_view(request, pk: int):
    call = selectors.call_get(pk=pk)
    request.principal.require(EXCHANGE_SUPPLY)
    own = selectors.own_application(actor=request.principal, call=call)
    initial = (
        {f: getattr(own, f) for f in ("approach", "plan", "budget", "team")} | {"version": own.version} if own else None
    )
    form = ApplicationForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.pop("attachment")
        files = [(upload.name, upload.read(settings.ATTACHMENT_MAX_BYTES + 1))] if upload else []
        version = data.pop("version")
        try:
            if own:
                application = calls.application_update(
                    actor=request.principal, application=own, version=version or 0, files=files, **data
                )
            else:
                application = calls.application_submit(actor=request.principal, call=call, files=files, **data)
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            return redirect("exchange:receipt", pk=application.pk)
    context = {"form": form, "call": call, "own": own, "accepting": accepting(call, timezone.now())}
    return render(request, "exchange/apply.html", context)


@login_required
def receipt_view(request, pk: int):
    application = get_object_or_404(Application.objects.select_related("call__scenario", "applicant"), pk=pk)
    if application.applicant_id != request.principal.organisation_id:
        raise Http404
    attachments = Attachment.objects.filter(owner_type="application", owner_id=application.pk)
    return render(request, "exchange/receipt.html", {"application": application, "attachments": attachments})


@login_required
@require_POST
def application_withdraw_view(request, pk: int):
    application = selectors.application_get_for(actor=request.principal, pk=pk)
    run_form(
        request,
        ConfirmForm,
        calls.application_withdraw,
        _("Your application has been withdrawn."),
        application=application,
    )
    return redirect("exchange:call", pk=application.call_id)


@login_required
@require_POST
def objection_view(request, pk: int):
    reviews.objection_allowed(request.principal)
    call = selectors.call_get(pk=pk)
    notice = call.notices.filter(void=False).first()
    if notice is None:
        raise Http404
    run_form(request, ObjectionForm, reviews.objection_submit, _("Your objection has been received."), notice=notice)
    return redirect("exchange:call", pk=pk)


def attachment_view(request, pk: int):
    """A published scenario's attachments are public; an application's go to whoever may see the
    application, and to its panel after the deadline (selectors.attachment_get_for)."""
    attachment, name = selectors.attachment_get_for(actor=getattr(request, "principal", None), pk=pk)
    # Served as the type its content was checked as, never one guessed from the name it was given.
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
