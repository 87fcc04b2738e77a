from __future__ import annotations

import csv
import io
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import HttpResponseClientRefresh

from rainforest.accounts.permissions import POLICY_SETTLE
from rainforest.core.facts.reader import MAX_BYTES
from rainforest.core.facts.validate import Problem
from rainforest.core.facts.writer import defuse
from rainforest.core.policy.screen import flat_row
from rainforest.page_actions import add_form_errors, query_choice, query_page
from rainforest.policy import selectors, services
from rainforest.policy.forms import RunForm, SelfCheckForm, SettleForm
from rainforest.policy.labels import (
    criterion_row,
    describe,
    ground_label,
    listed,
    money_text,
    reading_label,
    results_context,
    targets,
    tier_name,
)
from rainforest.policy.rules import current_ruleset
from rainforest.policy.templatetags.policy_tags import verdict_label
from rainforest.registry.problems import problem_rows, summary
from rainforest.registry.services import ImportRefused


def library_view(request):
    """Every rule with its source, strictness, confidence and dates: public."""
    ruleset = current_ruleset()
    tiers = [
        {
            "tier": t,
            "criteria": [
                {
                    "c": c, "test": describe(c.test),
                    "readings": [(k, reading_label(k), describe(v)) for k, v in c.tests.items()],
                    "grounds": listed(ground_label(g) for g in c.relaxation_grounds),
                }
                for c in t.criteria
            ],
        }
        for t in ruleset.tiers.values()
    ]  # fmt: skip
    measures = [
        {
            "m": m,
            "amount": money_text(m.amount_cny) if m.amount_cny else "",
            "tiers": listed(tier_name(t) for t in m.tiers),
        }
        for m in ruleset.measures
    ]
    context = {"ruleset": ruleset, "tiers": tiers, "measures": measures, "targets": targets(ruleset)}
    return render(request, "policy/library.html", context)


def self_check_view(request):
    """Anyone, signed in or not, enters figures and sees every tier with reasons."""
    form = SelfCheckForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        ruleset, results, advice = selectors.self_check(
            rows=form.rows(), founded_on=form.cleaned_data["founded_on"], as_of=form.as_of_date()
        )
        context.update(results_context(ruleset, results, advice), as_of=form.as_of_date())
    return render(request, "policy/self_check.html", context)


@login_required
def own_check_view(request):
    """An enterprise checks itself from the figures it keeps in the registry."""
    enterprise = selectors.own_enterprise(actor=request.principal)
    as_of = timezone.localdate()
    ruleset, results, advice = selectors.self_check(
        rows=selectors.enterprise_rows(enterprise), founded_on=enterprise.founded_on, as_of=as_of,
        uscc=enterprise.organisation.uscc, name=enterprise.organisation.name,
    )  # fmt: skip
    context = results_context(ruleset, results, advice)
    context.update(enterprise=enterprise, as_of=as_of)
    return render(request, "policy/own_check.html", context)


@login_required
def run_list_view(request):
    runs = selectors.run_list(actor=request.principal)
    form = RunForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        parameters = {"as_of": form.cleaned_data["as_of"], "tiers": form.cleaned_data["tiers"] or None,
                      "readings": form.readings()}  # fmt: skip
        try:
            # In the background either way; the run's page shows how far it is (and a file's problems).
            if upload:
                run = services.screening_upload(
                    actor=request.principal, data=upload.read(MAX_BYTES + 1), filename=upload.name, **parameters
                )
            else:
                run = services.screening_request(actor=request.principal, **parameters)
        except ImportRefused as exc:
            context.update(problems=problem_rows(exc.problems), summary=summary(len(exc.problems)))
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, _("The screening has started; this page shows how far it is."))
            return redirect("policy:run", pk=run.pk)
    context["page"] = Paginator(runs, 20).get_page(query_page(request))
    return render(request, "policy/runs.html", context)


RESULTS_PER_PAGE = 50


