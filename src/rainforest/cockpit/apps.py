from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CockpitConfig(AppConfig):
    name = "rainforest.cockpit"
    verbose_name = _("City cockpit")

    def ready(self) -> None:
        from rainforest.cockpit import definitions

        # The catalogue's definitions reach the database with each release, as the rule set does.
        post_migrate.connect(definitions.on_post_migrate, sender=self)
