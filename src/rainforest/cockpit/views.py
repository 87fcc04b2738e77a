from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from rainforest.accounts.permissions import COCKPIT_ENTER, COCKPIT_VIEW
from rainforest.cockpit import computations, opendata, presentation, selectors, tasks
from rainforest.cockpit.definitions import DefinitionRefused, current_definitions, indicator_define
from rainforest.cockpit.forms import BriefForm, DefineForm, ObservationForm, ObservationsFileForm
from rainforest.cockpit.models import Brief
from rainforest.cockpit.observations import ObservationsRefused, observation_correct, observations_import
from rainforest.core.facts.reader import MAX_BYTES
from rainforest.page_actions import XLSX, query_year, run_form


def _cards(rows):
    language = translation.get_language() or "zh-hans"
    return [presentation.card(row, language) for row in rows]


def _groups(cards):
    """The cockpit's sections, in order, each with its cards in catalogue order."""
    return [
        (title, members)
        for group, title in presentation.GROUP_TITLES.items()
        if (members := [c for c in cards if c["group"] == group])
    ]


@login_required
@require_safe
def cockpit_view(request):
    rows = selectors.cockpit(actor=request.principal)
    cards = _cards(rows)
    counts = {css: sum(1 for c in cards if c["css"] == css) for css in ("ok", "warn", "bad")}
    context = {
        "groups": _groups(cards), "counts": counts, "today": timezone.localdate(), "public": False,
        "may_enter": request.principal.can(COCKPIT_ENTER),
    }  # fmt: skip
    return render(request, "cockpit/cockpit.html", context)


@require_safe
def public_view(request):
    rows = selectors.cockpit(actor=None, public_only=True)
    context = {"groups": _groups(_cards(rows)), "today": timezone.localdate(), "public": True}
    return render(request, "cockpit/cockpit.html", context)


def _detail_context(request, code: str, public: bool):
    year = query_year(request, 0) or None
    detail = selectors.indicator_detail(actor=request.principal, code=code, year=year, public_only=public)
    if detail is None:
        raise Http404
    language = translation.get_language() or "zh-hans"
    d = detail.row.definition
    breakdowns = []
    for by, values in detail.breakdowns.items():
        items = sorted(
            ((presentation.breakdown_label(by, key, language), value) for key, value in values.items()),
            key=lambda item: -item[1],
        )
        breakdowns.append({
            "by": by, "title": presentation.BREAKDOWN_TITLES[by], "column": presentation.BREAKDOWN_COLUMNS[by],
            "chart_id": f"chart-{by}",
            "spec": presentation.breakdown_chart(d, by, items, language),
            "rows": [(label, presentation.cell_number(value, d.unit)) for label, value in items],
        })  # fmt: skip
    measures = []
    if d.computation == "support.paid":
        for m in computations.support_by_measure(detail.year):
            m["name"] = presentation.breakdown_label("measure", m["measure"], language)
            m["within"] = None if m["cap"] is None else m["largest"] <= m["cap"]
            measures.append(m)
    carriers = []
    if d.computation.startswith("carriers."):
        carriers = computations.carrier_activity(d.computation.split(".", 1)[1])
    return {
        "card": presentation.card(detail.row, language),
        "definition": d,
        "unit_header": presentation.UNIT_HEADERS[d.unit],
        "history": [
            (presentation.period_text(p.year, p.month), presentation.cell_number(p.value, d.unit))
            for p in detail.row.points
        ],  # fmt: skip
        "chart": presentation.history_chart(detail.row, language),
        "year": detail.year,
        "years": selectors.years_shown(timezone.localdate()),
        "breakdowns": breakdowns,
        "observations": [
            {
                "period": presentation.period_text(o.year, o.month),
                "value": presentation.value_text(o.value, d.unit),
                "version": o.version,
                "current": o.current,
                "source": o.source_document,
                "note": o.note,
                "demo": o.demo,
                "by": str(o.entered_by) if o.entered_by else _("the system"),  # the display name
                "at": o.entered_at,
            }
            for o in detail.observations
        ],  # fmt: skip
        "benchmark": presentation.card(detail.benchmark, language) if detail.benchmark else None,
        "carriers": carriers,
        "measures": measures,
        "public": public,
        "may_enter": bool(request.principal) and not public and request.principal.can(COCKPIT_ENTER),
    }


