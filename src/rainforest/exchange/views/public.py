"""What everyone sees: published scenarios, lists (with downloads), capabilities, calls, targets."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from rainforest.core.districts import DISTRICTS
from rainforest.exchange import charts, selectors
from rainforest.exchange.choices import Domain, FocusArea, ListKind, ScenarioKind, ScenarioStatus
from rainforest.exchange.exports import list_pdf, list_xlsx
from rainforest.exchange.forms import FilterForm, ListFilterForm, ScenarioFilterForm
from rainforest.exchange.models import Attachment, PublishedList
from rainforest.exchange.services.calls import accepting
from rainforest.exchange.workflows import SCENARIO, capacities
from rainforest.page_actions import query_year


def _choices() -> dict:
    return {
        "domains": Domain.choices,
        "kinds": ScenarioKind.choices,
        "districts": list(DISTRICTS),
        "focus_areas": FocusArea.choices,
        "states": [(s, ScenarioStatus(s).label) for s in selectors.PUBLIC_STATES],
    }


def scenario_list_view(request):
    form = ScenarioFilterForm(request.GET)
    page = Paginator(selectors.scenario_search(**form.filters()), 20).get_page(form.page_number())
    context = {
        "page": page,
        "filters": form.filters(),
        "filter_errors": form.messages(),
        "lists": selectors.lists_latest()[:6],
        **_choices(),
    }
    template = "exchange/scenario_list.html#results" if request.htmx else "exchange/scenario_list.html"
    return render(request, template, context)


def scenario_view(request, pk: int):
    principal = getattr(request, "principal", None)
    scenario = selectors.scenario_get(actor=principal, pk=pk)
    call = getattr(scenario, "call", None)
    context = {
        "scenario": scenario,
        "call": call,
        "accepting": bool(call and accepting(call, timezone.now())),
        "actions": SCENARIO.available(scenario, capacities(principal, scenario)) if principal else [],
        "show_contact": scenario.contact_public,
        "attachments": Attachment.objects.filter(owner_type="scenario", owner_id=scenario.pk),
        "can_recommend": selectors.can_see_recommendations(principal, scenario),
    }
    return render(request, "exchange/scenario_detail.html", context)


@require_safe
def capability_view(request, pk: int):
    """One capability as the list and the recommendations name it: what it does, how ready, where,
    with which references; its moves stay on the owner's and the officers' own pages."""
    capability = selectors.capability_get(actor=getattr(request, "principal", None), pk=pk)
    return render(request, "exchange/capability_detail.html", {"capability": capability})


def lists_view(request):
    return render(request, "exchange/lists.html", {"lists": selectors.lists_latest()})


def list_view(request, pk: int):
    published = get_object_or_404(PublishedList, pk=pk)
    form = ListFilterForm(request.GET)
    filters = form.filters()
    items = selectors.list_items(published, filters)
    fmt = form.cleaned_data.get("format")
    if fmt in ("xlsx", "pdf"):
        body, ctype = (
            (list_xlsx(published, items), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            if fmt == "xlsx"
            else (list_pdf(published, items), "application/pdf")
        )
        response = HttpResponse(body, content_type=ctype)
        response["Content-Disposition"] = (
            f'attachment; filename="list-{published.year}-{published.number}-v{published.version}.{fmt}"'
        )
        return response
    context = {
        "list": published,
        "items": items,
        "filters": filters,
        "filter_errors": form.messages(),
        "versions": selectors.list_versions(published).order_by("version"),
        "changes": selectors.list_changes(published),
        "is_scenarios": published.kind == ListKind.SCENARIOS,
        **_choices(),
    }
    template = "exchange/list_detail.html#results" if request.htmx else "exchange/list_detail.html"
    return render(request, template, context)


def capability_list_view(request):
    form = FilterForm(request.GET)
    filters = form.filters()
    page = Paginator(selectors.capability_search(**filters), 20).get_page(form.page_number())
    context = {"page": page, "filters": filters, "filter_errors": form.messages(), **_choices()}
    # The filters swap #results only (htmx); the whole page would nest a page inside the page.
    template = "exchange/capability_list.html#results" if request.htmx else "exchange/capability_list.html"
    return render(request, template, context)


def targets_view(request):
    year = query_year(request, timezone.localdate().year)
    data = selectors.targets(year)
    context = {
        "data": data,
        "year": year,
        "month": charts.by_month(data),
        "domain": charts.by_domain(data),
        "district": charts.by_district(data),
    }
    return render(request, "exchange/targets.html", context)
