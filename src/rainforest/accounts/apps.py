from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "rainforest.accounts"
    verbose_name = _("Accounts and audit")

    def ready(self) -> None:
        from rainforest.accounts import checks, signals  # noqa: F401  (registers receivers)
        from rainforest.form_fields import use_plain_empty_choice

        use_plain_empty_choice()
