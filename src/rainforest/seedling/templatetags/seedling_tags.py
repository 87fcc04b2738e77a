from django import template
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from rainforest import formatting
from rainforest.policy import labels

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
    return labels.tier_name(tier_id)


@register.filter
def how_label(how: str) -> str:
    return str(HOW.get(how, how))


@register.filter
def reached(count, target) -> str:
    """How much of a target a count has reached, as a percentage."""
    return formatting.percent(count / target) if target else "—"


def _months(n: int) -> str:
    return ngettext("%(n)s month", "%(n)s months", n) % {"n": n}


@register.filter
def asked(application) -> str:
    """What an application asks for: months of rent concession, or an amount in yuan."""
    if application.months:
        return _months(application.months)
    shown = formatting.yuan(application.amount_requested)
    return shown + formatting.bracketed(gettext("computed")) if application.amount_computed else shown


@register.filter
def granted(application) -> str:
    """What was approved: the months asked for (a concession is granted whole), or the amount."""
    if application.amount_approved is None:
        return "—"
    return _months(application.months) if application.months else formatting.yuan(application.amount_approved)
