"""Cooperation projects: milestones, changes, landing, acceptance and what happened after."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rainforest.accounts.permissions import Principal
from rainforest.audit import trail
from rainforest.exchange.choices import ProjectStatus as P
from rainforest.exchange.models import Milestone, Project, ProjectEvent
from rainforest.exchange.workflows import OFFICER, PROJECT, PUBLISHER, project_capacities

# The project's moves are the table workflows.PROJECT; the sides an actor is on are its capacities.
sides = project_capacities


def _party(actor: Principal, project: Project) -> set[str]:
    mine = sides(actor, project)
    if not mine:
        raise PermissionDenied
    return mine


def _event(actor: Principal, project: Project, kind: str, text: str = "", **data) -> None:
    """One line of the project's history: what the person wrote, and the facts as data (shown in
    the reader's language, ProjectEvent.describe)."""
    data = trail.jsonable(data)
    ProjectEvent.objects.create(project=project, kind=kind, text=text, data=data, by=actor.user, by_label=actor.label)
    trail.record(
        actor,
        f"exchange.project.{kind}",
        subject_type="project",
        subject_id=project.pk,
        subject_label=str(project),
        after={"text": text, **data, "status": project.status},
    )


@transaction.atomic
def milestone_add(*, actor: Principal, project: Project, title: str, due_on: dt.date) -> Milestone:
    _party(actor, project)
    if len(title.strip()) < 2:
        raise ValidationError(_("Name the milestone."))
    milestone = Milestone.objects.create(project=project, title=title.strip(), due_on=due_on)
    _event(actor, project, "milestone_added", milestone=milestone.title, due_on=due_on)
    return milestone


@transaction.atomic
def milestone_done(*, actor: Principal, milestone: Milestone, done_on: dt.date, evidence: str) -> Milestone:
    milestone = Milestone.objects.select_for_update().select_related("project").get(pk=milestone.pk)
    _party(actor, milestone.project)
    if milestone.done_on:
        raise ValidationError(_("This milestone is already marked done."))
    if done_on > timezone.localdate():
        raise ValidationError(_("The date is in the future."))
    if len(evidence.strip()) < 5:
        raise ValidationError(_("Describe the evidence (at least 5 characters)."))
    milestone.done_on, milestone.evidence = done_on, evidence.strip()
    milestone.save()
    _event(actor, milestone.project, "milestone_done", milestone.evidence, milestone=milestone.title, done_on=done_on)
    return milestone


@transaction.atomic
def project_change(*, actor: Principal, project: Project, text: str) -> None:
    """A change to the agreement (scope, schedule, value), kept in the project's history."""
    _party(actor, project)
    if len(text.strip()) < 5:
        raise ValidationError(_("Describe the change (at least 5 characters)."))
    _event(actor, project, "changed", text.strip())


@transaction.atomic
def project_move(*, actor: Principal, project: Project, action: str, note: str = "", grade: str = "") -> Project:
    """Move the project along its table (workflows.PROJECT); landing needs every milestone done,
    acceptance an evaluation."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    PROJECT.check(project, action, _party(actor, project))
    if action == "accept" and not grade.strip():
        raise ValidationError(_("Give the acceptance evaluation."))
    PROJECT.apply(project, action)
    if action == "confirm_landing":
        project.landed_on = timezone.localdate()
    if action == "accept":
        project.acceptance_grade = grade.strip()
    project.version += 1
    project.save()
    # The move's name says what happened; the grade and the person's note say the rest.
    facts = {"status": project.status, **({"grade": project.acceptance_grade} if action == "accept" else {})}
    _event(actor, project, action, note.strip(), **facts)
    return project


@transaction.atomic
def project_followup(
    *,
    actor: Principal,
    project: Project,
    in_use: bool,
    in_use_since: dt.date | None,
    further_contracts: int,
    further_value,
) -> Project:
    """After landing: does the publisher really use it, and did further contracts follow."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not (_party(actor, project) & {PUBLISHER, OFFICER}):
        raise PermissionDenied
    if project.status not in (P.LANDED, P.ACCEPTED, P.SCALED):
        raise ValidationError(_("Follow-up is recorded after the landing."))
    if in_use and in_use_since is None:
        raise ValidationError(_("Since when is it in use?"))
    project.in_use, project.in_use_since = in_use, in_use_since if in_use else None
    project.further_contracts, project.further_value = further_contracts, further_value
    project.save()
    _event(
        actor,
        project,
        "followup",
        in_use=in_use,
        in_use_since=project.in_use_since,
        further_contracts=further_contracts,
        further_value=further_value,
    )
    return project


def overdue(project: Project, today: dt.date | None = None) -> list[Milestone]:
    today = today or timezone.localdate()
    return [m for m in project.milestones.all() if m.done_on is None and m.due_on < today]
