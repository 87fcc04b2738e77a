from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeedlingConfig(AppConfig):
    name = "rainforest.seedling"
    verbose_name = _("Seedling programme")

    def ready(self) -> None:
        from rainforest.seedling import signals

        signals.connect()
