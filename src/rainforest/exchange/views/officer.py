"""Programme officers: approvals, published lists, panels, notices and objections."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from rainforest.accounts.models import User
from rainforest.accounts.permissions import EXCHANGE_MANAGE
from rainforest.exchange import selectors
from rainforest.exchange.forms import ListForm, PanelForm
from rainforest.exchange.models import Capability, Objection
from rainforest.exchange.services import calls, reviews, scenarios
from rainforest.exchange.services.scenarios import next_batch_number
from rainforest.page_actions import add_form_errors


@login_required
def queue_view(request):
    submitted, caps_submitted, approved, caps_approved = selectors.approval_queue(actor=request.principal)
    year = timezone.localdate().year
    form = ListForm(request.POST or None, initial={"year": year, "number": next_batch_number("scenarios", year)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
        try:
            published = scenarios.list_publish(
                actor=request.principal,
                kind=data["kind"],
                year=data["year"],
                number=data["number"],
                title=data["title"],
                ids=ids,
                correction_note=data["correction_note"],
            )
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, _("The list has been published."))
            return redirect("exchange:list", pk=published.pk)
    context = {
        "submitted": submitted,
        "caps_submitted": caps_submitted,
        "approved": approved,
        "caps_approved": caps_approved,
        "form": form,
    }
    return render(request, "exchange/queue.html", context)


@login_required
def capability_review_view(request, pk: int):
    request.principal.require(EXCHANGE_MANAGE)
    capability = get_object_or_404(Capability, pk=pk)
    try:
        scenarios.capability_move(
            actor=request.principal,
            capability=capability,
            action=request.POST.get("action", ""),
            reason=request.POST.get("reason", ""),
        )
    except (ValidationError, KeyError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [_("Unknown action.")])))
    return redirect("exchange:queue")


@login_required
def call_manage_view(request, pk: int):
    """Panel, start of review, notice finalisation and objections for one call (POST actions)."""
    request.principal.require(EXCHANGE_MANAGE)
    call = selectors.call_get(pk=pk)
    action = request.POST.get("action")
    try:
        if action == "assign":
            form = PanelForm(request.POST)
            if form.is_valid():
                expert = User.objects.filter(username=form.cleaned_data["username"]).first()
                if expert is None:
                    raise ValidationError(_("There is no account with this user name."))
                reviews.panel_assign(actor=request.principal, call=call, expert=expert)
        elif action == "start_review":
            calls.call_start_review(actor=request.principal, call=call)
        elif action == "finalise":
            reviews.notice_finalise(actor=request.principal, call=call)
        elif action == "objection":
            objection = get_object_or_404(Objection, pk=request.POST.get("objection"), notice__call=call)
            reviews.objection_resolve(
                actor=request.principal,
                objection=objection,
                upheld=request.POST.get("upheld") == "1",
                response=request.POST.get("response", ""),
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Done."))
    return redirect("exchange:call", pk=pk)
