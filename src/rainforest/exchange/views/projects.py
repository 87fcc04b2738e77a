"""Cooperation projects: each party keeps milestones and history; the publisher confirms landing."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from rainforest.exchange import selectors
from rainforest.exchange.forms import FollowupForm, MilestoneForm
from rainforest.exchange.services import projects as services


@login_required
def project_list_view(request):
    items = selectors.projects_for(actor=request.principal)
    today = timezone.localdate()
    rows = [(p, [m for m in p.milestones.all() if m.done_on is None and m.due_on < today]) for p in items[:200]]
    return render(request, "exchange/projects.html", {"rows": rows})


@login_required
def project_view(request, pk: int):
    project = selectors.project_get(actor=request.principal, pk=pk)
    if request.method == "POST":
        _act(request, project)
        return redirect("exchange:project", pk=pk)
    context = {
        "project": project,
        "sides": services.sides(request.principal, project),
        "overdue": {m.pk for m in services.overdue(project)},
        "milestone_form": MilestoneForm(),
        "moves": [
            a
            for a, (src, _t, who) in services.PROJECT_MOVES.items()
            if project.status in src and who & services.sides(request.principal, project)
        ],
    }
    return render(request, "exchange/project.html", context)


def _act(request, project) -> None:
    action, post, actor = request.POST.get("action", ""), request.POST, request.principal
    try:
        if action == "milestone":
            form = MilestoneForm(post)
            if not form.is_valid():
                raise ValidationError(_("Name the milestone and its due date."))
            services.milestone_add(actor=actor, project=project, **form.cleaned_data)
        elif action == "milestone_done":
            milestone = get_object_or_404(project.milestones, pk=post.get("milestone"))
            services.milestone_done(
                actor=actor, milestone=milestone, done_on=timezone.localdate(), evidence=post.get("evidence", "")
            )
        elif action == "change":
            services.project_change(actor=actor, project=project, text=post.get("text", ""))
        elif action == "followup":
            form = FollowupForm(post)
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            data = form.cleaned_data
            services.project_followup(
                actor=actor,
                project=project,
                in_use=data["in_use"],
                in_use_since=data["in_use_since"],
                further_contracts=data["further_contracts"] or 0,
                further_value=data["further_value"] or Decimal(0),
            )
        elif action in services.PROJECT_MOVES:
            services.project_move(
                actor=actor, project=project, action=action, note=post.get("note", ""), grade=post.get("grade", "")
            )
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Done."))
