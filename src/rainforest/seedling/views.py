"""Seedling programme pages: thin, over the selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rainforest.accounts.permissions import SEEDLING_MANAGE, SEEDLING_REVIEW
from rainforest.core.districts import DISTRICTS
from rainforest.core.facts.industries import HZ296X
from rainforest.core.seedling.ranking import __doc__ as TIE_RULES
from rainforest.page_actions import attempt, form_date, query_year, xlsx_response
from rainforest.registry.models import Enterprise
from rainforest.seedling import exports, selectors
from rainforest.seedling.catalogue import catalogue
from rainforest.seedling.choices import Ground
from rainforest.seedling.models import Candidacy, MeasureApplication, Need, PanelMember, SelectionRound
from rainforest.seedling.services import measures, rounds, support


@login_required
def pyramid_view(request):
    year = query_year(request, timezone.localdate().year)
    district, cluster = request.GET.get("district", ""), request.GET.get("cluster", "")
    rows = selectors.pyramid(actor=request.principal, year=year, district=district, cluster=cluster)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(exports.pyramid_xlsx(rows, year), f"pyramid-{year}")
    context = {"rows": rows, "year": year, "district": district, "cluster": cluster, "districts": list(DISTRICTS),
               "clusters": HZ296X, "years": sorted(rows[0].by_year) if rows else []}  # fmt: skip
    return render(request, "seedling/pyramid.html", context)


def _ladder_page(request, enterprise: Enterprise):
    context = {
        "ladder": selectors.ladder(actor=request.principal, enterprise=enterprise),
        "case": selectors.case(actor=request.principal, enterprise=enterprise),
        "applications": MeasureApplication.objects.filter(enterprise=enterprise).order_by("-submitted_at")[:20],
        "officers": get_user_model().objects.filter(memberships__role="programme_officer").distinct(),
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
    enterprise = get_object_or_404(Enterprise.objects.select_related("organisation"), organisation__uscc=uscc)
    return _ladder_page(request, enterprise)


@login_required
@require_POST
def case_action_view(request, uscc: str):
    enterprise = get_object_or_404(Enterprise.objects.select_related("organisation"), organisation__uscc=uscc)
    if not selectors.may_see_enterprise(request.principal, enterprise):
        raise Http404
    action, post = request.POST.get("action"), request.POST
    if action == "assign":
        officer = get_user_model().objects.filter(pk=post.get("officer")).first()
        attempt(request, support.case_officer_assign, _("Case officer assigned."), enterprise=enterprise,
                 officer=officer)  # fmt: skip
    elif action == "visit":
        on = form_date(post.get("on", ""))
        if on is None:
            messages.error(request, _("Give the date of the visit."))
        else:
            attempt(request, support.visit_record, _("Visit recorded."), enterprise=enterprise, on=on,
                     notes=post.get("notes", ""))  # fmt: skip
    elif action == "need":
        attempt(request, support.need_raise, _("Need recorded; the service clock has started."), enterprise=enterprise,
                 category=post.get("category", ""), description=post.get("description", ""))  # fmt: skip
    elif action == "resolve":
        need = get_object_or_404(Need, pk=post.get("need"), enterprise=enterprise)
        attempt(request, support.need_resolve, _("Need resolved."), need=need, resolution=post.get("resolution", ""))
    own = enterprise.organisation_id == request.principal.organisation_id and not request.principal.can(SEEDLING_MANAGE)
    return redirect("seedling:own" if own else "seedling:enterprise", *([] if own else [uscc]))


@login_required
def rounds_view(request):
    items = selectors.rounds(actor=request.principal)
    if request.method == "POST":
        try:
            year = int(request.POST.get("year", ""))
            quota = int(request.POST.get("quota") or 0) or None
        except ValueError:
            messages.error(request, _("Give the year and the quota as numbers."))
        else:
            if attempt(request, rounds.round_open, _("The round is open."), year=year, quota=quota):
                return redirect("seedling:rounds")
    return render(request, "seedling/rounds.html", {"rounds": items, "this_year": timezone.localdate().year})


@login_required
def round_view(request, pk: int):
    selection = get_object_or_404(SelectionRound, pk=pk)
    candidacies = selectors.candidates(actor=request.principal, selection=selection)
    if request.GET.get("format") == "xlsx":
        request.principal.require(SEEDLING_MANAGE)
        return xlsx_response(exports.candidates_xlsx(selection, candidacies), f"good-seedlings-{selection.year}")
    member = PanelMember.objects.filter(round=selection, expert=request.principal.user).first()
    conflicts = {}
    scored = set()
    if member and member.declared_at:
        conflicts = {c.pk: rounds.conflict(request.principal.user, c) for c in candidacies}
        scored = set(selection.candidacies.filter(scores__expert=request.principal.user).values_list("pk", flat=True))
    own = selectors.own_enterprise(request.principal) if request.principal.can("seedling.apply") else None
    context = {
        "selection": selection, "candidacies": candidacies, "member": member, "conflicts": conflicts,
        "scored": scored, "own": own, "grounds": Ground.choices, "manage": request.principal.can(SEEDLING_MANAGE),
        "tie_rules": TIE_RULES, "experts": get_user_model().objects.filter(memberships__role="expert").distinct(),
    }  # fmt: skip
    return render(request, "seedling/round.html", context)


@login_required
@require_POST
def round_action_view(request, pk: int):
    selection = get_object_or_404(SelectionRound, pk=pk)
    action, post = request.POST.get("action"), request.POST
    if action == "apply":
        enterprise = selectors.own_enterprise(request.principal)
        if enterprise is None:
            raise Http404
        attempt(request, rounds.candidacy_submit, _("Application received."), selection=selection,
                 enterprise=enterprise, ground=post.get("ground", ""), evidence=post.get("evidence", ""))  # fmt: skip
    elif action == "nominate":
        request.principal.require(SEEDLING_MANAGE)
        enterprise = Enterprise.objects.filter(organisation__uscc=post.get("uscc", "").strip().upper()).first()
        if enterprise is None:
            messages.error(request, _("No enterprise with this code is on the registry."))
        else:
            attempt(
                request,
                rounds.candidacy_submit,
                _("Nomination recorded."),
                selection=selection,
                enterprise=enterprise,
                ground=post.get("ground", ""),
                evidence=post.get("evidence", ""),
            )
    elif action == "panel":
        expert = get_user_model().objects.filter(pk=post.get("expert")).first()
        attempt(request, rounds.panel_add, _("Expert added to the panel."), selection=selection, expert=expert)
    elif action == "declare":
        attempt(request, rounds.panel_declare, _("Declaration recorded."), selection=selection,
                 declaration=post.get("declaration", ""))  # fmt: skip
    elif action == "score":
        request.principal.require(SEEDLING_REVIEW)
        candidacy = get_object_or_404(Candidacy, pk=post.get("candidacy"), round=selection)
        points = [post.get(f"p{i}", "") for i in range(len(selection.rubric))]
        attempt(request, rounds.score_submit, _("Score submitted."), candidacy=candidacy, points=points,
                 comment=post.get("comment", ""))  # fmt: skip
    elif action in ("close", "approve", "publish"):
        fn = {"close": rounds.round_close, "approve": rounds.round_approve, "publish": rounds.round_publish}[action]
        attempt(request, fn, _("Done."), selection=selection)
    else:
        messages.error(request, _("Unknown action."))
    return redirect("seedling:round", pk)


@login_required
def measures_view(request):
    """The catalogue, the enterprise's applications and loans, and the form to apply."""
    enterprise = selectors.own_enterprise(request.principal)
    if enterprise is None:
        raise Http404
    if request.method == "POST":
        post = request.POST
        if post.get("action") == "loan":
            start, end = form_date(post.get("start", "")), form_date(post.get("end", ""))
            attempt(
                request,
                measures.loan_record,
                _("Loan recorded."),
                enterprise=enterprise,
                lender=post.get("lender", ""),
                reference=post.get("reference", ""),
                principal=post.get("principal", ""),
                annual_rate=post.get("rate", ""),
                start=start,
                end=end,
            )
        else:
            try:
                year = int(post.get("year", ""))
            except ValueError:
                messages.error(request, _("Give the year as a number."))
            else:
                attempt(request, measures.measure_apply, _("Application submitted."), enterprise=enterprise,
                         measure_id=post.get("measure", ""), year=year, amount=post.get("amount") or None,
                         months=post.get("months") or None, evidence=post.get("evidence", ""))  # fmt: skip
        return redirect("seedling:measures")
    year = timezone.localdate().year
    context = {
        "catalogue": catalogue(), "enterprise": enterprise, "year": year,
        "applications": selectors.applications(actor=request.principal),
        "loans": enterprise.loans.order_by("-start"), "subsidy": measures.subsidy_for(enterprise, year),
    }  # fmt: skip
    return render(request, "seedling/measures.html", context)


