"""Seedling programme pages: thin, over the selectors and services. Every page action has its URL,
its form (seedling/forms.py) and one service; lists read their filters through a filter form."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from rainforest import formatting
from rainforest.accounts.permissions import SEEDLING_APPLY, SEEDLING_MANAGE, SEEDLING_REVIEW
from rainforest.core.districts import DISTRICTS
from rainforest.core.facts.industries import HZ296X
from rainforest.page_actions import query_year, refused_form, run_form, xlsx_response
from rainforest.policy import labels
from rainforest.registry import export_jobs
from rainforest.registry.models import Enterprise
from rainforest.seedling import exports, forms, selectors, tasks
from rainforest.seedling.catalogue import catalogue
from rainforest.seedling.choices import Ground
from rainforest.seedling.models import MeasureApplication, PanelMember
from rainforest.seedling.services import measures, rounds, support
from rainforest.seedling.workflows import ROUND, capacities

ROUND_MOVES = {
    "close": (rounds.round_close, gettext_lazy("Close applications and start review")),
    "approve": (rounds.round_approve, gettext_lazy("Rank and approve within the quota")),
    "publish": (rounds.round_publish, gettext_lazy("Publish the list and record the recognitions")),
}


def _filter_errors(request, form: forms.FilterForm) -> None:
    for message in form.messages():
        messages.error(request, message)


@login_required
def pyramid_view(request):
    year = query_year(request, timezone.localdate().year)
    form = forms.PyramidFilterForm(request.GET)
    district, cluster = form.value("district"), form.value("cluster")
    rows = selectors.pyramid(actor=request.principal, year=year, district=district, cluster=cluster)
    _filter_errors(request, form)
    context = {"rows": rows, "year": year, "district": district, "cluster": cluster, "districts": list(DISTRICTS),
               "clusters": HZ296X, "years": sorted(rows[0].by_year) if rows else [],
               "chart": _pyramid_chart(rows, year)}  # fmt: skip
    return render(request, "seedling/pyramid.html", context)


def _pyramid_chart(rows, year: int) -> dict:
    """The chart above the pyramid's table (static/rainforest/charts.js draws it): each tier's share
    of its 2027 target, so that 50,000 tech SMEs and 100 tech leaders read on one scale; with a
    district or cluster chosen there are no targets, and the counts are drawn instead."""
    names = [labels.tier_name(r.tier) for r in rows]
    if any(r.target for r in rows):
        data = [
            {"value": round(100 * r.count / r.target, 1),
             "text": _("%(count)s of %(target)s (%(share)s)") % {
                 "count": formatting.whole(r.count), "target": formatting.whole(r.target),
                 "share": formatting.percent(r.count / r.target)}}
            if r.target else None
            for r in rows
        ]  # fmt: skip
        return {
            "kind": "bar", "horizontal": True, "categories": names, "suffix": " %", "labels": True,
            # The whole way to the target, so that the distance left is seen; a tier past it stretches the axis.
            "max": max([100] + [d["value"] for d in data if d]),
            "series": [{"name": _("Share of the 2027 target reached at the end of %(year)s") % {"year": year},
                        "data": data}],
            "x_name": _("% of the 2027 target"), "mark": {"value": 100, "name": _("2027 target")},
        }  # fmt: skip
    data = [{"value": r.count, "text": formatting.whole(r.count)} for r in rows]
    return {"kind": "bar", "horizontal": True, "categories": names, "x_name": _("Enterprises"), "labels": True,
            "series": [{"name": _("Enterprises at the end of %(year)s") % {"year": year}, "data": data}]}  # fmt: skip


@login_required
@require_POST
def pyramid_export_view(request):
    """The pyramid's XLSX takes seconds of engine work: a worker builds it, as the officer who asked."""
    request.principal.require(SEEDLING_MANAGE)
    job = run_form(request, forms.PyramidExportForm, tasks.pyramid_export_request, export_jobs.REQUESTED)
    return redirect("registry:exports") if job else redirect("seedling:pyramid")


def _ladder_page(request, enterprise: Enterprise):
    context = {
        "ladder": selectors.ladder(actor=request.principal, enterprise=enterprise),
        "case": selectors.case(actor=request.principal, enterprise=enterprise),
        "applications": MeasureApplication.objects.filter(enterprise=enterprise).order_by("-submitted_at")[:20],
        "officers": forms.CaseOfficerForm.base_fields["officer"].queryset,
        "manage": request.principal.can(SEEDLING_MANAGE),
    }
    return render(request, "seedling/enterprise.html", context)


@login_required
def own_view(request):
    enterprise = selectors.own_enterprise(request.principal)
    if enterprise is None:
        raise Http404
    return _ladder_page(request, enterprise)


@login_required
def enterprise_view(request, uscc: str):
    request.principal.require(SEEDLING_MANAGE)
    return _ladder_page(request, selectors.enterprise_get_for(request.principal, uscc))


