from __future__ import annotations

import csv
import io
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from rainforest.accounts.permissions import POLICY_SETTLE
from rainforest.core.facts.reader import MAX_BYTES
from rainforest.core.facts.writer import defuse
from rainforest.core.policy.screen import flat_row
from rainforest.page_actions import add_form_errors
from rainforest.policy import selectors, services
from rainforest.policy.forms import RunForm, SelfCheckForm, SettleForm
from rainforest.policy.labels import describe, results_context
from rainforest.policy.rules import current_ruleset
from rainforest.registry.problems import problem_rows, summary
from rainforest.registry.services import ImportRefused


def library_view(request):
    """Every rule with its source, strictness, confidence and dates: public."""
    ruleset = current_ruleset()
    tiers = [
        {
            "tier": t,
            "criteria": [(c, describe(c.test), {k: describe(v) for k, v in c.tests.items()}) for c in t.criteria],
        }
        for t in ruleset.tiers.values()
    ]
    return render(request, "policy/library.html", {"ruleset": ruleset, "tiers": tiers})


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
        try:
            run = services.screening_run(
                actor=request.principal, as_of=form.cleaned_data["as_of"], tiers=form.cleaned_data["tiers"] or None,
                data=upload.read(MAX_BYTES + 1) if upload else None, filename=upload.name if upload else "",
                readings=form.readings(),
            )  # fmt: skip
        except ImportRefused as exc:
            context.update(problems=problem_rows(exc.problems), summary=summary(len(exc.problems)))
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, _("Screening finished: %(n)d enterprises.") % {"n": run.enterprises})
            return redirect("policy:run", pk=run.pk)
    context["page"] = Paginator(runs, 20).get_page(request.GET.get("page"))
    return render(request, "policy/runs.html", context)


@login_required
def run_view(request, pk: int):
    run = selectors.run_get(actor=request.principal, pk=pk)
    tier, verdict, q = (request.GET.get(k, "").strip() for k in ("tier", "verdict", "q"))
    results = selectors.result_list(actor=request.principal, run=run, tier=tier, verdict=verdict, q=q)
    ruleset = current_ruleset()
    context = {
        "run": run, "page": Paginator(results, 50).get_page(request.GET.get("page")),
        "filters": {"tier": tier, "verdict": verdict, "q": q},
        "tier_names": {t: ruleset.tiers[t].name for t in run.tiers if t in ruleset.tiers},
    }  # fmt: skip
    return render(request, "policy/run.html", context)


@login_required
def run_download_view(request, pk: int):
    run = selectors.run_get(actor=request.principal, pk=pk)
    fmt = request.GET.get("format", "csv")
    records = [r.record for r in run.results.order_by("uscc").iterator(chunk_size=2000)]
    if fmt == "jsonl":
        body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
        response = HttpResponse(body, content_type="application/x-ndjson")
    else:
        rows = [flat_row(r) for r in records]
        buf = io.StringIO(newline="")
        header = list(rows[0]) if rows else ["uscc", "name", "fiscal_year"]
        writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows({k: defuse(str(v)) if isinstance(v, str) else v for k, v in r.items()} for r in rows)
        response = HttpResponse(buf.getvalue().encode("utf-8-sig"), content_type="text/csv")
        fmt = "csv"
    response["Content-Disposition"] = f'attachment; filename="screening-{run.pk}.{fmt}"'
    return response


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
         "decision": decisions.get(t)}
        for t, data in result.record["tiers"].items()
    ]  # fmt: skip
    context = {"run": run, "result": result, "tiers": tiers, "form": form,
               "can_settle": request.principal.can(POLICY_SETTLE)}  # fmt: skip
    return render(request, "policy/result.html", context)
