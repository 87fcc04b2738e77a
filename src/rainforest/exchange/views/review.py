"""Experts: their assignments, the declaration first, then locked scores."""

from __future__ import annotations

from functools import partial

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rainforest.exchange import selectors
from rainforest.exchange.forms import DeclareForm, ScoreForm
from rainforest.exchange.services import reviews
from rainforest.page_actions import add_form_errors, run_form


@login_required
def assignments_view(request):
    return render(request, "exchange/assignments.html", {"items": selectors.my_assignments(actor=request.principal)})


def _label(application, index: int, blind: bool) -> str:
    return _("Applicant %(n)s") % {"n": chr(65 + index)} if blind else application.applicant.name


@login_required
def assignment_view(request, pk: int):
    assignment = selectors.assignment_get(actor=request.principal, pk=pk)
    call = assignment.call
    if not selectors.deadline_passed(call):
        return render(request, "exchange/panel_waiting.html", {"assignment": assignment, "call": call})
    applications = selectors.panel_applications(assignment=assignment)
    labelled = [(a, _label(a, i, call.blind_review)) for i, a in enumerate(applications)]
    if not assignment.declared_at:
        form = DeclareForm(request.POST or None)
        form.fields["conflicted"].choices = [(a.pk, label) for a, label in labelled]
        if request.method == "POST" and form.is_valid():
            try:
                reviews.panel_declare(
                    actor=request.principal,
                    assignment=assignment,
                    conflicted=[int(i) for i in form.cleaned_data["conflicted"]],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                return redirect("exchange:assignment", pk=pk)
        return render(request, "exchange/declare.html", {"assignment": assignment, "form": form, "call": call})
    done = {r.application_id: r for r in assignment.reviews.all()}
    files = selectors.panel_attachments(assignment=assignment, applications=applications)
    rows = [
        {
            "application": a,
            "label": label,
            "review": done.get(a.pk),
            "conflicted": a.pk in assignment.declared_conflicts,
            "attachments": files.get(a.pk, []),
        }
        for a, label in labelled
    ]
    return render(
        request,
        "exchange/score.html",
        {"assignment": assignment, "call": call, "rows": rows, "rubric": call.rubric.all()},
    )


@login_required
@require_POST
def score_view(request, pk: int, application_id: int):
    assignment = selectors.assignment_get(actor=request.principal, pk=pk)
    application = get_object_or_404(assignment.call.applications, pk=application_id)
    form = partial(ScoreForm, rubric=assignment.call.rubric.all())
    run_form(
        request,
        form,
        reviews.review_submit,
        _("Your scores are submitted and locked."),
        assignment=assignment,
        application=application,
    )
    return redirect("exchange:assignment", pk=pk)