# Companion support: each action on one enterprise's case, back to its page.


def _back_to_case(request, enterprise: Enterprise):
    own = enterprise.organisation_id == request.principal.organisation_id and not request.principal.can(SEEDLING_MANAGE)
    return redirect("seedling:own") if own else redirect("seedling:enterprise", enterprise.organisation.uscc)


def _case_action(form_class, service, success, *, officers_only: bool = True):
    @login_required
    @require_POST
    def view(request, uscc: str):
        enterprise = selectors.enterprise_get_for(request.principal, uscc)
        if officers_only:
            request.principal.require(SEEDLING_MANAGE)
        run_form(request, form_class, service, success, enterprise=enterprise)
        return _back_to_case(request, enterprise)

    return view


case_officer_assign_view = _case_action(
    forms.CaseOfficerForm, support.case_officer_assign, gettext_lazy("Case officer assigned.")
)
visit_record_view = _case_action(forms.VisitForm, support.visit_record, gettext_lazy("Visit recorded."))
need_raise_view = _case_action(
    forms.NeedForm,
    support.need_raise,
    gettext_lazy("Need recorded; the service clock has started."),
    officers_only=False,
)


@login_required
@require_POST
def need_resolve_view(request, pk: int):
    need = selectors.need_get_for(request.principal, pk)
    request.principal.require(SEEDLING_MANAGE)
    run_form(request, forms.ResolveForm, support.need_resolve, _("Need resolved."), need=need)
    return _back_to_case(request, need.enterprise)


# The selection round


@login_required
@require_safe
def rounds_view(request):
    items = selectors.rounds(actor=request.principal)
    return render(request, "seedling/rounds.html", {"rounds": items, "this_year": timezone.localdate().year})


@login_required
@require_POST
def round_open_view(request):
    request.principal.require(SEEDLING_MANAGE)
    selection = run_form(request, forms.RoundOpenForm, rounds.round_open, _("The round is open."))
    return redirect("seedling:round", selection.pk) if selection else redirect("seedling:rounds")


@login_required
def round_view(request, pk: int):
    selection = selectors.round_get_for(request.principal, pk)
    candidacies = selectors.candidates(actor=request.principal, selection=selection)
    if forms.FilterForm(request.GET).download():
        request.principal.require(SEEDLING_MANAGE)
        return xlsx_response(exports.candidates_xlsx(selection, candidacies), f"good-seedlings-{selection.year}")
    member = PanelMember.objects.filter(round=selection, expert=request.principal.user).first()
    conflicts = {}
    scored = set()
    if member and member.declared_at:
        conflicts = {c.pk: rounds.conflict(request.principal.user, c) for c in candidacies}
        scored = set(selection.candidacies.filter(scores__expert=request.principal.user).values_list("pk", flat=True))
    own = selectors.own_enterprise(request.principal) if request.principal.can(SEEDLING_APPLY) else None
    moves = [(a, ROUND_MOVES[a][1]) for a in ROUND.available(selection, capacities(request.principal, selection))]
    context = {
        "selection": selection, "candidacies": candidacies, "member": member, "conflicts": conflicts,
        "scored": scored, "own": own, "grounds": Ground.choices, "manage": request.principal.can(SEEDLING_MANAGE),
        "experts": forms.PanelForm.base_fields["expert"].queryset, "moves": moves,
    }  # fmt: skip
    return render(request, "seedling/round.html", context)


@login_required
@require_POST
def round_apply_view(request, pk: int):
    selection = selectors.round_get_for(request.principal, pk)
    enterprise = selectors.own_enterprise(request.principal)  # 403 without the applicant's permission
    if enterprise is None:
        raise Http404
    run_form(request, forms.ApplyForm, rounds.candidacy_submit, _("Application received."), selection=selection,
             enterprise=enterprise)  # fmt: skip
    return redirect("seedling:round", pk)


def _round_action(form_class, service, success, permission: str):
    @login_required
    @require_POST
    def view(request, pk: int):
        selection = selectors.round_get_for(request.principal, pk)
        request.principal.require(permission)
        run_form(request, form_class, service, success, selection=selection)
        return redirect("seedling:round", pk)

    return view


round_nominate_view = _round_action(
    forms.NominateForm, rounds.candidacy_submit, gettext_lazy("Nomination recorded."), SEEDLING_MANAGE
)
round_panel_view = _round_action(
    forms.PanelForm, rounds.panel_add, gettext_lazy("Expert added to the panel."), SEEDLING_MANAGE
)
round_declare_view = _round_action(
    forms.DeclareForm, rounds.panel_declare, gettext_lazy("Declaration recorded."), SEEDLING_REVIEW
)


@login_required
@require_POST
def round_move_view(request, pk: int, move: str):
    if move not in ROUND_MOVES:
        raise Http404
    selection = selectors.round_get_for(request.principal, pk)
    if not ROUND.get(move).who & capacities(request.principal, selection):
        raise PermissionDenied(move)
    run_form(request, forms.ConfirmForm, ROUND_MOVES[move][0], _("Done."), selection=selection)
    return redirect("seedling:round", pk)


