"""Recommendation pages: who could do a scenario, scenarios for an enterprise, where to test."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rainforest.exchange import selectors as exchange_selectors
from rainforest.exchange.choices import CapabilityStatus
from rainforest.exchange.models import Capability
from rainforest.matching import selectors, services
from rainforest.matching.models import Verdict


def _scenario_for_recommendations(request, pk: int):
    scenario = exchange_selectors.scenario_get(actor=request.principal, pk=pk)
    if not selectors.can_see_recommendations(request.principal, scenario):
        raise Http404  # not theirs to see: as if there were nothing here
    return scenario


def _render_recommendations(request, scenario, error: str = ""):
    context = {
        "scenario": scenario,
        "result": selectors.who_could_do(actor=request.principal, scenario=scenario),
        "error": error,
    }
    template = "matching/who_could_do.html#recommendations" if request.htmx else "matching/who_could_do.html"
    return render(request, template, context)


@login_required
def who_could_do_view(request, pk: int):
    return _render_recommendations(request, _scenario_for_recommendations(request, pk))


@login_required
@require_POST
def recommendation_action_view(request, pk: int, capability_id: int):
    """Shortlist a recommended capability, or (officers) mark the recommendation good or wrong."""
    scenario = _scenario_for_recommendations(request, pk)
    capability = get_object_or_404(Capability, pk=capability_id, status=CapabilityStatus.APPROVED)
    action = request.POST.get("action", "")
    if action == "shortlist":
        services.shortlist_toggle(actor=request.principal, scenario=scenario, capability=capability)
    elif action in Verdict.values:
        try:
            services.feedback_record(
                actor=request.principal, scenario=scenario, capability=capability, verdict=action,
                note=request.POST.get("note", ""),
            )  # fmt: skip
        except ValidationError as exc:
            return _render_recommendations(request, scenario, " ".join(exc.messages))
    else:
        return HttpResponseBadRequest(_("Unknown action."))
    return _render_recommendations(request, scenario)


@login_required
def scenarios_for_view(request):
    q = request.GET.get("q", "").strip()
    result = selectors.scenarios_for(actor=request.principal, q=q)
    return render(request, "matching/scenarios_for.html", {"result": result, "q": q})


@login_required
def where_to_test_view(request):
    q = request.GET.get("q", "").strip()
    result = selectors.where_to_test(actor=request.principal, q=q)
    return render(request, "matching/where_to_test.html", {"result": result, "q": q})
