from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The tamper-evident audit trail every app writes to: the bottom layer, importing no app."""

    name = "rainforest.audit"
    label = "audit"
    verbose_name = _("Audit trail")
