from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "rainforest.matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from rainforest.exchange import search
        from rainforest.matching import signals  # noqa: F401  (records index changes on save)
        from rainforest.matching.selectors import ranked_ids

        search.register_ranker(ranked_ids)
