from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from rainforest.accounts.errors import StaleEdit
from rainforest.accounts.permissions import (
    REGISTRY_EDIT_OWN,
    REGISTRY_EXPORT,
    REGISTRY_IMPORT,
    REGISTRY_VIEW_ALL,
)
from rainforest.core.facts.reader import MAX_BYTES
from rainforest.page_actions import add_form_errors, query_page, run_form
from rainforest.registry import export_jobs, selectors, services, tasks
from rainforest.registry.choices import Stage
from rainforest.registry.forms import ExportRequestForm, FactsForm, ImportForm, ProfileForm
from rainforest.registry.models import Enterprise
from rainforest.registry.problems import problem_message, problem_rows, summary


@login_required
def enterprise_list_view(request):
    principal = request.principal
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "district", "industry", "stage")}
    principal.require(REGISTRY_VIEW_ALL)
    enterprises = selectors.enterprise_list(actor=principal, **filters)
    page = Paginator(enterprises, 25).get_page(query_page(request))
    context = {
        "page": page, "filters": filters, "stages": Stage.choices,
        "districts": selectors.district_choices(actor=principal),
        "can_export": principal.can(REGISTRY_EXPORT),
        "query": urlencode({k: v for k, v in filters.items() if v}),
    }  # fmt: skip
    template = "registry/enterprise_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


@login_required
def own_enterprise_view(request):
    principal = request.principal
    principal.require(REGISTRY_EDIT_OWN)
    enterprise = Enterprise.objects.filter(organisation_id=principal.organisation_id).first()
    if enterprise is None:
        raise Http404
    return redirect("registry:detail", uscc=enterprise.organisation.uscc)


@login_required
def enterprise_detail_view(request, uscc: str):
    enterprise = selectors.enterprise_get(actor=request.principal, uscc=uscc)
    return render(
        request,
        "registry/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "facts": selectors.facts_list(actor=request.principal, enterprise=enterprise),
            "recognitions": enterprise.recognitions.order_by("-year"),
            "rounds": enterprise.rounds.all(),
            "can_edit": request.principal.can(REGISTRY_EDIT_OWN)
            and enterprise.organisation_id == request.principal.organisation_id,
        },
    )


def _own(request, uscc: str) -> Enterprise:
    enterprise = selectors.enterprise_get(actor=request.principal, uscc=uscc)
    request.principal.require(REGISTRY_EDIT_OWN)
    if enterprise.organisation_id != request.principal.organisation_id:
        raise Http404
    return enterprise


def _add_problems(form, problems) -> None:
    for problem in problems:
        field = problem.column if problem.column in form.fields else None
        form.add_error(field, problem_message(problem))


@login_required
def profile_edit_view(request, uscc: str):
    enterprise = _own(request, uscc)
    initial = {
        "name": enterprise.organisation.name, "district": enterprise.organisation.district,
        "founded_on": enterprise.founded_on, "version": enterprise.version,
    }  # fmt: skip
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.enterprise_profile_update(actor=request.principal, enterprise=enterprise, **form.cleaned_data)
        except StaleEdit as exc:
            add_form_errors(form, exc)
        except services.FactsInvalid as exc:
            _add_problems(form, exc.problems)
        else:
            messages.success(request, _("The profile has been saved."))
            return redirect("registry:detail", uscc=uscc)
    return render(request, "registry/profile_form.html", {"form": form, "enterprise": enterprise})


@login_required
def facts_edit_view(request, uscc: str, year: int | None = None):
    enterprise = _own(request, uscc)
    facts = enterprise.facts.filter(fiscal_year=year).first() if year else None
    if year and facts is None:
        raise Http404
    form = FactsForm(
        request.POST or None,
        instance=facts,
        initial={"version": facts.version if facts else None},
        editing=facts is not None,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        fiscal_year = facts.fiscal_year if facts else data["fiscal_year"]
        values = {k: data[k] for k in services.FACT_FIELDS}
        try:
            services.facts_save(
                actor=request.principal, enterprise=enterprise, fiscal_year=fiscal_year,
                values=values, version=data.get("version"),
            )  # fmt: skip
        except StaleEdit as exc:
            add_form_errors(form, exc)
        except services.FactsInvalid as exc:
            _add_problems(form, exc.problems)
        else:
            messages.success(request, _("The figures for %(year)s have been saved.") % {"year": fiscal_year})
            return redirect("registry:detail", uscc=uscc)
    return render(request, "registry/facts_form.html", {"form": form, "enterprise": enterprise, "facts": facts})


@login_required
def import_view(request):
    request.principal.require(REGISTRY_IMPORT)
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(MAX_BYTES + 1)  # one byte over is enough for the reader to refuse it
        try:
            report = services.facts_import(actor=request.principal, data=data, filename=upload.name)
        except services.ImportRefused as exc:
            context["problems"] = problem_rows(exc.problems)
            context["summary"] = summary(len(exc.problems))
        else:
            context["report"] = report
    return render(request, "registry/import.html", context)


@login_required
@require_safe
def export_view(request):
    """The registry as CSV, at once: under half a second for the demo city's 6,600 enterprise-years.
    XLSX takes seconds, so it is built in the background (``export_request_view``)."""
    fmt = request.GET.get("format", "csv")
    if fmt == "xlsx":
        raise BadRequest(_("The XLSX export is prepared in the background: use the XLSX button on the registry page."))
    if fmt != "csv":
        raise Http404
    body = services.facts_export(actor=request.principal, fmt=fmt)
    stamp = timezone.localdate().isoformat()
    response = HttpResponse(body, content_type=export_jobs.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="rainforest-facts-{stamp}.{fmt}"'
    return response


@login_required
@require_POST
def export_request_view(request):
    request.principal.require(REGISTRY_EXPORT)
    job = run_form(request, ExportRequestForm, tasks.facts_export_request, export_jobs.REQUESTED)
    return redirect("registry:exports" if job else "registry:list")


@login_required
@require_safe
def exports_view(request):
    """The requester's own exports; the list asks again every few seconds while one is pending."""
    jobs = export_jobs.exports_for(actor=request.principal)
    context = {"jobs": jobs, "pending": any(job.pending for job in jobs), "keep_days": settings.EXPORT_KEEP_DAYS}
    template = "registry/exports.html"
    if request.htmx:
        template += "#jobs"
    return render(request, template, context)


@login_required
@require_safe
def export_download_view(request, pk: int):
    job, handle = export_jobs.export_download(actor=request.principal, pk=pk)
    response = FileResponse(
        handle, as_attachment=True, filename=job.filename, content_type=export_jobs.CONTENT_TYPES[job.format]
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
