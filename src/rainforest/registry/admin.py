from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from rainforest import admin_display as show
from rainforest.accounts.permissions import REGISTRY_VIEW_ALL
from rainforest.admin_site import site
from rainforest.registry.models import Enterprise, FinancingRound, Recognition, YearlyFacts


class RegistryAdmin(show.PlainAdmin):
    view_permission = REGISTRY_VIEW_ALL


def _shown(model, *skipped: str) -> list[str]:
    """Every field of ``model`` a person reads, each shown in plain words (``<field>_shown``)."""
    return [f"{f.name}{show.SHOWN}" for f in model._meta.concrete_fields if f.name not in ("id", *skipped)]


@admin.register(Enterprise, site=site)
class EnterpriseAdmin(RegistryAdmin):
    list_display = ["__str__", "founded_on_shown"]
    search_fields = ["organisation__name", "organisation__uscc"]
    list_select_related = ["organisation"]
    fields = readonly_fields = _shown(Enterprise)
    organisation_shown = show.column("organisation", _("organisation"), show=str)


@admin.register(YearlyFacts, site=site)
class YearlyFactsAdmin(RegistryAdmin):
    list_display = ["enterprise_shown", "fiscal_year", "employees", "revenue_shown", "stage"]
    list_filter = ["fiscal_year", "stage"]
    search_fields = ["enterprise__organisation__name", "enterprise__organisation__uscc"]
    list_select_related = ["enterprise__organisation"]
    fields = readonly_fields = _shown(YearlyFacts)
    enterprise_shown = show.column("enterprise", _("enterprise"), show=str)


@admin.register(Recognition, site=site)
class RecognitionAdmin(RegistryAdmin):
    list_display = ["enterprise_shown", "kind", "year", "valid_until_shown"]
    list_filter = ["kind", "year"]
    list_select_related = ["enterprise__organisation"]
    fields = readonly_fields = _shown(Recognition)
    enterprise_shown = show.column("enterprise", _("enterprise"), show=str)

    def object_name(self, obj) -> str:
        return f"{obj.enterprise} · {obj.get_kind_display()} · {obj.year}"


@admin.register(FinancingRound, site=site)
class FinancingRoundAdmin(RegistryAdmin):
    list_display = ["enterprise_shown", "round", "closed_on_shown", "amount_shown"]
    list_filter = ["round"]
    list_select_related = ["enterprise__organisation"]
    fields = readonly_fields = _shown(FinancingRound)
    enterprise_shown = show.column("enterprise", _("enterprise"), show=str)

    def object_name(self, obj) -> str:
        return f"{obj.enterprise} · {obj.get_round_display()} · {show.plain_value(obj, 'closed_on')}"
