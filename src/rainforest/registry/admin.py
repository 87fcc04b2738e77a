from django.contrib import admin

from rainforest.accounts.permissions import REGISTRY_VIEW_ALL
from rainforest.admin_site import RoleAdmin, site
from rainforest.registry.models import Enterprise, FinancingRound, Recognition, YearlyFacts


class RegistryAdmin(RoleAdmin):
    view_permission = REGISTRY_VIEW_ALL


@admin.register(Enterprise, site=site)
class EnterpriseAdmin(RegistryAdmin):
    list_display = ["__str__", "founded_on"]
    search_fields = ["organisation__name", "organisation__uscc"]
    list_select_related = ["organisation"]


@admin.register(YearlyFacts, site=site)
class YearlyFactsAdmin(RegistryAdmin):
    list_display = ["enterprise", "fiscal_year", "employees", "revenue", "stage"]
    list_filter = ["fiscal_year", "stage"]
    search_fields = ["enterprise__organisation__name", "enterprise__organisation__uscc"]
    list_select_related = ["enterprise__organisation"]


@admin.register(Recognition, site=site)
class RecognitionAdmin(RegistryAdmin):
    list_display = ["enterprise", "kind", "year", "valid_until"]
    list_filter = ["kind", "year"]


@admin.register(FinancingRound, site=site)
class FinancingRoundAdmin(RegistryAdmin):
    list_display = ["enterprise", "round", "closed_on", "amount"]
    list_filter = ["round"]
