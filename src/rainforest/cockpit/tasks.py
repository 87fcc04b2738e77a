"""The cockpit's background jobs: the monthly brief, on its day and on demand."""

from __future__ import annotations

import datetime

from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext_lazy

from rainforest.cockpit import brief
from rainforest.cockpit.definitions import SYSTEM
from rainforest.jobs.periodic import periodic


@periodic(every=datetime.timedelta(hours=1), name="cockpit.brief", label=gettext_lazy("Make the monthly brief"))
@task()
def monthly_brief() -> dict:
    """On the first working day of a month, the brief for the month before (once)."""
    month = brief.due(timezone.localdate())
    if month is None:
        return {"made": False}
    made = brief.brief_make(actor=SYSTEM, year=month[0], month=month[1])
    return {"made": True, "brief": made.pk}


@task()
def brief_on_demand(year: int, month: int, language: str, membership_id: int) -> dict:
    """An officer's brief, made by the worker as that officer (checked again: the role may be gone)."""
    from rainforest.accounts.models import Membership
    from rainforest.accounts.permissions import Principal

    membership = Membership.objects.select_related("user", "organisation").get(pk=membership_id)
    actor = Principal(user=membership.user, membership=membership)
    made = brief.brief_make(actor=actor, year=year, month=month, language=language)
    return {"brief": made.pk}
