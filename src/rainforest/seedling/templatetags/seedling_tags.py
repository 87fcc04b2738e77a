from django import template
from django.utils.translation import gettext_lazy as _

from rainforest.policy.rules import current_ruleset
from rainforest.policy.templatetags.policy_tags import loc

register = template.Library()

HOW = {
    "amount": _("apply with an amount"),
    "computed": _("computed from your loans"),
    "months": _("apply in months"),
    "info": _("a service: ask your case officer"),
    "unknown": _("amounts and conditions not published"),
}


@register.filter
def tier_name(tier_id: str) -> str:
    tier = current_ruleset().tiers.get(tier_id)
    return loc(tier.name) if tier else tier_id


@register.filter
def how_label(how: str) -> str:
    return str(HOW.get(how, how))
