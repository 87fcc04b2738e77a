from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "rainforest.exchange"
    verbose_name = _("Scenario exchange")

    def ready(self) -> None:
        from rainforest import conflicts
        from rainforest.exchange.conflicts import cooperation_tie

        conflicts.register(cooperation_tie)
