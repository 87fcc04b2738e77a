from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

register = template.Library()

VERDICTS = {
    "eligible": _("Eligible"),
    "ineligible": _("Ineligible"),
    "review": _("Review by an officer"),
    "unknown": _("Unknown: data missing"),
    "not_in_force": _("Not in force on the date checked"),
}
RESULTS = {"pass": _("pass"), "fail": _("fail"), "unknown": _("unknown")}
STRICTNESS = {
    "hard": _("hard"),
    "presumptive": _("in principle"),
    "relaxable": _("may be relaxed"),
    "expert": _("experts judge"),
}


@register.filter
def loc(value: dict) -> str:
    """A {language: text} mapping in the current language, falling back to Simplified Chinese."""
    if not isinstance(value, dict):
        return value
    language = (get_language() or "zh-hans").lower()
    return value.get(language) or value.get("zh-hans") or next(iter(value.values()), "")


@register.filter
def verdict_label(value: str, tier=None) -> str:
    """The verdict in words; given the tier's result (a TierResult or a screen record's tier), a
    tier not in force says from (or until) when its rules apply."""
    if value == "not_in_force" and tier is not None:
        window = tier.window if hasattr(tier, "window") else tier
        if window.get("in_force_from"):
            return _("Not yet in force (in force from %(date)s)") % {"date": window["in_force_from"]}
        if window.get("in_force_to"):
            return _("No longer in force (in force until %(date)s)") % {"date": window["in_force_to"]}
    return str(VERDICTS.get(value, value))


@register.filter
def result_label(value: str) -> str:
    return str(RESULTS.get(value, value))


@register.filter
def strictness_label(value: str) -> str:
    return str(STRICTNESS.get(value, value))


@register.filter
def shown(value):
    """A criterion value for people: ratios as percentages, big numbers grouped, dicts listed."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, float):
        if abs(value) < 10 and not value.is_integer():
            return f"{value:.4g}"
        return f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {shown(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(str(shown(v)) for v in value)
    return value


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def thousands(value) -> str:
    """A whole number with its thousands grouped (60,000), as progress is read."""
    return f"{value:,}" if isinstance(value, int) else value
