from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundConfig(AppConfig):
    name = "rainforest.fund"
    verbose_name = _("Seedling fund")

    def ready(self) -> None:
        from rainforest import conflicts
        from rainforest.fund.conflicts import fund_tie, portfolio_company
        from rainforest.seedling import eligibility

        conflicts.register(fund_tie)
        eligibility.register_also_accompanied(portfolio_company)
