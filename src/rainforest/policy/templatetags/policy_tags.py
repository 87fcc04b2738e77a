from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from rainforest import formatting
from rainforest.audit.labels import VERDICTS
from rainforest.policy import labels
from rainforest.policy.rules import current_ruleset

register = template.Library()

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
            day = formatting.date_cn(window["in_force_from"])
            return _("Not yet in force (in force from %(date)s)") % {"date": day}
        if window.get("in_force_to"):
            day = formatting.date_cn(window["in_force_to"])
            return _("No longer in force (in force until %(date)s)") % {"date": day}
    return str(VERDICTS.get(value, value))


@register.filter
def result_label(value: str) -> str:
    return str(RESULTS.get(value, value))


@register.filter
def strictness_label(value: str) -> str:
    return str(STRICTNESS.get(value, value))


@register.filter
def shown(value):
    """A criterion value whose quantity is not known here: named values of a group each in their
    own terms, numbers grouped. Prefer criterion_value / criterion_threshold, which know it."""
    return labels.value_text(None, value)


@register.filter
def criterion_value(criterion, tier_id: str) -> str:
    """A criterion result's value (an engine result or a screen record's dict) in words."""
    return labels.criterion_row(current_ruleset(), tier_id, criterion)["value"]


@register.filter
def criterion_threshold(criterion, tier_id: str) -> str:
    """The condition the criterion's value had to meet, in words: "at least 10.0 %"."""
    return labels.criterion_row(current_ruleset(), tier_id, criterion)["threshold"]


@register.filter
def criterion_why(criterion, tier_id: str) -> str:
    """What is missing and the engine's note, in words."""
    return labels.criterion_row(current_ruleset(), tier_id, criterion)["why"]


@register.filter
def engine_note(note: str) -> str:
    return labels.note_text(note)


@register.filter
def confidence_label(grade: str) -> str:
    return str(labels.CONFIDENCE.get(grade, grade))


@register.filter
def action_label(number) -> str:
    return str(labels.ACTIONS.get(number, number))


@register.filter
def tier_label(tier_id: str) -> str:
    return labels.tier_name(tier_id)


@register.filter
def measure_label(measure_id: str) -> str:
    return labels.measure_name(measure_id)


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def thousands(value) -> str:
    """A whole number with its thousands grouped (60,000), as progress is read."""
    return formatting.whole(value) if isinstance(value, int) else value


@register.filter
def money(value) -> str:
    """An amount of a rule or measure in 元, 万元 or 亿元, whichever reads best."""
    return labels.money_text(value) if value not in (None, "") else "—"


@register.filter
def source_text(source: str) -> str:
    return labels.source_text(source or "")


@register.filter
def reading_label(name: str) -> str:
    return labels.reading_label(name)
