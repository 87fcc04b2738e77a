"""Recommendation pages: who could do a scenario, scenarios for an enterprise, where to test."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from rainforest.accounts.permissions import EXCHANGE_MANAGE
from rainforest.exchange import selectors as exchange_selectors
from rainforest.exchange.choices import CapabilityStatus
from rainforest.exchange.models import Capability
from rainforest.matching import selectors, services
from rainforest.matching.forms import FeedbackForm, SearchForm


def _scenario_for_recommendations(request, pk: int):
    scenario = exchange_selectors.scenario_get(actor=request.principal, pk=pk)
    if not selectors.can_see_recommendations(request.principal, scenario):
        raise Http404  # not theirs to see: as if there were nothing here
    return scenario


def _render_recommendations(request, scenario, error: str = "", status: int = 200):
    context = {
        "scenario": scenario,
        "result": selectors.who_could_do(actor=request.principal, scenario=scenario),
        "error": error,
    }
    template = "matching/who_could_do.html#recommendations" if request.htmx else "matching/who_could_do.html"
    return render(request, template, context, status=status)


def _recommended(request, pk: int, capability_id: int):
    scenario = _scenario_for_recommendations(request, pk)
    return scenario, get_object_or_404(Capability, pk=capability_id, status=CapabilityStatus.APPROVED)


@login_required
def who_could_do_view(request, pk: int):
    return _render_recommendations(request, _scenario_for_recommendations(request, pk))


@login_required
@require_POST
def shortlist_view(request, pk: int, capability_id: int):
    """Put a recommended capability on the scenario's shortlist, or take it off again."""
    scenario, capability = _recommended(request, pk, capability_id)
    services.shortlist_toggle(actor=request.principal, scenario=scenario, capability=capability)
    return _render_recommendations(request, scenario)


@login_required
@require_POST
def feedback_view(request, pk: int, capability_id: int):
    """An officer marks a recommendation good or wrong."""
    scenario, capability = _recommended(request, pk, capability_id)
    request.principal.require(EXCHANGE_MANAGE)  # a publisher may see recommendations, not judge them
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        errors = " ".join(e for errors in form.errors.values() for e in errors)
        return _render_recommendations(request, scenario, errors, status=400)
    try:
        services.feedback_record(actor=request.principal, scenario=scenario, capability=capability, **form.cleaned_data)
    except ValidationError as exc:
        return _render_recommendations(request, scenario, " ".join(exc.messages), status=400)
    return _render_recommendations(request, scenario)


@login_required
def scenarios_for_view(request):
    q = SearchForm(request.GET).query()
    result = selectors.scenarios_for(actor=request.principal, q=q)
    return render(request, "matching/scenarios_for.html", {"result": result, "q": q})


@login_required
def where_to_test_view(request):
    q = SearchForm(request.GET).query()
    result = selectors.where_to_test(actor=request.principal, q=q)
    return render(request, "matching/where_to_test.html", {"result": result, "q": q})
