"""Fund pages: the pipeline, one deal, the committee's ballots, the portfolio and its report."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from rainforest.accounts.permissions import FUND_MANAGE
from rainforest.core.captable.round import OPTIONS, POOL
from rainforest.fund import forms, labels, reports, selectors, services
from rainforest.fund.choices import Source, Stage, Vote
from rainforest.fund.workflows import DEAL, capacities
from rainforest.page_actions import XLSX as XLSX_TYPE
from rainforest.page_actions import query_choice, query_date, run_form

MOVE_LABELS = {
    "screen": gettext_lazy("Screen with the policy engine"),
    "diligence": gettext_lazy("Start due diligence"),
    "committee": gettext_lazy("Send to the investment committee"),
    "term_sheet": gettext_lazy("Term sheet"),
    "closing": gettext_lazy("Closing"),
    "portfolio": gettext_lazy("Closed: post-investment"),
    "exit": gettext_lazy("Exit"),
    "write_off": gettext_lazy("Write off"),
    "decline": gettext_lazy("Decline"),
}


@login_required
def pipeline_view(request):
    columns = selectors.pipeline(actor=request.principal)
    stages = [(s, Stage(s).label, columns[s]) for s in Stage.values]
    return render(request, "fund/pipeline.html", {"stages": stages, "sources": Source.choices})


@login_required
@require_POST
def deal_create_view(request):
    request.principal.require(FUND_MANAGE)
    deal = run_form(request, forms.DealCreateForm, services.deal_create, _("Deal created."))
    return redirect("fund:deal", deal.pk) if deal else redirect("fund:pipeline")


@login_required
def deal_view(request, pk: int):
    deal = selectors.deal_detail(actor=request.principal, pk=pk)
    table = services.table_of(deal).at(timezone.localdate() + dt.timedelta(days=3650))
    total = sum(table.values()) or 1
    names = {POOL: _("Unallocated option pool"), OPTIONS: _("Options outstanding")}
    rows = sorted(
        ((names.get(k, k), v, v / total) for k, v in table.items()), key=lambda r: (r[0] in names.values(), -r[1])
    )
    kinds = dict(forms.EVENT_KINDS)
    events = [
        (e, kinds.get(e.kind, e.kind), labels.unit_price(e.price) if e.price else "") for e in deal.table_events.all()
    ]
    rounds = [
        {
            "round": r,
            "criteria": labels.criteria_rows(r.report, deal.unit),
            "figures": labels.report_summary(r.report, deal.unit),
            "board": selectors.meeting_board(r.meeting, list(r.meeting.ballots.all()), user=request.user)
            if hasattr(r, "meeting") else None,
            "fund_in": any(i["is_fund"] for i in r.investors),
        }
        for r in deal.rounds.all()
    ]  # fmt: skip
    able = capacities(request.principal, deal)
    context = {
        "deal": deal, "rows": rows, "events": events, "rounds": rounds,
        "unit_label": dict(forms.UNITS).get(deal.unit, deal.unit),
        "moves": [(a, MOVE_LABELS[a], DEAL.refusal(deal, a)) for a in DEAL.available(deal, able)],
        "flows": deal.flows.all(), "marks": deal.marks.all(), "today": timezone.localdate(),
        "event_kinds": forms.EVENT_KINDS,
    }  # fmt: skip
    return render(request, "fund/deal.html", context)


def _deal_action(form_class, service, success: str):
    """A POST-only action on one deal: the deal as the actor may see it, one form, one service."""

    @login_required
    @require_POST
    def view(request, pk: int):
        deal = selectors.deal_get(actor=request.principal, pk=pk)
        run_form(request, form_class, service, success, deal=deal)
        return redirect("fund:deal", pk)

    return view


def _round_action(form_class, service, success: str, *, meeting: bool = False):
    """A POST-only action on one round (or its committee meeting)."""

    @login_required
    @require_POST
    def view(request, pk: int):
        proposed = selectors.round_get_for(actor=request.principal, pk=pk)
        if meeting:
            target = getattr(proposed, "meeting", None)
            if target is None:
                raise Http404
            run_form(request, form_class, service, success, meeting=target)
        else:
            run_form(request, form_class, service, success, round=proposed)
        return redirect("fund:deal", proposed.deal_id)

    return view


@login_required
@require_POST
def deal_move_view(request, pk: int, move: str):
    if move not in DEAL.by_action:
        raise Http404
    deal = selectors.deal_get(actor=request.principal, pk=pk)
    run_form(request, forms.MoveForm, services.deal_move, _("Done."), deal=deal, action=move)
    return redirect("fund:deal", pk)


checklist_view = _deal_action(forms.ChecklistForm, services.checklist_set, gettext_lazy("Saved."))
table_event_view = _deal_action(
    forms.TableEventForm, services.table_event_add, gettext_lazy("Recorded on the cap table.")
)
ocf_import_view = _deal_action(
    forms.OcfImportForm, services.table_import_ocf, gettext_lazy("Cap table loaded from the OCF file.")
)
round_propose_view = _deal_action(
    forms.RoundProposeForm, services.round_propose, gettext_lazy("Compliance report ready.")
)
distribution_view = _deal_action(forms.DistributionForm, services.flow_record, gettext_lazy("Distribution recorded."))
write_down_view = _deal_action(forms.WriteDownForm, services.mark_write_down, gettext_lazy("Write-down recorded."))
meeting_open_view = _round_action(forms.MeetingForm, services.meeting_open, gettext_lazy("Meeting opened."))
meeting_decide_view = _round_action(
    forms.DecisionForm, services.meeting_decide, gettext_lazy("Decision recorded."), meeting=True
)
round_record_view = _round_action(
    forms.RecordForm, services.round_record, gettext_lazy("Round recorded on the cap table.")
)


@login_required
def ocf_view(request, pk: int):
    """The deal's cap table as an OCF 1.2.0 package."""
    deal = selectors.deal_get(actor=request.principal, pk=pk)
    body = services.table_export_ocf(actor=request.principal, deal=deal)
    response = HttpResponse(body, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="captable-{deal.enterprise.organisation.uscc}.ocf.zip"'
    return response


@login_required
def committee_view(request):
    boards = selectors.meeting_boards(actor=request.principal, meetings=selectors.meetings_for(actor=request.principal))
    manage = request.principal.can(FUND_MANAGE)
    return render(request, "fund/committee.html", {"boards": boards, "votes": Vote.choices, "manage": manage})


@login_required
@require_POST
def ballot_view(request, pk: int):
    meeting = selectors.meeting_get_for(actor=request.principal, pk=pk)
    run_form(request, forms.BallotForm, services.ballot_cast, _("Ballot recorded."), meeting=meeting)
    return redirect("fund:committee")


@login_required
def portfolio_view(request):
    on = query_date(request, reports.quarter_end(timezone.localdate()))
    data = selectors.portfolio(actor=request.principal, on=on)
    fmt = query_choice(request, "format", ("xlsx", "pdf"))
    if fmt in ("xlsx", "pdf"):
        body = reports.report_xlsx(data) if fmt == "xlsx" else reports.report_pdf(data)
        response = HttpResponse(body, content_type=XLSX_TYPE if fmt == "xlsx" else "application/pdf")
        response["Content-Disposition"] = f'attachment; filename="seedling-fund-{on.isoformat()}.{fmt}"'
        return response
    return render(
        request,
        "fund/portfolio.html",
        {"p": data, "report": reports.build(data), "charts": reports.chart_specs(data)},
    )
