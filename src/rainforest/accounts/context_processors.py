"""Navigation entries by what the current principal may do."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rainforest.accounts import permissions as p

PUBLIC = (
    ("exchange:scenarios", _("Scenarios")),
    ("exchange:capabilities", _("Capabilities")),
    ("policy:check", _("Self-check")),
    ("policy:library", _("Policy library")),
)
NAV = (
    (p.REGISTRY_EDIT_OWN, "registry:own", _("My enterprise")),
    (p.REGISTRY_EDIT_OWN, "policy:own_check", _("My eligibility")),
    (p.SEEDLING_APPLY, "seedling:own", _("My ladder")),
    (p.SEEDLING_APPLY, "seedling:measures", _("Support measures")),
    (p.SEEDLING_APPLY, "seedling:rounds", _("Good-seedling selection")),
    (p.POLICY_SCREEN, "policy:runs", _("Bulk screening")),
    (p.SEEDLING_MANAGE, "seedling:pyramid", _("Seedling programme")),
    (p.FUND_MANAGE, "fund:pipeline", _("Seedling fund")),
    (p.FUND_VOTE, "fund:committee", _("Investment committee")),
    (p.EXCHANGE_PUBLISH, "exchange:my_scenarios", _("My scenarios")),
    (p.EXCHANGE_MANAGE, "exchange:queue", _("Approvals and lists")),
    (p.EXCHANGE_SUPPLY, "exchange:my_capabilities", _("My capabilities")),
    (p.EXCHANGE_SUPPLY, "matching:scenarios_for", _("Scenarios for you")),
    (p.EXCHANGE_SUPPLY, "matching:where_to_test", _("Where to test it")),
    (p.EXCHANGE_SUPPLY, "exchange:subscription", _("Subscriptions")),
    (p.EXCHANGE_REVIEW, "exchange:assignments", _("My reviews")),
    (p.SEEDLING_REVIEW, "seedling:rounds", _("Good-seedling selection")),
    (p.REGISTRY_VIEW_ALL, "registry:list", _("Registry")),
    (p.REGISTRY_IMPORT, "registry:import", _("Import")),
    (p.REGISTRY_EXPORT, "registry:exports", _("My exports")),
    (p.ACCOUNTS_MANAGE, "accounts:users", _("Users")),
    (p.JOBS_VIEW, "ops:jobs", _("Background jobs")),
    (p.ROLES_GRANT, "accounts:roles", _("Roles")),
    (p.SECURITY_POLICY, "accounts:policy", _("Security policy")),
    (p.AUDIT_VIEW, "accounts:audit", _("Audit trail")),
    (p.API_TOKENS_OWN, "accounts:tokens", _("API tokens")),
)


def navigation(request):
    principal = getattr(request, "principal", None)
    public = [(reverse(name), label) for name, label in PUBLIC]
    if principal is None:
        return {"nav": public}
    items = [(reverse(name), label) for perm, name, label in NAV if principal.can(perm)]
    if principal.permissions & {p.EXCHANGE_PUBLISH, p.EXCHANGE_MANAGE, p.EXCHANGE_SUPPLY}:
        items.append((reverse("exchange:projects"), _("Projects")))
    items += public
    if principal.permissions & p.BACK_OFFICE:
        items.append((reverse("admin:index"), _("Back office")))
    return {"nav": items, "principal": principal}
