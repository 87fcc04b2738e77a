"""The exchange's tie for conflict-of-interest checks: a cooperation project (registered at start)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from rainforest.exchange.models import Project


def cooperation_tie(expert, own: set[int], organisation) -> str:
    """A cooperation project between one of ``own`` and the organisation, either side publishing."""
    linked = bool(own) and (
        Project.objects.filter(
            Q(publisher_id__in=own, enterprise_id=organisation.pk)
            | Q(enterprise_id__in=own, publisher_id=organisation.pk)
        ).exists()
    )
    return _("has a cooperation project with %(org)s") % {"org": organisation.name} if linked else ""
