"""Fund pages: the pipeline, one deal, the committee's ballots, the portfolio and its report."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from rainforest.accounts.permissions import FUND_MANAGE
from rainforest.core.captable.round import OPTIONS, POOL
from rainforest.fund import reports, selectors, services
from rainforest.fund.choices import Source, Stage
from rainforest.fund.models import Round
from rainforest.page_actions import XLSX as XLSX_TYPE
from rainforest.page_actions import attempt, form_date
from rainforest.registry.models import Enterprise

MOVE_LABELS = {
    "screen": _lazy("Screen with the policy engine"),
    "diligence": _lazy("Start due diligence"),
    "committee": _lazy("Send to the investment committee"),
    "term_sheet": _lazy("Term sheet"),
    "closing": _lazy("Closing"),
    "portfolio": _lazy("Closed: post-investment"),
    "exit": _lazy("Exit"),
    "write_off": _lazy("Write off"),
    "decline": _lazy("Decline"),
}


@login_required
def pipeline_view(request):
    columns = selectors.pipeline(actor=request.principal)
    if request.method == "POST":
        enterprise = Enterprise.objects.filter(organisation__uscc=request.POST.get("uscc", "").strip().upper()).first()
        if enterprise is None:
            messages.error(request, _("No enterprise with this code is on the registry."))
        else:
            deal = attempt(
                request,
                services.deal_create,
                _("Deal created."),
                enterprise=enterprise,
                source=request.POST.get("source", ""),
                referrer=request.POST.get("referrer", ""),
                unit=request.POST.get("unit", "shares"),
            )
            if deal:
                return redirect("fund:deal", deal.pk)
        return redirect("fund:pipeline")
    stages = [(s, Stage(s).label, columns[s]) for s in Stage.values]
    return render(request, "fund/pipeline.html", {"stages": stages, "sources": Source.choices})


@login_required
def deal_view(request, pk: int):
    deal = selectors.deal_get(actor=request.principal, pk=pk)
    table = services.table_of(deal).at(timezone.localdate() + dt.timedelta(days=3650))
    total = sum(table.values()) or 1
    names = {POOL: _("Unallocated option pool"), OPTIONS: _("Options outstanding")}
    rows = sorted(
        ((names.get(k, k), v, v * 100 / total) for k, v in table.items()), key=lambda r: (r[0] in names.values(), -r[1])
    )
    context = {
        "deal": deal, "rows": rows, "events": deal.table_events.all(), "rounds": deal.rounds.all(),
        "moves": [(a, MOVE_LABELS[a]) for a, (src, _t) in services.MOVES.items() if deal.stage in src],
        "flows": deal.flows.all(), "marks": deal.marks.all(), "today": timezone.localdate(),
    }  # fmt: skip
    return render(request, "fund/deal.html", context)


@login_required
@require_POST
def deal_action_view(request, pk: int):
    deal = selectors.deal_get(actor=request.principal, pk=pk)
    post, action = request.POST, request.POST.get("action", "")
    today = timezone.localdate()
    if action in services.MOVES:
        attempt(request, services.deal_move, _("Done."), deal=deal, action=action, reason=post.get("reason", ""))
    elif action == "checklist":
        attempt(
            request,
            services.checklist_set,
            _("Saved."),
            deal=deal,
            item=post.get("item", ""),
            done=post.get("done") == "1",
            note=post.get("note", ""),
        )
    elif action == "event":
        attempt(
            request,
            services.table_event_add,
            _("Recorded on the cap table."),
            deal=deal,
            on=form_date(post.get("on", ""), today),
            kind=post.get("kind", ""),
            holder=post.get("holder", ""),
            units=post.get("units", ""),
            to=post.get("to", ""),
            city_fund=post.get("city_fund") == "1",
        )
    elif action == "propose":
        investors = [
            {"name": post.get(f"name{i}", ""), "amount": post.get(f"amount{i}", ""), "is_fund": i == 0,
             "city_fund": post.get(f"city{i}") == "1"}
            for i in range(4) if post.get(f"amount{i}")
        ]  # fmt: skip
        attempt(
            request,
            services.round_propose,
            _("Compliance report ready."),
            deal=deal,
            name=post.get("name", ""),
            on=form_date(post.get("on", ""), today),
            pre_money=post.get("pre_money", ""),
            investors=investors,
            pool_top_up_post_pct=post.get("pool", "0") or "0",
        )
    elif action in ("meeting", "decide", "record"):
        proposed = get_object_or_404(Round, pk=post.get("round"), deal=deal)
        if action == "meeting":
            attempt(
                request,
                services.meeting_open,
                _("Meeting opened."),
                round=proposed,
                held_on=form_date(post.get("held_on", ""), today),
            )
        elif action == "decide":
            attempt(
                request,
                services.meeting_decide,
                _("Decision recorded."),
                meeting=proposed.meeting,
                minutes=post.get("minutes", ""),
                override_reason=post.get("override", ""),
            )
        else:
            attempt(
                request,
                services.round_record,
                _("Round recorded on the cap table."),
                round=proposed,
                acknowledge=post.get("acknowledge", ""),
            )
    elif action == "distribution":
        attempt(
            request,
            services.flow_record,
            _("Distribution recorded."),
            deal=deal,
            on=form_date(post.get("on", ""), today),
            amount=post.get("amount", ""),
        )
    elif action == "write_down":
        attempt(
            request,
            services.mark_write_down,
            _("Write-down recorded."),
            deal=deal,
            on=form_date(post.get("on", ""), today),
            value=post.get("value", ""),
            reason=post.get("reason", ""),
        )
    else:
        messages.error(request, _("Unknown action."))
    return redirect("fund:deal", pk)


@login_required
def ocf_view(request, pk: int):
    """The deal's cap table as an OCF 1.2.0 package (GET), or started from one (POST)."""
    deal = selectors.deal_get(actor=request.principal, pk=pk)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or upload.size > 5 * 1024 * 1024:
            messages.error(request, _("Choose an OCF package (.ocf.zip) of at most 5 MB."))
        else:
            attempt(
                request,
                services.table_import_ocf,
                _("Cap table loaded from the OCF file."),
                deal=deal,
                data=upload.read(),
            )
        return redirect("fund:deal", pk)
    body = services.table_export_ocf(actor=request.principal, deal=deal)
    response = HttpResponse(body, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="captable-{deal.enterprise.organisation.uscc}.ocf.zip"'
    return response


@login_required
def committee_view(request):
    meetings = selectors.meetings_for(actor=request.principal)
    if request.method == "POST":
        meeting = get_object_or_404(meetings, pk=request.POST.get("meeting"))
        attempt(
            request,
            services.ballot_cast,
            _("Ballot recorded."),
            meeting=meeting,
            vote=request.POST.get("vote", ""),
            conflict=request.POST.get("conflict", ""),
            conditions=request.POST.get("conditions", ""),
        )
        return redirect("fund:committee")
    ballots = {b.meeting_id: b for m in meetings for b in m.ballots.filter(member__user=request.principal.user)}
    return render(request, "fund/committee.html", {"meetings": meetings, "ballots": ballots})


@login_required
def portfolio_view(request):
    on = form_date(request.GET.get("on", ""), None) or reports.quarter_end(timezone.localdate())
    data = selectors.portfolio(actor=request.principal, on=on)
    fmt = request.GET.get("format")
    if fmt in ("xlsx", "pdf"):
        body = reports.report_xlsx(data) if fmt == "xlsx" else reports.report_pdf(data)
        response = HttpResponse(body, content_type=XLSX_TYPE if fmt == "xlsx" else "application/pdf")
        response["Content-Disposition"] = f'attachment; filename="seedling-fund-{on.isoformat()}.{fmt}"'
        return response
    return render(
        request,
        "fund/portfolio.html",
        {"p": data, "summary": reports.summary_rows(data), "manage": request.principal.can(FUND_MANAGE)},
    )