@login_required
@require_safe
def run_view(request, pk: int):
    """A run: while it is queued or running, its progress (the status part asks again every 2 s
    and reloads the page when the run is over); when done, its counts and its results, a page at a
    time, filtered by tier and verdict; when failed, why, and a way to start it again."""
    run = selectors.run_get(actor=request.principal, pk=pk)
    if request.htmx:
        if run.pending:
            return render(request, "policy/run.html#status", {"run": run})
        return HttpResponseClientRefresh()
    tier, verdict, q = (request.GET.get(k, "").strip() for k in ("tier", "verdict", "q"))
    context = {"run": run, "filters": {"tier": tier, "verdict": verdict, "q": q}}
    if run.problems:
        context.update(problems=problem_rows([Problem(**p) for p in run.problems["items"]]),
                       summary=_("Nothing was screened: %(n)d problem(s) must be fixed first.")
                       % {"n": run.problems["count"]})  # fmt: skip
    if run.done:
        results = selectors.result_list(actor=request.principal, run=run, tier=tier, verdict=verdict, q=q)
        paginator = Paginator(results, RESULTS_PER_PAGE)
        count = selectors.result_count(run=run, tier=tier, verdict=verdict, q=q)
        if count is not None:
            paginator.count = count  # the run's own counts: no count of the rows
        page = paginator.get_page(query_page(request))
        ruleset = current_ruleset()
        windows = {t["id"]: t["window"] for t in run.layout.get("tiers", [])}
        rows = [
            {"result": r, "cells": [{"verdict": v, "label": verdict_label(v, windows.get(t))}
                                    for t, v in r.verdicts.items()]}
            for r in page
        ]  # fmt: skip
        context.update(
            page=page, rows=rows,
            tier_names={t: ruleset.tiers[t].name for t in run.tiers if t in ruleset.tiers},
        )  # fmt: skip
    return render(request, "policy/run.html", context)


@login_required
@require_POST
def run_again_view(request, pk: int):
    """Start a failed screening of the registry again: a new run with the same date, tiers and readings."""
    run = selectors.run_get(actor=request.principal, pk=pk)
    if run.status != run.Status.FAILED or run.source != run.Source.REGISTRY:
        raise Http404
    try:
        again = services.screening_request(
            actor=request.principal, as_of=run.as_of, tiers=run.tiers, readings=run.readings
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("policy:run", pk=run.pk)
    messages.success(request, _("The screening has started; this page shows how far it is."))
    return redirect("policy:run", pk=again.pk)


@login_required
@require_safe
def run_download_view(request, pk: int):
    """Every record of a done run as CSV (one row per enterprise) or JSON lines, streamed a block at a time."""
    run = selectors.run_done(actor=request.principal, pk=pk)
    fmt = query_choice(request, "format", ("csv", "jsonl"), default="csv")
    records = selectors.run_records(run)
    if fmt == "jsonl":
        body = (json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records)
        response = StreamingHttpResponse(body, content_type="application/x-ndjson")
    else:
        response = StreamingHttpResponse(_csv_lines(records), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="screening-{run.pk}.{fmt}"'
    return response


def _csv_lines(records):
    yield "\ufeff".encode()  # UTF-8 BOM: spreadsheets read the Chinese names right
    buf = io.StringIO(newline="")
    writer = None
    for record in records:
        row = flat_row(record)
        if writer is None:
            writer = csv.DictWriter(buf, fieldnames=list(row), lineterminator="\r\n")
            writer.writeheader()
        writer.writerow({k: defuse(str(v)) if isinstance(v, str) else v for k, v in row.items()})
        if buf.tell() > 1 << 16:
            yield buf.getvalue().encode()
            buf.seek(0)
            buf.truncate()
    if writer is None:
        buf.write("uscc,name,fiscal_year\r\n")
    yield buf.getvalue().encode()


def _record_row(ruleset, tier_id: str, criterion: dict) -> dict:
    """A screen record's criterion in words, with its title from the rule set where it still has it."""
    row = criterion_row(ruleset, tier_id, criterion)
    found = next((c for c in ruleset.tiers[tier_id].criteria if c.id == criterion["id"]), None) if (
        tier_id in ruleset.tiers) else None  # fmt: skip
    row["title"] = found.title if found else ""
    return row


@login_required
def result_view(request, pk: int, uscc: str):
    run = selectors.run_get(actor=request.principal, pk=pk)
    result = selectors.result_get(actor=request.principal, run=run, uscc=uscc)
    form = SettleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_settle(actor=request.principal, result=result, **form.cleaned_data)
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, _("The decision has been recorded."))
            return redirect("policy:result", pk=pk, uscc=uscc)
    ruleset = current_ruleset()
    decisions = {d.tier: d for d in result.decisions.all()}
    tiers = [
        {"id": t, "name": ruleset.tiers[t].name if t in ruleset.tiers else {"zh-hans": t}, "data": data,
         "decision": decisions.get(t), "rows": [_record_row(ruleset, t, c) for c in data["criteria"]]}
        for t, data in selectors.explanation(result)["tiers"].items()
    ]  # fmt: skip
    context = {"run": run, "result": result, "tiers": tiers, "form": form,
               "can_settle": request.principal.can(POLICY_SETTLE)}  # fmt: skip
    return render(request, "policy/result.html", context)
