"""Navigation by what the current principal may do, grouped by programme.

Each group is a menu of the pages a role may open there; a group a role has nothing in is left out,
and a group of one page is a plain link. The group of the page being shown is marked as current."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rainforest.accounts import permissions as p

SEEDLING, EXCHANGE, FUND, REGISTRY, COCKPIT, SYSTEM = "seedling", "exchange", "fund", "registry", "cockpit", "system"
GROUPS = {
    # Short words: six of them, the language switch and the user's name share one line at 1280 px.
    SEEDLING: pgettext_lazy("navigation", "Seedlings"),
    EXCHANGE: pgettext_lazy("navigation", "Exchange"),
    FUND: pgettext_lazy("navigation", "Fund"),
    REGISTRY: pgettext_lazy("navigation", "Enterprises"),
    COCKPIT: pgettext_lazy("navigation", "Cockpit"),
    SYSTEM: pgettext_lazy("navigation", "System"),
}
# (group, url name, label): open to everyone, signed in or not.
PUBLIC = (
    (EXCHANGE, "exchange:scenarios", _("Scenarios")),
    (EXCHANGE, "exchange:capabilities", _("Capabilities")),
    (EXCHANGE, "exchange:lists", pgettext_lazy("navigation", "Published lists")),
    (SEEDLING, "policy:check", _("Self-check")),
    (SEEDLING, "policy:library", _("Policy library")),
)
# (permission, group, url name, label), in the order each menu lists them.
NAV = (
    (p.SEEDLING_APPLY, SEEDLING, "seedling:own", _("My ladder")),
    (p.REGISTRY_EDIT_OWN, SEEDLING, "policy:own_check", _("My eligibility")),
    (p.SEEDLING_APPLY, SEEDLING, "seedling:measures", _("Support measures")),
    (p.SEEDLING_APPLY, SEEDLING, "seedling:rounds", _("Good-seedling selection")),
    (p.SEEDLING_REVIEW, SEEDLING, "seedling:rounds", _("Good-seedling selection")),
    (p.SEEDLING_MANAGE, SEEDLING, "seedling:pyramid", pgettext_lazy("navigation", "Tier pyramid")),
    (p.SEEDLING_MANAGE, SEEDLING, "seedling:rounds", _("Good-seedling selection")),
    (p.SEEDLING_MANAGE, SEEDLING, "seedling:applications", pgettext_lazy("navigation", "Measure applications")),
    (p.SEEDLING_MANAGE, SEEDLING, "seedling:needs", pgettext_lazy("navigation", "Enterprise needs")),
    (p.POLICY_SCREEN, SEEDLING, "policy:runs", _("Bulk screening")),
    (p.EXCHANGE_PUBLISH, EXCHANGE, "exchange:my_scenarios", _("My scenarios")),
    (p.EXCHANGE_MANAGE, EXCHANGE, "exchange:queue", _("Approvals and lists")),
    (p.EXCHANGE_SUPPLY, EXCHANGE, "exchange:my_capabilities", _("My capabilities")),
    (p.EXCHANGE_SUPPLY, EXCHANGE, "matching:scenarios_for", _("Scenarios for you")),
    (p.EXCHANGE_SUPPLY, EXCHANGE, "matching:where_to_test", _("Where to test it")),
    (p.EXCHANGE_SUPPLY, EXCHANGE, "exchange:subscription", _("Subscriptions")),
    (p.EXCHANGE_REVIEW, EXCHANGE, "exchange:assignments", _("My reviews")),
    (p.FUND_MANAGE, FUND, "fund:pipeline", pgettext_lazy("navigation", "Deal pipeline")),
    (p.FUND_MANAGE, FUND, "fund:portfolio", pgettext_lazy("navigation", "Portfolio")),
    (p.FUND_MANAGE, FUND, "fund:committee", _("Investment committee")),
    (p.FUND_VOTE, FUND, "fund:committee", _("Investment committee")),
    (p.REGISTRY_EDIT_OWN, REGISTRY, "registry:own", _("My enterprise")),
    (p.REGISTRY_VIEW_ALL, REGISTRY, "registry:list", _("Registry")),
    (p.REGISTRY_IMPORT, REGISTRY, "registry:import", _("Import")),
    (p.REGISTRY_EXPORT, REGISTRY, "registry:exports", _("My exports")),
    (p.COCKPIT_VIEW, COCKPIT, "cockpit:cockpit", pgettext_lazy("navigation", "Indicators")),
    (p.COCKPIT_VIEW, COCKPIT, "cockpit:briefs", pgettext_lazy("navigation", "Monthly briefs")),
    (p.COCKPIT_ENTER, COCKPIT, "cockpit:observations", pgettext_lazy("navigation", "Entered figures")),
    (p.ACCOUNTS_MANAGE, SYSTEM, "accounts:users", _("Users")),
    (p.JOBS_VIEW, SYSTEM, "ops:jobs", _("Background jobs")),
    (p.ROLES_GRANT, SYSTEM, "accounts:roles", _("Roles")),
    (p.SECURITY_POLICY, SYSTEM, "accounts:policy", _("Security policy")),
    (p.AUDIT_VIEW, SYSTEM, "accounts:audit", _("Audit trail")),
    (p.API_TOKENS_OWN, SYSTEM, "accounts:tokens", _("API tokens")),
)
# Open to visitors; those who read the full cockpit are not shown its public face as well.
PUBLIC_COCKPIT = (COCKPIT, "cockpit:public", pgettext_lazy("navigation", "City figures"))
ORDER = (SEEDLING, EXCHANGE, FUND, REGISTRY, COCKPIT, SYSTEM)


@dataclass
class Link:
    href: str
    label: str
    current: bool = False


@dataclass
class Group:
    key: str
    label: str
    links: list[Link] = field(default_factory=list)
    current: bool = False

    @property
    def single(self) -> Link | None:
        """The one page of a group that has only one: shown as a plain link, not a menu."""
        return self.links[0] if len(self.links) == 1 else None


def _entries(principal) -> list[tuple[str, str, str]]:
    """(group, url name, label) the principal may open, each page once."""
    if principal is None:
        return [*PUBLIC, PUBLIC_COCKPIT]
    mine = [(g, name, label) for perm, g, name, label in NAV if principal.can(perm)]
    if principal.permissions & {p.EXCHANGE_PUBLISH, p.EXCHANGE_MANAGE, p.EXCHANGE_SUPPLY}:
        mine.append((EXCHANGE, "exchange:projects", _("Projects")))
    if principal.can(p.EXCHANGE_MANAGE):
        mine.append((EXCHANGE, "exchange:targets", pgettext_lazy("navigation", "Yearly targets")))
    mine += PUBLIC
    if not principal.can(p.COCKPIT_VIEW):
        mine.append(PUBLIC_COCKPIT)
    if principal.permissions & p.BACK_OFFICE:
        mine.append((SYSTEM, "admin:index", _("Back office")))
    seen, out = set(), []
    for g, name, label in mine:
        if name not in seen:
            seen.add(name)
            out.append((g, name, label))
    return out


def groups_for(principal, path: str) -> list[Group]:
    by_key = {key: Group(key, GROUPS[key]) for key in ORDER}
    best_group, best_len = None, 0
    for g, name, label in _entries(principal):
        href = reverse(name)
        link = Link(href, label, current=path == href)
        by_key[g].links.append(link)
        # The deepest page whose address the current one starts with says which programme we are in.
        if href != "/" and path.startswith(href) and len(href) > best_len:
            best_group, best_len = g, len(href)
    if best_group is not None:
        by_key[best_group].current = True
    return [by_key[key] for key in ORDER if by_key[key].links]


def navigation(request):
    principal = getattr(request, "principal", None)
    context = {"nav_groups": groups_for(principal, request.path)}
    if principal is not None:
        context["principal"] = principal
    return context
