"""Scenario publishers: drafts, the approval round trip, calls and picking winners."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rainforest.accounts.permissions import EXCHANGE_PUBLISH
from rainforest.exchange import selectors
from rainforest.exchange.forms import CallForm, PickForm, ReasonForm, ScenarioForm
from rainforest.exchange.services import calls, reviews, scenarios
from rainforest.exchange.workflows import OFFICER, PUBLISHER, SCENARIO, capacities, offered
from rainforest.page_actions import add_form_errors, run_form


@login_required
def my_scenarios_view(request):
    items = selectors.my_scenarios(actor=request.principal)
    return render(request, "exchange/my_scenarios.html", {"items": items})


@login_required
def scenario_edit_view(request, pk: int | None = None):
    request.principal.require(EXCHANGE_PUBLISH)
    scenario = selectors.scenario_get(actor=request.principal, pk=pk) if pk else None
    form = ScenarioForm(
        request.POST or None,
        request.FILES or None,
        instance=scenario,
        initial={"version": scenario.version} if scenario else None,
    )
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "attachment")}
        upload = form.cleaned_data.get("attachment")
        files = [(upload.name, upload.read(settings.ATTACHMENT_MAX_BYTES + 1))] if upload else []
        try:
            if scenario:
                version = form.cleaned_data["version"] or 0
                scenario = scenarios.scenario_update(
                    actor=request.principal, scenario=scenario, version=version, files=files, **values
                )
            else:
                scenario = scenarios.scenario_create(actor=request.principal, files=files, **values)
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, _("The scenario has been saved."))
            return redirect("exchange:scenario", pk=scenario.pk)
    return render(request, "exchange/form.html", {"form": form, "title": _("Scenario"), "multipart": True})


@login_required
@require_POST
def scenario_move_view(request, pk: int, move: str):
    """One move of the scenario's table, named in the URL; the moves a larger step makes are not."""
    if not offered(SCENARIO, move):
        raise Http404
    scenario = selectors.scenario_get(actor=request.principal, pk=pk)
    run_form(request, ReasonForm, scenarios.scenario_move, _("Done."), scenario=scenario, action=move)
    return redirect("exchange:scenario", pk=pk)


@login_required
def call_new_view(request, pk: int):
    scenario = selectors.scenario_get(actor=request.principal, pk=pk)
    if not capacities(request.principal, scenario) & {PUBLISHER, OFFICER}:
        raise PermissionDenied
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            call = calls.call_open(
                actor=request.principal,
                scenario=scenario,
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                rubric=data["rubric"],
                max_winners=data["max_winners"],
                blind_review=data["blind_review"],
            )
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, _("The call is open."))
            return redirect("exchange:call", pk=call.pk)
    return render(request, "exchange/form.html", {"form": form, "title": _("Open a call"), "subject": scenario})


@login_required
@require_POST
def call_pick_view(request, pk: int):
    call = selectors.call_get(pk=pk)
    if not capacities(request.principal, call.scenario) & {PUBLISHER, OFFICER}:
        raise PermissionDenied
    form = partial(PickForm, call=call)
    run_form(request, form, reviews.award_pick, _("The results are on public notice."), call=call)
    return redirect("exchange:call", pk=pk)
