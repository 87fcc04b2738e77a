"""The fund's tie for conflict-of-interest checks (registered at start): the expert voted on the
fund's deal with the organisation, or works for a fund while the fund holds it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from rainforest.accounts.models import Organisation
from rainforest.fund.choices import Stage
from rainforest.fund.models import Ballot, Deal


def fund_tie(expert, own: set[int], organisation) -> str:
    voted = Ballot.objects.filter(member__user=expert, meeting__round__deal__enterprise__organisation=organisation)
    held = Deal.objects.filter(enterprise__organisation=organisation, stage__in=[Stage.PORTFOLIO, Stage.EXITED])
    tied = voted.exclude(vote="").exists() or (
        held.exists() and Organisation.objects.filter(pk__in=own, kind="fund").exists()
    )
    return _("took part in the Seedling fund's investment in %(org)s") % {"org": organisation.name} if tied else ""


def portfolio_company(enterprise) -> bool:
    """RF-19: a company the fund holds may be accompanied as a good seedling."""
    return Deal.objects.filter(enterprise=enterprise, stage=Stage.PORTFOLIO).exists()
