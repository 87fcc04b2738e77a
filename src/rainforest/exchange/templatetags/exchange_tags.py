from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from rainforest.exchange.choices import Domain, FocusArea, ScenarioKind
from rainforest.exchange.selectors import list_separator

register = template.Library()
LABELS = {**dict(Domain.choices), **{f"focus:{k}": v for k, v in FocusArea.choices},
          **{f"kind:{k}": v for k, v in ScenarioKind.choices}}  # fmt: skip


@register.filter
def domain_label(value):
    if isinstance(value, list):
        return list_separator().join(str(LABELS.get(v, v)) for v in value)
    return LABELS.get(value, value)


# A status is read from its word; the colour and a shape of its own repeat it for a glance, so a
# reader who does not see colours loses nothing. The shapes are in every Chinese font (GB 2312).
TONES = {
    "done": "√",  # reached: approved, published, awarded, landed, final
    "active": "●",  # under way: a call open, a trial, a review, a notice
    "waiting": "◎",  # with someone else to act: submitted for approval, pending
    "stopped": "×",  # returned, withdrawn, not selected, terminated, upheld
    "idle": "○",  # a draft, or over and closed
}
STATUS_TONES = {
    "draft": "idle",
    "submitted": "waiting",
    "returned": "stopped",
    "approved": "done",
    "published": "done",
    "call_open": "active",
    "call_closed": "waiting",
    "awarded": "done",
    "closed": "idle",
    "withdrawn": "stopped",
    "open": "active",
    "review": "active",
    "notice": "active",
    "final": "done",
    "winner": "done",
    "not_selected": "stopped",
    "agreed": "waiting",
    "trial": "active",
    "landed": "done",
    "accepted": "done",
    "scaled": "done",
    "terminated": "stopped",
    "pending": "waiting",
    "dismissed": "idle",
    "upheld": "stopped",
}


@register.simple_tag
def status(obj, field: str = "status"):
    """``obj``'s status as a word with its tone's colour and shape: ``{% status scenario %}``;
    another choice field by name: ``{% status objection "outcome" %}``."""
    value = getattr(obj, field)
    label = getattr(obj, f"get_{field}_display")()
    tone = STATUS_TONES.get(value, "idle")
    return format_html(
        '<span class="status status-{}"><span class="status-icon" aria-hidden="true">{}</span>{}</span>',
        tone,
        TONES[tone],
        label,
    )


@register.simple_tag
def exchange_css():
    """The exchange pages' own styles (statuses, charts), linked from the page body: allowed there,
    and the site's stylesheet stays as it is."""
    return format_html('<link rel="stylesheet" href="{}">', static("exchange/exchange.css"))
