from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "rainforest.matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from rainforest.exchange import search
        from rainforest.matching import signals  # noqa: F401  (records index changes on save)

        search.register_ranker(_ranked_ids)


def _ranked_ids(collection: str, q: str):
    """The engine loads on the first search, not at start: commands that never search (fund check,
    screen) must not pay for the tokeniser and the index."""
    from rainforest.matching.selectors import ranked_ids

    return ranked_ids(collection, q)
