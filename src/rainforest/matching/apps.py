from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "rainforest.matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from rainforest.matching import signals  # noqa: F401  (records index changes on save)