@login_required
def applications_view(request):
    request.principal.require(SEEDLING_MANAGE)
    status = request.GET.get("status", "submitted")
    items = selectors.applications(actor=request.principal, status="" if status == "all" else status)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(exports.applications_xlsx(items), "measure-decisions")
    if request.method == "POST":
        application = get_object_or_404(MeasureApplication, pk=request.POST.get("application"))
        action = request.POST.get("action")
        if action == "pay":
            paid_on = form_date(request.POST.get("paid_on", "")) or timezone.localdate()
            attempt(request, measures.disbursement_record, _("Payment recorded."), application=application,
                     paid_on=paid_on, reference=request.POST.get("reference", ""))  # fmt: skip
        else:
            attempt(request, measures.application_decide, _("Decision recorded."), application=application,
                     approve=action == "approve", reason=request.POST.get("reason", ""),
                     amount=request.POST.get("amount") or None)  # fmt: skip
        return redirect(f"{request.path}?status={status}")
    return render(request, "seedling/applications.html", {"items": items[:200], "status": status})


@login_required
def needs_view(request):
    """Officers: every raised need across enterprises, the most urgent first, late ones marked."""
    status = request.GET.get("status", "open")
    items = selectors.needs(actor=request.principal, status=status)
    today = timezone.localdate()
    if request.GET.get("format") == "xlsx":
        return xlsx_response(exports.needs_xlsx(items, today), "needs")
    return render(request, "seedling/needs.html", {"items": items[:500], "status": status, "today": today})
