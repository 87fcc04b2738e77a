"""Programme officers: approvals, published lists, panels, notices and objections. Each action is
its own POST-only URL with its own form."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from rainforest.accounts.permissions import EXCHANGE_MANAGE
from rainforest.exchange import selectors
from rainforest.exchange.forms import ConfirmForm, ListForm, ObjectionAnswerForm, PanelForm
from rainforest.exchange.services import calls, reviews, scenarios
from rainforest.exchange.services.scenarios import next_batch_number
from rainforest.page_actions import run_form


@login_required
def queue_view(request):
    submitted, caps_submitted, approved, caps_approved = selectors.approval_queue(actor=request.principal)
    year = timezone.localdate().year
    form = ListForm(initial={"year": year, "number": next_batch_number("scenarios", year)})
    context = {
        "submitted": submitted,
        "caps_submitted": caps_submitted,
        "approved": approved,
        "caps_approved": caps_approved,
        "form": form,
    }
    return render(request, "exchange/queue.html", context)


@login_required
@require_POST
def list_publish_view(request):
    request.principal.require(EXCHANGE_MANAGE)
    published = run_form(request, ListForm, scenarios.list_publish, _("The list has been published."))
    return redirect("exchange:list", pk=published.pk) if published else redirect("exchange:queue")


def _call_procedure(form_class, service, success: str):
    """A POST-only step of a call's procedure, for officers: the call as the actor may see it, one
    form, one service, back to the call's page."""

    @login_required
    @require_POST
    def view(request, pk: int):
        call = selectors.call_get(pk=pk)
        request.principal.require(EXCHANGE_MANAGE)
        run_form(request, form_class, service, success, call=call)
        return redirect("exchange:call", pk=pk)

    return view


panel_assign_view = _call_procedure(
    PanelForm, reviews.panel_assign, gettext_lazy("The expert is on the panel; they declare their interests first.")
)
call_start_review_view = _call_procedure(
    ConfirmForm,
    calls.call_start_review,
    gettext_lazy("Submissions are closed and the review has started: the panel can declare and score."),
)
notice_finalise_view = _call_procedure(
    ConfirmForm, reviews.notice_finalise, gettext_lazy("The results are final; the winners' projects are created.")
)


@login_required
@require_POST
def objection_answer_view(request, pk: int):
    objection = selectors.objection_get(actor=request.principal, pk=pk)
    request.principal.require(EXCHANGE_MANAGE)
    run_form(request, ObjectionAnswerForm, reviews.objection_resolve, _("Done."), objection=objection)
    return redirect("exchange:call", pk=objection.notice.call_id)