@login_required
@require_safe
def candidacy_view(request, pk: int):
    """A candidate's material for its reviewers, and the expert's score form beside it."""
    material = selectors.candidacy_material(actor=request.principal, pk=pk)
    return render(request, "seedling/candidacy.html", {"material": material, "candidacy": material.candidacy,
                                                       "selection": material.candidacy.round})  # fmt: skip


@login_required
@require_POST
def candidacy_score_view(request, pk: int):
    candidacy = selectors.candidacy_get_for(request.principal, pk)
    request.principal.require(SEEDLING_REVIEW)
    form_class = partial(forms.ScoreForm, rubric=candidacy.round.rubric)
    run_form(request, form_class, rounds.score_submit, _("Score submitted."), candidacy=candidacy)
    return redirect("seedling:round", candidacy.round_id)


# Measures, loans and the officers' decisions


@login_required
@require_safe
def measures_view(request):
    """The catalogue, the enterprise's applications and loans, and the forms to apply and to record a loan."""
    enterprise = selectors.own_enterprise(request.principal)
    if enterprise is None:
        raise Http404
    return _measures_page(request, enterprise)


def _measures_page(request, enterprise, **retry):
    """``retry``: a refused form by its name on the page (apply, loan), shown again as typed."""
    year = timezone.localdate().year
    context = {
        "catalogue": catalogue(), "enterprise": enterprise, "year": year,
        "applications": selectors.applications(actor=request.principal),
        "loans": enterprise.loans.order_by("-start"), "subsidy": measures.subsidy_for(enterprise, year),
        **retry,
    }  # fmt: skip
    return render(request, "seedling/measures.html", context)


def _own_action(name, form_class, service, success):
    """An action of the enterprise on its own behalf, back to the measures page; a refused form
    comes back as it was typed, with the reasons above it."""

    @login_required
    @require_POST
    def view(request):
        enterprise = selectors.own_enterprise(request.principal)
        if enterprise is None:
            raise Http404
        if run_form(request, form_class, service, success, enterprise=enterprise) is None:
            return _measures_page(request, enterprise, **{name: refused_form(request)})
        return redirect("seedling:measures")

    return view


measure_apply_view = _own_action(
    "apply", forms.MeasureApplyForm, measures.measure_apply, gettext_lazy("Application submitted.")
)
loan_record_view = _own_action("loan", forms.LoanForm, measures.loan_record, gettext_lazy("Loan recorded."))


@login_required
@require_safe
def applications_view(request):
    request.principal.require(SEEDLING_MANAGE)
    form = forms.ApplicationFilterForm(request.GET)
    status = form.value("status")
    items = selectors.applications(actor=request.principal, status="" if status == "all" else status)
    if form.download():
        return xlsx_response(exports.applications_xlsx(items), "measure-decisions")
    _filter_errors(request, form)
    return render(request, "seedling/applications.html", {"items": items[:200], "status": status})


@login_required
@require_safe
def application_view(request, pk: int):
    """One application as its enterprise and the officers read it: what was asked, on what
    evidence, what was decided and paid; officers decide or record the payment here too."""
    application = selectors.application_get_for(request.principal, pk)
    manage = request.principal.can(SEEDLING_MANAGE)
    return render(request, "seedling/application.html", {"a": application, "manage": manage, "back": "application"})


def _application_action(form_class, service, success, back_to: str):
    """An officer's decision or payment on one application, back to where it was taken: the
    application's own page, or the list it was on."""

    @login_required
    @require_POST
    def view(request, pk: int):
        application = selectors.application_get_for(request.principal, pk)
        request.principal.require(SEEDLING_MANAGE)
        run_form(request, form_class, service, success, application=application)
        if forms.ReturnForm(request.GET).value("back") == "application":
            return redirect("seedling:application", application.pk)
        return redirect(f"{reverse('seedling:applications')}?status={back_to}")

    return view


application_approve_view = _application_action(
    forms.ApproveForm, measures.application_decide, gettext_lazy("Decision recorded."), "submitted"
)
application_refuse_view = _application_action(
    forms.RefuseForm, measures.application_decide, gettext_lazy("Decision recorded."), "submitted"
)
application_pay_view = _application_action(
    forms.PaymentForm, measures.disbursement_record, gettext_lazy("Payment recorded."), "approved"
)


@login_required
def needs_view(request):
    """Officers: every raised need across enterprises, the most urgent first, late ones marked."""
    form = forms.NeedFilterForm(request.GET)
    status = form.value("status")
    items = selectors.needs(actor=request.principal, status=status)
    today = timezone.localdate()
    if form.download():
        return xlsx_response(exports.needs_xlsx(items, today), "needs")
    _filter_errors(request, form)
    return render(request, "seedling/needs.html", {"items": items[:500], "status": status, "today": today})