@login_required
@require_safe
def indicator_view(request, code: str):
    return render(request, "cockpit/indicator.html", _detail_context(request, code, public=False))


@require_safe
def public_indicator_view(request, code: str):
    return render(request, "cockpit/indicator.html", _detail_context(request, code, public=True))


@require_safe
def open_data_view(request, fmt: str):
    rows = selectors.cockpit(actor=None, public_only=True)
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        response = HttpResponse(opendata.as_csv(rows), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(opendata.as_xlsx(rows), content_type=XLSX)
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="hangzhou-indicators-{stamp}.{fmt}"'
    return response


@login_required
def observations_view(request):
    """Import a file of observations (every row checked first), or enter one figure by hand."""
    request.principal.require(COCKPIT_ENTER)
    form = ObservationsFileForm(request.POST or None, request.FILES or None)
    context = {"form": form, "single": ObservationForm()}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            context["report"] = observations_import(
                actor=request.principal, data=upload.read(MAX_BYTES + 1), filename=upload.name
            )
        except ObservationsRefused as exc:
            context["problems"] = exc.problems
    return render(request, "cockpit/observations.html", context)


@login_required
@require_POST
def observation_enter_view(request):
    request.principal.require(COCKPIT_ENTER)
    done = run_form(
        request, ObservationForm, _correct, _("The figure is saved; an earlier value stays in its history.")
    )
    if done and done.codes:  # the report of what was saved names the indicator
        return redirect("cockpit:indicator", code=next(iter(done.codes)))
    return redirect("cockpit:observations")


def _correct(*, actor, **values):
    from django.core.exceptions import ValidationError

    try:
        return observation_correct(actor=actor, **values)
    except ObservationsRefused as exc:
        raise ValidationError([p.message for p in exc.problems]) from exc


@login_required
@require_safe
def observations_template_view(request):
    """An empty file to fill in, with the entered indicators' codes as examples."""
    from rainforest.cockpit.definitions import current_definitions

    request.principal.require(COCKPIT_ENTER)
    lines = ["indicator,period,value,source_document,note"]
    lines += [f"{d.code},,,," for d in current_definitions() if d.kind == "entered"]
    response = HttpResponse(("\n".join(lines) + "\n").encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="observations.csv"'
    return response


@login_required
def briefs_view(request):
    request.principal.require(COCKPIT_VIEW)
    if request.method == "POST":
        request.principal.require(COCKPIT_ENTER)
        form = BriefForm(request.POST)
        if form.is_valid():
            tasks.brief_on_demand.enqueue(
                form.cleaned_data["year"], form.cleaned_data["month"], translation.get_language() or "zh-hans",
                request.principal.membership.pk,
            )  # fmt: skip
            from django.contrib import messages

            messages.success(request, _("The brief is being made; it appears here in a minute."))
            return redirect("cockpit:briefs")
    today = timezone.localdate()
    form = BriefForm(initial={"year": today.year, "month": today.month})
    briefs = Brief.objects.defer("pdf", "xlsx", "snapshot").select_related("generated_by")[:36]
    context = {"briefs": briefs, "form": form, "may_enter": request.principal.can(COCKPIT_ENTER)}
    return render(request, "cockpit/briefs.html", context)


@login_required
@require_safe
def brief_download_view(request, pk: int, fmt: str):
    request.principal.require(COCKPIT_VIEW)
    brief = get_object_or_404(Brief, pk=pk)
    if fmt == "pdf":
        response = HttpResponse(bytes(brief.pdf), content_type="application/pdf")
    elif fmt == "xlsx":
        response = HttpResponse(bytes(brief.xlsx), content_type=XLSX)
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="cockpit-brief-{brief.year}-{brief.month:02d}.{fmt}"'
    return response


@login_required
def define_view(request):
    """Officers' own entered indicators: the list, and a form to add one or change one (a new version)."""
    request.principal.require(COCKPIT_ENTER)
    form = DefineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            defined = indicator_define(actor=request.principal, **form.cleaned_data)
        except DefinitionRefused as exc:
            form.add_error(None, str(exc))
        else:
            from django.contrib import messages

            messages.success(request, _("The indicator is defined (version %(v)s).") % {"v": defined.version})
            return redirect("cockpit:indicator", code=defined.code)
    own = [d for d in current_definitions() if d.origin == "officer"]
    return render(request, "cockpit/define.html", {"form": form, "own": own})
