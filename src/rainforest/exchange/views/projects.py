"""Cooperation projects: each party keeps milestones and history; the publisher confirms landing.
Every action is its own POST-only URL with its own form."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from rainforest.exchange import selectors
from rainforest.exchange.forms import ChangeForm, FollowupForm, MilestoneDoneForm, MilestoneForm, ProjectMoveForm
from rainforest.exchange.services import projects as services
from rainforest.exchange.workflows import OFFICER, PROJECT, PUBLISHER, offered
from rainforest.page_actions import run_form

DONE = gettext_lazy("Done.")


@login_required
def project_list_view(request):
    items = selectors.projects_for(actor=request.principal)
    today = timezone.localdate()
    rows = [(p, [m for m in p.milestones.all() if m.done_on is None and m.due_on < today]) for p in items[:200]]
    return render(request, "exchange/projects.html", {"rows": rows})


@login_required
def project_view(request, pk: int):
    project = selectors.project_get(actor=request.principal, pk=pk)
    sides = services.sides(request.principal, project)
    context = {
        "project": project,
        "sides": sides,
        "overdue": {m.pk for m in services.overdue(project)},
        "milestone_form": MilestoneForm(),
        "moves": PROJECT.available(project, sides),
    }
    return render(request, "exchange/project.html", context)


def _project_action(form_class, service, success):
    """A POST-only action on one project: the project as the actor may see it, one form, one service."""

    @login_required
    @require_POST
    def view(request, pk: int):
        project = selectors.project_get(actor=request.principal, pk=pk)
        run_form(request, form_class, service, success, project=project)
        return redirect("exchange:project", pk=pk)

    return view


milestone_add_view = _project_action(MilestoneForm, services.milestone_add, DONE)
project_change_view = _project_action(ChangeForm, services.project_change, DONE)


@login_required
@require_POST
def project_followup_view(request, pk: int):
    """After the landing, for the publisher and officers: the enterprise is refused before its form
    is read."""
    project = selectors.project_get(actor=request.principal, pk=pk)
    if not services.sides(request.principal, project) & {PUBLISHER, OFFICER}:
        raise PermissionDenied
    run_form(request, FollowupForm, services.project_followup, DONE, project=project)
    return redirect("exchange:project", pk=pk)


@login_required
@require_POST
def milestone_done_view(request, pk: int, milestone_id: int):
    project = selectors.project_get(actor=request.principal, pk=pk)
    milestone = get_object_or_404(project.milestones, pk=milestone_id)
    run_form(request, MilestoneDoneForm, services.milestone_done, DONE, milestone=milestone)
    return redirect("exchange:project", pk=pk)


@login_required
@require_POST
def project_move_view(request, pk: int, move: str):
    if not offered(PROJECT, move):
        raise Http404
    project = selectors.project_get(actor=request.principal, pk=pk)
    run_form(request, ProjectMoveForm, services.project_move, DONE, project=project, action=move)
    return redirect("exchange:project", pk=pk)
